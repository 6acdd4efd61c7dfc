// The calling screen: every action (take next, save and next, skip, snooze, put back) is posted
// with fetch and answered with the new working area, swapped in without a page load; keys drive
// it all. Without this script the same forms post and redirect, and the screen still works.
(function () {
  "use strict";
  var page = document.getElementById("queue-page");
  if (!page) return;
  var workspace = document.getElementById("workspace");
  var announcer = document.getElementById("announce");
  var busy = false, extendTimer = null;

  function current() { return workspace.querySelector(".workspace"); }
  function heldItem() { var w = current(); return w ? w.dataset.itemId : ""; }
  function callForm() { return document.getElementById("call-form"); }

  function isTyping(el) {
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || el.isContentEditable) return true;
    if (tag !== "input") return false;
    return !/^(button|submit|reset|checkbox|radio|range|color|file|image|hidden)$/.test(el.type);
  }

  function say(text) {
    // Cleared first so the same sentence twice is still read out.
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function showProblem(text) {
    var box = document.getElementById("screen-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "screen-error"; box.className = "flash flash-error"; box.setAttribute("role", "alert");
      current().insertBefore(box, current().children[1] || null);
    }
    box.textContent = text;
  }

  // After a swap: wire the new form and dialer, say what is on screen, put the cursor in place.
  function settle(status) {
    var w = current();
    var form = callForm();
    if (form && window.SwitchboardCallForm) window.SwitchboardCallForm.init(form);
    if (window.SwitchboardDialer) window.SwitchboardDialer.init(document.getElementById("dialer"));
    document.title = w.dataset.title + " · Switchboard";
    say(w.dataset.announce);
    var target = null;
    if (status === 422) target = w.querySelector(".error-summary, .has-error input, .has-error textarea, .has-error select, #screen-error");
    if (!target && form) target = document.getElementById("notes");
    if (!target) target = document.getElementById("take-next");
    if (target) {
      if (!target.matches("input, textarea, select, button, a")) target.setAttribute("tabindex", "-1");
      var narrow = window.matchMedia("(max-width: 800px)").matches;
      // On a phone the card comes first: keep it in view rather than jumping to the notes.
      target.focus({preventScroll: narrow});
      if (narrow) window.scrollTo(0, 0);
    }
    if (w.dataset.ready === undefined) w.dataset.ready = "1";
    page.dataset.loaded = String((parseInt(page.dataset.loaded || "0", 10)) + 1);
    scheduleExtend();
  }

  // The block's numbers and the list come after the target (data-later): until they arrive,
  // the previous ones stay on screen.
  function refreshSide() {
    fetch("/queue/side", {credentials: "same-origin", headers: {"X-Switchboard-Screen": "1"}})
      .then(function (r) {
        if (!r.ok || r.headers.get("X-Switchboard-Fragment") !== "1") return null;
        return r.text();
      })
      .then(function (html) {
        if (!html) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        ["#block-strip", ".queue-side"].forEach(function (sel) {
          var fresh = holder.querySelector(sel), old = workspace.querySelector(sel);
          if (fresh && old) old.replaceWith(fresh);
        });
        page.dataset.sides = String(parseInt(page.dataset.sides || "0", 10) + 1);
      })
      .catch(function () { /* the list is a convenience: the next swap brings it again */ });
  }

  function swap(html, status, posted) {
    if (posted && posted.id === "call-form" && status === 200 && window.SwitchboardDrafts) {
      window.SwitchboardDrafts.clear(posted);  // saved: the draft has done its job
    }
    var previous = {strip: workspace.querySelector("#block-strip"), side: workspace.querySelector(".queue-side")};
    workspace.innerHTML = html;
    var later = false;
    [["#block-strip", previous.strip], [".queue-side", previous.side]].forEach(function (pair) {
      var slot = workspace.querySelector(pair[0] + "[data-later]");
      if (!slot) return;
      later = true;
      if (pair[1] && !pair[1].hasAttribute("data-later")) slot.replaceWith(pair[1]);
    });
    if (later) refreshSide();
    // Messages from the page's last load (e.g. "Added 12 from due follow-ups") are old news now.
    Array.prototype.forEach.call(document.querySelectorAll("main > .flash"), function (f) { f.remove(); });
    settle(status);
  }

  function send(url, body, posted) {
    if (busy) return;
    busy = true;
    page.setAttribute("aria-busy", "true");
    fetch(url, {method: "POST", body: body, credentials: "same-origin",
                headers: {"X-Switchboard-Screen": "1", Accept: "text/html"}})
      .then(function (r) {
        return r.text().then(function (html) {
          if (r.headers.get("X-Switchboard-Fragment") === "1") { swap(html, r.status, posted); return; }
          showProblem(r.status === 400 ? "The page's security token expired: reload the page (your notes are kept as a draft)."
            : "Switchboard answered " + r.status + ": nothing changed. Your notes are kept as a draft; try again.");
        });
      })
      .catch(function () { showProblem("Network error: nothing was saved. Your notes are kept as a draft; try again."); })
      .then(function () { busy = false; page.removeAttribute("aria-busy"); });
  }

  function post(form, submitter) {
    var body = new FormData(form);
    if (submitter && submitter.name) body.append(submitter.name, submitter.value);
    send(form.action, body, form);
  }

  function postAction(url) {
    var body = new FormData();
    body.append("csrf_token", page.dataset.csrf);
    send(url, body, null);
  }

  // The call form and the screen's own forms go through fetch; the others (fill the queue, end
  // the block) are ordinary page loads.
  workspace.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.id !== "call-form" && !form.hasAttribute("data-screen")) return;
    e.preventDefault();
    post(form, e.submitter);
  });

  function panel(id) { return document.getElementById(id); }
  function openPanel() { return workspace.querySelector(".action-panel[open]"); }

  function toggle(id) {
    var p = panel(id);
    if (!p) return;
    var opening = !p.open;
    Array.prototype.forEach.call(workspace.querySelectorAll(".action-panel[open]"), function (o) { o.open = false; });
    p.open = opening;
    if (opening) p.querySelector(".panel-form").focus();
  }

  // A blank "type a reason" box does not submit the first choice by accident.
  workspace.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.id === "skip-reason-text" && !e.target.value.trim()) {
      e.preventDefault();
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented) return;
    var form = callForm();
    if (e.altKey && !e.ctrlKey && !e.metaKey) {
      // e.code: Option+S types "ß" on a Mac, but the key is still KeyS.
      if (e.code === "KeyS" && heldItem()) { e.preventDefault(); toggle("skip-panel"); return; }
      if (e.code === "KeyZ" && heldItem()) { e.preventDefault(); toggle("snooze-panel"); return; }
      // The outcome sits above the notes: jump to it (arrows then pick) without tabbing back.
      if (e.code === "KeyO" && form) {
        var outcome = form.querySelector('input[name="outcome"]:checked') || form.querySelector('input[name="outcome"]');
        if (outcome) { e.preventDefault(); outcome.focus(); }
        return;
      }
      var digit = /^Digit([1-9])$/.exec(e.code);
      if (digit && form) {
        var quick = form.querySelector('.quick-time[data-key="' + digit[1] + '"]');
        if (quick) { e.preventDefault(); quick.click(); say("Follow up: " + quick.textContent.replace(/^Alt\+\d\s*/, "")); }
      }
      return;
    }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      // Inside the form call_form.js submits it; from anywhere else on the screen, do it here.
      if (form && !form.contains(e.target)) { e.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var open = openPanel();
    if (open) {
      if (e.key === "Escape") { e.preventDefault(); open.open = false; var s = open.querySelector("summary"); if (s) s.focus(); return; }
      if (isTyping(e.target)) return;
      var choice = open.querySelector('.choices [data-key="' + e.key + '"]');
      if (choice) { e.preventDefault(); choice.click(); }
      return;
    }
    if (isTyping(e.target)) return;
    if (e.key === "n" || e.key === "N" || e.key === "j" || e.key === "J") {
      e.preventDefault();
      if (heldItem()) { say("You hold a target: Ctrl+Enter saves and takes the next, Alt+S skips, Alt+Z snoozes."); return; }
      var take = document.getElementById("take-next");
      if (take) take.form.requestSubmit(take);
    }
  });

  // While a target is held, renew the claim so a long call does not lose it to a teammate.
  function scheduleExtend() {
    if (extendTimer) clearInterval(extendTimer);
    extendTimer = null;
    var id = heldItem();
    if (!id) return;
    var seconds = parseInt(page.dataset.extendSeconds || "120", 10);
    extendTimer = setInterval(function () {
      if (heldItem() !== id) return;
      var body = new FormData();
      body.append("csrf_token", page.dataset.csrf);
      fetch("/queue/" + encodeURIComponent(id) + "/extend", {method: "POST", body: body, credentials: "same-origin"})
        .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
        .then(function (result) {
          if (!result.ok) { clearInterval(extendTimer); showProblem("This target is no longer held for you: " + (result.data.message || "") + " Log the call anyway; it is kept."); }
        })
        .catch(function () { /* offline for a moment: the next tick tries again */ });
    }, seconds * 1000);
  }

  window.SwitchboardQueue = {postAction: postAction};
  settle(0);
})();
