// A form with data-confirm="question" asks before it is sent (a delete). An attribute and a listener instead of
// onsubmit="return confirm(...)": the Content-Security-Policy runs no inline handlers. Listens on the document,
// so forms swapped in later behave the same.
(function () {
  "use strict";
  if (window.confirmSubmit) return;
  window.confirmSubmit = true;
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
