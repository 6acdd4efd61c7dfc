// Forms after a refused save: focus moves to the error summary, its links focus their field,
// and a focused field is never left under the sticky save bar. Quick date choices fill their
// field. The call form's script calls init for each form it gets (the calling screen swaps them).
(function () {
  "use strict";

  // The part of the page a sticky bar covers: scroll until the field (label, input and error)
  // sits above it. scroll-padding in forms.css does this for most scrolls; focus() needs this.
  function keepClear(el) {
    var form = el.closest("form");
    var bar = form && form.querySelector(".submit-bar");
    var box = el.closest(".field, .person-row, fieldset") || el;
    if (!bar || getComputedStyle(bar).position !== "sticky") return;
    var barTop = bar.getBoundingClientRect().top, rect = box.getBoundingClientRect();
    if (rect.height > barTop) rect = el.getBoundingClientRect();  // a tall row: the input itself
    if (rect.bottom > barTop - 8) window.scrollBy(0, rect.bottom - barTop + 16);
    else if (rect.top < 0) window.scrollBy(0, rect.top - 16);
  }

  function fillQuickDate(group, button) {
    var input = document.getElementById(group.dataset.for);
    if (!input) return;
    input.value = button.dataset.value.replace("T", " ");
    Array.prototype.forEach.call(group.querySelectorAll(".quick-time"), function (b) {
      b.setAttribute("aria-pressed", String(b === button));
    });
    input.dispatchEvent(new Event("input", {bubbles: true}));
    input.dispatchEvent(new Event("change", {bubbles: true}));
  }

  var pointerDown = false;
  document.addEventListener("pointerdown", function () { pointerDown = true; }, true);
  ["pointerup", "pointercancel"].forEach(function (type) {
    document.addEventListener(type, function () { pointerDown = false; }, true);
  });

  function init(form) {
    if (!form || form.dataset.formsReady) return;
    form.dataset.formsReady = "1";
    Array.prototype.forEach.call(form.querySelectorAll(".quick-times[data-for]"), function (group) {
      group.hidden = false;
      group.addEventListener("click", function (e) {
        var button = e.target.closest(".quick-time");
        if (button) fillQuickDate(group, button);
      });
    });
    // Only focus that comes from the keyboard or a script: a field the pointer pressed is in
    // view already, and scrolling between press and release would make the click miss it.
    form.addEventListener("focusin", function (e) { if (!pointerDown) keepClear(e.target); });
    var summary = form.querySelector(".error-summary");
    if (!summary) return;
    summary.addEventListener("click", function (e) {
      var link = e.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      e.preventDefault();
      target.focus();
      keepClear(target);
    });
    if (document.activeElement !== summary) summary.focus();
  }

  // Alt+1..9 picks the quick choice with that key (the calling screen's own script handles it
  // first there, and says the choice aloud): on the focused form, else the page's only one.
  document.addEventListener("keydown", function (e) {
    var digit = /^Digit([1-9])$/.exec(e.code);
    if (e.defaultPrevented || !digit || !e.altKey || e.ctrlKey || e.metaKey) return;
    var form = (document.activeElement && document.activeElement.closest("form")) ||
      document.querySelector(".quick-time[data-key]") && document.querySelector(".quick-time[data-key]").closest("form");
    var button = form && form.querySelector('.quick-times:not([hidden]) .quick-time[data-key="' + digit[1] + '"]');
    if (button) { e.preventDefault(); button.click(); }
  });

  // A native date or time input that was only partly filled in reports its value as "", so the
  // server would never hear of it. Forms that let the browser check them get its bubble (the
  // "invalid" event); forms marked novalidate would send "" silently (the "submit" event). Both
  // stop the save and say so beside the input, tied to it, like the server's errors.
  var PARTIAL = "This date is only partly filled in: finish it, or clear it.";
  var DATES = 'input[type="date"], input[type="datetime-local"], input[type="time"]';

  function markPartial(input, index) {
    if (!input.id) input.id = "date-" + Date.now() + "-" + index;
    var error = document.getElementById(input.id + "-partial");
    if (!error) {
      error = document.createElement("p");
      error.className = "error"; error.id = input.id + "-partial"; error.textContent = PARTIAL;
      input.insertAdjacentElement("afterend", error);
      input.addEventListener("input", function () {
        if (input.validity.badInput) return;
        error.remove(); input.removeAttribute("aria-invalid");
        var rest = (input.getAttribute("aria-describedby") || "").replace(error.id, "").trim();
        if (rest) input.setAttribute("aria-describedby", rest); else input.removeAttribute("aria-describedby");
      });
    }
    input.setAttribute("aria-invalid", "true");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(error.id) < 0) input.setAttribute("aria-describedby", described.concat(error.id).join(" "));
  }

  document.addEventListener("invalid", function (e) {
    var input = e.target;
    if (!input.matches || !input.matches(DATES) || !input.validity.badInput) return;
    e.preventDefault();  // our message instead of the browser's passing bubble
    markPartial(input, 0);
    if (input.form && input.form.querySelector(":invalid") === input) input.focus();
  }, true);

  document.addEventListener("submit", function (e) {
    var bad = Array.prototype.filter.call(e.target.querySelectorAll(DATES), function (input) {
      return input.validity.badInput;
    });
    if (!bad.length) return;
    e.preventDefault();
    e.stopImmediatePropagation();  // before any script that would send the form itself
    bad.forEach(markPartial);
    bad[0].focus();
  }, true);

  window.SwitchboardForms = {init: init, keepClear: keepClear};
  function initAll() { Array.prototype.forEach.call(document.querySelectorAll("form"), init); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
