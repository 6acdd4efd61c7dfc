"""Inbound calls to a team number: Twilio's own incoming-call, Dial, Gather and recording
webhooks, signed with the SDK's validator; TwiML parsed as XML; the rows and pages they leave."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Call, Direction, QueueItem, TwilioEvent, now_utc
from app.telephony.identity import identity_for
from app.telephony.presence import mark_online
from tests import factories
from tests.test_api import Api, issue_token

from .conftest import ACCOUNT_SID, PUBLIC_BASE_URL, count, counts, new_sid, twiml
from .test_webhook_delivery import _all_at_once, on_postgres

TEAM_NUMBER = "+12025550143"
STRANGER = "+13125550177"


def incoming(caller: str = STRANGER, **extra) -> dict:
    """What Twilio posts to a number's Voice URL when someone calls it."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": new_sid(),
        "CallStatus": "ringing",
        "Direction": "inbound",
        "Called": TEAM_NUMBER,
        "To": TEAM_NUMBER,
        "ToCity": "WASHINGTON",
        "ToState": "DC",
        "ToCountry": "US",
        "Caller": caller,
        "From": caller,
        "FromCity": "CHICAGO",
        "FromState": "IL",
        "FromCountry": "US",
        "FromZip": "60601",
    } | extra


def _call(sid: str) -> Call:
    db.session.expire_all()
    return db.session.scalars(select(Call).where(Call.twilio_call_sid == sid)).one()


def _query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def rita_online(user):
    mark_online(user)
    return user


@pytest.fixture
def called_before(user, person):
    """Rita called Peter last week: his callback is hers."""
    return factories.CallFactory(user=user, company=person.company, person=person,
                                 started_at=now_utc() - timedelta(days=7))


def test_a_callback_from_a_known_person_rings_the_recruiter_who_called_them_in_the_browser(
    twilio_post, rita_online, person, called_before
):
    params = incoming(person.direct_phone)
    root = twiml(twilio_post("/twilio/inbound", params))
    call = _call(params["CallSid"])
    dial = root.find("Dial")
    assert dial.get("timeout") == "20" and dial.get("answerOnBridge") == "true"
    assert dial.get("action") == f"{PUBLIC_BASE_URL}/twilio/inbound/dialed?call_id={call.id}"
    client = dial.find("Client")
    assert client.find("Identity").text == identity_for(rita_online)
    parameter = client.find("Parameter")
    assert (parameter.get("name"), parameter.get("value")) == ("call_id", str(call.id))
    assert _query(client.get("statusCallback")) == {
        "call_id": str(call.id), "user_id": str(rita_online.id), "kind": "client"}
    assert dial.find("Number") is None
    assert (call.direction, call.person_id, call.company_id) == (
        Direction.INBOUND, person.id, person.company_id)
    assert (call.user_id, call.routed_to_id) == (rita_online.id, rita_online.id)
    assert (call.caller_id, call.to_number, call.twilio_status) == (
        person.direct_phone, TEAM_NUMBER, "ringing")
    assert call.outcome is None
    event = db.session.scalars(select(TwilioEvent).where(TwilioEvent.call_id == call.id)).one()
    assert event.kind == "inbound" and event.payload["FromCity"] == "CHICAGO"


def test_a_call_from_a_company_main_line_rings_whoever_last_called_the_company(
    twilio_post, company
):
    sam = factories.UserFactory(name="Sam")
    mark_online(sam)
    factories.CallFactory(user=sam, company=company, started_at=now_utc() - timedelta(days=1))
    params = incoming(company.main_phone)
    root = twiml(twilio_post("/twilio/inbound", params))
    call = _call(params["CallSid"])
    assert root.find("Dial/Client/Identity").text == identity_for(sam)
    assert (call.company_id, call.person_id, call.routed_to_id) == (company.id, None, sam.id)


def test_a_company_nobody_called_yet_rings_its_owner(twilio_post):
    owner = factories.UserFactory(name="Olga Owner")
    mark_online(owner)
    company = factories.CompanyFactory(main_phone="+13125550100", created_by=owner)
    params = incoming(company.main_phone)
    root = twiml(twilio_post("/twilio/inbound", params))
    assert root.find("Dial/Client/Identity").text == identity_for(owner)
    assert _call(params["CallSid"]).routed_to_id == owner.id


def test_a_deactivated_last_caller_is_passed_over_for_the_owner(twilio_post):
    owner = factories.UserFactory()
    gone = factories.UserFactory(active=False)
    mark_online(owner)
    company = factories.CompanyFactory(main_phone="+13125550100", created_by=owner)
    factories.CallFactory(user=gone, company=company)
    params = incoming(company.main_phone)
    twilio_post("/twilio/inbound", params)
    assert _call(params["CallSid"]).routed_to_id == owner.id


@pytest.mark.twilio_config(TWILIO_RING_GROUP="rita@example.com, jo@example.com")
def test_an_unknown_number_rings_every_member_of_the_ring_group(twilio_post, user):
    jo = factories.UserFactory(email="jo@example.com")
    outsider = factories.UserFactory(email="out@example.com")
    mark_online(outsider)
    mark_online(user)  # Jo is not online: her browser is rung all the same (Twilio skips it)
    params = incoming(STRANGER)
    root = twiml(twilio_post("/twilio/inbound", params))
    identities = [c.find("Identity").text for c in root.findall("Dial/Client")]
    assert identities == [identity_for(user), identity_for(jo)]
    call = _call(params["CallSid"])
    assert (call.person_id, call.company_id, call.routed_to_id) == (None, None, None)
    assert call.user_id == user.id and call.caller_id == STRANGER


def test_an_offline_recruiter_is_rung_on_their_own_phone_behind_a_key_press(
    twilio_post, user, person, called_before
):
    user.phone_e164 = "+12025550188"
    db.session.commit()
    params = incoming(person.direct_phone)
    root = twiml(twilio_post("/twilio/inbound", params))
    call = _call(params["CallSid"])
    number = root.find("Dial/Number")
    assert number.text == "+12025550188"
    # Their browser is tried too: Twilio drops a <Client> nobody registered at once.
    assert [c.find("Identity").text for c in root.findall("Dial/Client")] == [identity_for(user)]
    assert number.get("url") == (f"{PUBLIC_BASE_URL}/twilio/inbound/whisper?call_id={call.id}"
                                 f"&user_id={user.id}")
    assert "answered" in number.get("statusCallbackEvent").split()

    whisper = twiml(twilio_post(urlsplit(number.get("url")).path + "?" +
                                urlsplit(number.get("url")).query,
                                {"AccountSid": ACCOUNT_SID, "CallSid": new_sid(),
                                 "ParentCallSid": call.twilio_call_sid,
                                 "CallStatus": "in-progress", "Direction": "outbound-dial"}))
    gather = whisper.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("actionOnEmptyResult") == "false"
    assert "Peter Gibbons (Initech)" in gather.find("Say").text
    assert [child.tag for child in whisper] == ["Gather", "Hangup"]


def _accept_path(call: Call, user) -> str:
    return f"/twilio/inbound/accept?call_id={call.id}&user_id={user.id}"


def test_a_key_on_the_recruiters_phone_takes_the_call(twilio_post, user, person, called_before):
    user.phone_e164 = "+12025550188"
    db.session.commit()
    params = incoming(person.direct_phone)
    twilio_post("/twilio/inbound", params)
    call = _call(params["CallSid"])
    leg = new_sid()
    answer = twiml(twilio_post(_accept_path(call, user), {
        "AccountSid": ACCOUNT_SID, "CallSid": leg, "ParentCallSid": call.twilio_call_sid,
        "Digits": "1", "FinishedOnKey": "", "Direction": "outbound-dial"}))
    assert list(answer) == []  # an empty answer: the whisper ends and the caller is put through
    call = _call(params["CallSid"])
    assert call.answered_at is not None and call.twilio_target_sid == leg
    dialed = twiml(twilio_post(f"/twilio/inbound/dialed?call_id={call.id}", {
        "AccountSid": ACCOUNT_SID, "CallSid": call.twilio_call_sid, "DialCallSid": leg,
        "DialCallStatus": "completed", "DialCallDuration": "95", "DialBridged": "true"}))
    assert [child.tag for child in dialed] == ["Hangup"]
    call = _call(params["CallSid"])
    assert (call.twilio_status, call.duration_seconds, call.follow_up_at) == (
        "completed", 95, None)
    assert not call.missed


def test_no_key_on_the_recruiters_phone_hangs_that_leg_up(twilio_post, user, person,
                                                          called_before):
    user.phone_e164 = "+12025550188"
    db.session.commit()
    params = incoming(person.direct_phone)
    twilio_post("/twilio/inbound", params)
    call = _call(params["CallSid"])
    answer = twiml(twilio_post(_accept_path(call, user), {
        "AccountSid": ACCOUNT_SID, "CallSid": new_sid(), "ParentCallSid": call.twilio_call_sid,
        "Direction": "outbound-dial"}))
    assert [child.tag for child in answer] == ["Hangup"]
    assert _call(params["CallSid"]).answered_at is None


def test_an_offline_recruiter_with_no_phone_is_tried_in_the_browser_then_a_message(
    twilio_post, person, user, called_before
):
    params = incoming(person.direct_phone)  # Rita is offline and has no phone on file
    root = twiml(twilio_post("/twilio/inbound", params))
    call = _call(params["CallSid"])
    assert [c.find("Identity").text for c in root.findall("Dial/Client")] == [identity_for(user)]
    assert root.find("Dial/Number") is None
    dialed = root.find("Dial").get("action")
    assert dialed == f"{PUBLIC_BASE_URL}/twilio/inbound/dialed?call_id={call.id}"
    # No browser was registered: Twilio ends the <Dial> at once, and the caller leaves a message.
    message = twiml(twilio_post(urlsplit(dialed).path + "?" + urlsplit(dialed).query, {
        "AccountSid": ACCOUNT_SID, "CallSid": params["CallSid"], "DialCallStatus": "no-answer",
        "DialCallDuration": "0"}))
    says = [s.text for s in message.findall("Say")]
    assert says[0].startswith("Sorry we missed your call")
    assert "recorded" in says[1]
    record = message.find("Record")
    assert record.get("maxLength") == "120" and record.get("playBeep") == "true"
    assert record.get("recordingStatusCallback") == (
        f"{PUBLIC_BASE_URL}/twilio/recording?call_id={call.id}")


def test_a_retried_incoming_call_webhook_logs_one_call_and_answers_the_same(
    twilio_post, rita_online, person, called_before
):
    params = incoming(person.direct_phone)
    first = twilio_post("/twilio/inbound", params).data
    second = twilio_post("/twilio/inbound", params).data
    assert first == second
    assert count(Call) == 2  # last week's call and this one
    assert count(TwilioEvent) == 1


def test_an_unsigned_incoming_call_is_refused_and_stores_nothing(twilio_post, person):
    before = counts()
    assert twilio_post("/twilio/inbound", incoming(person.direct_phone),
                       signature="forged").status_code == 403
    assert twilio_post("/twilio/inbound", incoming(), signature="").status_code == 403
    assert counts() == before


@pytest.mark.parametrize("path", ["/twilio/inbound/dialed?call_id=1",
                                  "/twilio/inbound/leg?call_id=1&user_id=1&kind=client",
                                  "/twilio/inbound/whisper?call_id=1&user_id=1",
                                  "/twilio/inbound/accept?call_id=1&user_id=1",
                                  "/twilio/inbound/message?call_id=1"])
def test_every_inbound_webhook_refuses_an_unsigned_request(twilio_post, path):
    assert twilio_post(path, {"CallSid": new_sid()}, signature="bad").status_code == 403


def test_a_browser_that_answers_takes_the_call_for_its_recruiter(twilio_post, user):
    jo = factories.UserFactory(email="jo@example.com")
    for member in (user, jo):
        mark_online(member)
    params = incoming(STRANGER)
    twilio_post("/twilio/inbound", params)
    call = _call(params["CallSid"])
    assert call.user_id == user.id  # the ring group's first, until someone answers
    leg = new_sid()
    path = f"/twilio/inbound/leg?call_id={call.id}&user_id={jo.id}&kind=client"
    base = {"AccountSid": ACCOUNT_SID, "CallSid": leg, "ParentCallSid": call.twilio_call_sid,
            "Direction": "outbound-dial", "To": f"client:{identity_for(jo)}",
            "CallbackSource": "call-progress-events"}
    assert twilio_post(path, base | {"CallStatus": "ringing", "SequenceNumber": "1"}
                       ).status_code == 204
    assert twilio_post(path, base | {"CallStatus": "in-progress", "SequenceNumber": "2",
                                     "Timestamp": "Thu, 26 Nov 2026 15:20:12 +0000"}
                       ).status_code == 204
    twilio_post(path, base | {"CallStatus": "completed", "SequenceNumber": "3",
                              "CallDuration": "61"})
    call = _call(params["CallSid"])
    assert call.user_id == jo.id and call.routed_to_id is None
    assert call.answered_at.isoformat().startswith("2026-11-26T15:20:12")
    assert call.duration_seconds == 61


def _miss(twilio_post, call: Call, status: str = "no-answer"):
    return twiml(twilio_post(f"/twilio/inbound/dialed?call_id={call.id}", {
        "AccountSid": ACCOUNT_SID, "CallSid": call.twilio_call_sid, "CallStatus": "in-progress",
        "DialCallStatus": status, "DialCallSid": new_sid(), "Direction": "inbound"}))


def _record(twilio_post, call: Call):
    return twilio_post(f"/twilio/recording?call_id={call.id}", {
        "AccountSid": ACCOUNT_SID, "CallSid": call.twilio_call_sid,
        "RecordingSid": "RE" + "7" * 32,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"
                        f"/Recordings/RE{'7' * 32}",
        "RecordingStatus": "completed", "RecordingDuration": "14", "RecordingChannels": "1",
        "RecordingSource": "RecordVerb", "RecordingStartTime": "Thu, 26 Nov 2026 15:21:00 +0000",
        "ErrorCode": "0"})


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "canceled"])
def test_an_unanswered_dial_plays_the_greeting_and_records_a_message(
    twilio_post, rita_online, person, called_before, status
):
    params = incoming(person.direct_phone)
    twilio_post("/twilio/inbound", params)
    call = _call(params["CallSid"])
    root = _miss(twilio_post, call, status)
    assert [child.tag for child in root] == ["Say", "Say", "Record", "Hangup"]
    assert root.find("Record").get("action") == (
        f"{PUBLIC_BASE_URL}/twilio/inbound/message?call_id={call.id}")
    call = _call(params["CallSid"])
    assert call.twilio_status == status and call.missed
    assert call.follow_up_at is not None and call.follow_up_done_at is None
    assert call.follow_up_note == "Missed call from Peter Gibbons (Initech) — call back"
    assert call.user_id == rita_online.id


def test_the_message_is_stored_on_the_call_and_the_caller_hears_goodbye(
    twilio_post, rita_online, person, called_before
):
    params = incoming(person.direct_phone)
    twilio_post("/twilio/inbound", params)
    call = _call(params["CallSid"])
    _miss(twilio_post, call)
    done = twiml(twilio_post(f"/twilio/inbound/message?call_id={call.id}", {
        "AccountSid": ACCOUNT_SID, "CallSid": call.twilio_call_sid,
        "RecordingUrl": "https://api.twilio.com/x", "RecordingDuration": "14", "Digits": "hangup"}))
    assert [child.tag for child in done] == ["Say", "Hangup"]
    assert _record(twilio_post, call).status_code == 204
    call = _call(params["CallSid"])
    assert (call.recording_status, call.recording_duration, call.recording_sid) == (
        "completed", 14, "RE" + "7" * 32)


def test_a_retried_dial_action_leaves_one_follow_up_and_the_same_answer(
    twilio_post, rita_online, person, called_before
):
    params = incoming(person.direct_phone)
    twilio_post("/twilio/inbound", params)
    call = _call(params["CallSid"])
    form = {"AccountSid": ACCOUNT_SID, "CallSid": call.twilio_call_sid,
            "DialCallStatus": "no-answer", "DialCallSid": new_sid()}
    first = twilio_post(f"/twilio/inbound/dialed?call_id={call.id}", form).data
    when = _call(params["CallSid"]).follow_up_at
    assert twilio_post(f"/twilio/inbound/dialed?call_id={call.id}", form).data == first
    assert _call(params["CallSid"]).follow_up_at == when


def test_the_today_page_lists_the_missed_call_with_its_message_and_call_back(
    twilio_post, rita_online, person, called_before, logged_in
):
    params = incoming(person.direct_phone)
    twilio_post("/twilio/inbound", params)
    call = _call(params["CallSid"])
    _miss(twilio_post, call)
    _record(twilio_post, call)
    page = logged_in.get("/").get_data(as_text=True)
    assert "Missed calls" in page and "Peter Gibbons" in page and "Initech" in page
    assert f'<audio controls preload="none" src="/calls/{call.id}/recording"' in page
    assert f'href="/calls/new?follow_up={call.id}">Call back</a>' in page
    # Shown once, in its own card, not again among the follow-ups.
    assert page.count(f'data-call-id="{call.id}"') == 1

    form = logged_in.get(f"/calls/new?follow_up={call.id}").get_data(as_text=True)
    assert 'value="(212) 555-0142"' in form
    assert f'name="previous_call_id" type="hidden" value="{call.id}"' in form


@pytest.mark.twilio_config(TWILIO_RING_GROUP="rita@example.com, jo@example.com")
def test_a_missed_call_that_rang_the_ring_group_is_on_every_members_today_page(
    app, twilio_post, user
):
    from tests.conftest import PASSWORD

    jo = factories.UserFactory(email="jo@example.com")
    factories.UserFactory(email="out@example.com")
    params = incoming(STRANGER)
    twilio_post("/twilio/inbound", params)
    call = _call(params["CallSid"])
    _miss(twilio_post, call)
    assert call.user_id == user.id and call.routed_to_id is None

    def today(email: str) -> str:
        client = app.test_client()
        client.post("/login", data={"email": email, "password": PASSWORD})
        return client.get("/").get_data(as_text=True)

    for member in ("rita@example.com", jo.email):
        assert f'data-call-id="{call.id}"' in today(member), member
    assert f'data-call-id="{call.id}"' not in today("out@example.com")

    outsider = app.test_client()
    outsider.post("/login", data={"email": "out@example.com", "password": PASSWORD})
    assert outsider.post(f"/calls/{call.id}/follow-up/done").status_code == 403
    joes = app.test_client()
    joes.post("/login", data={"email": jo.email, "password": PASSWORD})
    form = joes.get(f"/calls/new?follow_up={call.id}").get_data(as_text=True)
    assert f'name="previous_call_id" type="hidden" value="{call.id}"' in form  # Jo may close it
    assert joes.post(f"/calls/{call.id}/follow-up/done").status_code in (302, 303)
    assert f'data-call-id="{call.id}"' not in today("rita@example.com")  # closed for everyone


def test_call_back_to_an_unknown_caller_dials_their_number_and_asks_for_a_company(
    twilio_post, user, logged_in
):
    params = incoming(STRANGER)  # Rita is the ring group; nobody is online
    twilio_post("/twilio/inbound", params)
    call = _call(params["CallSid"])
    assert call.missed is False  # not over yet: the caller is leaving a message
    _miss(twilio_post, call)
    page = logged_in.get("/").get_data(as_text=True)
    assert "(312) 555-0177" in page and "<button>Queue</button>" not in page
    form = logged_in.get(f"/calls/new?follow_up={call.id}").get_data(as_text=True)
    assert 'value="(312) 555-0177"' in form
    saved = logged_in.post("/calls/new", data={
        "previous_call_id": str(call.id), "to_number": "(312) 555-0177", "outcome": "connected",
        "started_at": "2026-11-26T10:00"})
    assert saved.status_code == 422 and "Pick the company" in saved.get_data(as_text=True)


def test_queue_and_done_from_the_missed_call_card(twilio_post, rita_online, person,
                                                  called_before, logged_in):
    params = incoming(person.direct_phone)
    twilio_post("/twilio/inbound", params)
    call = _call(params["CallSid"])
    _miss(twilio_post, call)
    response = logged_in.post("/queue/add", data={"person_id": person.id, "next": "/"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/")
    item = db.session.scalars(select(QueueItem)).one()
    assert item.person_id == person.id and item.user_id == rita_online.id
    logged_in.post(f"/calls/{call.id}/follow-up/done")
    assert "Missed calls" not in logged_in.get("/").get_data(as_text=True)


def test_the_api_says_inbound_routed_to_and_the_caller_or_null(
    twilio_post, client, rita_online, person, called_before
):
    api = Api(client, issue_token(rita_online))
    known, unknown = incoming(person.direct_phone), incoming(STRANGER)
    twilio_post("/twilio/inbound", known)
    twilio_post("/twilio/inbound", unknown)
    body = api.get(f"/api/v1/calls/{_call(known['CallSid']).id}").get_json()
    assert (body["direction"], body["routed_to"], body["person_id"], body["company_id"]) == (
        "inbound", rita_online.id, person.id, person.company_id)
    assert body["caller_id"] == person.direct_phone
    body = api.get(f"/api/v1/calls/{_call(unknown['CallSid']).id}").get_json()
    assert (body["direction"], body["routed_to"], body["person_id"], body["company_id"]) == (
        "inbound", None, None, None)
    outbound = api.get(f"/api/v1/calls/{called_before.id}").get_json()
    assert outbound["direction"] == "outbound"
    listing = api.get("/api/v1/calls").get_json()
    assert {item["direction"] for item in listing["items"]} == {"inbound", "outbound"}


def test_patching_an_unknown_callers_call_needs_a_company(twilio_post, client, user, company):
    api = Api(client, issue_token(user))
    params = incoming(STRANGER)
    twilio_post("/twilio/inbound", params)
    call = _call(params["CallSid"])
    refused = api.patch(f"/api/v1/calls/{call.id}", {"outcome": "connected"})
    assert refused.status_code == 422 and "company_id" in refused.get_json()["fields"]
    saved = api.patch(f"/api/v1/calls/{call.id}", {"outcome": "connected",
                                                   "company_id": company.id})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["company_id"] == company.id
    assert _call(params["CallSid"]).caller_id == STRANGER


@pytest.mark.postgres
@on_postgres
def test_simultaneous_deliveries_of_one_incoming_call_log_one_call(twilio_post, rita_online,
                                                                   person, called_before):
    params = incoming(person.direct_phone)

    def post():
        return twiml(twilio_post("/twilio/inbound", params)).find("Dial/Client/Identity").text

    assert _all_at_once(post) == [identity_for(rita_online)] * 8
    assert count(Call) == 2  # last week's call and this one
    assert count(TwilioEvent) == 1
