"""Hostile input to the JSON API: wrong types, lone surrogates, deep nesting, odd query strings.

Every answer is a JSON 4xx in the documented error shape, never a 500; Hypothesis sends arbitrary
JSON values to every writable field of every resource.
"""

import itertools
import json

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.openapi import openapi_document
from app.api.parsing import MAX_JSON_DEPTH
from app.models import Call
from tests import factories
from tests.test_api import Api, _assert_error, issue_token

TWILIO_SID = "AC" + "a" * 32
_SIDS = itertools.count(1)


def twilio_places_a_call(request):
    """Twilio's answer to creating a call: queued, with a new call SID each time."""
    body = {"sid": f"CA{next(_SIDS):032x}", "status": "queued", "account_sid": TWILIO_SID}
    return 201, {}, json.dumps(body)


CALLS_URL = f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Calls.json"


@pytest.fixture
def api(client, user, db):
    """The recruiter's API client; the recruiter has a phone, so bridge calls can start."""
    user.phone_e164 = "+14155550123"
    db.session.commit()
    return Api(client, issue_token(user))


@pytest.fixture
def person(app):
    company = factories.CompanyFactory(name="Initech", country="US")
    return factories.PersonFactory(
        company=company, full_name="Bill Lumbergh", direct_phone="+14155550188"
    )


@pytest.fixture
def twilio(app):
    """Bridge calling switched on."""
    app.config.update(
        TWILIO_ACCOUNT_SID=TWILIO_SID,
        TWILIO_AUTH_TOKEN="token-for-tests",
        PUBLIC_BASE_URL="https://switchboard.example.com",
        TWILIO_CALLER_ID="+14155550100",
    )
    return app


def _raw(api, method: str, url: str, body: str):
    return api.client.open(
        url,
        method=method,
        data=body.encode("utf-8"),
        content_type="application/json",
        headers=api.headers,
    )


@pytest.mark.parametrize(
    "body",
    [{"timezone": [None, None]}, {"phone": {}}, {"name": 5}, {"timezone": None}, {"name": None}],
)
def test_patch_me_refuses_wrong_types_with_a_422(api, body):
    _assert_error(api.patch("/api/v1/me", body), 422, "validation_failed")


@pytest.mark.parametrize(
    "extra",
    [
        {"person_id": True},
        {"person_id": "1"},
        {"person_id": 1.0},
        {"company_id": True},
        {"to_number": 4155550188},
        {"extension": ["1"]},
        {"person_id": 2**40},
    ],
)
def test_dial_refuses_wrong_types_before_ringing_anyone(api, twilio, person, db, extra):
    body = {"to_number": "+14155550188", "company_id": person.company_id, **extra}
    fields = _assert_error(api.post("/api/v1/calls/dial", body), 422, "validation_failed")["fields"]
    assert set(extra) <= set(fields)
    assert db.session.query(Call).count() == 0  # and nothing reached Twilio (no mock registered)


def test_person_id_true_is_not_person_one_anywhere(api, person, db):
    body = {"company_id": person.company_id, "outcome": "busy", "person_id": True}
    assert "person_id" in _assert_error(api.post("/api/v1/calls", body), 422)["fields"]
    body = {"company_id": person.company_id, "reports_to_id": True, "full_name": "Pat Doe"}
    assert "reports_to_id" in _assert_error(api.post("/api/v1/people", body), 422)["fields"]


@pytest.mark.parametrize("text", ['"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"'])
@pytest.mark.parametrize(
    ("method", "url", "key"),
    [
        ("POST", "/api/v1/companies", "name"),
        ("PATCH", "/api/v1/me", "name"),
        ("POST", "/api/v1/calls", "notes"),
        ("PATCH", "/api/v1/people/1", "title"),
    ],
)
def test_a_lone_surrogate_in_any_text_is_a_400(api, person, method, url, key, text):
    response = _raw(api, method, url, f'{{"{key}": {text}}}')
    assert "surrogate" in _assert_error(response, 400, "invalid_body")["message"]


def test_a_lone_surrogate_in_a_key_is_a_400(api):
    response = _raw(api, "POST", "/api/v1/companies", '{"name": "Acme", "\\ud800": 1}')
    _assert_error(response, 400, "invalid_body")


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000, 100_000])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(api, depth):
    body = '{"name": ' + "[" * depth + "]" * depth + "}"
    response = _raw(api, "POST", "/api/v1/companies", body)
    assert "deeper" in _assert_error(response, 400, "invalid_json")["message"]


def test_brackets_inside_strings_do_not_count_as_nesting(api):
    response = _raw(
        api,
        "POST",
        "/api/v1/companies",
        json.dumps({"name": "Acme [[[[" * 20, "notes": '"{{{\\"' * 40}),
    )
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize(
    "body", ['{"duration_seconds": NaN}', '{"notes": Infinity}', b'{"name": "\xff"}']
)
def test_json_that_is_not_json_is_a_400(api, body):
    data = body if isinstance(body, bytes) else body.encode()
    response = api.client.post(
        "/api/v1/calls", data=data, content_type="application/json", headers=api.headers
    )
    _assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize(
    "url", ["/api/v1/companies", "/api/v1/calls/1", "/api/v1/me", "/api/v1/openapi.json"]
)
def test_a_405_names_the_allowed_methods(api, url):
    response = api.client.delete(url, headers=api.headers)
    _assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_a_405_on_a_page_names_the_allowed_methods_too(logged_in):
    response = logged_in.delete("/")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/companies?compnay=1", "compnay"),
        ("/api/v1/people?company_id=abc", "company_id"),
        ("/api/v1/calls?until=", "until"),
        ("/api/v1/calls?company_id=99999999999", "company_id"),
        ("/api/v1/search", "q"),
        ("/api/v1/search?q=a&q=b", "q"),
        ("/api/v1/me?x=1", "x"),
        ("/api/v1/people?page=1&page=2", "page"),
    ],
)
def test_query_parameters_the_document_does_not_allow_are_a_422(api, url, field):
    assert field in _assert_error(api.client.get(url, headers=api.headers), 422)["fields"]


def test_a_call_cannot_carry_out_its_own_follow_up(api, user, person):
    call = factories.CallFactory(user=user, company=person.company)
    response = api.patch(f"/api/v1/calls/{call.id}", {"previous_call_id": call.id})
    assert "previous_call_id" in _assert_error(response, 422)["fields"]


# Any JSON value, lone surrogates and NUL included (sent escaped, as a hostile client would).
TEXT = st.text(max_size=30) | st.sampled_from(["\ud800", "a\udfffz", "\x00", "", " ", "1"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
DOCUMENT = openapi_document()


def _writable(schema_name: str) -> list[str]:
    return sorted(DOCUMENT["components"]["schemas"][schema_name]["properties"])


def _documented(path: str, method: str) -> set[int]:
    return {int(code) for code in DOCUMENT["paths"][path][method]["responses"]}


RESOURCES = [
    ("post", "/api/v1/companies", "/api/v1/companies", "CompanyCreate", {"name": "Acme"}),
    ("patch", "/api/v1/companies/{company_id}", "/api/v1/companies/1", "CompanyUpdate", {}),
    ("post", "/api/v1/people", "/api/v1/people", "PersonCreate", {"company_id": 1}),
    ("patch", "/api/v1/people/{person_id}", "/api/v1/people/1", "PersonUpdate", {}),
    ("post", "/api/v1/calls", "/api/v1/calls", "CallCreate", {"company_id": 1, "outcome": "busy"}),
    ("patch", "/api/v1/calls/{call_id}", "/api/v1/calls/1", "CallUpdate", {}),
    (
        "post",
        "/api/v1/people/{person_id}/touchpoints",
        "/api/v1/people/1/touchpoints",
        "TouchpointCreate",
        {"kind": "email"},
    ),
    ("patch", "/api/v1/me", "/api/v1/me", "MeUpdate", {}),
    (
        "post",
        "/api/v1/calls/dial",
        "/api/v1/calls/dial",
        "DialRequest",
        {"company_id": 1, "to_number": "+14155550188"},
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "url", "schema", "base"),
    RESOURCES,
    ids=[f"{r[0]} {r[1]}" for r in RESOURCES],
)
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_json_in_any_writable_field_is_answered_as_documented(
    api, user, person, twilio, http, method, path, url, schema, base, data
):
    """Never a 5xx: a 2xx, or a documented 4xx in the documented error shape."""
    factories.CallFactory(user=user, company=person.company, person=person)  # call 1 exists
    http.assert_all_requests_are_fired = False
    http.add_callback(responses.POST, CALLS_URL, callback=twilio_places_a_call)
    fields = data.draw(st.dictionaries(st.sampled_from(_writable(schema)), JSON, max_size=3))
    response = _raw(api, method.upper(), url, json.dumps({**base, **fields}))
    assert response.status_code in _documented(path, method), response.get_data(as_text=True)
    if response.status_code >= 400:
        body = response.get_json()
        assert isinstance(body["error"], str) and isinstance(body["message"], str)
        assert all(isinstance(v, str) for v in body["fields"].values())


def test_a_row_reference_is_checked_in_depth(api, person):
    rows = [{"full_name": "Ann Lee"}, {"full_name": "Bo Chan", "reports_to": {"row": 0, "x": 1}}]
    body = {"company_id": person.company_id, "outcome": "referral", "people": rows}
    fields = _assert_error(api.post("/api/v1/calls", body), 422)["fields"]
    assert fields == {"people.1.reports_to.x": "Unknown field."}


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("https://www.linkedin.com/in/x", 200),
        ("  https://a b", 200),
        ("  ", 200),
        ("www.linkedin.com/in/x", 422),
        ("ftp://x", 422),
    ],
)
def test_linkedin_addresses_are_what_the_document_says(api, person, value, status):
    """The document's pattern and the people service agree on what a LinkedIn address is."""
    from app.api.conform import problem
    from app.api.schemas import SCHEMAS

    schema = SCHEMAS["PersonUpdate"]["properties"]["linkedin_url"]
    assert (problem(value, schema) is None) == (status == 200)
    assert api.patch(f"/api/v1/people/{person.id}", {"linkedin_url": value}).status_code == status


def test_a_placed_call_without_an_outcome_matches_the_document(api, twilio, person, http):
    """A bridge call has no outcome until logged: the document says null is possible."""
    from app.api.conform import problem
    from app.api.schemas import SCHEMAS

    http.add_callback(responses.POST, CALLS_URL, callback=twilio_places_a_call)
    body = {"to_number": "+14155550188", "company_id": person.company_id}
    call = api.post("/api/v1/calls/dial", body).get_json()
    assert call["outcome"] is None
    assert problem(call["outcome"], SCHEMAS["Call"]["properties"]["outcome"]) is None


def test_a_body_over_the_size_limit_is_a_json_413(api, app):
    body = '{"notes": "' + "x" * app.config["MAX_CONTENT_LENGTH"] + '"}'
    _assert_error(_raw(api, "POST", "/api/v1/calls", body), 413, "too_large")
