// The dialer beside the call form: places the call (Twilio Voice SDK in the browser, or a bridge
// call to the recruiter's phone), shows its state and timer, and binds the form to the call so the
// notes and names typed while talking land on the same call-log entry that Twilio's callbacks fill.
// The calling screen swaps in a new panel per target: SwitchboardDialer.init(panel) tears the old
// one down (its call and key listener) first. Calls go through the page's one Twilio Device
// (window.SwitchboardPhone, phone.js).
(function () {
  "use strict";
  var teardownCurrent = null;  // ends the live panel's call and key listener

  function init(panel) {
  if (!panel || panel.dataset.ready) return null;
  panel.dataset.ready = "1";
  // Calling through Twilio is not set up: the panel only says what to do instead.
  if (panel.dataset.off) return null;
  var form = document.getElementById("call-form");
  var $ = function (id) { return document.getElementById(id); };
  var stateEl = $("dial-state"), timerEl = $("dial-timer"), logEl = $("dial-log");
  var call = null, timer = null, startedAt = null;
  // Keys sent during the call with their time since it was answered, which can be saved as the
  // company's phone tree; and the phone-tree step "]" sends next.
  var sentKeys = [], answeredAt = null, nextStep = 0;
  // Read afresh each time: a page may swap the path shown inside the panel.
  function steps() { return panel.querySelectorAll(".phone-tree-steps li"); }

  function setState(text, phase) {
    stateEl.textContent = text;
    panel.dataset.phase = phase;
    var live = phase === "connecting" || phase === "ringing" || phase === "in-call";
    var inCall = phase === "in-call";
    if ($("dial-browser")) $("dial-browser").disabled = live;
    if ($("dial-bridge")) $("dial-bridge").disabled = live || $("dial-bridge").dataset.off === "1";
    $("dial-hangup").disabled = !live || !call;
    $("dial-mute").disabled = !inCall || !call;
    if ($("dial-ext")) $("dial-ext").disabled = !inCall || !call;
    Array.prototype.forEach.call(panel.querySelectorAll("[data-digit]"), function (b) { b.disabled = !inCall || !call; });
    Array.prototype.forEach.call(panel.querySelectorAll("[data-send-step]"), function (b) {
      b.disabled = !inCall || !call || stepDigits(steps()[b.dataset.sendStep]) === null;
    });
  }

  function log(text) { logEl.textContent = text; }

  function record(digits) {
    if (answeredAt === null) return;
    sentKeys.push({digits: digits, at_ms: Date.now() - answeredAt});
    var save = $("dial-save-keys");
    if (save) { save.hidden = false; save.disabled = false; save.textContent = "Save these keys as the phone tree"; }
  }

  // Tones for the call; `recorded` is what the phone tree keeps ("{ext}" for the extension).
  function sendTones(digits, recorded) {
    if (!call) return;
    call.sendDigits(digits);
    record(recorded || digits);
    log("Sent " + digits);
  }

  // A step's tones, with {ext} as the person's extension; null when it needs one and none is known.
  function stepDigits(step) {
    var raw = (step && step.dataset.digits) || "";
    if (raw.indexOf("{ext}") < 0) return raw;
    return panel.dataset.extension ? raw.replace(/\{ext\}/g, panel.dataset.extension) : null;
  }

  function sendStep(i) {
    var step = steps()[i];
    if (!step || !call) return;
    var digits = stepDigits(step), label = step.querySelector(".step-label");
    if (digits === null) log("Step " + (i + 1) + " needs the extension, and none is on file: dial it by hand.");
    else if (digits) { call.sendDigits(digits); record(step.dataset.digits); log("Sent step " + (i + 1) + ": " + digits); }
    else log("Step " + (i + 1) + " is yours to do: " + (label ? label.textContent : "wait"));
    Array.prototype.forEach.call(steps(), function (s) { s.removeAttribute("aria-current"); });
    step.classList.add("sent");
    step.setAttribute("aria-current", "step");
    nextStep = i + 1;
  }

  function saveKeys(replace) {
    var button = $("dial-save-keys");
    var existing = parseInt(panel.dataset.treeSteps || "0", 10);
    if (!replace && existing > 0) {
      if (!window.confirm("Replace the saved phone tree (" + existing + " steps) with the keys you sent?")) return;
      replace = true;
    }
    var body = new URLSearchParams({csrf_token: panel.dataset.csrf, keys: JSON.stringify(sentKeys), replace: replace ? "1" : ""});
    fetch(panel.dataset.saveKeysUrl, {method: "POST", body: body, credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) {
        return r.json().catch(function () { return {message: "Switchboard answered " + r.status + ": nothing was saved."}; })
          .then(function (data) { return {status: r.status, data: data}; });
      })
      .then(function (result) {
        // Someone saved a path since this page loaded: ask before replacing theirs.
        if (result.status === 409 && !replace) { if (window.confirm(result.data.message)) saveKeys(true); return; }
        if (result.status !== 200) { showError(result.data.message || "The keys were not saved."); return; }
        panel.dataset.treeSteps = String(result.data.steps.length);
        log(result.data.message);
        button.textContent = "Saved as the phone tree ✓";
        button.disabled = true;
      })
      .catch(function () { showError("Network error: the keys were not saved."); });
  }

  // A refusal or Twilio's failure (bad credentials, rate limited, unavailable) is news for the
  // whole panel, not a note in the log: shown as an alert until the next attempt.
  function showError(text) {
    var el = $("dial-error");
    if (!el) { log(text); return; }
    el.textContent = text;
    el.hidden = !text;
  }

  function tick() {
    var seconds = Math.floor((Date.now() - startedAt) / 1000);
    timerEl.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function startTimer() { startedAt = Date.now(); tick(); timer = setInterval(tick, 1000); }

  function stopTimer() {
    if (timer) clearInterval(timer);
    timer = null;
    // The duration field gets the measured time; Twilio's own figure replaces it later.
    var duration = document.getElementById("duration");
    if (startedAt && duration && !duration.value) {
      duration.value = timerEl.textContent;
      form.dispatchEvent(new Event("change"));
    }
  }

  function bindForm(sid) {
    var field = document.getElementById("twilio_call_sid");
    if (field && sid) { field.value = sid; form.dispatchEvent(new Event("change")); }
  }

  // The page's one Twilio Device (phone.js), also registered for inbound calls: a second
  // Device for the same identity would compete with it.
  function ensureDevice() {
    if (!window.SwitchboardPhone) {
      return Promise.reject(new Error("The Twilio Voice SDK is not loaded: run scripts/run to fetch it."));
    }
    return window.SwitchboardPhone.device();
  }

  function onPhoneError(e) { log(e.detail); }
  document.addEventListener("switchboard:phone-error", onPhoneError);

  function browserCall() {
    setState("Connecting…", "connecting");
    ensureDevice().then(function (d) {
      // The voice webhook's contract: To, and optionally person_id, company_id, call_id.
      var params = {To: panel.dataset.number, person_id: panel.dataset.personId,
        company_id: panel.dataset.companyId, call_id: panel.dataset.callId,
        extension: panel.dataset.extension};
      Object.keys(params).forEach(function (k) { if (!params[k]) delete params[k]; });
      return d.connect({params: params});
    }).then(function (c) {
      call = c;
      setState("Connecting…", "connecting");
      c.on("ringing", function () { setState("Ringing…", "ringing"); });
      c.on("accept", function () {
        bindForm(c.parameters && c.parameters.CallSid);
        answeredAt = Date.now();  // a new call: its own keys, the path from its first step
        sentKeys = [];
        nextStep = 0;
        Array.prototype.forEach.call(steps(), function (st) { st.classList.remove("sent"); st.removeAttribute("aria-current"); });
        setState("In call", "in-call");
        startTimer();
      });
      c.on("disconnect", ended);
      c.on("cancel", ended);
      c.on("reject", ended);
      c.on("error", function (error) { log("Call error: " + (error.message || error)); });
    }).catch(function (error) {
      setState("Could not connect", "ended");
      log(String(error.message || error));
    });
  }

  function ended() {
    stopTimer();
    setState("Ended", "ended");
    call = null;
    var notes = document.getElementById("notes");
    if (notes) notes.focus();
    var sid = (document.getElementById("twilio_call_sid") || {}).value;
    if (sid) setTimeout(function () { suggest(sid, 3); }, 1500);
  }

  // Twilio's final status can suggest an outcome (no answer, busy, voicemail). It only fills an
  // outcome the sourcer has not picked yet; their choice always wins.
  function suggest(sid, triesLeft) {
    fetch("/calls/live/" + encodeURIComponent(sid), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        if (!s.suggested_outcome && triesLeft > 0 && !/^(completed|busy|no-answer|failed|canceled)$/.test(s.status || "")) {
          setTimeout(function () { suggest(sid, triesLeft - 1); }, 2000);
          return;
        }
        if (s.suggested_outcome && !form.querySelector('input[name="outcome"]:checked')) {
          var radio = form.querySelector('input[name="outcome"][value="' + s.suggested_outcome + '"]');
          if (radio) { radio.checked = true; form.dispatchEvent(new Event("change")); log("Outcome suggested by Twilio's final status: " + s.status + "."); }
        }
      }).catch(function () { /* the sourcer picks the outcome by hand */ });
  }

  function bridgeCall() {
    showError("");
    setState("Ringing your phone…", "connecting");
    var body = new URLSearchParams({
      csrf_token: panel.dataset.csrf, to_number: panel.dataset.number,
      person_id: panel.dataset.personId, company_id: panel.dataset.companyId,
      extension: panel.dataset.extension,
    });
    fetch(panel.dataset.bridgeUrl, {method: "POST", body: body, credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) {
        return r.json().catch(function () { return {message: "Switchboard answered " + r.status + ": nothing was dialled."}; })
          .then(function (data) { return {ok: r.ok, data: data}; });
      })
      .then(function (result) {
        if (!result.ok) { setState("Could not call", "ended"); showError(result.data.message || "The call could not be placed."); return; }
        bindForm(result.data.call_sid);
        pollBridge(result.data.status_url);
      })
      .catch(function () { setState("Could not call", "ended"); showError("Network error: nothing was dialled."); });
  }

  // Bridge calls run on the phone, not in this page: follow them through the callbacks' status.
  function pollBridge(url) {
    var seen = null;
    var poll = setInterval(function () {
      fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
        if (s.status === seen) return;
        seen = s.status;
        if (s.status === "ringing") setState("Ringing…", "ringing");
        else if (s.status === "in-progress" || s.status === "answered") { setState("In call (on your phone)", "in-call"); startTimer(); }
        else if (s.status && (/^(completed|busy|no-answer|failed|canceled)$/.test(s.status) || s.status.indexOf("agent-") === 0)) {
          clearInterval(poll); ended();
          if (s.status === "agent-no-key") showError("Nothing was dialled: no key was pressed on your phone.");
          else log("Twilio: " + s.status);
        }
      }).catch(function () { /* keep polling */ });
    }, 2000);
  }

  if ($("dial-browser")) $("dial-browser").addEventListener("click", browserCall);
  if ($("dial-bridge")) {
    if ($("dial-bridge").disabled) $("dial-bridge").dataset.off = "1";
    $("dial-bridge").addEventListener("click", bridgeCall);
  }
  $("dial-hangup") && $("dial-hangup").addEventListener("click", function () { if (call) call.disconnect(); });
  $("dial-mute") && $("dial-mute").addEventListener("click", function () {
    if (!call) return;
    var muted = !call.isMuted();
    call.mute(muted);
    this.setAttribute("aria-pressed", String(muted));
    this.textContent = muted ? "Unmute" : "Mute";
  });
  if ($("dial-ext")) $("dial-ext").addEventListener("click", function () { sendTones(panel.dataset.extension, "{ext}"); });
  Array.prototype.forEach.call(panel.querySelectorAll("[data-digit]"), function (button) {
    button.addEventListener("click", function () { sendTones(button.dataset.digit); });
  });
  panel.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-send-step]");
    if (button && !button.disabled) sendStep(parseInt(button.dataset.sendStep, 10));
  });
  if ($("dial-save-keys")) $("dial-save-keys").addEventListener("click", function () { saveKeys(false); });
  // Keypad from the keyboard, unless the sourcer is typing in a field; "]" sends the next step
  // (not a digit, nor a key the call form uses; AltGr+"]" on layouts that need it).
  function onKey(e) {
    if (!call || panel.dataset.phase !== "in-call") return;
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    var altGr = e.getModifierState && e.getModifierState("AltGraph");
    if (e.key === "]" && (altGr || !(e.ctrlKey || e.altKey || e.metaKey))) {
      e.preventDefault();
      var count = steps().length;
      if (nextStep < count) sendStep(nextStep);
      else log(count ? "That was the last phone-tree step." : "No phone tree saved for this line.");
      return;
    }
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    if (/^[0-9*#]$/.test(e.key)) sendTones(e.key);
  }
  document.addEventListener("keydown", onKey);
  if (stateEl.textContent === "Ready" && (panel.dataset.browser || panel.dataset.bridge)) setState("Ready", "ready");
  function teardown() {
    document.removeEventListener("keydown", onKey);
    document.removeEventListener("switchboard:phone-error", onPhoneError);
    if (timer) clearInterval(timer);
    if (call) call.disconnect();
    call = null;  // the Device is the page's (phone.js), not this panel's
  }
  window.addEventListener("pagehide", teardown);
  return teardown;
  }

  var currentPanel = null;
  window.SwitchboardDialer = {
    init: function (panel) {
      if (panel && panel === currentPanel) return;
      if (teardownCurrent) teardownCurrent();
      teardownCurrent = init(panel);
      currentPanel = panel;
    },
  };
  window.SwitchboardDialer.init(document.getElementById("dialer"));
})();
