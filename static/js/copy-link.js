// Copy button for a read-only link field: <button data-copy="#share-url">.
// The clipboard API needs a secure context and the user's permission; where it is missing or refused, the text is
// selected instead so a long-press (phone) or Ctrl+C / Cmd+C copies it. The panel is swapped in by HTMX, which
// runs this file again each time: one document-wide listener is enough.
(function () {
  "use strict";
  if (window.copyLinkInstalled) return;
  window.copyLinkInstalled = true;

  function say(button, text) {
    var label = button.dataset.label || (button.dataset.label = button.textContent);
    button.textContent = text;
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () { button.textContent = label; }, 2500);
  }

  function select(field, button) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);  // iOS Safari ignores select() alone
    say(button, "Selected: copy it");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.dataset.copy);
    if (!field) return;
    if (!navigator.clipboard || !window.isSecureContext) {
      select(field, button);
      return;
    }
    navigator.clipboard.writeText(field.value).then(
      function () { say(button, "Copied"); },
      function () { select(field, button); });
  });
})();
