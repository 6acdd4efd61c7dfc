"""Voicemail messages in the browser: record (fake microphone), upload, and drop from the dialer."""

import re

import pytest
import responses
from playwright.sync_api import expect
from sqlalchemy import select

from app.models import Call, Outcome, Voicemail
from app.voicemails.audio import sniff
from tests.audio_samples import wav_bytes
from tests.browser import test_dialer
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, needs_chromium, sign_in
from tests.browser.test_dialer import CALL_SID, FAKE_SDK, SID, twilio_post, wait_until

# The dialer tests' fixtures: browser calling switched on, and a person to call.
calling, prospect = test_dialer.calling, test_dialer.prospect

pytestmark = needs_chromium

TARGET_SID = "CA" + "7" * 32


@pytest.fixture
def mic_page(playwright, live_server, browser_errors):
    """A page in a Chromium whose microphone is Chromium's own fake (a beeping tone)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])
    context = browser.new_context(base_url=live_server, permissions=["microphone"])
    context.set_default_timeout(5_000)
    page = context.new_page()
    browser_errors.watch(page)
    yield page
    context.close()
    browser.close()


def test_a_message_recorded_in_the_browser_is_saved_as_a_wav_twilio_can_play(mic_page, user, db):
    sign_in(mic_page)
    mic_page.goto("/profile")
    mic_page.get_by_role("link", name="Your voicemail messages").click()
    expect(mic_page.get_by_role("heading", name="Upload a file")).to_be_visible()
    expect(mic_page.locator("#no-voicemails")).to_be_visible()
    mic_page.get_by_role("button", name="● Record").click()
    expect(mic_page.locator("#rec-status")).to_have_text("Recording… speak now.")
    mic_page.wait_for_timeout(1_600)
    mic_page.get_by_role("button", name="■ Stop").click()
    expect(mic_page.locator("#rec-preview")).to_be_visible()
    mic_page.locator("#rec-name").fill("Quick intro")
    mic_page.get_by_role("button", name="Save recording").click()
    expect(mic_page.get_by_text("Quick intro")).to_be_visible()
    voicemail = db.session.scalars(select(Voicemail)).one()
    audio = sniff(voicemail.audio)
    assert (voicemail.content_type, audio.content_type) == ("audio/wav", "audio/wav")
    assert 1.0 <= audio.seconds <= 3.0 and voicemail.duration_seconds in (2, 3)
    assert voicemail.audio[22:24] == b"\x01\x00"  # mono
    assert int.from_bytes(voicemail.audio[24:28], "little") == 16000  # 16 kHz
    # The page's own player gets it from the app, for its owner.
    mic_page.locator("audio").first.evaluate("a => { a.preload = 'auto'; a.load(); }")
    wait_until(mic_page, "document.querySelector('.voicemail-list audio').readyState >= 1")


def test_the_page_uploads_a_file_and_fits_a_phone_screen(page, user, db):
    sign_in(page)
    page.goto("/voicemails")
    page.get_by_label("Name", exact=True).fill("Callback please")
    page.get_by_label("Audio file (WAV or MP3)").set_input_files(
        {"name": "hello.wav", "mimeType": "audio/wav", "buffer": wav_bytes(2.2)})
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Saved “Callback please” (3 s).")).to_be_visible()
    assert db.session.scalars(select(Voicemail.name)).all() == ["Callback please"]
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="/tmp/q3_voicemails_1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/q3_voicemails_390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_dialer_drops_a_message_on_v_during_a_call(
        page, calling, prospect, user, db, http, browser_errors):
    browser_errors.allow(r"status of 409")  # the browser logs the refused second drop
    data = wav_bytes(2)
    db.session.add(Voicemail(user_id=user.id, name="Intro", content_type="audio/wav",
                             audio=data, size_bytes=len(data), duration_seconds=2))
    db.session.commit()
    page.route(re.compile(r".*/static/vendor/twilio-voice-sdk-[^/]+/twilio\.min\.js$"),
               lambda route: route.fulfill(body=FAKE_SDK, content_type="text/javascript"))
    sign_in(page)
    page.goto(f"/calls/new?person_id={prospect.id}&dial=1")
    drop = page.get_by_role("button", name="Drop voicemail")
    expect(drop).to_be_disabled()  # no live call yet
    assert "key v" in drop.get_attribute("title")
    page.get_by_role("button", name="Call from browser").click()
    wait_until(page, "window.__sb.connects.length === 1")
    params = page.evaluate("window.__sb.connects[0]")
    identity = page.evaluate("JSON.parse(atob(window.__sb.tokens[0].split('.')[1])).grants"
                             ".identity")
    twilio_post(calling, "/twilio/voice", {
        "CallSid": CALL_SID, "AccountSid": SID, "From": f"client:{identity}",
        "To": params["To"], "person_id": params["person_id"]})
    call = db.session.scalars(select(Call)).one()
    for sequence, status in enumerate(("ringing", "in-progress"), start=1):
        twilio_post(calling, f"/twilio/status?call_id={call.id}&leg=target", {
            "CallSid": TARGET_SID, "ParentCallSid": CALL_SID, "AccountSid": SID,
            "CallStatus": status, "SequenceNumber": str(sequence)})
    page.evaluate("window.__sb.call.emit('accept', window.__sb.call)")
    expect(drop).to_be_enabled()
    http.add(responses.POST, f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Calls/"
             f"{TARGET_SID}.json", json={"sid": TARGET_SID, "status": "in-progress"})
    page.locator("#dial-state").click()  # focus out of any field: v is a shortcut
    page.keyboard.press("v")
    expect(page.locator("#dial-log")).to_have_text("Message left: Intro")
    expect(page.get_by_label("Voicemail", exact=True)).to_be_checked()
    assert "Url=" in http.calls[0].request.body
    db.session.refresh(call)
    assert call.outcome == Outcome.VOICEMAIL and call.voicemail.name == "Intro"
    # A second press is refused by the server and its message shown in the dialer.
    expect(drop).to_be_enabled()
    drop.click()
    expect(page.locator("#dial-error")).to_have_text(
        "A message is already being left on this call.")
