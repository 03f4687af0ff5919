// Ctrl+Enter (Cmd+Enter on a Mac) in the prompt submits, as the Submit button would. When the live check has not
// caught up with the last keystrokes yet (Submit still disabled from before), it waits for that check and submits
// if it allows; otherwise it says so, where Submit's own hint does.
(function () {
  "use strict";

  var waiting = false;

  function submitButton() { return document.getElementById("submit-button"); }

  function submitOrSay() {
    var button = submitButton();
    if (!button) return;
    if (!button.disabled) {
      button.click();
      return;
    }
    var hint = document.querySelector("#submit-area .hint");
    var status = document.getElementById("chip-move-status") || document.createElement("p");
    if (!status.id) {
      status.id = "chip-move-status";
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = "Not submitted: " + (hint ? hint.textContent.trim() : "the check panel lists what to fix.");
  }

  // Decide once: when the check answers (its panel settles), or after a moment if no check is coming.
  function afterTheCheck() {
    if (waiting) return;
    waiting = true;
    function decide() {
      if (!waiting) return;
      waiting = false;
      document.body.removeEventListener("htmx:afterSettle", settled);
      submitOrSay();
    }
    function settled(event) {
      if (event.detail.elt && event.detail.elt.id === "live-panel") decide();
    }
    document.body.addEventListener("htmx:afterSettle", settled);
    (function poll(left) {  // the check starts 300 ms after the last keystroke and may take a moment
      if (!waiting) return;
      if (left <= 0 || !document.querySelector("#compose-form.htmx-request") && left < 25) decide();
      else setTimeout(function () { poll(left - 1); }, 100);
    })(30);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    if (!event.target.closest || !event.target.closest("#compose-form")) return;
    event.preventDefault();
    var button = submitButton();
    if (button && !button.disabled) submitOrSay();  // the server checks what is sent, whatever the panel says
    else afterTheCheck();
  });
})();
