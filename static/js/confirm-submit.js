// A form with data-confirm="question" asks before it submits (a delete): the question is the form's own text,
// so no inline handler is needed. Listens on the document, so forms swapped in later behave the same.
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
