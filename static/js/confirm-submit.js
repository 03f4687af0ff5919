// A form with data-confirm asks before it is sent ("Delete this job and its video?"). An attribute and a listener
// instead of onsubmit="return confirm(...)": the Content-Security-Policy runs no inline handlers.
(function () {
  "use strict";
  if (window.confirmSubmit) return;
  window.confirmSubmit = true;
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const question = form instanceof HTMLFormElement ? form.dataset.confirm : null;
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);
})();
