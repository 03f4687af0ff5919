// The A/B page: two results played as one. Playing, pausing or seeking either video does the same to the other,
// and while they play, the second follows the first's clock (a drift over 0.1 s is corrected), so a creative
// compares the same moment of both takes.
(function () {
  "use strict";
  const videos = Array.from(document.querySelectorAll("[data-ab-video]"));
  if (videos.length !== 2) return;
  const [lead, follower] = videos;
  const playBoth = document.getElementById("ab-play");
  let echoing = false; // an event we caused on the other video must not bounce back

  function other(video) {
    return video === lead ? follower : lead;
  }

  function mirror(handler) {
    return function (event) {
      if (echoing) return;
      echoing = true;
      try {
        handler(event.target, other(event.target));
      } finally {
        setTimeout(function () { echoing = false; }, 0);
      }
    };
  }

  videos.forEach(function (video) {
    video.addEventListener("play", mirror(function (_, partner) {
      partner.currentTime = video.currentTime;
      if (partner.paused) partner.play().catch(function () {});
    }));
    video.addEventListener("pause", mirror(function (_, partner) {
      if (!partner.paused) partner.pause();
      partner.currentTime = video.currentTime;
    }));
    video.addEventListener("seeked", mirror(function (_, partner) {
      if (Math.abs(partner.currentTime - video.currentTime) > 0.05) partner.currentTime = video.currentTime;
    }));
  });

  lead.addEventListener("timeupdate", function () {
    if (!lead.paused && !follower.paused && !follower.seeking &&
        Math.abs(follower.currentTime - lead.currentTime) > 0.1) {
      follower.currentTime = lead.currentTime;
    }
  });

  if (playBoth) {
    playBoth.hidden = false;
    playBoth.addEventListener("click", function () {
      if (lead.paused) {
        follower.currentTime = lead.currentTime;
        lead.play().catch(function () {});
      } else {
        lead.pause();
      }
    });
  }
})();
