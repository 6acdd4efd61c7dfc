// The phone-tree editor: add and remove step rows without a reload. Without this script the
// form still works: it comes with blank rows, and a cleared row is dropped on save.
(function () {
  "use strict";
  var form = document.getElementById("phone-tree-form");
  if (!form) return;
  var rows = document.getElementById("step-rows");
  var template = document.getElementById("step-row-template");
  var addButton = document.getElementById("add-step");
  var max = parseInt(form.dataset.max, 10) || 20;

  function indexOf(row) {
    var input = row.querySelector("input[name]");
    var match = input && /^steps-(\d+)-/.exec(input.name);
    return match ? parseInt(match[1], 10) : -1;
  }

  // Row numbers as the sourcer reads them (1, 2, 3...) after a row is added or removed.
  function renumber() {
    Array.prototype.forEach.call(rows.children, function (row, i) {
      var n = String(i + 1);
      row.querySelector(".step-n").textContent = n;
      Array.prototype.forEach.call(row.querySelectorAll("[aria-label]"), function (el) {
        el.setAttribute("aria-label", el.getAttribute("aria-label").replace(/\d+$/, n));
      });
    });
    addButton.disabled = rows.children.length >= max;
  }

  function wire(row) {
    var remove = row.querySelector(".remove-step");
    remove.hidden = false;
    remove.addEventListener("click", function () {
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      (next ? next.querySelector("input") : addButton).focus();
    });
  }

  function addRow() {
    if (rows.children.length >= max) return;
    var index = Array.prototype.reduce.call(rows.children, function (m, r) { return Math.max(m, indexOf(r) + 1); }, 0);
    var holder = document.createElement("tbody");  // <tr> only parses inside a table body
    holder.innerHTML = template.innerHTML.replace(/__i__/g, String(index)).replace(/__n__/g, "1").trim();
    var row = holder.firstElementChild;
    rows.appendChild(row);
    wire(row);
    renumber();
    row.querySelector("input").focus();
  }

  Array.prototype.forEach.call(rows.children, wire);
  addButton.hidden = false;
  addButton.addEventListener("click", addRow);
  form.addEventListener("keydown", function (e) {
    if (e.key === "r" && e.altKey) { e.preventDefault(); addRow(); }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  });
  renumber();
})();
