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

  // A refused request (400: too many files at once; 413: too large for a proxy) or a lost connection would
  // otherwise leave the form silent: say what happened, in the same place as the other refusals.
  function showUploadProblem(text) {
    var form = uploadForm();
    if (!form) return;
    var box = form.querySelector(".upload-progress");
    if (box) box.hidden = true;
    var list = form.parentNode.querySelector(".upload-problem");
    if (!list) {
      list = document.createElement("ul");
      list.className = "refusals upload-problem";
      list.setAttribute("role", "alert");
      form.insertAdjacentElement("afterend", list);
    }
    list.innerHTML = "";
    var item = document.createElement("li");
    item.textContent = text;
    list.appendChild(item);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var form = uploadForm();
    if (event.detail.elt !== form) return;
    var status = event.detail.xhr.status;
    // The limit is the studio's setting (UPLOAD_MAX_FILES), which the page writes on the form.
    showUploadProblem(status === 400
      ? "The upload was not accepted: too many files at once. Send at most " + form.dataset.maxFiles
        + " files per upload, in batches."
      : status === 413 ? "The upload is too large for the server. Send fewer or smaller files at a time."
      : "The upload failed (status " + status + "). Try again.");
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt === uploadForm()) {
      showUploadProblem("The upload did not reach the studio. Check your connection and try again.");
    }
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
