// Gallery cards: hovering a finished card, or reaching it with the keyboard, plays its video muted; leaving or
// moving focus away pauses it. Listens on the document, so cards swapped in later (a render that just finished,
// an older page, a filter change) behave the same without being wired one by one.
(function () {
  "use strict";
  if (window.cardPreview) return; // the script tag may come twice (compose page and a swapped gallery)
  window.cardPreview = true;
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  function videoIn(node) {
    const card = node instanceof Element ? node.closest(".job-card") : null;
    return card ? card.querySelector(".frame video") : null;
  }

  function play(video) {
    if (reducedMotion.matches) return;
    video.muted = true;
    const started = video.play();
    if (started) started.catch(function () {}); // paused again before it started, or the file is gone: fine
  }

  function pause(video) {
    if (!video.paused) video.pause();
  }

  function entering(event) {
    const video = videoIn(event.target);
    if (video && videoIn(event.relatedTarget) !== video) play(video);
  }

  function leaving(event) {
    const video = videoIn(event.target);
    if (!video || videoIn(event.relatedTarget) === video) return;
    // Hover and focus both keep it playing: a card stays live while the mouse is over it or focus is inside it.
    const card = video.closest(".job-card");
    if (event.type === "mouseout" && card.contains(document.activeElement)) return;
    if (event.type === "focusout" && card.matches(":hover")) return;
    pause(video);
  }

  document.addEventListener("mouseover", entering);
  document.addEventListener("mouseout", leaving);
  document.addEventListener("focusin", entering);
  document.addEventListener("focusout", leaving);
})();
