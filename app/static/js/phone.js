// The page's phone: one Twilio Device shared by everything on the page (the dialer places its
// calls through it), registered for the inbound calls routed to this recruiter, with the screen
// pop they open. While it is registered it tells Switchboard so every minute (presence), which
// is how an inbound call knows to ring this browser rather than the recruiter's own phone.
(function () {
  "use strict";
  var pop = document.getElementById("screen-pop");
  if (!pop) return;
  var cfg = pop.dataset;
  var $ = function (id) { return document.getElementById(id); };
  var PRESENCE_EVERY_MS = 60000;  // the server counts a browser online for 90 s after each
  var devicePromise = null, device = null, presenceTimer = null, registered = false;
  var incoming = null, timer = null, pageTitle = document.title;

  function fetchToken() {
    return fetch(cfg.tokenUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error("token " + r.status); return r.json(); });
  }

  // Device errors are news for whoever shows calls (the dialer listens); the console keeps them too.
  function reportError(error) {
    var message = "Twilio: " + ((error && error.message) || error);
    if (window.console) console.warn(message);
    document.dispatchEvent(new CustomEvent("switchboard:phone-error", {detail: message}));
  }

  // The one Device of this page, made on first use (a resolved promise afterwards).
  function getDevice() {
    if (devicePromise) return devicePromise;
    if (!window.Twilio || !window.Twilio.Device) {
      return Promise.reject(new Error("The Twilio Voice SDK is not loaded: run scripts/run to fetch it."));
    }
    devicePromise = fetchToken().then(function (data) {
      device = new window.Twilio.Device(data.token, {edge: cfg.edge, closeProtection: true});
      // Tokens are short-lived: fetch a fresh one before this one expires.
      device.on("tokenWillExpire", function () {
        fetchToken().then(function (d) { if (device) device.updateToken(d.token); })
          .catch(function () { reportError("could not refresh the calling token"); });
      });
      device.on("error", reportError);
      device.on("registered", online);
      device.on("unregistered", function () { offline(false); });
      device.on("incoming", ring);
      return device;
    });
    devicePromise.catch(function () { devicePromise = null; });  // the next use tries again
    return devicePromise;
  }

  // ---- presence ----
  function sendPresence(isOnline, beacon) {
    var body = new URLSearchParams({csrf_token: cfg.csrf, online: isOnline ? "1" : "0"});
    // A page going away cannot wait for fetch; a beacon is delivered after it has gone.
    if (beacon && navigator.sendBeacon) { navigator.sendBeacon(cfg.presenceUrl, body); return; }
    fetch(cfg.presenceUrl, {method: "POST", body: body, credentials: "same-origin", keepalive: true})
      .then(function (r) { if (r.status === 401) stop(); })  // signed out in another tab
      .catch(function () { /* the next beat tries again; the server lets 90 s lapse first */ });
  }

  function online() {
    if (registered) return;
    registered = true;
    sendPresence(true);
    presenceTimer = setInterval(function () { sendPresence(true); }, PRESENCE_EVERY_MS);
  }

  function offline(beacon) {
    if (presenceTimer) clearInterval(presenceTimer);
    presenceTimer = null;
    if (registered) sendPresence(false, beacon);
    registered = false;
  }

  function stop() {
    offline(true);
    if (device) device.destroy();
    device = devicePromise = null;
  }

  function register() {
    getDevice().then(function (d) { return d.register(); }).then(online)
      .catch(function (error) { reportError(error); });
  }

  // Several tabs of one recruiter would each ring (and each pop up): only the tab holding this
  // lock registers for inbound calls; when it closes, the next tab takes over. Any tab can still
  // place calls through its own Device.
  function start() {
    if (navigator.locks && navigator.locks.request) {
      navigator.locks.request("switchboard-phone", function () {
        register();
        return new Promise(function (resolve) { window.addEventListener("pagehide", resolve); });
      }).catch(function () { /* the page went away while waiting */ });
    } else {
      register();
    }
  }

  // ---- screen pop ----
  function tick(startedAt) {
    var seconds = Math.floor((Date.now() - startedAt) / 1000);
    $("pop-timer").textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function show(phase) {
    pop.dataset.phase = phase;
    $("screen-pop-ring").hidden = phase !== "ringing";
    $("screen-pop-live").hidden = phase !== "live";
    $("pop-log-note").hidden = phase !== "live" || $("pop-log").hidden;
    $("screen-pop-done").hidden = phase !== "ended";
    pop.classList.toggle("live", phase !== "ringing");
    if (phase === "ringing") pop.classList.remove("missed");
    document.title = phase === "ringing" ? "☎ Incoming call · " + pageTitle : pageTitle;
  }

  function setState(text) { $("screen-pop-state").textContent = text; }

  function caller() {
    var card = pop.querySelector(".pop-card");
    return (card && card.dataset.caller) || pop.dataset.from || "an unknown number";
  }

  function ring(call) {
    if (incoming) return;  // one pop at a time; the SDK ignores a second call while busy
    incoming = call;
    var params = call.parameters || {};
    var id = call.customParameters && call.customParameters.get ? call.customParameters.get("call_id") : null;
    pop.dataset.from = params.From || "";
    // Until the cards arrive (or if they cannot), the number alone, as Twilio gave it.
    var body = $("screen-pop-body");
    body.textContent = "";
    var title = document.createElement("h2");
    title.id = "screen-pop-title";
    title.textContent = params.From ? "Call from " + params.From : "Incoming call";
    body.appendChild(title);
    $("pop-log").hidden = true;
    setState("Incoming call");
    show("ringing");
    if (pop.open) pop.close();
    pop.showModal();
    $("pop-accept").focus();
    if (/^\d+$/.test(id || "")) {
      fetch(cfg.popUrl.replace("/0/", "/" + id + "/"), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html || incoming !== call) return;
          body.innerHTML = html;  // our own server's escaped fragment
          var card = body.querySelector(".pop-card");
          if (card && card.dataset.logUrl) { $("pop-log").href = card.dataset.logUrl; $("pop-log").hidden = false; }
          $("pop-log-note").hidden = pop.dataset.phase !== "live" || $("pop-log").hidden;
        })
        .catch(function () { /* the number is shown; the call can still be answered */ });
    }
    call.on("accept", function () {
      var startedAt = Date.now();
      setState("In call");
      show("live");
      // The bar no longer blocks the page: the recruiter reads and types while talking.
      pop.close();
      pop.show();
      tick(startedAt);
      timer = setInterval(function () { tick(startedAt); }, 1000);
      ($("pop-log").hidden ? $("pop-hangup") : $("pop-log")).focus();
    });
    call.on("cancel", function () { finish("Missed call from " + caller(), true); });
    call.on("disconnect", function () { finish("Call ended"); });
    call.on("reject", function () { finish(null); });
    call.on("error", function (error) { reportError(error); });
  }

  function finish(text, missed) {
    if (timer) clearInterval(timer);
    timer = null;
    incoming = null;
    $("pop-mute").setAttribute("aria-pressed", "false");
    $("pop-mute").textContent = "Mute";
    if (!text) { close(); return; }
    var hadFocus = pop.contains(document.activeElement);
    setState(text);
    show("ended");
    pop.classList.toggle("missed", !!missed);  // the notice says who; the cards step aside
    // A notice now, not a modal: it must not trap someone typing elsewhere on the page.
    if (pop.open) pop.close();
    pop.show();
    if (hadFocus) $("pop-close").focus();
  }

  function close() {
    show("closed");
    if (pop.open) pop.close();
  }

  function accept() { if (incoming && pop.dataset.phase === "ringing") incoming.accept(); }

  function decline() {
    if (!incoming || pop.dataset.phase !== "ringing") return;
    var call = incoming;
    call.reject();
    finish(null);
  }

  $("pop-accept").addEventListener("click", accept);
  $("pop-decline").addEventListener("click", decline);
  $("pop-hangup").addEventListener("click", function () { if (incoming) incoming.disconnect(); });
  $("pop-mute").addEventListener("click", function () {
    if (!incoming) return;
    var muted = !incoming.isMuted();
    incoming.mute(muted);
    this.setAttribute("aria-pressed", String(muted));
    this.textContent = muted ? "Unmute" : "Mute";
  });
  $("pop-close").addEventListener("click", close);
  // Esc on a modal dialog fires "cancel": while ringing it declines; a live call is never
  // ended by Esc, only by Hang up.
  pop.addEventListener("cancel", function (e) {
    e.preventDefault();
    if (pop.dataset.phase === "ringing") decline();
    else if (pop.dataset.phase === "ended") close();
  });
  pop.addEventListener("keydown", function (e) {
    if (pop.dataset.phase !== "ringing") return;
    var tag = (e.target.tagName || "").toLowerCase();
    if (e.key === "Enter" && tag !== "button" && tag !== "a") { e.preventDefault(); accept(); }
  });

  window.addEventListener("pagehide", function () {
    if (incoming && pop.dataset.phase === "ringing") incoming.reject();
    stop();
  });
  window.addEventListener("pageshow", function (e) { if (e.persisted) start(); });

  window.SwitchboardPhone = {
    // The shared Device (a promise): the dialer places its calls through it.
    device: getDevice,
  };
  start();
})();
