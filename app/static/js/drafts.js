// Drafts: a form's typed values live in localStorage until the server confirms the save,
// so a reload, a crashed tab or a lost connection never loses notes typed during a call.
(function () {
  "use strict";
  var PREFIX = "sb:draft:";

  function clearConfirmed() {
    var meta = document.querySelector('meta[name="sb-clear-draft"]');
    if (meta) { try { localStorage.removeItem(PREFIX + meta.content); } catch (e) { /* private mode */ } }
  }

  function serialize(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "submit" || el.type === "button") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      values[el.name] = el.value;
    });
    return values;
  }

  function restore(form, values) {
    Object.keys(values).forEach(function (name) {
      var els = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "radio" || el.type === "checkbox") { el.checked = el.value === values[name]; }
        else if (el.type !== "hidden" || name.slice(-10) === "-person_id") { el.value = values[name]; }
      });
    });
  }

  // When the draft was saved, on the clock of the profile's time zone (the form's data-timezone),
  // as every other time in the app, not the browser's: with the day when it was not today.
  function savedAt(ms, timeZone) {
    var zone = safeZone(timeZone);
    function text(when, options) {
      return when.toLocaleString("en-GB", Object.assign({timeZone: zone}, options));
    }
    var dayOptions = {day: "numeric", month: "short"};
    var day = text(new Date(ms), dayOptions);
    var clock = text(new Date(ms), {hour: "2-digit", minute: "2-digit", hourCycle: "h23"});
    return (day === text(new Date(), dayOptions) ? "" : day + " ") + clock + " (" + zone + ")";
  }

  function safeZone(timeZone) {
    try { new Intl.DateTimeFormat("en-GB", {timeZone: timeZone || "UTC"}); return timeZone || "UTC"; }
    catch (e) { return "UTC"; }
  }

  window.SwitchboardDrafts = {
    key: function (form) { return PREFIX + form.querySelector('[name="draft_key"]').value; },
    // The server confirmed a save made without a page load (the calling screen): forget it.
    clear: function (form) {
      var keyField = form.querySelector('[name="draft_key"]');
      if (keyField && keyField.value) { try { localStorage.removeItem(PREFIX + keyField.value); } catch (e) { /* private mode */ } }
    },
    attach: function (form, onRestore) {
      var keyField = form.querySelector('[name="draft_key"]');
      if (!keyField) return;
      if (!keyField.value) keyField.value = location.pathname + location.search;
      var key = PREFIX + keyField.value;
      var failedPost = form.querySelector(".has-error, .flash-error");
      var saved = null;
      try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
      // After a refused submit the server's copy is newer than the draft: keep the page as is.
      if (saved && !failedPost && saved.values) {
        if (onRestore) onRestore(saved.values);
        restore(form, saved.values);
        var banner = document.getElementById("draft-banner");
        if (banner) {
          banner.hidden = false;
          banner.textContent = "Restored your unsaved draft from " + savedAt(saved.at, form.dataset.timezone) + ". ";
          var discard = document.createElement("button");
          discard.type = "button"; discard.className = "link"; discard.textContent = "Discard draft";
          discard.addEventListener("click", function () {
            localStorage.removeItem(key); location.reload();
          });
          banner.appendChild(discard);
        }
      }
      var timer = null;
      function save() {
        timer = null;
        if (!form.isConnected) return;  // swapped out by the calling screen: saved or cleared
        try { localStorage.setItem(key, JSON.stringify({at: Date.now(), values: serialize(form)})); }
        catch (e) { /* storage full or disabled: the form itself still works */ }
      }
      form.addEventListener("input", function () { if (!timer) timer = setTimeout(save, 250); });
      form.addEventListener("change", save);
      window.addEventListener("pagehide", function () { if (timer) { clearTimeout(timer); save(); } });
    },
  };
  document.addEventListener("DOMContentLoaded", clearConfirmed);
})();
