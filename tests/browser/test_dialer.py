"""Calling from the browser, end to end, with the Voice SDK replaced by a stand-in Device.

The SDK file is swapped through Playwright's routing (no app code knows about the test). Twilio's
side is played by the test: it posts correctly signed voice, status and recording webhooks, and
the recording's media is served by the `responses` fake at the HTTP transport.
"""

import re
from pathlib import Path

import jwt
import pytest
import responses
from playwright.sync_api import expect
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from app.models import Call, Person
from tests import factories
from tests.browser.conftest import needs_chromium, sign_in

pytestmark = needs_chromium

SID = "AC" + "1" * 32
TOKEN = "test-auth-token"
PUBLIC = "https://switchboard.example.com"
CALL_SID = "CA" + "2" * 32
RECORDING_URL = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Recordings/RE{'3' * 32}"
# A second of silent MPEG-1 Layer III frames: small, and a real browser can play it.
SILENT_MP3 = (bytes([0xFF, 0xFB, 0x90, 0x64]) + bytes(413)) * 40

# The stand-in for Twilio.Device: records what the page asks of it; the test drives its events.
FAKE_SDK = """
(function () {
  function Emitter() { this.handlers = {}; }
  Emitter.prototype.on = function (name, fn) {
    (this.handlers[name] = this.handlers[name] || []).push(fn);
  };
  Emitter.prototype.emit = function (name) {
    var args = Array.prototype.slice.call(arguments, 1);
    (this.handlers[name] || []).forEach(function (fn) { fn.apply(null, args); });
  };
  window.__sb = {digits: "", tokens: [], connects: []};
  function FakeCall(params) {
    Emitter.call(this); this.params = params; this.muted = false;
    this.parameters = {CallSid: "__CALL_SID__"};
  }
  FakeCall.prototype = Object.create(Emitter.prototype);
  FakeCall.prototype.sendDigits = function (d) { window.__sb.digits += d; };
  FakeCall.prototype.mute = function (m) { this.muted = m; };
  FakeCall.prototype.isMuted = function () { return this.muted; };
  FakeCall.prototype.disconnect = function () { this.emit("disconnect", this); };
  function Device(token, options) {
    Emitter.call(this); window.__sb.tokens.push(token); window.__sb.options = options;
    window.__sb.devices = (window.__sb.devices || 0) + 1;
  }
  Device.prototype = Object.create(Emitter.prototype);
  Device.prototype.connect = function (opts) {
    var call = new FakeCall(opts.params);
    window.__sb.connects.push(opts.params); window.__sb.call = call;
    return Promise.resolve(call);
  };
  Device.prototype.register = function () {
    window.__sb.registered = true; this.emit("registered"); return Promise.resolve();
  };
  Device.prototype.updateToken = function (t) { window.__sb.tokens.push(t); };
  Device.prototype.destroy = function () {};
  window.Twilio = {Device: Device};
})();
""".replace("__CALL_SID__", CALL_SID)


@pytest.fixture
def calling(app):
    """Browser calling switched on with test credentials; webhooks signed for PUBLIC."""
    app.config.update(
        TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_API_KEY_SID="SK" + "4" * 32,
        TWILIO_API_KEY_SECRET="s" * 32, TWILIO_TWIML_APP_SID="AP" + "5" * 32,
        TWILIO_CALLER_ID="+14155550100", PUBLIC_BASE_URL=PUBLIC,
    )
    return app


def twilio_post(app, path, data):
    """Post a webhook as Twilio would: form-encoded, with a valid X-Twilio-Signature."""
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, data)
    return app.test_client().post(path, data=data, headers={"X-Twilio-Signature": signature})


def wait_until(page, expression: str, timeout_ms: int = 5_000) -> None:
    """Poll a JS expression (wait_for_function evaluates strings, which the app's CSP forbids)."""
    for _ in range(timeout_ms // 50):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"still false after {timeout_ms} ms: {expression}")


@pytest.fixture
def prospect(db, user):
    """A hiring manager with a direct dial, at a company whose hours allow calling any time."""
    user.phone_e164 = "+14155550123"
    company = factories.CompanyFactory(name="Initech", timezone=None)
    return factories.PersonFactory(company=company, full_name="Bill Lumbergh",
                                   title="VP Engineering", direct_phone="+14155550188")


def test_a_browser_call_is_placed_logged_and_completed_by_twilios_callbacks(
    page, calling, prospect, user, db, http
):
    page.route(re.compile(r".*/static/vendor/twilio-voice-sdk-[^/]+/twilio\.min\.js$"),
               lambda route: route.fulfill(body=FAKE_SDK, content_type="text/javascript"))
    sign_in(page)
    page.goto(f"/people/{prospect.id}")
    page.get_by_role("link", name="(415) 555-0188").click()  # the number opens the dialer
    state = page.locator("#dial-state")
    expect(state).to_have_text("Ready")
    expect(page.locator("#dialer[data-phase='ready']")).to_be_attached()  # the script is wired

    page.get_by_role("button", name="Call from browser").click()
    expect(state).to_have_text("Connecting…")
    wait_until(page, "window.__sb.connects.length === 1")  # after the token arrived
    params = page.evaluate("window.__sb.connects[0]")
    assert params["To"] == "+14155550188" and params["person_id"] == str(prospect.id)
    token = page.evaluate("window.__sb.tokens[0]")
    assert token.count(".") == 2  # a JWT from /twilio/token
    # The page's one Device (phone.js), registered for inbound calls, placed this call too.
    assert page.evaluate("window.__sb.devices") == 1 and page.evaluate("window.__sb.registered")
    identity = jwt.decode(token, options={"verify_signature": False})["grants"]["identity"]

    # Twilio asks the voice webhook what to do with the browser's call.
    voice = twilio_post(calling, "/twilio/voice", {
        "CallSid": CALL_SID, "AccountSid": SID, "From": f"client:{identity}",
        "To": params["To"], "person_id": params["person_id"], "company_id": params["company_id"],
    })
    assert voice.status_code == 200 and b"<Dial" in voice.data and b"+14155550188" in voice.data

    page.evaluate("window.__sb.call.emit('ringing', false)")
    expect(state).to_have_text("Ringing…")
    page.evaluate("window.__sb.call.emit('accept', window.__sb.call)")
    expect(state).to_have_text("In call")
    expect(page.locator("#dial-timer")).not_to_have_text("0:00", timeout=3_000)
    assert page.locator("#twilio_call_sid").input_value() == CALL_SID

    for digit in "41#":  # a phone menu: press 4, then 1, then #
        page.locator(f"[data-digit='{digit}']").click()
    assert page.evaluate("window.__sb.digits") == "41#"
    page.get_by_role("button", name="Mute").click()
    assert page.evaluate("window.__sb.call.muted") is True

    page.get_by_label("Notes").fill("Bill is hiring two platform engineers; call back Tuesday.")
    page.get_by_label("Connected").check()
    page.locator("#people-0-full_name").fill("Milton Waddams")
    page.locator("#people-0-title").fill("Collator")
    page.locator("#people-0-reports_to").select_option(label="Bill Lumbergh (VP Engineering)")

    page.get_by_role("button", name="Hang up").click()
    expect(state).to_have_text("Ended")
    assert page.locator("#duration").input_value() != ""
    page.get_by_role("button", name="Save call").click()
    expect(page.get_by_text("Call logged")).to_be_visible()

    call = db.session.scalars(select(Call)).one()  # the webhook's row, completed by the form
    assert call.twilio_call_sid == CALL_SID and call.outcome.value == "connected"
    milton = db.session.scalars(select(Person).where(Person.full_name == "Milton Waddams")).one()
    assert milton.reports_to_id == prospect.id and milton in call.people

    # Twilio's callbacks arrive afterwards, one of them late and one twice.
    status_path = f"/twilio/status?call_id={call.id}&leg=target"
    events = [("ringing", 1, None), ("in-progress", 2, None), ("completed", 3, "42"),
              ("ringing", 1, None), ("completed", 3, "42")]
    for status, sequence, duration in events:
        data = {"CallSid": "CA" + "6" * 32, "CallStatus": status, "SequenceNumber": str(sequence),
                "AccountSid": SID, "ParentCallSid": CALL_SID}
        if duration:
            data["CallDuration"] = duration
        assert twilio_post(calling, status_path, data).status_code == 204
    recording = {"CallSid": "CA" + "6" * 32, "RecordingSid": "RE" + "3" * 32,
                 "RecordingUrl": RECORDING_URL, "RecordingStatus": "completed",
                 "RecordingDuration": "40", "AccountSid": SID}
    recorded = twilio_post(calling, f"/twilio/recording?call_id={call.id}", recording)
    assert recorded.status_code == 204
    http.add(responses.GET, RECORDING_URL + ".mp3", body=SILENT_MP3, content_type="audio/mpeg")

    page.reload()
    expect(page.locator("#twilio-status")).to_have_text("completed")
    expect(page.locator("#twilio-duration")).to_have_text("0:42")
    audio = page.locator("audio#recording")
    assert audio.get_attribute("src") == f"/calls/{call.id}/recording"
    assert SID not in page.content() and "api.twilio.com" not in page.content()
    audio.evaluate("a => { a.preload = 'auto'; a.load(); }")
    wait_until(page, "document.getElementById('recording').readyState >= 1")
    assert page.evaluate("document.getElementById('recording').duration") > 0.5
    fetched = http.calls[-1].request
    assert fetched.url == RECORDING_URL + ".mp3" and fetched.headers["Authorization"].startswith(
        "Basic ")
    results = Path("test-results")
    results.mkdir(exist_ok=True)
    page.screenshot(path=str(results / "dialer-call-page.png"), full_page=True)


def test_twilio_rejecting_a_bridge_call_is_shown_as_an_alert_not_a_field_error(
    page, calling, prospect, http, browser_errors
):
    browser_errors.allow(r"status of 502")  # the browser logs the deliberate 502
    page.route(re.compile(r".*/static/vendor/twilio-voice-sdk-[^/]+/twilio\.min\.js$"),
               lambda route: route.fulfill(body=FAKE_SDK, content_type="text/javascript"))
    http.add(responses.POST, f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Calls.json",
             status=401, json={"code": 20003, "message": "Authenticate", "status": 401})
    sign_in(page)
    page.goto(f"/people/{prospect.id}")
    page.get_by_role("link", name="(415) 555-0188").click()  # the number opens the dialer
    page.get_by_role("button", name="Ring my phone first").click()
    alert = page.locator("#dial-error")
    expect(alert).to_be_visible()
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("Twilio rejected our credentials")
    expect(alert).to_contain_text("Authenticate")
    expect(page.locator("#dial-state")).to_have_text("Could not call")


def test_a_bridge_call_with_no_key_pressed_says_nothing_was_dialled(
    page, app, calling, prospect, http, db
):
    page.route(re.compile(r".*/static/vendor/twilio-voice-sdk-[^/]+/twilio\.min\.js$"),
               lambda route: route.fulfill(body=FAKE_SDK, content_type="text/javascript"))
    http.add(responses.POST, f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Calls.json",
             status=201, json={"sid": CALL_SID, "account_sid": SID, "status": "queued",
                               "to": "+14155550123", "from": "+14155550100"})
    sign_in(page)
    page.goto(f"/people/{prospect.id}")
    page.get_by_role("link", name="(415) 555-0188").click()  # the number opens the dialer
    page.get_by_role("button", name="Ring my phone first").click()
    wait_until(page, "document.getElementById('twilio_call_sid') && "
                     f"document.getElementById('twilio_call_sid').value === '{CALL_SID}'")
    call = db.session.scalars(select(Call)).one()
    # My voicemail picked up: the prompt, then the Gather's action with no Digits.
    prompt = twilio_post(app, f"/twilio/voice?call_id={call.id}",
                         {"AccountSid": SID, "CallSid": CALL_SID, "CallStatus": "in-progress"})
    assert b"<Gather" in prompt.data
    silent = twilio_post(app, f"/twilio/voice?call_id={call.id}&confirmed=1",
                         {"AccountSid": SID, "CallSid": CALL_SID, "CallStatus": "in-progress",
                          "Digits": "", "msg": "Gather End"})
    assert b"<Dial" not in silent.data
    alert = page.locator("#dial-error")
    expect(alert).to_have_text("Nothing was dialled: no key was pressed on your phone.",
                               timeout=10_000)
    expect(page.locator("#dial-state")).to_have_text("Ended")
