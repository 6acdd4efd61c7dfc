"""POST /calls/bridge: Twilio rings the recruiter's phone, then the voice webhook dials out."""

import base64
from urllib.parse import parse_qs

import pytest
import responses
from sqlalchemy import func, select

from app.extensions import db
from app.models import Call, PersonStatus, TwilioEvent
from tests.telephony.conftest import (
    ACCOUNT_SID,
    API,
    AUTH_TOKEN,
    CALLER_ID,
    PUBLIC_BASE_URL,
    counts,
    new_sid,
    twiml,
)

CALLS_URL = f"{API}/Calls.json"
MY_PHONE = "+16175550101"


def twilio_call_json(sid: str, to: str = MY_PHONE) -> dict:
    """Twilio's answer to creating a call (trimmed to the fields it always sends)."""
    return {"sid": sid, "account_sid": ACCOUNT_SID, "to": to, "from": CALLER_ID,
            "status": "queued", "direction": "outbound-api", "api_version": "2010-04-01",
            "date_created": None, "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{sid}.json"}


@pytest.fixture
def my_phone(user):
    """The signed-in recruiter has their own phone on file, to be rung first."""
    user.phone_e164 = MY_PHONE
    db.session.commit()
    return MY_PHONE


@pytest.fixture
def bridge_call(logged_in, my_phone, person, http):
    """A bridge call placed through POST /calls/bridge, Twilio answering 201."""
    sid = new_sid()
    http.add(responses.POST, CALLS_URL, json=twilio_call_json(sid), status=201)
    response = logged_in.post("/calls/bridge", data={"person_id": str(person.id),
                                                     "to_number": "(212) 555-0142"})
    assert response.status_code == 201, response.get_data(as_text=True)
    return db.session.scalars(select(Call)).one()


def test_a_bridge_call_asks_twilio_to_ring_my_phone_first(bridge_call, http, user, person):
    assert len(http.calls) == 1
    request = http.calls[0].request
    assert request.method == "POST" and request.url == CALLS_URL
    assert parse_qs(request.body) == {
        "To": [MY_PHONE],
        "From": [CALLER_ID],
        "Url": [f"{PUBLIC_BASE_URL}/twilio/voice?call_id={bridge_call.id}"],
        "StatusCallback": [f"{PUBLIC_BASE_URL}/twilio/status?call_id={bridge_call.id}&leg=agent"],
        "StatusCallbackEvent": ["initiated", "ringing", "answered", "completed"],
        "StatusCallbackMethod": ["POST"],
    }
    expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"

    assert bridge_call.twilio_call_sid == http.calls[0].response.json()["sid"]
    assert (bridge_call.user, bridge_call.person, bridge_call.company) == (
        user, person, person.company)
    assert bridge_call.to_number == "+12125550142" and bridge_call.dialed_via == "bridge"
    assert bridge_call.twilio_status == "queued"


def test_the_bridge_answer_carries_the_call_for_the_dialer(logged_in, my_phone, person, http):
    sid = new_sid()
    http.add(responses.POST, CALLS_URL, json=twilio_call_json(sid), status=201)
    response = logged_in.post("/calls/bridge", data={"person_id": str(person.id),
                                                     "to_number": "+12125550142"})
    call = db.session.scalars(select(Call)).one()
    assert response.json == {"call_id": call.id, "call_sid": sid, "warning": None,
                             "status_url": f"/calls/live/{sid}"}


def agent_params(call: Call, **extra) -> dict:
    """What Twilio posts when the recruiter's own phone (the REST-placed leg) is answered."""
    return {"AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01",
            "CallSid": call.twilio_call_sid, "CallStatus": "in-progress",
            "Direction": "outbound-api", "From": CALLER_ID, "To": MY_PHONE,
            "Called": MY_PHONE, "Caller": CALLER_ID} | extra


def gather_params(call: Call, digits: str) -> dict:
    """The Gather action's request: the key pressed, or "" when the timeout passed in silence."""
    return agent_params(call, Digits=digits, FinishedOnKey="", msg="Gather End")


def test_a_bridge_call_with_an_extension_passes_it_to_the_voice_webhook(
    logged_in, my_phone, company, http, twilio_post
):
    http.add(responses.POST, CALLS_URL, json=twilio_call_json(new_sid()), status=201)
    response = logged_in.post("/calls/bridge", data={"company_id": str(company.id),
                                                     "to_number": "+12125550100",
                                                     "extension": "4471"})
    assert response.status_code == 201
    url = parse_qs(http.calls[0].request.body)["Url"][0]
    assert url == f"{PUBLIC_BASE_URL}/twilio/voice?call_id={response.json['call_id']}&ext=4471"
    call = db.session.get(Call, response.json["call_id"])
    gather = twiml(twilio_post(url.removeprefix(PUBLIC_BASE_URL), agent_params(call))).find(
        "Gather")
    assert gather.get("action") == (f"{PUBLIC_BASE_URL}/twilio/voice?call_id={call.id}"
                                    "&ext=4471&confirmed=1")
    assert gather.find("Say").text == "Switchboard: press any key to call Initech."
    action = gather.get("action").removeprefix(PUBLIC_BASE_URL)
    number = twiml(twilio_post(action, gather_params(call, "5"))).find("Dial/Number")
    assert number.get("sendDigits") == "wwww4471"


def test_when_i_pick_up_i_am_asked_to_press_a_key_before_anything_is_dialled(
    bridge_call, twilio_post
):
    root = twiml(twilio_post(f"/twilio/voice?call_id={bridge_call.id}",
                             agent_params(bridge_call)))
    assert [child.tag for child in root] == ["Gather"]
    gather = root.find("Gather")
    assert gather.attrib == {
        "numDigits": "1", "timeout": "8", "actionOnEmptyResult": "true", "method": "POST",
        "action": f"{PUBLIC_BASE_URL}/twilio/voice?call_id={bridge_call.id}&confirmed=1"}
    assert [say.text for say in gather] == [
        "Switchboard: press any key to call Peter Gibbons at Initech."]
    assert root.find(".//Dial") is None
    event = db.session.scalars(select(TwilioEvent)).one()
    assert (event.kind, event.call_id) == ("voice", bridge_call.id)


def test_a_key_pressed_dials_the_target_from_the_chosen_caller_id(bridge_call, twilio_post):
    twilio_post(f"/twilio/voice?call_id={bridge_call.id}", agent_params(bridge_call))
    root = twiml(twilio_post(f"/twilio/voice?call_id={bridge_call.id}&confirmed=1",
                             gather_params(bridge_call, "1")))
    dial = root.find("Dial")
    assert dial.get("callerId") == CALLER_ID == bridge_call.caller_id
    assert dial.find("Number").text == "+12125550142"
    assert dial.find("Number").get("statusCallback") == (
        f"{PUBLIC_BASE_URL}/twilio/status?call_id={bridge_call.id}&leg=target")
    assert counts() == (1, 2)
    gather = db.session.scalars(select(TwilioEvent).where(TwilioEvent.kind == "gather")).one()
    assert gather.payload["Digits"] == "1" and gather.applied
    assert bridge_call.twilio_status == "queued" and not bridge_call.not_placed


def test_no_key_dials_nothing_hangs_up_and_marks_the_call_not_placed(
    bridge_call, twilio_post, logged_in
):
    twilio_post(f"/twilio/voice?call_id={bridge_call.id}", agent_params(bridge_call))
    root = twiml(twilio_post(f"/twilio/voice?call_id={bridge_call.id}&confirmed=1",
                             gather_params(bridge_call, "")))
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert "nothing was dialled" in root.find("Say").text
    db.session.expire_all()
    call = db.session.get(Call, bridge_call.id)
    assert call.twilio_status == "agent-no-key" and call.not_placed
    live = logged_in.get(f"/calls/live/{call.twilio_call_sid}").json
    assert live["status"] == "agent-no-key"  # the dialer's poll stops on it
    # The call list and the call page say "not placed", not "not logged yet".
    listing = logged_in.get("/calls/").get_data(as_text=True)
    assert "Not placed" in listing and "Not logged yet" not in listing
    page = logged_in.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Not placed" in page and "No key was pressed on your phone" in page


def test_a_gather_without_any_digits_parameter_counts_as_no_key(bridge_call, twilio_post):
    params = agent_params(bridge_call, msg="Gather End")
    root = twiml(twilio_post(f"/twilio/voice?call_id={bridge_call.id}&confirmed=1", params))
    assert root.find(".//Dial") is None and root.find("Hangup") is not None
    db.session.expire_all()
    assert db.session.get(Call, bridge_call.id).twilio_status == "agent-no-key"


def test_a_retried_gather_is_stored_once_and_answered_the_same(bridge_call, twilio_post):
    path = f"/twilio/voice?call_id={bridge_call.id}&confirmed=1"
    params = gather_params(bridge_call, "7")
    first, again = twilio_post(path, params), twilio_post(path, params)
    assert first.data == again.data and twiml(again).find("Dial/Number") is not None
    assert db.session.scalar(select(func.count()).select_from(TwilioEvent).where(
        TwilioEvent.kind == "gather")) == 1


def test_a_retried_silent_gather_still_dials_nothing(bridge_call, twilio_post):
    path = f"/twilio/voice?call_id={bridge_call.id}&confirmed=1"
    twilio_post(path, gather_params(bridge_call, ""))
    root = twiml(twilio_post(path, gather_params(bridge_call, "")))
    assert root.find(".//Dial") is None
    db.session.expire_all()
    assert db.session.get(Call, bridge_call.id).twilio_status == "agent-no-key"


def test_a_person_marked_do_not_call_after_the_prompt_is_not_dialled_on_the_key(
    bridge_call, twilio_post
):
    prompt = twiml(twilio_post(f"/twilio/voice?call_id={bridge_call.id}",
                               agent_params(bridge_call)))
    assert prompt.find("Gather") is not None
    bridge_call.person.status = PersonStatus.DO_NOT_CALL
    db.session.commit()
    root = twiml(twilio_post(f"/twilio/voice?call_id={bridge_call.id}&confirmed=1",
                             gather_params(bridge_call, "1")))
    assert root.find(".//Dial") is None and root.find("Hangup") is not None
    assert "do not call" in root.find("Say").text
    db.session.expire_all()
    assert db.session.get(Call, bridge_call.id).twilio_status == "agent-refused"


def test_a_gather_for_another_call_sid_dials_nothing(bridge_call, twilio_post):
    params = gather_params(bridge_call, "1") | {"CallSid": new_sid()}
    root = twiml(twilio_post(f"/twilio/voice?call_id={bridge_call.id}&confirmed=1", params))
    assert root.find(".//Dial") is None and "does not match" in root.find("Say").text


def test_an_unsigned_gather_is_refused(bridge_call, twilio_post):
    path = f"/twilio/voice?call_id={bridge_call.id}&confirmed=1"
    assert twilio_post(path, gather_params(bridge_call, "1"), signature="").status_code == 403
    forged = twilio_post(path, gather_params(bridge_call, "1"), signature="x" * 28)
    assert forged.status_code == 403
    assert counts() == (1, 0)


def test_the_voice_webhook_refuses_a_call_sid_it_did_not_place(bridge_call, twilio_post):
    params = {"AccountSid": ACCOUNT_SID, "CallSid": new_sid(), "CallStatus": "in-progress"}
    root = twiml(twilio_post(f"/twilio/voice?call_id={bridge_call.id}", params))
    assert root.find(".//Dial") is None and root.find("Hangup") is not None
    assert root.find(".//Gather") is None
    assert "does not match" in root.find("Say").text


def test_the_voice_webhook_refuses_an_unknown_call_id(bridge_call, twilio_post):
    params = {"AccountSid": ACCOUNT_SID, "CallSid": bridge_call.twilio_call_sid}
    root = twiml(twilio_post(f"/twilio/voice?call_id={bridge_call.id + 100}", params))
    assert root.find(".//Dial") is None and root.find(".//Gather") is None


def test_a_person_marked_do_not_call_meanwhile_is_not_even_prompted_for(
    bridge_call, twilio_post
):
    bridge_call.person.status = PersonStatus.DO_NOT_CALL
    db.session.commit()
    params = {"AccountSid": ACCOUNT_SID, "CallSid": bridge_call.twilio_call_sid}
    root = twiml(twilio_post(f"/twilio/voice?call_id={bridge_call.id}", params))
    assert root.find(".//Dial") is None and root.find(".//Gather") is None
    db.session.expire_all()
    assert db.session.get(Call, bridge_call.id).not_placed


def test_my_phone_failing_to_answer_is_shown_on_the_call(bridge_call, twilio_post):
    params = {"AccountSid": ACCOUNT_SID, "CallSid": bridge_call.twilio_call_sid,
              "CallStatus": "no-answer", "SequenceNumber": "2"}
    response = twilio_post(f"/twilio/status?call_id={bridge_call.id}&leg=agent", params)
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(Call, bridge_call.id).twilio_status == "agent-no-answer"


def test_twilio_refusing_the_call_is_a_422_and_nothing_is_logged(
    logged_in, my_phone, person, http
):
    http.add(responses.POST, CALLS_URL, status=400, json={
        "code": 21211, "message": "Invalid 'To' Phone Number: +1617555XXXX",
        "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})
    response = logged_in.post("/calls/bridge", data={"person_id": str(person.id),
                                                     "to_number": "+12125550142"})
    assert response.status_code == 422
    assert response.json["error"] == "twilio_refused" and response.json["fields"] == {}
    assert response.json["twilio_code"] == 21211
    assert "Invalid 'To'" in response.json["message"]
    assert counts() == (0, 0)


def test_without_my_own_phone_no_bridge_call_is_placed(logged_in, person, http):
    response = logged_in.post("/calls/bridge", data={"person_id": str(person.id),
                                                     "to_number": "+12125550142"})
    assert response.status_code == 422
    assert "your own phone number" in response.json["message"]
    assert len(http.calls) == 0 and counts() == (0, 0)


def test_a_bridge_call_to_a_do_not_call_person_never_reaches_twilio(
    logged_in, my_phone, person, http
):
    person.status = PersonStatus.DO_NOT_CALL
    db.session.commit()
    response = logged_in.post("/calls/bridge", data={"person_id": str(person.id),
                                                     "to_number": "+12125550142"})
    assert response.status_code == 422
    assert "do not call" in response.json["message"]
    assert len(http.calls) == 0 and counts() == (0, 0)


def test_a_bridge_call_needs_a_company_or_person(logged_in, my_phone, http):
    response = logged_in.post("/calls/bridge", data={"to_number": "+12125550142"})
    assert response.status_code == 422
    assert "company_id" in response.json["fields"]


@pytest.mark.twilio_config(TWILIO_ACCOUNT_SID=None, TWILIO_AUTH_TOKEN=None)
def test_without_twilio_credentials_bridge_calls_answer_503(logged_in, my_phone, person):
    response = logged_in.post("/calls/bridge", data={"person_id": str(person.id),
                                                     "to_number": "+12125550142"})
    assert response.status_code == 503
    assert response.json["missing"] == ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]


def test_bridge_calls_require_a_login(client, person):
    response = client.post("/calls/bridge", data={"person_id": str(person.id)})
    assert response.status_code == 401
