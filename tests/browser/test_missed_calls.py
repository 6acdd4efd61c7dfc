"""The Today page's missed calls, in Chromium: the caller, their message playing through the app,
and Call back opening the call form on their number. Twilio's side is played by the test with
signed incoming-call, Dial-action and recording webhooks; the media comes from the `responses`
fake at the HTTP transport."""

import re

import responses
from playwright.sync_api import expect
from sqlalchemy import select

from app.models import Call, now_utc
from tests import factories
from tests.browser.conftest import needs_chromium
from tests.browser.test_dialer import (
    FAKE_SDK,
    RECORDING_URL,
    SID,
    SILENT_MP3,
    calling,  # noqa: F401  (fixture)
    twilio_post,
    wait_until,
)

pytestmark = needs_chromium

INBOUND_SID = "CA" + "8" * 32


def test_the_today_page_plays_the_message_of_a_missed_call_and_calls_back(
    signed_in, calling, user, db, http  # noqa: F811
):
    page = signed_in
    company = factories.CompanyFactory(name="Initech", timezone=None)
    person = factories.PersonFactory(company=company, full_name="Peter Gibbons",
                                     direct_phone="+12125550142")
    factories.CallFactory(user=user, company=company, person=person, started_at=now_utc())
    db.session.commit()

    incoming = {"AccountSid": SID, "ApiVersion": "2010-04-01", "CallSid": INBOUND_SID,
                "CallStatus": "ringing", "Direction": "inbound", "From": "+12125550142",
                "Caller": "+12125550142", "To": "+14155550100", "Called": "+14155550100"}
    assert twilio_post(calling, "/twilio/inbound", incoming).status_code == 200
    call = db.session.scalars(select(Call).where(Call.twilio_call_sid == INBOUND_SID)).one()
    dialed = twilio_post(calling, f"/twilio/inbound/dialed?call_id={call.id}", {
        "AccountSid": SID, "CallSid": INBOUND_SID, "DialCallStatus": "no-answer",
        "DialCallSid": "CA" + "9" * 32})
    assert b"<Record" in dialed.data
    assert twilio_post(calling, f"/twilio/recording?call_id={call.id}", {
        "AccountSid": SID, "CallSid": INBOUND_SID, "RecordingSid": "RE" + "3" * 32,
        "RecordingUrl": RECORDING_URL, "RecordingStatus": "completed",
        "RecordingDuration": "1", "RecordingSource": "RecordVerb"}).status_code == 204
    http.add(responses.GET, RECORDING_URL + ".mp3", body=SILENT_MP3, content_type="audio/mpeg")

    # Every signed-in page now registers the Voice SDK for inbound calls: a fake stands in for
    # it (the real one would try Twilio's servers, which this machine cannot reach).
    page.route(re.compile(r".*/static/vendor/twilio-voice-sdk-[^/]+/twilio\.min\.js$"),
               lambda route: route.fulfill(body=FAKE_SDK, content_type="text/javascript"))
    page.goto("/")
    card = page.locator("section.missed-calls")
    expect(card.get_by_role("heading", name="Missed calls")).to_be_visible()
    expect(card).to_contain_text("Peter Gibbons")
    expect(card).to_contain_text("Initech")
    audio = card.locator("audio")
    assert audio.get_attribute("src") == f"/calls/{call.id}/recording"
    assert audio.get_attribute("preload") == "none"
    audio.evaluate("a => { a.preload = 'auto'; a.load(); }")
    wait_until(page, "document.querySelector('section.missed-calls audio').readyState >= 1")
    assert page.evaluate("document.querySelector('section.missed-calls audio').duration") > 0.5

    card.get_by_role("link", name="Call back").click()
    expect(page.locator("input[name=to_number]")).to_have_value("(212) 555-0142")
    assert page.locator("input[name=previous_call_id]").input_value() == str(call.id)
