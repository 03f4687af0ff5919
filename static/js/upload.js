// Uploads: drop files on the zone or pick them, and watch a real progress bar while they stream up.
// The form works without JavaScript too (a plain multipart POST); this only adds drag and drop and progress.
(function () {
  "use strict";

  function uploadForm() { return document.getElementById("upload-form"); }

  function send(files) {
    var form = uploadForm();
    if (!form || !files || !files.length) return;
    var input = form.querySelector("input[type=file]");
    if (input.files !== files) {
      var transfer = new DataTransfer();
      Array.prototype.forEach.call(files, function (file) { transfer.items.add(file); });
      input.files = transfer.files;
    }
    htmx.trigger(form, "submit");
  }

  document.addEventListener("change", function (event) {
    if (event.target.id === "upload-input") send(event.target.files);
  });

  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var zone = event.target.closest && event.target.closest(".dropzone");
      if (!zone) return;
      event.preventDefault();
      zone.classList.add("dragging");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest(".dropzone");
    if (zone) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest(".dropzone");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    send(event.dataTransfer.files);
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = uploadForm();
    if (!form || event.target !== form || !event.detail.lengthComputable) return;
    var box = form.querySelector(".upload-progress");
    var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
    box.hidden = false;
    box.querySelector("progress").value = percent;
    box.querySelector(".upload-progress-text").textContent =
      percent < 100 ? "Uploading… " + percent + "%" : "Checking files…";
  });
})();
