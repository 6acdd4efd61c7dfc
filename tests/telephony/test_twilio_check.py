"""`flask twilio-check`: the configuration checked against Twilio, stubbed at the transport."""

import pytest
import requests
import responses
from responses import matchers

from app import create_app
from app.telephony.settings import TelephonyConfigError
from tests.conftest import BASE_CONFIG
from tests.telephony.conftest import (
    ACCOUNT_SID,
    API,
    CALLER_ID,
    PUBLIC_BASE_URL,
    TWILIO_CONFIG,
    TWIML_APP_SID,
)

VOICE_URL = f"{PUBLIC_BASE_URL}/twilio/voice"


def stub_account(http, status="active"):
    http.add(responses.GET, f"{API}.json", json={
        "sid": ACCOUNT_SID, "friendly_name": "Switchboard", "status": status, "type": "Full"})


def stub_application(http, voice_url=VOICE_URL):
    http.add(responses.GET, f"{API}/Applications/{TWIML_APP_SID}.json", json={
        "sid": TWIML_APP_SID, "account_sid": ACCOUNT_SID, "friendly_name": "Switchboard",
        "voice_url": voice_url, "voice_method": "POST"})


def _page(key, items, path):
    return {key: items, "page": 0, "page_size": 1, "first_page_uri": path, "next_page_uri": None,
            "previous_page_uri": None, "uri": path, "start": 0, "end": len(items)}


INBOUND_URL = f"{PUBLIC_BASE_URL}/twilio/inbound"


def number_record(number, voice_url=INBOUND_URL, voice_method="POST", voice=True, **extra):
    """An IncomingPhoneNumber as Twilio lists it (the fields twilio-check reads, and a few)."""
    sid = "PN" + number.lstrip("+").rjust(32, "0")
    return {"sid": sid, "account_sid": ACCOUNT_SID, "phone_number": number,
            "friendly_name": number, "status": "in-use", "voice_url": voice_url,
            "voice_method": voice_method, "voice_application_sid": None,
            "capabilities": {"voice": voice, "sms": True, "mms": False, "fax": False},
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers/{sid}.json"} | extra


def stub_numbers(http, owned=True, verified=False, records=None):
    """The account's numbers (the SDK asks without a filter or page size) and, when the caller ID is
    not among them, its verified caller IDs."""
    numbers = records if records is not None else [number_record(CALLER_ID)] if owned else []
    http.add(responses.GET, f"{API}/IncomingPhoneNumbers.json",
             match=[matchers.query_param_matcher({})],
             json=_page("incoming_phone_numbers", numbers, "/IncomingPhoneNumbers.json"))
    if not owned:
        ids = [{"sid": "PN" + "2" * 32, "phone_number": CALLER_ID}] if verified else []
        http.add(responses.GET, f"{API}/OutgoingCallerIds.json",
                 match=[matchers.query_param_matcher({})],
                 json=_page("outgoing_caller_ids", ids, "/OutgoingCallerIds.json"))


def test_a_correct_configuration_passes(runner, http):
    stub_account(http)
    stub_application(http)
    stub_numbers(http)
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 0, result.output
    assert "Twilio is ready" in result.output
    assert "FIX" not in result.output
    assert [call.request.method for call in http.calls] == ["GET", "GET", "GET"]


def test_a_verified_caller_id_is_accepted_too(runner, http):
    stub_account(http)
    stub_application(http)
    stub_numbers(http, owned=False, verified=True)
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 0, result.output
    assert "a verified caller ID" in result.output


def test_a_caller_id_neither_owned_nor_verified_fails(runner, http):
    stub_account(http)
    stub_application(http)
    stub_numbers(http, owned=False, verified=False)
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 1
    assert f"Caller ID {CALLER_ID} is neither owned nor verified" in result.output


def test_a_twiml_app_pointing_elsewhere_fails_naming_the_expected_url(runner, http):
    stub_account(http)
    stub_application(http, voice_url="https://old-tunnel.ngrok.example/twilio/voice")
    stub_numbers(http)
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 1
    assert f"set it to '{VOICE_URL}'" in result.output
    assert "old-tunnel.ngrok.example" in result.output


def test_a_missing_twiml_app_fails(runner, http):
    stub_account(http)
    http.add(responses.GET, f"{API}/Applications/{TWIML_APP_SID}.json", status=404,
             json={"code": 20404, "message": "The requested resource was not found",
                   "status": 404})
    stub_numbers(http)
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 1
    assert f"TwiML app {TWIML_APP_SID} not found" in result.output


def test_bad_credentials_fail_with_what_to_check(runner, http):
    http.add(responses.GET, f"{API}.json", status=401,
             json={"code": 20003, "message": "Authenticate", "status": 401})
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 1
    assert "Twilio rejected our credentials" in result.output
    assert "TWILIO_AUTH_TOKEN" in result.output and "Twilio error 20003" in result.output


def test_a_suspended_account_fails(runner, http):
    stub_account(http, status="suspended")
    stub_application(http)
    stub_numbers(http)
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 1
    assert "is suspended" in result.output


@pytest.mark.twilio_config(TWILIO_TWIML_APP_SID=None, PUBLIC_BASE_URL=None)
def test_missing_settings_are_named_without_asking_twilio(runner, http):
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 1
    assert "Missing settings: PUBLIC_BASE_URL, TWILIO_TWIML_APP_SID" in result.output
    assert len(http.calls) == 0


def test_twilio_refusing_to_list_numbers_is_reported_not_a_traceback(runner, http):
    stub_account(http)
    stub_application(http)
    http.add(responses.GET, f"{API}/IncomingPhoneNumbers.json", status=403,
             json={"code": 20403, "message": "Forbidden", "status": 403})
    result = runner.invoke(args=["twilio-check"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "could not check the account's phone numbers" in result.output
    assert "Forbidden" in result.output
    assert "Account 'Switchboard' is active." in result.output  # what was checked still shows


def test_twilio_unreachable_is_reported_without_a_traceback_and_exits_3(runner, http):
    http.add(responses.GET, f"{API}.json", body=requests.ConnectionError("no route to host"))
    result = runner.invoke(args=["twilio-check"], catch_exceptions=False)
    assert result.exit_code == 3
    assert "Could not reach Twilio" in result.output and "Traceback" not in result.output
    assert "try again later" in result.output


def test_a_rate_limited_twiml_app_lookup_is_not_called_not_found(runner, http):
    stub_account(http)
    http.add(responses.GET, f"{API}/Applications/{TWIML_APP_SID}.json", status=429,
             json={"code": 20429, "message": "Too Many Requests", "status": 429})
    stub_numbers(http)
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 3
    assert "not found" not in result.output
    assert "rate limiting" in result.output and "Too Many Requests" in result.output


def test_a_twiml_app_whose_voice_url_uses_get_is_not_ready(runner, http):
    stub_account(http)
    http.add(responses.GET, f"{API}/Applications/{TWIML_APP_SID}.json", json={
        "sid": TWIML_APP_SID, "account_sid": ACCOUNT_SID, "friendly_name": "Switchboard",
        "voice_url": VOICE_URL, "voice_method": "GET"})
    stub_numbers(http)
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 1
    assert "Twilio is ready" not in result.output
    assert "its method is GET" in result.output and "set the method to POST" in result.output


def test_twilio_edge_in_the_environment_does_not_reroute_the_check(runner, http, monkeypatch):
    monkeypatch.setenv("TWILIO_EDGE", "roaming")  # the Voice SDK's edge, as the README says
    stub_account(http)
    stub_application(http)
    stub_numbers(http)
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 0, result.output
    assert all(c.request.url.startswith("https://api.twilio.com/") for c in http.calls)


def test_a_verdict_that_needs_a_retry_is_set_apart_from_its_message(runner, http):
    http.add(responses.GET, f"{API}.json", body=requests.ConnectionError("no route to host"))
    result = runner.invoke(args=["twilio-check"])
    assert "RETRY Could not reach Twilio" in result.output, result.output


@pytest.mark.parametrize("base", ["api.twilio.com", "notaurl", "ftp://api.twilio.com", "https://"])
def test_a_rest_address_that_is_no_http_url_stops_the_app_with_its_name(base):
    # Otherwise every bridge call and twilio-check would blame Twilio ("try again later").
    with pytest.raises(TelephonyConfigError, match="TWILIO_API_BASE_URL"):
        create_app({**BASE_CONFIG, **TWILIO_CONFIG, "TWILIO_API_BASE_URL": base})


POOL = ["+12125550101", "+14165550102"]


def test_the_accounts_voice_numbers_are_listed_as_a_line_to_paste(runner, http):
    stub_account(http)
    stub_application(http)
    stub_numbers(http, records=[number_record(CALLER_ID), number_record(POOL[0]),
                                number_record("+12125550199", voice=False)])  # SMS only
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 0, result.output
    assert f"\nTWILIO_CALLER_IDS={CALLER_ID},{POOL[0]}\n" in result.output
    assert "+12125550199" not in result.output
    assert f"Number {POOL[0]} sends its calls to '{INBOUND_URL}' (POST)." in result.output


@pytest.mark.twilio_config(TWILIO_CALLER_IDS=",".join(POOL))
def test_each_pool_number_must_be_owned_or_verified(runner, http):
    stub_account(http)
    stub_application(http)
    stub_numbers(http, records=[number_record(CALLER_ID), number_record(POOL[0])])
    http.add(responses.GET, f"{API}/OutgoingCallerIds.json", json=_page(
        "outgoing_caller_ids", [], "/OutgoingCallerIds.json"))
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 1
    assert f"TWILIO_CALLER_IDS number {POOL[0]} is a number of this account." in result.output
    assert (f"FIX   TWILIO_CALLER_IDS number {POOL[1]} is neither owned nor verified: buy it or "
            "verify it in the console, or remove it from TWILIO_CALLER_IDS.") in result.output


@pytest.mark.twilio_config(TWILIO_CALLER_IDS=",".join(POOL))
def test_a_verified_pool_number_passes_with_a_word_on_callbacks(runner, http):
    stub_account(http)
    stub_application(http)
    stub_numbers(http, records=[number_record(CALLER_ID), number_record(POOL[0])])
    http.add(responses.GET, f"{API}/OutgoingCallerIds.json", json=_page(
        "outgoing_caller_ids", [{"sid": "PN" + "3" * 32, "phone_number": POOL[1]}],
        "/OutgoingCallerIds.json"))
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 0, result.output
    assert f"number {POOL[1]} is a verified caller ID (calls back to it do not reach" in (
        result.output)


@pytest.mark.parametrize(("record", "says"), [
    (number_record(CALLER_ID, voice_url="https://demo.twilio.com/welcome/voice/"),
     f"Number {CALLER_ID} sends its calls to 'https://demo.twilio.com/welcome/voice/', so "
     f"callbacks reach nobody: set its voice URL to '{INBOUND_URL}' (HTTP POST)"),
    (number_record(CALLER_ID, voice_url=""), f"set its voice URL to '{INBOUND_URL}'"),
    (number_record(CALLER_ID, voice_method="GET"), "with GET; the webhook only answers POST"),
    (number_record(CALLER_ID, voice_application_sid=TWIML_APP_SID),
     f"answers calls with TwiML app {TWIML_APP_SID}; set it to the URL '{INBOUND_URL}'"),
])
def test_a_number_whose_calls_do_not_reach_the_inbound_webhook_says_how_to_fix_it(
    runner, http, record, says
):
    stub_account(http)
    stub_application(http)
    stub_numbers(http, records=[record])
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 1
    assert says in result.output
    assert f"Phone Numbers > Manage > Active numbers > {CALLER_ID}" in result.output
