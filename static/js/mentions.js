// @-mentions in the prompt: typing "@" lists the composition's references (Tribute does the caret work), and a
// layer behind the textarea highlights every mention, with a warning look for one that points at nothing.
// The prompt stays a plain <textarea name="prompt">: its value, the form and HTMX's triggers are untouched, and
// without JavaScript (or without Tribute) it is simply a textarea.
(function () {
  "use strict";

  var PROMPT = "#compose-form textarea[name=prompt]";
  var CHIPS = "#references .chip[data-mention]";

  // The mention forms as the core reads them (seedance_studio/seedance/mentions.py, mention_syntax()), handed
  // over by the compose page. JavaScript has no conditional group, so a bracket counts only when both halves are
  // there (see bounds()). Without them the prompt stays a plain textarea.
  var syntaxElement = document.getElementById("mention-syntax");
  var SYNTAX = syntaxElement && JSON.parse(syntaxElement.textContent);
  if (!SYNTAX) return;
  var KIND = SYNTAX.kinds, CHINESE = SYNTAX.chinese;
  // The numbered forms plus the chips' names (@hero), rebuilt when the names change: a name is a mention only
  // while a chip carries it, as the core reads it.
  var mentionPattern = null, patternNames = null;
  function mentionRegExp(names) {
    var key = names.join("|");
    if (key !== patternNames) {
      var alternation = names.slice().sort(function (a, b) { return b.length - a.length; })
        .map(function (name) { return name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|") || "(?!)";
      mentionPattern = new RegExp(SYNTAX.named_pattern.split(SYNTAX.names_slot).join(alternation), SYNTAX.flags);
      patternNames = key;
    }
    return mentionPattern;
  }
  var GLYPH = { audio: "♫", video: "▶", image: "▧" };
  var STYLE = ["fontFamily", "fontSize", "fontWeight", "fontStyle", "fontVariant", "fontStretch", "lineHeight",
    "letterSpacing", "wordSpacing", "textTransform", "textIndent", "tabSize", "direction", "textAlign",
    "paddingTop", "paddingLeft", "paddingBottom", "borderTopWidth", "borderRightWidth", "borderBottomWidth",
    "borderLeftWidth", "borderRadius"];

  var enhanced = new WeakSet();
  var heard = new WeakMap();  // prompt -> its value when an input event last reached the form
  var prompts = [];

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Read fresh every time: #references is swapped by uploads, reorders, removals and renames.
  function references() {
    return Array.prototype.map.call(document.querySelectorAll(CHIPS), function (chip) {
      var mention = chip.dataset.mention, kind = chip.dataset.kind;
      return { mention: mention, kind: kind, name: chip.dataset.name || "", thumbnail: chip.dataset.thumbnail || "",
               refName: chip.dataset.refName || "",
               chinese: "@" + (CHINESE[kind] || kind) + mention.replace(/^\D+/, "") };
    });
  }

  // Each reference by its number, and a named one by its name too (listed first): the prompt takes either.
  function matching(query) {
    var q = (query || "").toLowerCase(), bare = q.replace(/_/g, ""), items = [];
    references().forEach(function (ref) {
      if (ref.refName && ref.refName.toLowerCase().indexOf(q) !== -1) {
        items.push(Object.assign({}, ref, { mention: "@" + ref.refName, named: true, also: ref.mention }));
      }
      if (ref.mention.slice(1).toLowerCase().indexOf(bare) !== -1 || ref.chinese.slice(1).indexOf(bare) !== -1
          || ref.name.toLowerCase().indexOf(q) !== -1) {
        items.push(Object.assign({}, ref, { also: ref.refName ? "@" + ref.refName : "" }));
      }
    });
    items.sort(function (a, b) { return (b.named ? 1 : 0) - (a.named ? 1 : 0); });
    return items;
  }

  // ---- Highlighting: a mirror of the text behind a transparent textarea, with <mark>s under the mentions.

  function bounds(match) {
    var start = match.index, end = start + match[0].length, group = match.groups;
    if (group.open && !group.close) start += 1;  // "【@图片1" without "】": the mention is "@图片1"
    if (!group.open && group.close) end -= 1;    // "@图片1】": the bracket is not part of it
    return [start, end];
  }

  function highlight(text, known, names) {
    var fragment = document.createDocumentFragment(), last = 0, match, pattern = mentionRegExp(Object.keys(names));
    pattern.lastIndex = 0;
    while ((match = pattern.exec(text))) {
      var span = bounds(match), group = match.groups, kind, points;
      if (group.word) {
        kind = KIND[group.word.toLowerCase()];
        points = !group.removed && known[("@" + kind + parseInt(group.number, 10))];
      } else {  // "@removed:hero" points at nothing; "@hero" at its chip
        kind = group.name ? names[group.name.toLowerCase()] : "";
        points = Boolean(group.name);
      }
      var mark = document.createElement("mark");
      mark.className = points ? "mention-known" : "mention-unknown";
      mark.dataset.kind = kind;
      mark.textContent = text.slice(span[0], span[1]);
      fragment.append(text.slice(last, span[0]), mark);
      last = span[1];
    }
    // A trailing newline only shows as a line in a textarea if something follows it.
    fragment.append(text.slice(last) + (text.slice(-1) === "\n" ? " " : ""));
    return fragment;
  }

  function backdropOf(textarea) {
    var previous = textarea.previousElementSibling;
    return previous && previous.classList.contains("mention-backdrop") ? previous : null;
  }

  function layout(textarea) {
    var backdrop = backdropOf(textarea);
    if (!backdrop) return;
    var style = getComputedStyle(textarea);
    STYLE.forEach(function (name) { backdrop.style[name] = style[name]; });
    var scrollbar = textarea.offsetWidth - textarea.clientWidth
      - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth);
    backdrop.style.paddingRight = parseFloat(style.paddingRight) + Math.max(scrollbar, 0) + "px";
    backdrop.style.top = textarea.offsetTop + "px";
    backdrop.style.left = textarea.offsetLeft + "px";
    backdrop.style.width = textarea.offsetWidth + "px";
    backdrop.style.height = textarea.offsetHeight + "px";
    backdrop.scrollTop = textarea.scrollTop;
  }

  function render(textarea) {
    var backdrop = backdropOf(textarea);
    if (!backdrop) return;
    var known = {}, names = {};
    references().forEach(function (ref) {
      known[ref.mention.toLowerCase()] = true;
      if (ref.refName) names[ref.refName.toLowerCase()] = ref.kind;
    });
    backdrop.replaceChildren(highlight(textarea.value, known, names));
    layout(textarea);
  }

  // ---- Completion: Tribute finds the "@query" before the caret, runs the menu and its keys, and replaces the query.

  // The menu lives in an anchor that only place() moves: Tribute rewrites the menu's own style attribute.
  var anchor = document.createElement("div");
  anchor.className = "mention-anchor";

  var tribute = window.Tribute ? new window.Tribute({
    trigger: "@",
    menuContainer: anchor,
    requireLeadingSpace: false,  // Chinese prompts write "用@图片1的风格" with no space before the @
    positionMenu: false,  // place() does: Tribute's own placement leaves the menu hidden when it must open upwards
    values: function (query, show) { show(matching(query)); place(); },
    lookup: "mention",
    fillAttr: "mention",
    searchOpts: { skip: true },  // matching() filters; Tribute's fuzzy match would reorder the references
    containerClass: "tribute-container mention-menu",
    itemClass: "mention-option",
    selectClass: "is-selected",
    menuItemTemplate: function (item) {
      var ref = item.original;
      var thumb = ref.thumbnail ? '<img src="' + escapeHtml(ref.thumbnail) + '" alt="">'
        : '<span class="mention-glyph" aria-hidden="true">' + (GLYPH[ref.kind] || "@") + "</span>";
      return '<span class="mention-thumb">' + thumb + "</span>"
        + '<span class="mention-label" data-kind="' + escapeHtml(ref.kind) + '">' + escapeHtml(ref.mention)
        + (ref.also ? ' <small class="mention-also">' + escapeHtml(ref.also) + "</small>" : "") + "</span>"
        + '<span class="mention-name" title="' + escapeHtml(ref.name) + '">' + escapeHtml(ref.name) + "</span>";
    },
    selectTemplate: function (item) {
      if (!item) return null;  // Enter on "no match": insert nothing
      // Someone typing "@图" gets "@图片2", the form they are writing in; a name is inserted as it is.
      if (item.original.named) return item.original.mention;
      return /^[\u4e00-\u9fff]/.test(this.current.mentionText || "") ? item.original.chinese : item.original.mention;
    },
    noMatchTemplate: function () {
      var text = document.querySelector(CHIPS) ? "No reference matches “@" + (this.current.mentionText || "") + "”"
        : "No references yet — upload one first";
      return '<li class="mention-empty">' + escapeHtml(text) + "</li>";
    }
  }) : null;

  // Under the "@" being completed, or above it when the window has no room below. The backdrop already lays the
  // text out exactly as the textarea does, so the "@" is found there.
  function place() {
    var textarea = tribute.current.element, menu = tribute.menu, backdrop = textarea && backdropOf(textarea);
    if (!backdrop || !menu || menu.style.display === "none") return;
    anchor.style.left = "0px";  // measure the menu with the whole width available
    var box = textarea.getBoundingClientRect();
    var at = characterBox(backdrop, textarea.value.lastIndexOf("@", textarea.selectionStart - 1)) || box;
    var below = Math.min(Math.max(at.bottom, box.top), box.bottom) + 4;
    var above = Math.max(Math.min(at.top, box.bottom), box.top) - 4 - menu.offsetHeight;
    var top = below + menu.offsetHeight > window.innerHeight && above >= 0 ? above : below;
    var left = Math.max(8, Math.min(at.left, document.documentElement.clientWidth - menu.offsetWidth - 8));
    anchor.style.top = top + window.scrollY + "px";
    anchor.style.left = left + window.scrollX + "px";
  }

  function characterBox(backdrop, index) {
    if (index < 0) return null;
    var walker = document.createTreeWalker(backdrop, NodeFilter.SHOW_TEXT), node;
    while ((node = walker.nextNode())) {
      if (index < node.length) {
        var range = document.createRange();
        range.setStart(node, index);
        range.setEnd(node, index + 1);
        return range.getBoundingClientRect();
      }
      index -= node.length;
    }
    return null;
  }

  if (tribute) {
    window.addEventListener("resize", function () { if (tribute.isActive) place(); });
    document.addEventListener("keydown", function (event) {
      if (!tribute.isActive || event.isComposing) return;
      // A space ends the mention. Tribute would close the menu on a timer, which under fast typing fires after the
      // next "@" has opened it again, and would stop the space's input event from reaching the form meanwhile.
      if (event.key === " ") tribute.hideMenu();
      // With nothing to pick, Enter and Tab keep their usual meaning (new line, next field) instead of being eaten.
      else if ((event.key === "Enter" || event.key === "Tab") && !(tribute.current.filteredItems || []).length) {
        tribute.hideMenu();
      }
    }, true);  // before Tribute's own handler on the textarea
    document.addEventListener("focusout", function (event) {
      if (tribute.isActive && event.target === tribute.current.element) tribute.hideMenu();
    });
    // While its menu is open, Tribute stops the propagation of an input event that ends in a space, and that
    // includes the one it sends after inserting a mention (with the space after it), so the form's hx-trigger
    // never hears it. Once the menu has closed, say again whatever the form missed.
    document.addEventListener("tribute-active-false", function (event) {
      var textarea = event.target;
      setTimeout(function () {
        if (enhanced.has(textarea) && textarea.isConnected && heard.get(textarea) !== textarea.value) {
          textarea.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
    }, true);  // the event does not bubble
  }

  // ---- Wiring: every prompt the page shows, now or after a swap.

  var resized = window.ResizeObserver ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { layout(entry.target); });
  }) : null;

  function enhance(textarea) {
    if (enhanced.has(textarea)) return;
    enhanced.add(textarea);
    if (!textarea.parentNode.classList.contains("mention-field")) {
      // Moving the textarea into the wrapper blurs it; HTMX may just have restored its focus after a swap.
      var focused = document.activeElement === textarea, start = textarea.selectionStart,
          end = textarea.selectionEnd, top = textarea.scrollTop;
      var field = document.createElement("div"), backdrop = document.createElement("div");
      field.className = "mention-field";
      backdrop.className = "mention-backdrop";
      backdrop.setAttribute("aria-hidden", "true");
      backdrop.style.backgroundColor = getComputedStyle(textarea).backgroundColor;
      textarea.parentNode.insertBefore(field, textarea);
      field.append(backdrop, textarea);
      if (focused) { textarea.focus({ preventScroll: true }); textarea.setSelectionRange(start, end); }
      textarea.scrollTop = top;
    }
    heard.set(textarea, textarea.value);
    if (tribute) tribute.attach(textarea);
    if (resized) resized.observe(textarea);
    prompts.push(textarea);
  }

  // Run after every HTMX swap: new prompts get enhanced, every mention is re-checked against the chips, and an
  // open menu follows its prompt if the swap moved it.
  function scan() {
    if (!anchor.isConnected) document.body.appendChild(anchor);
    document.querySelectorAll(PROMPT).forEach(enhance);
    prompts = prompts.filter(function (textarea) {
      if (textarea.isConnected) return true;
      if (resized) resized.unobserve(textarea);
      return false;
    });
    prompts.forEach(render);
    if (tribute && tribute.isActive) {  // the swap may have removed the prompt, or moved it
      if (tribute.current.element && tribute.current.element.isConnected) place();
      else tribute.hideMenu();
    }
  }

  // Delegated, so swapped-in prompts need no rebinding. Capture: Tribute stops some input events at the textarea.
  document.addEventListener("input", function (event) {
    if (enhanced.has(event.target)) render(event.target);
  }, true);
  document.addEventListener("input", function (event) {  // bubbled through the form: the live check heard it
    if (enhanced.has(event.target)) heard.set(event.target, event.target.value);
  });
  document.addEventListener("scroll", function (event) {  // scroll does not bubble; capture sees it
    var backdrop = enhanced.has(event.target) && backdropOf(event.target);
    if (!backdrop) return;
    backdrop.scrollTop = event.target.scrollTop;
    if (tribute && tribute.isActive && tribute.current.element === event.target) place();
  }, true);
  // One settle fires an event per swapped element; a single scan after them is enough.
  var scanning = false;
  function scanSoon() {
    if (scanning) return;
    scanning = true;
    queueMicrotask(function () { scanning = false; scan(); });
  }
  document.addEventListener("htmx:afterSettle", scanSoon);
  document.addEventListener("htmx:load", scanSoon);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
