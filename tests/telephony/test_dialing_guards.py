"""Dialing guards judge the dialled number, whatever company or person the client names."""

import phonenumbers
import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Call, PersonStatus
from app.phones import PhoneError, normalize_phone, number_type_name
from app.telephony.rules import number_refusal
from app.telephony.settings import TelephonyConfigError, allowed_number_types
from tests import factories
from tests.conftest import BASE_CONFIG
from tests.telephony.conftest import TWILIO_CONFIG, browser_call_params, count, new_sid, twiml
from tests.telephony.test_bridge_calls import CALLS_URL, MY_PHONE, twilio_call_json
from tests.test_api import Api, issue_token

PREMIUM = "+19002345678"  # US premium rate (900): a toll-fraud favourite


@pytest.fixture
def off_limits(app):
    """A client of the agency: its main line and its people are never dialled."""
    return factories.CompanyFactory(
        name="Clientco",
        main_phone="+12125550300",
        timezone=None,
        off_limits=True,
        off_limits_reason="client since 2024",
    )


def _refused(response) -> str:
    root = twiml(response)
    assert root.find("Dial") is None and count(Call) == 0
    return root.find("Say").text


def test_an_off_limits_main_line_is_refused_while_naming_another_company(
    twilio_post, user, company, off_limits
):
    params = browser_call_params(user, off_limits.main_phone, company=company)
    assert "Clientco is off limits: client since 2024" in _refused(
        twilio_post("/twilio/voice", params)
    )


def test_a_direct_line_at_an_off_limits_company_is_refused_while_naming_another_person(
    twilio_post, user, person, off_limits
):
    factories.PersonFactory(company=off_limits, full_name="Cli Ent", mobile_phone="+12125550301")
    params = browser_call_params(user, "+12125550301", person=person)
    assert "Clientco is off limits" in _refused(twilio_post("/twilio/voice", params))


def test_a_do_not_call_persons_mobile_is_refused_while_naming_someone_else(
    twilio_post, user, person
):
    factories.PersonFactory(
        company=person.company,
        full_name="Dee Notcall",
        mobile_phone="+12125550199",
        status=PersonStatus.DO_NOT_CALL,
    )
    params = browser_call_params(user, "+12125550199", person=person)
    assert "Dee Notcall asked not to be called" in _refused(twilio_post("/twilio/voice", params))


def test_a_premium_rate_number_is_never_dialled(twilio_post, user, company):
    params = browser_call_params(user, PREMIUM, company=company)
    said = _refused(twilio_post("/twilio/voice", params))
    assert "premium rate number" in said and "TWILIO_ALLOWED_NUMBER_TYPES" in said


@pytest.mark.parametrize(
    "number",
    [
        "+15002345678",  # US personal number (500)
        "+447640123456",  # UK pager
        "+445512345678",  # UK UAN
        "+448712345678",
    ],
)  # UK shared cost (0871)
@pytest.mark.twilio_config(TWILIO_ALLOWED_COUNTRIES="US,GB")
def test_other_toll_fraud_number_types_are_refused(twilio_post, user, company, number):
    params = browser_call_params(user, number, company=company)
    said = _refused(twilio_post("/twilio/voice", params))
    assert "which Switchboard does not dial" in said and "number number" not in said


@pytest.mark.twilio_config(
    TWILIO_ALLOWED_NUMBER_TYPES="FIXED_LINE,MOBILE,FIXED_LINE_OR_MOBILE,PREMIUM_RATE"
)
def test_a_premium_rate_number_is_dialled_when_the_setting_allows_it(twilio_post, user, company):
    root = twiml(twilio_post("/twilio/voice", browser_call_params(user, PREMIUM, company=company)))
    assert root.find("Dial/Number").text == PREMIUM


def test_toll_free_and_ordinary_numbers_are_dialled(twilio_post, user, company):
    for number in ("+18002345678", "+12125550142"):
        root = twiml(
            twilio_post("/twilio/voice", browser_call_params(user, number, company=company))
        )
        assert root.find("Dial/Number").text == number


@pytest.fixture
def my_phone(user):
    user.phone_e164 = MY_PHONE
    db.session.commit()
    return MY_PHONE


def test_a_bridge_call_to_an_off_limits_main_line_never_reaches_twilio(
    logged_in, my_phone, company, off_limits, http
):
    response = logged_in.post(
        "/calls/bridge", data={"company_id": str(company.id), "to_number": off_limits.main_phone}
    )
    assert response.status_code == 422
    assert "Clientco is off limits" in response.json["fields"]["to_number"]
    assert len(http.calls) == 0 and count(Call) == 0


def test_the_api_refuses_an_off_limits_main_line_under_another_company(
    app, user, my_phone, company, off_limits, http
):
    api = Api(app.test_client(), issue_token(user))
    response = api.post(
        "/api/v1/calls/dial", {"to_number": off_limits.main_phone, "company_id": company.id}
    )
    assert response.status_code == 422 and "off limits" in response.get_json()["message"]
    assert len(http.calls) == 0


def test_a_bridge_call_to_a_premium_number_never_reaches_twilio(logged_in, my_phone, company, http):
    response = logged_in.post(
        "/calls/bridge", data={"company_id": str(company.id), "to_number": PREMIUM}
    )
    assert response.status_code == 422 and "premium rate" in response.json["message"]
    assert len(http.calls) == 0


def test_a_premium_number_as_my_own_phone_is_never_rung(logged_in, user, company, http):
    user.phone_e164 = PREMIUM  # the bridge call's first leg rings it: toll fraud by profile
    db.session.commit()
    response = logged_in.post(
        "/calls/bridge", data={"company_id": str(company.id), "to_number": "+12125550100"}
    )
    assert (
        response.status_code == 422
        and "Your own phone cannot be rung" in (response.json["fields"]["phone"])
    )
    assert len(http.calls) == 0


@pytest.mark.parametrize("whose", ["off_limits_main_line", "do_not_call_person"])
def test_an_off_limits_or_do_not_call_number_as_my_own_phone_is_never_rung(
    logged_in, user, company, off_limits, http, whose
):
    # The bridge call's first leg rings the recruiter's "own" phone from our caller ID, and on
    # answer joins the target: an own phone set to a guarded number would ring it anyway.
    guarded = factories.PersonFactory(
        company=company, direct_phone="+12125550177", status=PersonStatus.DO_NOT_CALL
    )
    guarded_numbers = {"off_limits_main_line": off_limits.main_phone}
    user.phone_e164 = guarded_numbers.get(whose, guarded.direct_phone)
    db.session.commit()
    response = logged_in.post(
        "/calls/bridge", data={"company_id": str(company.id), "to_number": "+12125550100"}
    )
    assert response.status_code == 422
    assert "Your own phone cannot be rung" in response.json["fields"]["phone"]
    assert len(http.calls) == 0 and count(Call) == 0


def test_the_voice_webhook_rechecks_the_number_when_a_bridge_call_is_picked_up(
    logged_in, my_phone, company, http, twilio_post
):
    sid = new_sid()
    http.add(responses.POST, CALLS_URL, json=twilio_call_json(sid), status=201)
    response = logged_in.post(
        "/calls/bridge", data={"company_id": str(company.id), "to_number": "+12125550300"}
    )
    assert response.status_code == 201
    # Meanwhile the number turns out to be an off-limits company's main line.
    factories.CompanyFactory(name="Clientco", main_phone="+12125550300", off_limits=True)
    db.session.commit()
    call = db.session.scalars(select(Call)).one()
    root = twiml(twilio_post(f"/twilio/voice?call_id={call.id}", {"CallSid": sid}))
    assert root.find(".//Dial") is None and "off limits" in root.find("Say").text


def test_an_unknown_number_type_in_the_setting_stops_the_app_with_its_name():
    with pytest.raises(TelephonyConfigError, match="TWILIO_ALLOWED_NUMBER_TYPES.*PREMIUM"):
        create_app({**BASE_CONFIG, **TWILIO_CONFIG, "TWILIO_ALLOWED_NUMBER_TYPES": "PREMIUM"})


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)  # the app is only read
@given(
    digits=st.text(st.sampled_from("0123456789"), min_size=6, max_size=14),
    country_code=st.sampled_from(["1", "44", "49", "33", "61", "882"]),
)
def test_no_number_of_a_kind_or_country_not_allowed_is_ever_dialled(app, digits, country_code):
    try:
        e164 = normalize_phone(f"+{country_code}{digits}", None)
    except PhoneError:
        return
    refusal = number_refusal(e164)
    allowed = allowed_number_types()
    if number_type_name(e164) not in allowed:
        assert refusal is not None
    if refusal is None:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(e164))
        assert region in {"US", "CA"} and number_type_name(e164) in allowed
