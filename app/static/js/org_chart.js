// Org chart: pan and zoom, keyboard moves between boxes, one actions menu per box, deeper
// branches fetched when opened; find, filter, collapse; move people, add reports or empty boxes,
// mark leavers. Without this script the chart is the same nested list, drawn by CSS, whose
// links lead to the same edits as forms.
(function () {
  "use strict";
  var chart = document.getElementById("chart");
  if (!chart || chart.classList.contains("printing")) return;
  var viewport = document.getElementById("chart-viewport");
  var canvas = document.getElementById("chart-canvas");
  var dialog = document.getElementById("chart-dialog");
  var dialogForm = document.getElementById("chart-dialog-form");
  var errorEl = document.getElementById("chart-dialog-error");
  var menu = document.getElementById("chart-menu");
  var NODE = "li.node";

  function nodes() { return Array.prototype.slice.call(chart.querySelectorAll(NODE)); }
  function boxOf(li) { return li.querySelector(":scope > .box"); }
  function linkOf(li) { return li.querySelector(":scope > .box > .box-name"); }
  function branchOf(li) { return li.querySelector(":scope > details.branch"); }
  function reportsOf(li) {
    return Array.prototype.slice.call(li.querySelectorAll(":scope > details.branch > ul > li.node"))
      .filter(function (c) { return !c.hidden; });
  }
  function managerOf(li) {
    var up = li.parentElement.closest(NODE);
    return up && chart.contains(up) ? up : null;
  }
  function chartUrl(personId) {
    return chart.dataset.chartUrl + "?focus=" + personId + "#person-" + personId;
  }

  // Everyone's names come on demand: the page holds only the first levels of a big chart.
  var peoplePromise = null;
  function loadPeople() {
    if (!peoplePromise) {
      peoplePromise = fetch(chart.dataset.peopleUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) { return data.people; })
        .catch(function (err) { peoplePromise = null; throw err; });
    }
    return peoplePromise;
  }

  // ---- Branches loaded on demand -------------------------------------------------------
  function prepare(root) {
    // One tab stop per tree: arrows move between its boxes (see the keyboard help on the page).
    root.querySelectorAll(".box-name, details.branch > summary, .box-menu-button").forEach(function (el) {
      el.tabIndex = -1;
    });
  }

  function loadBranch(details) {
    var more = details.querySelector(":scope > .branch-more");
    if (!more) return Promise.resolve();
    if (details._loading) return details._loading;
    var url = chart.dataset.branchUrl.replace(/\/0$/, "/" + more.dataset.branch);
    more.setAttribute("aria-busy", "true");
    details._loading = fetch(url, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;  // our own server's markup: names are escaped there
        var list = holder.firstElementChild;
        prepare(list);
        more.replaceWith(list);
        applyFilters();
      })
      .catch(function () {
        more.removeAttribute("aria-busy");
        details._loading = null;  // the link inside still opens it as a page
      });
    return details._loading;
  }
  chart.addEventListener("toggle", function (e) {
    if (e.target.matches && e.target.matches("details.branch") && e.target.open) loadBranch(e.target);
  }, true);

  function openBranch(li) {
    var details = branchOf(li);
    if (!details) return Promise.resolve();
    details.open = true;
    return loadBranch(details);
  }

  function openAncestors(li) {
    for (var el = li.parentElement; el && el !== chart; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
  }

  // ---- Focus: one roving tab stop per tree --------------------------------------------------
  function focusBox(li) {
    if (!li) return;
    var link = linkOf(li);
    var tree = li.closest("ul.tree");
    tree.querySelectorAll('.box-name[tabindex="0"]').forEach(function (a) { a.tabIndex = -1; });
    link.tabIndex = 0;
    link.focus({preventScroll: true});
    boxOf(li).scrollIntoView({block: "nearest", inline: "nearest"});
  }

  function reveal(li) {
    openAncestors(li);
    nodes().forEach(function (n) { n.classList.remove("found"); });
    li.classList.add("found");
    boxOf(li).scrollIntoView({block: "center", inline: "center"});
    focusBox(li);
  }

  // ---- Find ---------------------------------------------------------------------------------
  var find = document.getElementById("chart-find");
  var namesList = document.getElementById("chart-names");
  function label(li) {
    var title = boxOf(li).querySelector(".box-title");
    return (li.dataset.name + " " + (title ? title.textContent : "")).toLowerCase();
  }
  find.addEventListener("focus", function () {
    if (namesList.children.length) return;
    loadPeople().then(function (people) {
      var fragment = document.createDocumentFragment();
      people.forEach(function (p) { var o = document.createElement("option"); o.value = p.name; fragment.appendChild(o); });
      namesList.appendChild(fragment);
    }).catch(function () {});
  });
  function runFind() {
    var q = find.value.trim().toLowerCase();
    if (!q) return;
    var all = nodes();
    var hit = all.find(function (n) { return n.dataset.name.toLowerCase() === q; }) ||
      all.find(function (n) { return label(n).indexOf(q) !== -1; });
    if (hit) { reveal(hit); return; }
    // Not among the boxes loaded yet: ask for the chart opened the way to them.
    loadPeople().then(function (people) {
      var match = people.find(function (p) { return p.name.toLowerCase() === q; }) ||
        people.find(function (p) { return (p.name + " " + p.title).toLowerCase().indexOf(q) !== -1; });
      if (match) location.assign(chartUrl(match.id));
    }).catch(function () {});
  }
  find.addEventListener("change", runFind);
  find.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); runFind(); } });
  document.getElementById("chart-tools").addEventListener("submit", function (e) { e.preventDefault(); });

  // ---- Filters: a box stays when it matches or when someone below it does ----------------
  var dept = document.getElementById("chart-dept"), status = document.getElementById("chart-status");
  function applyFilters() {
    var d = dept.value, s = status.value, active = d || s;
    var visible = new Map();
    nodes().reverse().forEach(function (li) {
      var match = (!d || li.dataset.dept === d) && (!s || li.dataset.status === s);
      var below = Array.prototype.some.call(li.querySelectorAll(":scope > details > ul > li.node"), function (c) { return visible.get(c); });
      visible.set(li, !active || match || below);
      li.hidden = !visible.get(li);
      li.classList.toggle("dim", Boolean(active) && !match && below);
      if (active && below) openAncestors(li.querySelector("li.node") || li);
    });
  }
  dept.addEventListener("change", applyFilters);
  status.addEventListener("change", applyFilters);
  document.getElementById("chart-uncontacted").addEventListener("change", function () {
    chart.classList.toggle("show-uncontacted", this.checked);
  });
  // Expand all opens the boxes already loaded; deeper branches still load one at a time.
  document.getElementById("chart-expand").addEventListener("click", function () {
    chart.querySelectorAll("details.branch").forEach(function (d) { if (!d.querySelector(":scope > .branch-more")) d.open = true; });
  });
  document.getElementById("chart-collapse").addEventListener("click", function () {
    chart.querySelectorAll("details.branch").forEach(function (d) { d.open = false; });
  });

  // ---- Pan and zoom ------------------------------------------------------------------------
  var zoom = 1;
  function setZoom(value, anchor) {
    if (!canvas) return;
    var next = Math.min(2, Math.max(0.1, value));
    // Keep the point under the pointer (or the middle of the view) where it was.
    var rect = viewport.getBoundingClientRect();
    var ax = anchor ? anchor.x - rect.left : viewport.clientWidth / 2;
    var ay = anchor ? anchor.y - rect.top : viewport.clientHeight / 2;
    var cx = (viewport.scrollLeft + ax) / zoom, cy = (viewport.scrollTop + ay) / zoom;
    zoom = next;
    canvas.style.zoom = String(zoom);
    viewport.scrollLeft = cx * zoom - ax;
    viewport.scrollTop = cy * zoom - ay;
    viewport.dataset.zoom = zoom.toFixed(2);
  }
  function fit() {
    if (!canvas) return;
    var rect = canvas.getBoundingClientRect();
    var width = rect.width / zoom, height = rect.height / zoom;
    zoom = Math.min(1, Math.max(0.1, Math.min((viewport.clientWidth - 8) / width, (viewport.clientHeight - 8) / height)));
    canvas.style.zoom = String(zoom);
    viewport.scrollLeft = 0;
    viewport.scrollTop = 0;
    viewport.dataset.zoom = zoom.toFixed(2);
  }
  var zoomActions = {
    "in": function () { setZoom(zoom * 1.25); }, out: function () { setZoom(zoom / 1.25); },
    fit: fit, reset: function () { setZoom(1); }
  };
  if (viewport) {
    var zoomBar = viewport.querySelector(".chart-zoom");
    zoomBar.hidden = false;
    zoomBar.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-zoom]");
      if (button) zoomActions[button.dataset.zoom]();
    });
    viewport.addEventListener("wheel", function (e) {
      if (!e.ctrlKey && !e.metaKey) return;  // a plain wheel scrolls, as everywhere else
      e.preventDefault();
      setZoom(zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1), {x: e.clientX, y: e.clientY});
    }, {passive: false});
    // Drag the background to pan (touch screens pan natively).
    var pan = null;
    viewport.addEventListener("pointerdown", function (e) {
      if (e.pointerType !== "mouse" || e.button !== 0 || e.target.closest(".box, summary, button, a, .chart-zoom")) return;
      pan = {x: e.clientX, y: e.clientY, left: viewport.scrollLeft, top: viewport.scrollTop};
      viewport.classList.add("panning");
      viewport.setPointerCapture(e.pointerId);
    });
    viewport.addEventListener("pointermove", function (e) {
      if (!pan) return;
      viewport.scrollLeft = pan.left - (e.clientX - pan.x);
      viewport.scrollTop = pan.top - (e.clientY - pan.y);
    });
    ["pointerup", "pointercancel"].forEach(function (type) {
      viewport.addEventListener(type, function () { pan = null; viewport.classList.remove("panning"); });
    });
  }

  // ---- One actions menu per box ---------------------------------------------------------
  var menuFor = null;
  function closeMenu(refocus) {
    if (!menuFor) return;
    menu.hidden = true;
    menuFor.setAttribute("aria-expanded", "false");
    if (refocus) focusBox(menuFor.closest(NODE));
    menuFor = null;
  }
  function openMenu(button) {
    closeMenu(false);
    var li = button.closest(NODE);
    menu.textContent = "";
    li.querySelectorAll(":scope > .box > .box-links > a").forEach(function (a) {
      var item = document.createElement("li");
      item.setAttribute("role", "none");
      var link = a.cloneNode(true);
      link.setAttribute("role", "menuitem");
      link.tabIndex = -1;
      item.appendChild(link);
      menu.appendChild(item);
    });
    menu.setAttribute("aria-label", "Actions for " + li.dataset.name);
    var rect = button.getBoundingClientRect();
    menu.hidden = false;
    var left = Math.min(rect.left + window.scrollX, document.documentElement.clientWidth + window.scrollX - menu.offsetWidth - 4);
    menu.style.left = Math.max(4, left) + "px";
    menu.style.top = (rect.bottom + window.scrollY + 2) + "px";
    button.setAttribute("aria-expanded", "true");
    menuFor = button;
    menu.querySelector("a").focus();
  }
  chart.addEventListener("click", function (e) {
    var button = e.target.closest(".box-menu-button");
    if (button) { e.preventDefault(); if (menuFor === button) closeMenu(true); else openMenu(button); }
  });
  menu.addEventListener("keydown", function (e) {
    var items = Array.prototype.slice.call(menu.querySelectorAll("a"));
    var at = items.indexOf(document.activeElement);
    var to = {ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1}[e.key];
    if (to !== undefined) { e.preventDefault(); items[(to + items.length) % items.length].focus(); }
    else if (e.key === "Escape") { e.preventDefault(); closeMenu(true); }
    else if (e.key === "Tab") closeMenu(false);
    else if (e.key === " ") { e.preventDefault(); document.activeElement.click(); }
  });
  menu.addEventListener("click", function (e) {
    var link = e.target.closest("a[data-action]");
    if (!link) return;  // Open, Log a call, Call: ordinary links
    e.preventDefault();
    var li = menuFor.closest(NODE);
    closeMenu(false);
    openDialog(link.dataset.action, li);
  });
  document.addEventListener("pointerdown", function (e) {
    if (menuFor && !menu.contains(e.target) && e.target !== menuFor) closeMenu(false);
  });

  // ---- Keyboard: arrows between boxes --------------------------------------------------------
  var keyMoves = {
    ArrowUp: function (li) { return Promise.resolve(managerOf(li)); },
    ArrowDown: function (li) {
      return openBranch(li).then(function () { return reportsOf(li)[0]; });
    },
    ArrowLeft: function (li) { return Promise.resolve(sibling(li, -1)); },
    ArrowRight: function (li) { return Promise.resolve(sibling(li, 1)); },
    Home: function (li) { return Promise.resolve(li.closest("ul.tree").querySelector(NODE)); }
  };
  function sibling(li, step) {
    for (var el = step < 0 ? li.previousElementSibling : li.nextElementSibling; el;
      el = step < 0 ? el.previousElementSibling : el.nextElementSibling) {
      if (el.matches(NODE) && !el.hidden) return el;
    }
    return null;
  }
  chart.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || !e.target.closest(".box")) return;
    var li = e.target.closest(NODE);
    if (keyMoves[e.key]) {
      e.preventDefault();
      keyMoves[e.key](li).then(function (to) { if (to) focusBox(to); });
    } else if (e.key === " " || e.key === "m" || e.key === "M") {
      e.preventDefault();
      openMenu(boxOf(li).querySelector(".box-menu-button"));
    } else if (e.key === "c" || e.key === "C") {
      var details = branchOf(li);
      if (details) { e.preventDefault(); if (details.open) details.open = false; else openBranch(li); }
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.target.closest("input, select, textarea, dialog, .chart-menu")) return;
    var zoomKeys = {"+": "in", "=": "in", "-": "out", "_": "out", f: "fit", F: "fit", 0: "reset"};
    if (zoomKeys[e.key] && viewport && (chart.contains(e.target) || e.target === document.body)) {
      e.preventDefault();
      zoomActions[zoomKeys[e.key]]();
    } else if (e.key === "/") {
      e.preventDefault();
      find.focus();
    }
  });

  // ---- Edits in a dialog -------------------------------------------------------------------
  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); });
  }

  function urlFor(kind, id) { return chart.dataset[kind + "Url"].replace("/0/", "/" + id + "/"); }

  var moveTo = document.getElementById("move-to");
  function fillMovePicker() {
    if (moveTo.options.length > 1) return Promise.resolve();
    return loadPeople().then(function (people) {
      var fragment = document.createDocumentFragment();
      people.slice().sort(function (a, b) { return a.name.localeCompare(b.name); }).forEach(function (p) {
        var m = document.createElement("option"); m.value = p.id;
        m.textContent = p.name + (p.title ? " (" + p.title + ")" : ""); fragment.appendChild(m);
      });
      moveTo.appendChild(fragment);
    });
  }

  var current = null;
  function openDialog(action, li) {
    current = {action: action, li: li};
    var ready = action === "move" ? fillMovePicker() : Promise.resolve();
    ready.then(function () {
      dialog.dataset.mode = action;
      var name = li.dataset.name;
      document.getElementById("chart-dialog-title").textContent =
        action === "move" ? "Who does " + name + " report to?" :
        action === "add" ? "Add under " + name : "Mark " + name + " as left";
      dialog.querySelector(".dialog-who").textContent = name;
      errorEl.textContent = "";
      dialogForm.reset();
      var manager = managerOf(li);
      moveTo.value = manager ? manager.dataset.id : "";
      dialog.showModal();
      var first = dialog.querySelector(action === "move" ? "#move-to" : action === "add" ? "#add-name" : "button.primary");
      if (first) first.focus();
    }).catch(function () { location.assign(li.querySelector(".box-links a[data-action='" + action + "']").href); });
  }
  dialog.addEventListener("close", function () { if (current && !dialog.dataset.saved) focusBox(current.li); });

  // Without the menu (a click on a plain link, e.g. while the script was loading).
  chart.addEventListener("click", function (e) {
    var link = e.target.closest(".box-links .chart-action");
    if (!link) return;
    e.preventDefault();
    openDialog(link.dataset.action, link.closest(NODE));
  });
  document.getElementById("chart-dialog-cancel").addEventListener("click", function () { dialog.close(); });

  dialogForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var id = current.li.dataset.id, data = new FormData(dialogForm), body = new URLSearchParams();
    body.set("csrf_token", data.get("csrf_token"));
    if (current.action === "move") body.set("reports_to_id", data.get("reports_to_id"));
    if (current.action === "add") ["full_name", "title", "department", "placeholder"].forEach(function (k) { if (data.get(k)) body.set(k, data.get(k)); });
    if (current.action === "left") body.set("left", "1");
    var url = urlFor(current.action === "add" ? "add" : current.action, id);
    post(url, body).then(function (result) {
      if (!result.ok) { errorEl.textContent = result.data.message || "Not saved."; return; }
      dialog.dataset.saved = "1";
      // The chart again, opened the way to who was just added or moved (never hidden).
      var shown = current.action === "left" ? (current.li.parentElement.closest(NODE) || current.li).dataset.id : (result.data.id || id);
      location.assign(chartUrl(shown));
    }).catch(function () { errorEl.textContent = "Network error: nothing was changed."; });
  });

  // Drag a box onto another to move that person under it.
  var dragged = null;
  chart.addEventListener("dragstart", function (e) {
    var li = e.target.closest(NODE);
    if (!li) return;
    dragged = li;
    e.dataTransfer.setData("text/plain", li.dataset.id);
    e.dataTransfer.effectAllowed = "move";
  });
  chart.addEventListener("dragover", function (e) {
    var box = e.target.closest(".box");
    if (dragged && box && !dragged.contains(box)) { e.preventDefault(); box.classList.add("drop"); }
  });
  chart.addEventListener("dragleave", function (e) {
    var box = e.target.closest(".box");
    if (box) box.classList.remove("drop");
  });
  chart.addEventListener("drop", function (e) {
    var box = e.target.closest(".box");
    if (!dragged || !box) return;
    e.preventDefault();
    var target = box.closest(NODE);
    var body = new URLSearchParams({csrf_token: chart.dataset.csrf, reports_to_id: target.dataset.id});
    post(urlFor("move", dragged.dataset.id), body).then(function (result) {
      if (!result.ok) { alert(result.data.message || "Not moved."); return; }
      location.assign(chartUrl(dragged.dataset.id));
    });
  });

  // ---- Start ---------------------------------------------------------------------------------
  prepare(chart);
  chart.querySelectorAll("ul.tree").forEach(function (tree) {
    var first = tree.querySelector(".box-name");
    if (first) first.tabIndex = 0;
  });
  chart.classList.add("enhanced");
  // Start with the top of the company in the middle of the view.
  var top = canvas && canvas.querySelector(NODE);
  if (top) {
    var topRect = boxOf(top).getBoundingClientRect(), viewRect = viewport.getBoundingClientRect();
    viewport.scrollLeft += topRect.left + topRect.width / 2 - (viewRect.left + viewRect.width / 2);
  }
  // Arriving at #person-<id> (from a person page, or after an edit) opens the way to that box;
  // one not among the boxes loaded yet is asked for with the way to it opened.
  var wanted = /^#person-(\d+)$/.exec(location.hash);
  var target = wanted && document.getElementById("person-" + wanted[1]);
  if (target && target.classList.contains("node")) {
    reveal(target);
    // The browser's own jump to #person-<id> comes after this script and takes the focus away.
    window.addEventListener("load", function () { setTimeout(function () { focusBox(target); }, 0); });
  }
  else if (wanted && new URLSearchParams(location.search).get("focus") !== wanted[1]) location.replace(chartUrl(wanted[1]));
  chart.dataset.ready = "1";
  if (window.performance && performance.mark) performance.mark("org-chart-ready");
})();
