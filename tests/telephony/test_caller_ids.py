"""TWILIO_CALLER_IDS: the pool number local to the target is shown, and recorded on the call."""

import pytest
import responses
from sqlalchemy import select

from app import create_app
from app.auth.service import issue_token
from app.extensions import db
from app.models import Call
from app.telephony.caller_ids import choose_caller_id, parse_pool
from app.telephony.settings import TelephonyConfigError
from tests import factories
from tests.conftest import BASE_CONFIG
from tests.telephony.conftest import (
    API,
    CALLER_ID,
    PUBLIC_BASE_URL,
    TWILIO_CONFIG,
    browser_call_params,
    new_sid,
    twiml,
)
from tests.telephony.test_bridge_calls import agent_params, gather_params, twilio_call_json
from tests.test_api import Api

NYC = "+12125550199"  # Manhattan, 212
TORONTO = "+14165550123"  # 416, Canada
LONDON = "+442079460000"  # 020, UK
MANCHESTER = "+441614960000"  # 0161, UK
POOL = ",".join([NYC, TORONTO, LONDON])
DEFAULT = CALLER_ID  # +1 202: Washington, DC


@pytest.mark.parametrize(("target", "chosen"), [
    ("+12125550142", NYC),  # US 212 → the 212 pool number
    ("+14155550142", DEFAULT),  # US 415, no 415 number: the default (also US)
    ("+14165550199", TORONTO),  # Canada 416 → the Canadian pool number
    ("+442079460123", LONDON),  # UK, London 020 → the London number
    ("+447400123456", LONDON),  # a UK mobile has no area code: a UK number beats a US one
    ("+33142685300", DEFAULT),  # France: no French number in the pool
    (None, DEFAULT),
])
def test_the_pool_number_of_the_targets_country_and_area_code_is_chosen(target, chosen):
    assert choose_caller_id(target, parse_pool(POOL), DEFAULT) == chosen


def test_a_canadian_target_outside_the_pools_area_codes_gets_a_canadian_number():
    # The default is in the US: a Canadian number is the closer one for a 604 target.
    assert choose_caller_id("+16045550100", parse_pool(POOL), DEFAULT) == TORONTO


def test_a_uk_number_with_another_area_code_is_chosen_only_by_country():
    pool = parse_pool(f"{MANCHESTER},{LONDON}")
    assert choose_caller_id("+442079460123", pool, DEFAULT) == LONDON
    assert choose_caller_id("+441134960000", pool, DEFAULT) == MANCHESTER  # Leeds: first UK one


def test_an_empty_pool_always_gives_the_default():
    assert parse_pool("") == [] and parse_pool(" , ") == []
    assert choose_caller_id("+12125550142", [], DEFAULT) == DEFAULT


@pytest.mark.parametrize("bad", ["2125550100", "+1 212 555 0100", "+1212555010", "+999123",
                                 "phone", f"{NYC},+12125550"])
def test_a_bad_pool_entry_stops_the_app_with_its_name(bad):
    with pytest.raises(TelephonyConfigError, match="TWILIO_CALLER_IDS") as error:
        create_app({**BASE_CONFIG, **TWILIO_CONFIG, "TWILIO_CALLER_IDS": bad})
    assert "+E.164" in str(error.value)


def test_a_good_pool_starts_the_app():
    app = create_app({**BASE_CONFIG, **TWILIO_CONFIG, "TWILIO_CALLER_IDS": f" {NYC} , {LONDON} "})
    assert app.config["TWILIO_CALLER_IDS"].strip().startswith(NYC)


@pytest.mark.twilio_config(TWILIO_CALLER_IDS=POOL)
def test_a_browser_call_shows_and_records_the_local_number(twilio_post, user, person, client):
    params = browser_call_params(user, person=person)  # Peter's direct dial is in 212
    dial = twiml(twilio_post("/twilio/voice", params)).find("Dial")
    assert dial.get("callerId") == NYC
    call = db.session.scalars(select(Call)).one()
    assert call.caller_id == NYC
    body = Api(client, issue_token(user)).get(f"/api/v1/calls/{call.id}").get_json()
    assert body["caller_id"] == NYC and body["direction"] == "outbound"


@pytest.mark.twilio_config(TWILIO_CALLER_IDS=POOL)
def test_a_bridge_call_rings_me_from_the_default_and_the_target_from_the_local_number(
    logged_in, user, person, http, twilio_post, client
):
    user.phone_e164 = "+16175550101"
    db.session.commit()
    http.add(responses.POST, f"{API}/Calls.json", json=twilio_call_json(new_sid()), status=201)
    response = logged_in.post("/calls/bridge", data={"person_id": str(person.id),
                                                     "to_number": "+12125550142"})
    assert response.status_code == 201
    assert "From=%2B12025550143" in http.calls[0].request.body  # my phone: the default
    call = db.session.get(Call, response.json["call_id"])
    assert call.caller_id == NYC  # recorded (committed) when the call was placed
    prompt = twiml(twilio_post(f"/twilio/voice?call_id={call.id}", agent_params(call)))
    action = prompt.find("Gather").get("action").removeprefix(PUBLIC_BASE_URL)
    dial = twiml(twilio_post(action, gather_params(call, "1"))).find("Dial")
    assert dial.get("callerId") == NYC
    body = Api(client, issue_token(user)).get(f"/api/v1/calls/{call.id}").get_json()
    assert body["caller_id"] == NYC


def test_a_call_logged_by_hand_has_no_caller_id(user, client, company):
    api = Api(client, issue_token(user))
    created = api.post("/api/v1/calls", {"company_id": company.id, "outcome": "busy"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["caller_id"] is None
    assert api.get(f"/api/v1/calls/{created.get_json()['id']}").get_json()["caller_id"] is None


def test_a_hand_logged_entry_dialled_later_gets_its_caller_id_when_placed(
    twilio_post, user, person
):
    call = factories.CallFactory(user=user, company=person.company, person=person, outcome=None,
                                 to_number="+12125550142")
    db.session.commit()
    params = browser_call_params(user, person=person, call_id=str(call.id))
    assert twiml(twilio_post("/twilio/voice", params)).find("Dial").get("callerId") == DEFAULT
    db.session.expire_all()
    assert db.session.get(Call, call.id).caller_id == DEFAULT  # no pool: the default, recorded
