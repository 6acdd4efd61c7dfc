"""An inbound call in the browser: presence, the screen pop, accept / decline / missed.

The Voice SDK is replaced by a small fake Device (Playwright's add_init_script; the SDK file
itself is routed to a no-op so it cannot put the real one back). The test plays Twilio: it emits
`incoming` with a fake call carrying the `call_id` parameter /twilio/inbound's <Client> sends.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db as _db
from app.models import Direction, Outcome, PersonStatus, User
from tests import factories
from tests.browser.conftest import needs_chromium, sign_in
from tests.browser.test_dialer import wait_until

pytestmark = needs_chromium

CALLER = "+14155550188"
SDK = re.compile(r".*/static/vendor/twilio-voice-sdk-[^/]+/twilio\.min\.js$")

FAKE_DEVICE = """
(function () {
  function Emitter() { this.handlers = {}; }
  Emitter.prototype.on = function (name, fn) {
    (this.handlers[name] = this.handlers[name] || []).push(fn);
  };
  Emitter.prototype.emit = function (name) {
    var args = Array.prototype.slice.call(arguments, 1);
    (this.handlers[name] || []).forEach(function (fn) { fn.apply(null, args); });
  };
  var fake = window.__fake = {devices: 0, registered: false, accepted: 0, rejected: 0,
                              calls: []};
  function IncomingCall(params) {
    Emitter.call(this); this.muted = false;
    this.parameters = {From: params.From, CallSid: "CA" + "8".repeat(32)};
    this.customParameters = new Map(params.call_id ? [["call_id", params.call_id]] : []);
  }
  IncomingCall.prototype = Object.create(Emitter.prototype);
  IncomingCall.prototype.accept = function () { fake.accepted += 1; this.emit("accept", this); };
  IncomingCall.prototype.reject = function () { fake.rejected += 1; this.emit("reject"); };
  IncomingCall.prototype.disconnect = function () { this.emit("disconnect", this); };
  IncomingCall.prototype.mute = function (m) { this.muted = m; };
  IncomingCall.prototype.isMuted = function () { return this.muted; };
  function Device(token, options) { Emitter.call(this); fake.devices += 1; fake.device = this; }
  Device.prototype = Object.create(Emitter.prototype);
  Device.prototype.register = function () {
    var self = this;
    return Promise.resolve().then(function () { fake.registered = true; self.emit("registered"); });
  };
  Device.prototype.updateToken = function () {};
  Device.prototype.destroy = function () { fake.destroyed = true; };
  // The test's hand: Twilio ringing this browser.
  fake.ring = function (params) {
    var call = new IncomingCall(params); fake.calls.push(call);
    fake.device.emit("incoming", call);
  };
  window.Twilio = {Device: Device};
})();
"""


@pytest.fixture
def calling(app):
    """Browser calling configured (test credentials; nothing here reaches Twilio)."""
    app.config.update(
        TWILIO_ACCOUNT_SID="AC" + "1" * 32, TWILIO_AUTH_TOKEN="test-auth-token",
        TWILIO_API_KEY_SID="SK" + "4" * 32, TWILIO_API_KEY_SECRET="s" * 32,
        TWILIO_TWIML_APP_SID="AP" + "5" * 32, TWILIO_CALLER_ID="+14155550100",
        PUBLIC_BASE_URL="https://switchboard.example.com",
    )
    return app


@pytest.fixture
def inbound(db, user, calling):
    """Bill Lumbergh (do not call) calling back after three calls with notes; routed to `user`."""
    company = factories.CompanyFactory(name="Initech", location="Austin, TX",
                                       timezone="America/Chicago")
    bill = factories.PersonFactory(company=company, full_name="Bill Lumbergh",
                                   title="VP Engineering", department="Platform",
                                   direct_phone=CALLER, status=PersonStatus.DO_NOT_CALL)
    start = datetime.now(UTC) - timedelta(days=1)
    notes = ["Wants <script>alert(1)</script> TPS reports first",
             "Left a message about the platform role", "PA said he is in meetings all week"]
    for days, note in enumerate(notes):
        factories.CallFactory(user=user, company=company, person=bill, notes=note,
                              outcome=Outcome.VOICEMAIL, started_at=start - timedelta(days=days))
    return factories.CallFactory(user=user, routed_to=user, company=company, person=bill,
                                 direction=Direction.INBOUND, caller_id=CALLER, outcome=None,
                                 twilio_call_sid="CA" + "8" * 32, twilio_status="ringing")


def phone_page(new_page, **viewport):
    """A signed-in page whose Voice SDK is the fake Device."""
    page = new_page(viewport=viewport or {"width": 1280, "height": 800})
    page.add_init_script(FAKE_DEVICE)
    page.route(SDK, lambda route: route.fulfill(body="/* replaced by the test's fake */",
                                                content_type="text/javascript"))
    sign_in(page)
    wait_until(page, "window.__fake && window.__fake.registered === true")
    return page


def online_until(user: User):
    _db.session.expire_all()
    return _db.session.scalars(select(User.browser_online_until).where(User.id == user.id)).one()


def wait_for_presence(user: User, online: bool) -> None:
    for _ in range(100):
        if (online_until(user) is not None) == online:
            return
        import time

        time.sleep(0.05)
    raise AssertionError(f"presence never became {'online' if online else 'offline'}")


def ring(page, call_id, caller=CALLER):
    page.evaluate(f"window.__fake.ring({{call_id: '{call_id}', From: '{caller}'}})")


def test_an_inbound_call_pops_the_callers_cards_and_can_be_accepted_then_hung_up(
    new_page, inbound, user
):
    posted = []
    page = phone_page(new_page)
    page.on("request", lambda r: posted.append(r.post_data) if r.url.endswith(
        "/twilio/presence") else None)
    wait_for_presence(user, online=True)  # registered: this browser can ring
    assert page.evaluate("window.__fake.devices") == 1

    ring(page, inbound.id)
    pop = page.get_by_role("alertdialog")
    expect(pop).to_be_visible()
    expect(pop).to_have_accessible_name(re.compile(r"^Bill Lumbergh"))
    expect(page.locator("#pop-accept")).to_be_focused()
    expect(pop).to_contain_text("(415) 555-0188")
    expect(pop).to_contain_text("VP Engineering, Platform")
    expect(pop).to_contain_text("Do not call")
    expect(pop).to_contain_text("Initech")
    expect(pop).to_contain_text("Austin, TX")
    expect(pop).to_contain_text("Wants <script>alert(1)</script> TPS reports first")  # as text
    expect(pop).to_contain_text("PA said he is in meetings all week")
    assert pop.locator("script").count() == 0
    assert page.title().startswith("☎ Incoming call")
    page.screenshot(path="/tmp/q2_pop_desktop.png")

    page.keyboard.press("Enter")
    wait_until(page, "window.__fake.accepted === 1")
    expect(page.locator("#screen-pop-state")).to_have_text("In call")
    expect(page.locator("#pop-timer")).not_to_have_text("0:00", timeout=3_000)
    log = page.get_by_role("link", name="Log this call")
    expect(log).to_have_attribute("href", f"/calls/{inbound.id}/edit")
    expect(log).to_have_attribute("target", "_blank")
    expect(pop).to_contain_text("opens a new tab, so this call stays connected")
    page.get_by_role("button", name="Mute").click()
    assert page.evaluate("window.__fake.calls[0].muted") is True
    page.screenshot(path="/tmp/q2_incall_desktop.png")
    # The live bar does not block the page: its links still work.
    page.get_by_role("link", name="Calls", exact=True).focus()

    page.get_by_role("button", name="Hang up").click()
    expect(page.locator("#screen-pop-state")).to_have_text("Call ended")
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#screen-pop")).to_be_hidden()
    assert any(body and "online=1" in body for body in posted) or online_until(user)


def test_decline_with_escape_rejects_the_call(new_page, inbound):
    page = phone_page(new_page)
    ring(page, inbound.id)
    expect(page.get_by_role("alertdialog")).to_contain_text("Bill Lumbergh")
    page.keyboard.press("Escape")
    wait_until(page, "window.__fake.rejected === 1")
    expect(page.locator("#screen-pop")).to_be_hidden()
    assert page.evaluate("window.__fake.accepted") == 0


def test_decline_button_rejects_the_call(new_page, inbound):
    page = phone_page(new_page)
    ring(page, inbound.id)
    page.get_by_role("button", name="Decline").click()
    wait_until(page, "window.__fake.rejected === 1")
    expect(page.locator("#screen-pop")).to_be_hidden()


def test_a_caller_who_hangs_up_first_leaves_a_missed_call_notice(new_page, inbound):
    page = phone_page(new_page, width=390, height=844)
    ring(page, inbound.id)
    expect(page.get_by_role("alertdialog")).to_contain_text("Left a message about the platform")
    page.screenshot(path="/tmp/q2_pop_phone.png")
    page.evaluate("window.__fake.calls[0].emit('cancel')")
    expect(page.locator("#screen-pop-state")).to_have_text(
        "Missed call from Bill Lumbergh ((415) 555-0188)")
    page.screenshot(path="/tmp/q2_missed_phone.png")
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#screen-pop")).to_be_hidden()


def test_an_unknown_caller_pops_with_their_number_only(new_page, db, user, calling):
    call = factories.CallFactory(user=user, routed_to=user, company=None, person=None,
                                 direction=Direction.INBOUND, caller_id="+13125550199",
                                 outcome=None)
    page = phone_page(new_page, width=390, height=844)
    ring(page, call.id, "+13125550199")
    pop = page.get_by_role("alertdialog")
    expect(pop).to_contain_text("Unknown caller")
    expect(pop).to_contain_text("(312) 555-0199")
    expect(pop).not_to_contain_text("Last calls")
    page.get_by_role("button", name="Accept").click()
    wait_until(page, "window.__fake.accepted === 1")
    page.screenshot(path="/tmp/q2_incall_phone.png")


def test_leaving_the_page_tells_switchboard_the_browser_is_offline(new_page, inbound, user):
    page = phone_page(new_page)
    wait_for_presence(user, online=True)
    page.close(run_before_unload=True)
    wait_for_presence(user, online=False)
