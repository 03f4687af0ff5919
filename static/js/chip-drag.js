// Reorder reference chips by dragging them, or with the keyboard: each chip gets a handle; drag it to a new place,
// or focus it and press ArrowUp/ArrowDown (Home/End: first/last). Either way one POST (the chip's data-move-url,
// with `to`, its new place, and the prompt as typed) answers the renumbered references and prompt, exactly like
// the arrow buttons, which stay for pages without JavaScript. A live region says where the chip went.
(function () {
  "use strict";

  var LIST = "#references ol.chips";
  var TYPE = "application/x-seedance-chip";
  var dragged = null;  // the chip being dragged with the mouse

  function chipsOf(list) { return Array.prototype.slice.call(list.querySelectorAll(":scope > li.chip")); }

  function announcer() {
    var region = document.getElementById("chip-move-status");
    if (!region) {
      region = document.createElement("p");
      region.id = "chip-move-status";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }

  function help() {
    if (!document.getElementById("chip-drag-help")) {
      var text = document.createElement("p");
      text.id = "chip-drag-help";
      text.className = "visually-hidden";
      text.textContent = "Drag to reorder, or press Arrow Up or Arrow Down to move this reference one place, "
        + "Home or End to move it first or last. The prompt's mentions are renumbered to follow it.";
      document.body.appendChild(text);
    }
  }

  function enhance(list) {
    if (!list || list.classList.contains("sortable")) return;
    help();
    list.classList.add("sortable");
    chipsOf(list).forEach(function (chip) {
      if (!chip.dataset.moveUrl) return;
      var handle = document.createElement("button");
      handle.type = "button";
      handle.className = "chip-handle";
      handle.draggable = true;
      handle.textContent = "⋮⋮";
      handle.setAttribute("aria-label", "Reorder " + chip.dataset.mention + " (" + chip.dataset.name + ")");
      handle.setAttribute("aria-describedby", "chip-drag-help");
      chip.querySelector(".chip-main").prepend(handle);
    });
  }

  // Move `chip` to place `to` (0-based) on the server; the answer replaces #references and the prompt.
  function move(chip, to, how) {
    var list = chip.closest("ol.chips"), chips = chipsOf(list), from = chips.indexOf(chip);
    to = Math.max(0, Math.min(chips.length - 1, to));
    if (to === from) return;
    var prompt = document.getElementById("id_prompt");
    var name = chip.dataset.name, url = chip.dataset.moveUrl;
    list.classList.add("moving");
    htmx.ajax("POST", url, {
      source: chip,
      target: "#references",
      swap: "outerHTML",
      values: { to: String(to), prompt: prompt ? prompt.value : "" }
    }).then(function () {
      list.classList.remove("moving");  // still on the page only when the move failed
      enhanceAll();
      var moved = document.querySelector(LIST + " > li.chip[data-move-url='" + url + "']");
      if (!moved) return;
      moved.classList.add("moved");
      announcer().textContent = name + " moved to place " + (to + 1) + " of " + chips.length
        + "; it is " + moved.dataset.mention + " now, and the prompt's mentions follow it.";
      if (how === "keyboard") {
        var handle = moved.querySelector(".chip-handle");
        if (handle) handle.focus();
      }
    });
  }

  // ---- Keyboard
  document.addEventListener("keydown", function (event) {
    var handle = event.target.closest && event.target.closest(".chip-handle");
    if (!handle) return;
    var chip = handle.closest("li.chip"), chips = chipsOf(chip.parentNode), from = chips.indexOf(chip);
    var to = { ArrowUp: from - 1, ArrowLeft: from - 1, ArrowDown: from + 1, ArrowRight: from + 1,
               Home: 0, End: chips.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    if (to < 0 || to >= chips.length) {
      announcer().textContent = chip.dataset.name + " is already " + (to < 0 ? "first" : "last") + ".";
      return;
    }
    move(chip, to, "keyboard");
  });

  // ---- Mouse (HTML5 drag and drop): the handle drags its chip; chips show where it would land.
  function clearMarks(list) {
    chipsOf(list).forEach(function (chip) { chip.classList.remove("drop-before", "drop-after"); });
  }

  // The chip under the pointer and whether the dragged one would go before or after it.
  function dropPoint(list, y) {
    var chips = chipsOf(list);
    for (var i = 0; i < chips.length; i++) {
      var box = chips[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) return { chip: chips[i], before: true, index: i };
    }
    return { chip: chips[chips.length - 1], before: false, index: chips.length };
  }

  document.addEventListener("dragstart", function (event) {
    var handle = event.target.closest && event.target.closest(".chip-handle");
    if (!handle) return;
    dragged = handle.closest("li.chip");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData(TYPE, dragged.dataset.moveUrl);
    event.dataTransfer.setData("text/plain", dragged.dataset.mention);
    event.dataTransfer.setDragImage(dragged, 24, 24);
    requestAnimationFrame(function () { if (dragged) dragged.classList.add("dragging"); });
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var list = event.target.closest && event.target.closest("ol.chips");
    if (!list || list !== dragged.parentNode) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var point = dropPoint(list, event.clientY);
    clearMarks(list);
    point.chip.classList.add(point.before ? "drop-before" : "drop-after");
  });

  document.addEventListener("drop", function (event) {
    if (!dragged) return;
    var list = event.target.closest && event.target.closest("ol.chips");
    var chip = dragged;
    if (!list || list !== chip.parentNode) return;
    event.preventDefault();
    clearMarks(list);
    var from = chipsOf(list).indexOf(chip), point = dropPoint(list, event.clientY);
    // Its place once it has left its old one: dropping below itself counts one place less.
    move(chip, point.index > from ? point.index - 1 : point.index, "mouse");
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    var list = dragged.parentNode;
    if (list) clearMarks(list);
    dragged = null;
  });

  // The chips are swapped in by uploads, moves and removals: give each new list its handles.
  function enhanceAll() { enhance(document.querySelector(LIST)); }
  document.addEventListener("htmx:load", enhanceAll);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhanceAll);
  else enhanceAll();
})();
