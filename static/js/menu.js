// The header's menu on a phone: the links fold behind a "Menu" button that opens and closes them. Escape closes it
// (and gives focus back to the button), as do a click outside it and choosing a link. Without JavaScript the button
// stays hidden and the links wrap under the brand.
(function () {
  "use strict";

  function setUp() {
    var button = document.querySelector(".menu-toggle");
    var nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) return;
    var header = button.closest(".topbar");
    header.classList.add("has-menu");
    button.hidden = false;

    function isOpen() { return button.getAttribute("aria-expanded") === "true"; }
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    }

    button.addEventListener("click", function () {
      setOpen(!isOpen());
      if (isOpen()) {
        var first = nav.querySelector("a, button");
        if (first) first.focus();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) {
        setOpen(false);
        button.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (isOpen() && !header.contains(event.target)) setOpen(false);
    });
    // Wider than a phone the links are all shown: a menu left open there would only confuse the next narrowing.
    window.matchMedia("(min-width: 721px)").addEventListener("change", function (query) {
      if (query.matches) setOpen(false);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
