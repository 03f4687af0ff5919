// The composer's "Compare every provider": refreshed after each live check while it is open (never while closed,
// so a keystroke costs one request when nobody looks), and its "Use" buttons switch the composer's provider and
// tier in place (the select's change re-runs the live check and fetches the provider's own options). Without
// JavaScript, the comparison is a page and "Use" a form.
(function () {
  "use strict";
  const details = document.getElementById("compare-details");
  const composeForm = document.getElementById("compose-form");
  if (!details || !composeForm || !window.htmx) return;
  const checkPath = composeForm.getAttribute("hx-post");

  function refresh() {
    const table = document.getElementById("compare-table");
    if (details.open && table) window.htmx.trigger(table, "compare-refresh");
  }

  details.addEventListener("toggle", refresh);
  document.body.addEventListener("htmx:afterRequest", function (event) {
    const config = event.detail.requestConfig;
    if (event.detail.successful && config && config.path === checkPath) refresh();
  });
  details.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-model]");
    const select = document.getElementById("id_model");
    if (!button || !select) return;
    event.preventDefault();
    select.value = button.dataset.model;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    select.scrollIntoView({ block: "center" });
    select.focus();
  });
})();
