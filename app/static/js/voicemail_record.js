// Records a voicemail message in the browser as a 16 kHz mono 16-bit WAV. Chromium's
// MediaRecorder only makes WebM/Opus, which Twilio's <Play> cannot play, so the microphone's
// raw samples are taken from the Web Audio API, downsampled and written as WAV here.
(function () {
  "use strict";
  var box = document.getElementById("recorder");
  if (!box) return;
  var RATE = 16000;
  var $ = function (id) { return document.getElementById(id); };
  var maxSeconds = Number(box.dataset.maxSeconds) || 90;
  var ctx = null, stream = null, node = null, source = null, chunks = [], inputRate = 0;
  var wav = null, timer = null, startedAt = 0;

  function say(text) { $("rec-status").textContent = text; }
  function fail(text) { var e = $("rec-error"); e.textContent = text; e.hidden = !text; }

  function clock() {
    var s = Math.floor((Date.now() - startedAt) / 1000);
    $("rec-time").textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    if (s >= maxSeconds) stop();
  }

  function start() {
    fail("");
    if (!navigator.mediaDevices || !window.AudioContext) {
      fail("This browser cannot record here (a microphone needs HTTPS or localhost). Upload a file instead.");
      return;
    }
    navigator.mediaDevices.getUserMedia({audio: {channelCount: 1, echoCancellation: true}}).then(function (s) {
      stream = s;
      ctx = new AudioContext();
      inputRate = ctx.sampleRate;
      source = ctx.createMediaStreamSource(stream);
      // ScriptProcessorNode keeps this to one file (an AudioWorklet needs a second module).
      node = ctx.createScriptProcessor(4096, 1, 1);
      chunks = [];
      node.onaudioprocess = function (e) { chunks.push(new Float32Array(e.inputBuffer.getChannelData(0))); };
      source.connect(node);
      node.connect(ctx.destination);
      startedAt = Date.now();
      timer = setInterval(clock, 250);
      $("rec-start").disabled = true; $("rec-stop").disabled = false; $("rec-save").disabled = true;
      say("Recording… speak now.");
    }).catch(function (error) { fail("The microphone could not be used: " + (error.message || error)); });
  }

  function stop() {
    if (!node) return;
    clearInterval(timer);
    node.disconnect(); source.disconnect();
    stream.getTracks().forEach(function (t) { t.stop(); });
    ctx.close();
    node = null;
    wav = encodeWav(downsample(join(chunks), inputRate, RATE), RATE);
    var preview = $("rec-preview");
    preview.src = URL.createObjectURL(wav);
    preview.hidden = false;
    $("rec-start").disabled = false; $("rec-stop").disabled = true;
    $("rec-save").disabled = false;
    say("Listen to it, name it and save it, or record again.");
    $("rec-name").focus();
  }

  function join(parts) {
    var length = parts.reduce(function (n, p) { return n + p.length; }, 0);
    var out = new Float32Array(length), at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  // Averages each output sample's span of input samples (a crude low-pass, enough for speech).
  function downsample(samples, from, to) {
    if (from === to) return samples;
    var ratio = from / to, out = new Float32Array(Math.floor(samples.length / ratio));
    for (var i = 0; i < out.length; i++) {
      var a = Math.floor(i * ratio), b = Math.min(Math.floor((i + 1) * ratio), samples.length), sum = 0;
      for (var j = a; j < b; j++) sum += samples[j];
      out[i] = b > a ? sum / (b - a) : 0;
    }
    return out;
  }

  function encodeWav(samples, rate) {
    var buffer = new ArrayBuffer(44 + samples.length * 2), view = new DataView(buffer);
    function text(at, s) { for (var i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i)); }
    text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
    text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true);  // PCM
    view.setUint16(22, 1, true); view.setUint32(24, rate, true);  // mono
    view.setUint32(28, rate * 2, true); view.setUint16(32, 2, true); view.setUint16(34, 16, true);
    text(36, "data"); view.setUint32(40, samples.length * 2, true);
    for (var i = 0; i < samples.length; i++) {
      var s = Math.max(-1, Math.min(1, samples[i]));
      view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return new Blob([view], {type: "audio/wav"});
  }

  function save() {
    fail("");
    var name = $("rec-name").value.trim();
    if (!name) { fail("Give the message a name."); $("rec-name").focus(); return; }
    var body = new FormData();
    body.append("csrf_token", box.dataset.csrf);
    body.append("name", name);
    body.append("file", wav, "recording.wav");
    $("rec-save").disabled = true;
    say("Saving…");
    fetch(box.dataset.saveUrl, {method: "POST", body: body, credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.json().then(function (d) { return {ok: r.ok, data: d}; }); })
      .then(function (res) {
        if (!res.ok) { $("rec-save").disabled = false; say(""); fail(res.data.message || "Not saved."); return; }
        window.location.reload();
      })
      .catch(function () { $("rec-save").disabled = false; say(""); fail("Network error: the message was not saved."); });
  }

  $("rec-start").addEventListener("click", start);
  $("rec-stop").addEventListener("click", stop);
  $("rec-save").addEventListener("click", save);
})();
