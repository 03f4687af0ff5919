// Gallery cards in flight refresh themselves: every data-poll-seconds in a visible tab, every 30 s in a hidden
// one, and at once when the tab comes back. Each card's hx-trigger is "poll"; this file sends it. (htmx's own
// "every 3s [!document.hidden]" filters are compiled with new Function, which the Content-Security-Policy
// forbids.) A card answered with 286 (its job ended) stops; a swapped-in card starts its own clock.
(function () {
  "use strict";
  if (window.cardPolling) return; // the script tag may come twice (compose page and a swapped gallery)
  window.cardPolling = true;
  const HIDDEN_SECONDS = 30;
  const last = new WeakMap(); // card -> when it last asked (ms)

  function poll(force) {
    const now = Date.now();
    document.querySelectorAll("[data-poll-seconds]").forEach(function (card) {
      if (!last.has(card)) {
        last.set(card, now); // just rendered: it is fresh
        if (!force) return;
      }
      const seconds = document.hidden ? HIDDEN_SECONDS : Number(card.dataset.pollSeconds) || 3;
      if (force || now - last.get(card) >= seconds * 1000) {
        last.set(card, now);
        window.htmx.trigger(card, "poll");
      }
    });
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    const card = event.detail.elt;
    if (event.detail.xhr && event.detail.xhr.status === 286 && card.removeAttribute) {
      card.removeAttribute("data-poll-seconds"); // htmx's "stop polling"
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) poll(true);
  });
  window.setInterval(function () { poll(false); }, 250);
})();
