// Org chart: find, filter, collapse; move people, add reports or empty boxes, mark leavers.
// Without this script the chart is a nested list whose links lead to the same edits as forms.
(function () {
  "use strict";
  var chart = document.getElementById("chart");
  if (!chart) return;
  var dialog = document.getElementById("chart-dialog");
  var dialogForm = document.getElementById("chart-dialog-form");
  var errorEl = document.getElementById("chart-dialog-error");
  var nodes = Array.prototype.slice.call(chart.querySelectorAll("li.node"));

  // One list of everyone for Find and for the "Reports to" picker, built from the boxes.
  (function fillPickers() {
    var names = document.getElementById("chart-names"), moveTo = document.getElementById("move-to");
    var people = nodes.map(function (li) {
      var title = li.querySelector(":scope > .box .box-title, :scope > details > summary > .box .box-title");
      return {id: li.dataset.id, name: li.dataset.name, title: title ? title.textContent : ""};
    }).sort(function (a, b) { return a.name.localeCompare(b.name); });
    var namesFragment = document.createDocumentFragment(), moveFragment = document.createDocumentFragment();
    people.forEach(function (p) {
      var o = document.createElement("option"); o.value = p.name; namesFragment.appendChild(o);
      var m = document.createElement("option"); m.value = p.id;
      m.textContent = p.name + (p.title ? " (" + p.title + ")" : ""); moveFragment.appendChild(m);
    });
    names.appendChild(namesFragment);
    moveTo.appendChild(moveFragment);
  })();

  function openAncestors(li) {
    for (var el = li.parentElement; el && el !== chart; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
  }

  function reveal(li) {
    openAncestors(li);
    nodes.forEach(function (n) { n.classList.remove("found"); });
    li.classList.add("found");
    li.scrollIntoView({block: "center"});
    var link = li.querySelector(".box-name");
    if (link) link.focus();
  }

  // Find a person: the first box whose name (or title) contains what was typed.
  // Only the box's own name and title: an <li>'s textContent also holds everyone below it.
  var find = document.getElementById("chart-find");
  function label(n) {
    var title = n.querySelector(".box").querySelector(".box-title");
    return (n.dataset.name + " " + (title ? title.textContent : "")).toLowerCase();
  }
  function runFind() {
    var q = find.value.trim().toLowerCase();
    if (!q) return;
    var hit = nodes.find(function (n) { return n.dataset.name.toLowerCase() === q; }) ||
      nodes.find(function (n) { return label(n).indexOf(q) !== -1; });
    if (hit) reveal(hit);
  }
  find.addEventListener("change", runFind);
  find.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); runFind(); } });
  document.getElementById("chart-tools").addEventListener("submit", function (e) { e.preventDefault(); });

  // Filters keep a box when it matches or when someone below it does, so the context stays.
  var dept = document.getElementById("chart-dept"), status = document.getElementById("chart-status");
  function applyFilters() {
    var d = dept.value, s = status.value, active = d || s;
    var visible = new Map();
    nodes.slice().reverse().forEach(function (li) {
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
  document.getElementById("chart-expand").addEventListener("click", function () {
    chart.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  document.getElementById("chart-collapse").addEventListener("click", function () {
    chart.querySelectorAll("details").forEach(function (d) { d.open = false; });
  });

  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); });
  }

  function urlFor(kind, id) { return chart.dataset[kind + "Url"].replace("/0/", "/" + id + "/"); }

  var current = null;
  function openDialog(action, li) {
    current = {action: action, li: li};
    dialog.dataset.mode = action;
    var name = li.dataset.name;
    document.getElementById("chart-dialog-title").textContent =
      action === "move" ? "Who does " + name + " report to?" :
      action === "add" ? "Add under " + name : "Mark " + name + " as left";
    dialog.querySelector(".dialog-who").textContent = name;
    errorEl.textContent = "";
    dialogForm.reset();
    var parent = li.parentElement.closest("li.node");
    document.getElementById("move-to").value = parent ? parent.dataset.id : "";
    dialog.showModal();
    var first = dialog.querySelector(action === "move" ? "#move-to" : action === "add" ? "#add-name" : "button.primary");
    if (first) first.focus();
  }

  chart.addEventListener("click", function (e) {
    var link = e.target.closest(".chart-action");
    if (!link) return;
    e.preventDefault();
    openDialog(link.dataset.action, link.closest("li.node"));
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
      location.hash = "person-" + (result.data.id || id);
      location.reload();
    }).catch(function () { errorEl.textContent = "Network error: nothing was changed."; });
  });

  // Drag a box onto another to move that person under it.
  var dragged = null;
  chart.addEventListener("dragstart", function (e) {
    var li = e.target.closest("li.node");
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
    var target = box.closest("li.node");
    var body = new URLSearchParams({csrf_token: chart.dataset.csrf, reports_to_id: target.dataset.id});
    post(urlFor("move", dragged.dataset.id), body).then(function (result) {
      if (!result.ok) { alert(result.data.message || "Not moved."); return; }
      location.hash = "person-" + dragged.dataset.id;
      location.reload();
    });
  });

  // Arriving at #person-<id> (from a person page, or after an edit) opens the way to that box.
  var target = location.hash && document.getElementById(location.hash.slice(1));
  if (target && target.classList.contains("node")) reveal(target);
})();
