// "Drop voicemail" in the dialer: during a live call, one click (or the v key) asks the server to
// redirect the target's leg to the chosen recorded message, which frees the recruiter at once.
// It reads the live call from the panel (its phase, and the form's twilio_call_sid) and works on
// whichever dialer panel the page shows now (the calling screen swaps them).
(function () {
  "use strict";
  function panel() { return document.getElementById("dialer"); }
  function sid() { return ((document.getElementById("twilio_call_sid") || {}).value || "").trim(); }
  function button() { return document.getElementById("vm-drop-button"); }
  var busy = false;

  function live() {
    var p = panel();
    var phase = p ? p.dataset.phase : "";
    return !!sid() && (phase === "in-call" || phase === "ringing");
  }

  function refresh() {
    var b = button();
    if (b) b.disabled = busy || !live();
  }

  function showError(text) {
    var el = document.getElementById("dial-error");
    if (el) { el.textContent = text; el.hidden = !text; }
  }

  function log(text) {
    var el = document.getElementById("dial-log");
    if (el) el.textContent = text;
  }

  function callId() {
    return fetch("/calls/live/" + encodeURIComponent(sid()), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error("This call is not known yet; try again in a second."); return r.json(); })
      .then(function (s) { return s.call_id; });
  }

  function drop() {
    var p = panel(), select = document.getElementById("vm-drop-message");
    if (!p || !select || busy || !live()) return;
    var name = select.options[select.selectedIndex].text.replace(/ \([0-9:]+\)$/, "");
    busy = true; refresh(); showError("");
    log("Leaving “" + name + "”…");
    callId().then(function (id) {
      var box = document.getElementById("vm-drop");
      var url = box.dataset.urlTemplate.replace("/0/", "/" + id + "/");
      var body = new URLSearchParams({csrf_token: p.dataset.csrf, voicemail_id: select.value});
      return fetch(url, {method: "POST", body: body, credentials: "same-origin", headers: {Accept: "application/json"}});
    }).then(function (r) {
      return r.json().catch(function () { return {message: "Switchboard answered " + r.status + "."}; })
        .then(function (data) { return {ok: r.ok, data: data}; });
    }).then(function (res) {
      busy = false; refresh();
      if (!res.ok) { log(""); showError(res.data.message || "The message could not be left."); return; }
      var form = document.getElementById("call-form");
      var radio = form && form.querySelector('input[name="outcome"][value="voicemail"]');
      if (radio) { radio.checked = true; form.dispatchEvent(new Event("change")); }
      log(res.data.status === "waiting" ? "Message waits for the beep: " + res.data.voicemail.name
        : "Message left: " + res.data.voicemail.name);
    }).catch(function (error) {
      busy = false; refresh(); log("");
      showError(String(error.message || error));
    });
  }

  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("#vm-drop-button")) drop();
  });
  // v drops the message, unless the recruiter is typing in a field.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "v" || e.ctrlKey || e.altKey || e.metaKey) return;
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || e.target.isContentEditable) return;
    if (!button() || !live()) return;
    e.preventDefault();
    drop();
  });
  // The dialer moves its phase on the panel; the form's call SID changes with binding.
  new MutationObserver(refresh).observe(document.body, {subtree: true, attributes: true, attributeFilter: ["data-phase"]});
  document.addEventListener("change", refresh);
  document.addEventListener("input", refresh);
  refresh();
})();
