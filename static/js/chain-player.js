// The chain page's player: plays the chain's finished shots one after another in one <video>, as one film.
// Each shot is a <li data-src data-poster> of .chain-shots, in order; "Play from here" jumps to one. Without
// JavaScript the player shows the first shot and each shot has its own player in the list.
(function () {
  "use strict";
  const player = document.querySelector("[data-chain-player]");
  if (!player) return;
  const items = Array.from(document.querySelectorAll(".chain-shots > li"));
  const shots = items.filter(function (item) { return item.dataset.src; });
  const now = document.querySelector("[data-chain-now]");
  let index = 0;

  function show(position, autoplay) {
    if (position < 0 || position >= shots.length) return;
    index = position;
    const shot = shots[index];
    items.forEach(function (item) { item.classList.toggle("playing", item === shot); });
    player.dataset.shot = String(index + 1);
    if (player.getAttribute("src") !== shot.dataset.src) {
      player.src = shot.dataset.src;
      if (shot.dataset.poster) player.poster = shot.dataset.poster;
    }
    if (now) now.textContent = "Shot " + (items.indexOf(shot) + 1) + " of " + items.length;
    if (autoplay) {
      const started = player.play();
      if (started) started.catch(function () {}); // the browser wants a click first: the controls are there
    }
  }

  player.addEventListener("ended", function () {
    if (index + 1 < shots.length) show(index + 1, true);
    else player.dataset.finished = "true";
  });
  player.addEventListener("play", function () { delete player.dataset.finished; });
  shots.forEach(function (shot, position) {
    const button = shot.querySelector("[data-chain-play]");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () { show(position, true); });
  });
  if (shots.length) show(0, false);
})();
