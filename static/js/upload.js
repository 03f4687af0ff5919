// Uploads: drop files anywhere on the compose page or pick them, and watch a real progress bar while they stream up.
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

  // Files dragged anywhere over the page: the whole page is the drop target (an overlay says so), and the drop
  // uploads them through the same form. Dragging a chip (not files) is chip-drag.js's business.
  function carriesFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }
  var overlay = null, depth = 0;
  function showOverlay(show) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.className = "page-drop";
      overlay.hidden = true;
      overlay.setAttribute("aria-hidden", "true");
      overlay.innerHTML = '<div class="page-drop-box">Drop to add them as references'
        + "<small>Images, videos or audio: they become chips you can mention in the prompt</small></div>";
      document.body.appendChild(overlay);
    }
    overlay.hidden = !show;
    overlay.classList.toggle("active", show);
    var zone = document.querySelector(".dropzone");
    if (zone) zone.classList.toggle("dragging", show);
  }
  document.addEventListener("dragenter", function (event) {
    if (!carriesFiles(event) || !uploadForm()) return;
    event.preventDefault();
    depth += 1;
    showOverlay(true);
  });
  document.addEventListener("dragover", function (event) {
    if (!carriesFiles(event) || !uploadForm()) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("dragleave", function (event) {
    if (!carriesFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) showOverlay(false);
  });
  document.addEventListener("drop", function (event) {
    if (!carriesFiles(event) || !uploadForm()) return;
    event.preventDefault();  // else the browser opens the file and leaves the studio
    depth = 0;
    showOverlay(false);
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
