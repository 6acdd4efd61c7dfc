// The call-log form: add name rows without a reload, keep pickers in step with the company,
// and save everything typed as a draft. Without this script the form still works (fixed rows).
// The calling screen swaps in a new form per target and calls SwitchboardCallForm.init(form) again.
(function () {
  "use strict";

  function init(form) {
  if (!form || form.dataset.ready) return;
  form.dataset.ready = "1";
  var rows = document.getElementById("rows");
  var template = document.getElementById("row-template");
  var addButton = document.getElementById("add-row");
  var company = document.getElementById("company_id");
  var answeredBy = document.getElementById("answered_by");
  // The chosen company's people: rendered with the page, refetched when the company changes.
  var people = JSON.parse(form.dataset.people || "[]");

  function rowIndexes() {
    return Array.prototype.map.call(rows.querySelectorAll(".person-row"), function (r) { return r.dataset.row; });
  }

  function nextIndex() {
    return rowIndexes().reduce(function (max, i) { return Math.max(max, parseInt(i, 10) + 1); }, 0);
  }

  function addRow(focus) {
    var index = nextIndex();
    var html = template.innerHTML.replace(/__i__/g, String(index)).replace(/__num__/g, String(rows.children.length + 1));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    rows.appendChild(row);
    wireRow(row);
    refreshRowOptions();
    if (focus) row.querySelector(".row-name").focus();
    return row;
  }

  function wireRow(row) {
    var remove = row.querySelector(".remove-row");
    remove.hidden = false;
    remove.addEventListener("click", function () {
      row.remove();
      renumber();
      refreshRowOptions();
      form.dispatchEvent(new Event("change"));
    });
    row.querySelector(".row-name").addEventListener("input", refreshRowOptions);
  }

  function renumber() {
    Array.prototype.forEach.call(rows.querySelectorAll(".person-row legend"), function (legend, i) {
      legend.textContent = "Name " + (i + 1);
    });
  }

  function option(value, label) {
    var o = document.createElement("option");
    o.value = value; o.textContent = label;
    return o;
  }

  function personLabel(p) { return p.label || (p.full_name + (p.title ? " (" + p.title + ")" : "")); }

  // Each row's "reports to" lists the company's people and every other row, by its typed name.
  function refreshRowOptions() {
    var all = Array.prototype.slice.call(rows.querySelectorAll(".person-row"));
    all.forEach(function (row) {
      var select = row.querySelector('select[name$="-reports_to"]');
      var current = select.value;
      select.innerHTML = "";
      select.appendChild(option("", "— not known —"));
      people.forEach(function (p) { select.appendChild(option(String(p.id), personLabel(p))); });
      all.forEach(function (other, i) {
        if (other === row) return;
        var name = other.querySelector(".row-name").value.trim();
        select.appendChild(option("row:" + other.dataset.row, "Row " + (i + 1) + (name ? ": " + name : "")));
      });
      select.value = current;
      if (select.value !== current) select.value = "";
    });
  }

  function fillPicker(select, first, last) {
    var current = select.value;
    select.innerHTML = "";
    first.forEach(function (o) { select.appendChild(option(o[0], o[1])); });
    people.forEach(function (p) { select.appendChild(option(String(p.id), personLabel(p))); });
    (last || []).forEach(function (o) { select.appendChild(option(o[0], o[1])); });
    select.value = current;
    if (select.value !== current) select.value = "";
  }

  function loadCompany(keepChoices) {
    var id = company.value;
    if (!id) { people = []; refreshPickers(); return Promise.resolve(); }
    return fetch("/calls/company-people/" + encodeURIComponent(id), {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        people = data.people || [];
        var number = document.getElementById("to_number");
        if (!keepChoices && number && !number.value && data.company && data.company.main_phone) {
          number.value = data.company.main_phone;
        }
        refreshPickers();
      })
      .catch(function () { /* offline: keep the pickers as they are; the server checks on save */ });
  }

  function refreshPickers() {
    fillPicker(document.getElementById("person_id"), [["", "— nobody in particular —"]]);
    fillPicker(answeredBy, [["", "Nobody / not known"]], [["new", "A new gatekeeper (type the name)"]]);
    var list = document.getElementById("company-people");
    list.innerHTML = "";
    people.forEach(function (p) { list.appendChild(option(p.full_name, p.title || "")); });
    refreshRowOptions();
  }

  function toggleGatekeeper() {
    var group = form.querySelector(".gatekeeper");
    group.hidden = answeredBy.value !== "new";
  }

  function reapplySelects(values) {
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (select) {
      if (select.name in values && select.value !== values[select.name]) select.value = values[select.name];
    });
    refreshRowOptions();
    toggleGatekeeper();
  }

  // Make sure the rows a draft needs exist before the draft fills them in.
  function ensureRows(values) {
    Object.keys(values).forEach(function (name) {
      var m = /^people-(\d+)-/.exec(name);
      if (!m) return;
      while (!rows.querySelector('[data-row="' + m[1] + '"]') && nextIndex() <= parseInt(m[1], 10)) addRow(false);
    });
  }

  addButton.hidden = false;
  addButton.addEventListener("click", function () { addRow(true); });
  Array.prototype.forEach.call(rows.querySelectorAll(".person-row"), function (row) {
    row.querySelector(".row-name").addEventListener("input", refreshRowOptions);
  });
  company.addEventListener("change", function () { loadCompany(false); });

  // Many targets: the select holds only the chosen one; this field finds the others by name.
  var lookup = document.getElementById("company-lookup");
  if (lookup) {
    var matches = document.getElementById("company-matches"), found = {};
    lookup.addEventListener("input", function () {
      var typed = lookup.value.trim();
      if (found[typed]) {
        var id = String(found[typed]);
        if (!company.querySelector('option[value="' + id + '"]')) company.appendChild(option(id, typed));
        company.value = id;
        company.dispatchEvent(new Event("change"));
        return;
      }
      if (typed.length < 2) return;
      fetch("/calls/company-lookup?q=" + encodeURIComponent(typed), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {companies: []}; })
        .then(function (data) {
          matches.innerHTML = "";
          data.companies.forEach(function (c) { found[c.name] = c.id; matches.appendChild(option(c.name, "")); });
        }).catch(function () { /* the select still works for the chosen company */ });
    });
  }
  answeredBy.addEventListener("change", toggleGatekeeper);
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
    if (e.key === "r" && e.altKey) { e.preventDefault(); addRow(true); }
  });
  refreshPickers();
  // A big company's people were left out of the page (only the picks came): fetch them now,
  // then put back any draft's picks among them.
  var restored = null;
  if (form.dataset.peopleLazy) loadCompany(true).then(function () { if (restored) reapplySelects(restored); });
  window.SwitchboardDrafts.attach(form, function (values) {
    restored = values;
    // A draft may belong to another company than the page was opened with.
    if (values.company_id && values.company_id !== company.value) {
      company.value = values.company_id;
      // The draft's picks among that company's people exist only once its people have loaded.
      loadCompany(true).then(function () { reapplySelects(values); });
    }
    ensureRows(values);
  });
  refreshRowOptions();  // restored names relabel the "Row n" choices
  toggleGatekeeper();
  // The error summary, quick date choices and sticky-bar room (forms.js); one-key follow-up
  // times are Alt+1..4 on the calling screen (queue.js clicks them).
  if (window.SwitchboardForms) window.SwitchboardForms.init(form);
  }

  window.SwitchboardCallForm = {init: init};
  init(document.getElementById("call-form"));
})();
