"""Twilio's failures are answered honestly (502/503/504 with Twilio's words), never as a 422
about the user's input; and no database transaction is held open while Twilio is waited on."""

from urllib.parse import parse_qs

import pytest
import requests
import responses
from sqlalchemy import select, text

from app.extensions import db
from app.models import Call
from tests import factories
from tests.conftest import TEST_DATABASE_URL
from tests.telephony.conftest import API, counts, new_sid
from tests.telephony.test_bridge_calls import CALLS_URL, MY_PHONE, twilio_call_json
from tests.test_api import Api, issue_token


@pytest.fixture
def my_phone(user):
    user.phone_e164 = MY_PHONE
    db.session.commit()
    return MY_PHONE


def _bridge(client, person):
    return client.post(
        "/calls/bridge", data={"person_id": str(person.id), "to_number": "+12125550142"}
    )


@pytest.mark.parametrize(
    ("status", "body", "answer", "error", "words"),
    [
        (
            401,
            {"code": 20003, "message": "Authenticate"},
            502,
            "twilio_credentials",
            "Twilio rejected our credentials (admin: check TWILIO_AUTH_TOKEN",
        ),
        (
            429,
            {"code": 20429, "message": "Too Many Requests"},
            503,
            "twilio_rate_limited",
            "rate limiting",
        ),
        (
            500,
            {"code": 20500, "message": "Internal Server Error"},
            503,
            "twilio_unavailable",
            "Twilio is unavailable (500)",
        ),
        (
            503,
            {"code": 20503, "message": "Service Unavailable"},
            503,
            "twilio_unavailable",
            "Twilio is unavailable (503)",
        ),
    ],
)
def test_twilio_failing_is_an_honest_error_with_twilios_words_not_a_field_error(
    logged_in, my_phone, person, http, status, body, answer, error, words
):
    http.add(responses.POST, CALLS_URL, status=status, json=body | {"status": status})
    response = _bridge(logged_in, person)
    assert response.status_code == answer
    assert response.json["error"] == error and response.json["fields"] == {}
    assert words in response.json["message"] and body["message"] in response.json["message"]
    assert response.json["twilio_code"] == body["code"]
    assert counts() == (0, 0)


def test_a_twilio_error_page_without_an_error_code_is_not_given_one(
    logged_in, my_phone, person, http
):
    # A load balancer's HTML 503 carries no Twilio error code; the SDK puts the HTTP status in
    # its place, which must not be passed off as "Twilio error 503".
    http.add(
        responses.POST,
        CALLS_URL,
        status=503,
        body="<html>Service Unavailable</html>",
        content_type="text/html",
    )
    response = _bridge(logged_in, person)
    assert response.status_code == 503 and response.json["error"] == "twilio_unavailable"
    assert response.json["twilio_code"] is None
    assert "Twilio error" not in response.json["message"]


def test_twilio_rate_limiting_says_when_to_try_again(logged_in, my_phone, person, http):
    http.add(
        responses.POST,
        CALLS_URL,
        status=429,
        json={"code": 20429, "status": 429, "message": "Too Many Requests"},
    )
    response = _bridge(logged_in, person)
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0


def test_twilio_unreachable_is_a_503_and_nothing_is_logged(logged_in, my_phone, person, http):
    http.add(responses.POST, CALLS_URL, body=requests.ConnectionError("no route to host"))
    response = _bridge(logged_in, person)
    assert response.status_code == 503
    assert response.json["error"] == "twilio_unavailable"
    assert "Could not reach Twilio" in response.json["message"]
    assert counts() == (0, 0)


def test_the_api_answers_twilios_failure_in_its_own_error_shape(app, user, person, http, my_phone):
    api = Api(app.test_client(), issue_token(user))
    http.add(
        responses.POST,
        CALLS_URL,
        status=401,
        json={"code": 20003, "message": "Authenticate", "status": 401},
    )
    response = api.post(
        "/api/v1/calls/dial", {"to_number": "+12125550142", "company_id": person.company_id}
    )
    assert response.status_code == 502
    body = response.get_json()
    assert {"error", "message", "fields"} <= set(body) and body["error"] == "twilio_credentials"
    assert "TWILIO_AUTH_TOKEN" in body["message"]


def test_twilio_edge_in_the_environment_leaves_rest_calls_on_api_twilio_com(
    logged_in, my_phone, person, http, monkeypatch
):
    # TWILIO_EDGE is the Voice SDK's setting; twilio-python would read it for REST routing too.
    monkeypatch.setenv("TWILIO_EDGE", "roaming")
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    http.add(responses.POST, CALLS_URL, json=twilio_call_json(new_sid()), status=201)
    response = _bridge(logged_in, person)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert http.calls[0].request.url.startswith("https://api.twilio.com/2010-04-01/")


def _placed_but_not_recordable(user, person, http) -> str:
    """Twilio places the bridge call, but its CallSid is already on file: the record fails."""
    sid = new_sid()
    factories.CallFactory(user=user, company=person.company, twilio_call_sid=sid)
    db.session.commit()
    http.add(responses.POST, CALLS_URL, json=twilio_call_json(sid), status=201)
    return sid


def test_a_bridge_call_that_cannot_be_recorded_is_cancelled_at_twilio(
    logged_in, my_phone, person, http, user
):
    sid = _placed_but_not_recordable(user, person, http)
    http.add(
        responses.POST,
        f"{API}/Calls/{sid}.json",
        json=twilio_call_json(sid) | {"status": "canceled"},
    )
    response = _bridge(logged_in, person)
    assert response.status_code == 503
    assert response.json["error"] == "call_not_recorded"
    assert "it was cancelled" in response.json["message"]
    assert parse_qs(http.calls[1].request.body) == {"Status": ["canceled"]}
    assert counts()[0] == 1  # only the call that was already there


def test_a_bridge_call_answered_already_is_hung_up_when_it_cannot_be_recorded(
    logged_in, my_phone, person, http, user
):
    sid = _placed_but_not_recordable(user, person, http)
    http.add(
        responses.POST,
        f"{API}/Calls/{sid}.json",
        status=400,
        json={"code": 21220, "message": "Call is not in-progress. Cannot redirect.", "status": 400},
    )
    http.add(
        responses.POST,
        f"{API}/Calls/{sid}.json",
        json=twilio_call_json(sid) | {"status": "completed"},
    )
    response = _bridge(logged_in, person)
    assert response.status_code == 503 and "it was cancelled" in response.json["message"]
    assert [parse_qs(c.request.body) for c in http.calls[1:]] == [
        {"Status": ["canceled"]},
        {"Status": ["completed"]},
    ]


@pytest.mark.postgres
@pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"), reason="reads PostgreSQL's pg_stat_activity"
)
def test_no_transaction_is_open_while_twilio_places_the_bridge_call(
    logged_in, my_phone, person, http
):
    seen = {}

    def twilio_answers(request):
        with db.engine.connect() as conn:
            seen["open"] = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                )
            )
        return 201, {}, responses.json_module.dumps(twilio_call_json(new_sid()))

    http.add_callback(responses.POST, CALLS_URL, callback=twilio_answers)
    assert _bridge(logged_in, person).status_code == 201
    assert seen["open"] == 0
    call = db.session.scalars(select(Call)).one()
    assert call.twilio_status == "queued" and call.twilio_call_sid
