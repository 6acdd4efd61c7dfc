"""The JSON API: bearer tokens, CRUD on companies, people and calls, and its error contract."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select

from app.auth.service import issue_token
from app.models import ApiToken, Call, Company, Person
from tests import factories

ENDPOINTS = [
    ("get", "/api/v1/companies"),
    ("post", "/api/v1/companies"),
    ("get", "/api/v1/companies/1"),
    ("patch", "/api/v1/companies/1"),
    ("get", "/api/v1/people"),
    ("post", "/api/v1/people"),
    ("get", "/api/v1/people/1"),
    ("patch", "/api/v1/people/1"),
    ("get", "/api/v1/calls"),
    ("post", "/api/v1/calls"),
    ("get", "/api/v1/calls/1"),
    ("patch", "/api/v1/calls/1"),
]


class Api:
    """A test client that sends JSON with a bearer token."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url: str, **params):
        return self.client.get(url, query_string=params, headers=self.headers)

    def post(self, url: str, body=None, **kwargs):
        return self.client.post(url, json=body, headers=self.headers, **kwargs)

    def patch(self, url: str, body=None, **kwargs):
        return self.client.patch(url, json=body, headers=self.headers, **kwargs)


@pytest.fixture
def api(client, user):
    """The default recruiter's API client."""
    return Api(client, issue_token(user))


@pytest.fixture
def admin_api(client, admin):
    return Api(client, issue_token(admin))


@pytest.fixture
def company(app):
    return factories.CompanyFactory(name="Acme", country="US")


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _assert_error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) >= {"error", "message", "fields"}
    if code:
        assert body["error"] == code
    return body


# Authentication


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_every_endpoint_needs_a_token(client, app, method, url):
    response = getattr(client, method)(url, json={})
    body = _assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in body["message"]


@pytest.mark.parametrize("header", ["Bearer sb_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer"])
def test_a_bad_token_is_refused(client, user, header):
    response = client.get("/api/v1/companies", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_deactivated_users_token_is_refused(client, user, db):
    token = issue_token(user)
    user.active = False
    db.session.commit()
    response = client.get("/api/v1/companies", headers={"Authorization": f"Bearer {token}"})
    _assert_error(response, 401, "invalid_token")


def test_using_a_token_records_when(api, db):
    assert api.get("/api/v1/companies").status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


def test_the_openapi_document_is_public(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.1")


# Companies


def test_company_create_read_update_list(api, db):
    response = api.post(
        "/api/v1/companies",
        {
            "name": "Globex",
            "domain": "https://www.globex.example/",
            "main_phone": "(212) 555-0100",
            "timezone": "America/Chicago",
            "notes": "Switchboard opens at 8.",
        },
    )
    assert response.status_code == 201, response.get_json()
    company = response.get_json()
    assert company["main_phone"] == "+12125550100"
    assert company["domain"] == "globex.example"
    assert response.headers["Location"].endswith(f"/api/v1/companies/{company['id']}")
    assert datetime.fromisoformat(company["created_at"]).utcoffset().total_seconds() == 0

    assert api.get(f"/api/v1/companies/{company['id']}").get_json() == company

    response = api.patch(f"/api/v1/companies/{company['id']}", {"industry": "Widgets"})
    assert response.status_code == 200
    assert response.get_json()["industry"] == "Widgets"
    assert response.get_json()["name"] == "Globex"

    factories.CompanyFactory(name="Initech")
    listing = api.get("/api/v1/companies", q="glob").get_json()
    assert [c["name"] for c in listing["items"]] == ["Globex"]
    assert listing["total"] == 1 and listing["page"] == 1


def test_any_user_may_edit_a_company(api, admin, company):
    company.created_by = admin
    response = api.patch(f"/api/v1/companies/{company.id}", {"notes": "Ask for Pat."})
    assert response.status_code == 200


def test_a_duplicate_company_name_is_a_conflict_with_matches(api, company):
    body = _assert_error(api.post("/api/v1/companies", {"name": "acme"}), 409, "duplicate")
    assert body["matches"] == {"name": [company.id]}
    assert "name" in body["fields"]


def test_companies_are_paginated(api, app):
    for i in range(5):
        factories.CompanyFactory(name=f"Company {i}")
    body = api.get("/api/v1/companies", page=2, per_page=2).get_json()
    assert [c["name"] for c in body["items"]] == ["Company 2", "Company 3"]
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 5)
    assert api.get("/api/v1/companies", per_page=5000).get_json()["per_page"] == 100


@pytest.mark.parametrize("params", [{"page": "0"}, {"per_page": "lots"}, {"page": "²"}])
def test_bad_paging_is_a_validation_error(api, params):
    body = _assert_error(api.get("/api/v1/companies", **params), 422, "validation_failed")
    assert set(body["fields"]) == set(params)


# People


def test_person_create_read_update_list(api, company):
    response = api.post(
        "/api/v1/people",
        {
            "company_id": company.id,
            "full_name": "  Dana   Scully ",
            "title": "VP Engineering",
            "direct_phone": "212.555.0123",
            "extension": "4471",
            "email": "dana@acme.example",
            "role": "hiring_manager",
        },
    )
    assert response.status_code == 201, response.get_json()
    person = response.get_json()
    assert person["full_name"] == "Dana Scully"
    assert person["direct_phone"] == "+12125550123"
    assert (person["status"], person["role"]) == ("uncovered", "hiring_manager")
    assert person.pop("similar") == []  # only the answer to the write offers look-alikes
    assert api.get(f"/api/v1/people/{person['id']}").get_json() == person

    response = api.patch(f"/api/v1/people/{person['id']}", {"status": "verified"})
    assert response.get_json()["status"] == "verified"

    other = factories.PersonFactory(full_name="Fox Mulder")
    assert api.get("/api/v1/people", company_id=company.id).get_json()["total"] == 1
    assert api.get("/api/v1/people", q="mulder").get_json()["items"][0]["id"] == other.id
    assert api.get("/api/v1/people", status="verified").get_json()["total"] == 1
    _assert_error(api.get("/api/v1/people", status="famous"), 422)


def test_a_person_needs_an_existing_company(api):
    body = _assert_error(api.post("/api/v1/people", {"full_name": "Nobody"}), 422)
    assert "company_id" in body["fields"]
    body = _assert_error(api.post("/api/v1/people", {"company_id": 999, "full_name": "X"}), 422)
    assert body["fields"]["company_id"] == "No company with id 999."


def test_a_duplicate_person_is_a_conflict_with_matches(api, company):
    existing = factories.PersonFactory(company=company, full_name="Walter Skinner")
    response = api.post("/api/v1/people", {"company_id": company.id, "full_name": "walter skinner"})
    body = _assert_error(response, 409, "duplicate")
    assert body["matches"] == {"full_name": [existing.id]}
    response = api.post(
        "/api/v1/people",
        {"company_id": company.id, "full_name": "walter skinner", "allow_duplicate": True},
    )
    assert response.status_code == 201


def test_a_manager_at_another_company_is_refused(api, company):
    outsider = factories.PersonFactory()
    response = api.post(
        "/api/v1/people",
        {"company_id": company.id, "full_name": "New Hire", "reports_to_id": outsider.id},
    )
    body = _assert_error(response, 422)
    assert "another company" in body["fields"]["reports_to_id"]


def test_a_reporting_cycle_is_refused(api, company, db):
    boss = factories.PersonFactory(company=company, full_name="Boss")
    report = factories.PersonFactory(company=company, full_name="Report", reports_to=boss)
    response = api.patch(f"/api/v1/people/{boss.id}", {"reports_to_id": report.id})
    body = _assert_error(response, 422)
    assert "cycle" in body["fields"]["reports_to_id"]
    db.session.expire_all()
    assert db.session.get(Person, boss.id).reports_to_id is None


def test_a_person_cannot_move_company(api, company):
    person = factories.PersonFactory(company=company)
    other = factories.CompanyFactory()
    body = _assert_error(api.patch(f"/api/v1/people/{person.id}", {"company_id": other.id}), 422)
    assert "company_id" in body["fields"]
    # Sending back the object as read, company included, is fine.
    current = api.get(f"/api/v1/people/{person.id}").get_json()
    assert api.patch(f"/api/v1/people/{person.id}", current).status_code == 200


# Calls


def _rows():
    names = ["Ann Boss", "Bob Second", "Cat Third", "Dan Fourth", "Eve Fifth"]
    rows = [
        {"full_name": name, "direct_phone": f"(212) 555-01{i + 10}"} for i, name in enumerate(names)
    ]
    rows[1]["reports_to"] = {"row": 0}
    rows[2]["reports_to"] = {"row": 1}
    return rows


def test_logging_a_call_with_five_people_links_them_all(api, company, db):
    manager = factories.PersonFactory(company=company, full_name="Old Manager")
    rows = _rows()
    rows[0]["reports_to"] = manager.id
    response = api.post(
        "/api/v1/calls",
        {
            "company_id": company.id,
            "outcome": "gatekeeper",
            "to_number": "212-555-0100",
            "started_at": "2024-05-01T09:30:00-05:00",
            "duration_seconds": 275,
            "people": rows,
        },
    )
    assert response.status_code == 201, response.get_json()
    call = response.get_json()
    assert call["to_number"] == "+12125550100"
    assert call["started_at"] == "2024-05-01T14:30:00+00:00"
    people = {p["full_name"]: p for p in call["people"]}
    assert set(people) == {row["full_name"] for row in rows}
    assert people["Ann Boss"]["reports_to_id"] == manager.id
    assert people["Bob Second"]["reports_to_id"] == people["Ann Boss"]["id"]
    assert people["Cat Third"]["reports_to_id"] == people["Bob Second"]["id"]
    assert people["Eve Fifth"]["direct_phone"] == "+12125550114"
    assert all(p["source_call_id"] == call["id"] for p in people.values())
    assert all(p.pop("similar") == [] for p in call["people"])  # only in the write's answer
    assert api.get(f"/api/v1/calls/{call['id']}").get_json() == call


def test_a_bad_fourth_row_writes_nothing(api, company, db):
    rows = _rows()
    rows[3]["direct_phone"] = "12345"
    before = (_count(db, Call), _count(db, Person))
    response = api.post(
        "/api/v1/calls", {"company_id": company.id, "outcome": "connected", "people": rows}
    )
    body = _assert_error(response, 422, "validation_failed")
    assert list(body["fields"]) == ["people.3.direct_phone"]
    assert "not a valid number" in body["fields"]["people.3.direct_phone"]
    assert (_count(db, Call), _count(db, Person)) == before


def test_a_call_row_cannot_report_to_another_company(api, company, db):
    outsider = factories.PersonFactory()
    rows = [{"full_name": "Inside Person", "reports_to": outsider.id}]
    response = api.post(
        "/api/v1/calls", {"company_id": company.id, "outcome": "gatekeeper", "people": rows}
    )
    body = _assert_error(response, 422)
    assert "another company" in body["fields"]["people.0.reports_to"]
    assert _count(db, Call) == 0


def test_a_duplicate_name_in_a_call_is_a_conflict(api, company):
    existing = factories.PersonFactory(company=company, full_name="Known Name")
    response = api.post(
        "/api/v1/calls",
        {
            "company_id": company.id,
            "outcome": "gatekeeper",
            "people": [{"full_name": "Known Name"}],
        },
    )
    body = _assert_error(response, 409, "duplicate")
    assert body["matches"] == {"people.0.full_name": [existing.id]}


def test_a_call_can_create_its_company_and_gatekeeper(api, db):
    response = api.post(
        "/api/v1/calls",
        {
            "new_company": {"name": "Umbrella", "main_phone": "+44 20 7946 0958", "country": "GB"},
            "new_gatekeeper": {"full_name": "Alice Front"},
            "outcome": "gatekeeper",
            "follow_up_at": "2024-05-02T10:00:00Z",
            "follow_up_note": "Ask for the CTO.",
        },
    )
    assert response.status_code == 201, response.get_json()
    call = response.get_json()
    company = db.session.get(Company, call["company_id"])
    assert company.name == "Umbrella" and company.main_phone == "+442079460958"
    assert call["people"][0]["role"] == "gatekeeper"
    assert call["answered_by_id"] == call["people"][0]["id"]
    assert call["follow_up_at"] == "2024-05-02T10:00:00+00:00"


def test_new_company_must_be_an_object(api):
    body = _assert_error(api.post("/api/v1/calls", {"new_company": "Acme", "outcome": "busy"}), 422)
    assert body["fields"] == {"new_company": "Must be an object."}


def test_a_naive_datetime_is_refused_along_with_other_problems(api, company, db):
    response = api.post(
        "/api/v1/calls",
        {"company_id": company.id, "outcome": "nope", "started_at": "2024-05-01T09:30:00"},
    )
    body = _assert_error(response, 422)
    assert "offset" in body["fields"]["started_at"]
    assert "outcome" in body["fields"]
    assert _count(db, Call) == 0


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01T00:00:00Z", 1714567800])
def test_a_bad_datetime_is_refused_on_its_field(api, company, value):
    response = api.post(
        "/api/v1/calls", {"company_id": company.id, "outcome": "busy", "follow_up_at": value}
    )
    body = _assert_error(response, 422)
    assert list(body["fields"]) == ["follow_up_at"]
    assert "ISO 8601" in body["fields"]["follow_up_at"]


def test_html_in_notes_is_returned_verbatim(api, company):
    notes = '<script>alert("x")</script> & <b>bold</b>'
    response = api.post(
        "/api/v1/calls", {"company_id": company.id, "outcome": "voicemail", "notes": notes}
    )
    assert response.get_json()["notes"] == notes
    assert api.get(f"/api/v1/calls/{response.get_json()['id']}").get_json()["notes"] == notes


def test_only_the_author_or_an_admin_may_edit_a_call(api, admin_api, company, user):
    call = factories.CallFactory(company=company)
    body = _assert_error(
        api.patch(f"/api/v1/calls/{call.id}", {"notes": "Mine now"}), 403, "forbidden"
    )
    assert "admin" in body["message"]
    response = admin_api.patch(f"/api/v1/calls/{call.id}", {"notes": "Fixed a typo"})
    assert response.status_code == 200
    assert response.get_json()["notes"] == "Fixed a typo"
    own = factories.CallFactory(company=company, user=user)
    response = api.patch(
        f"/api/v1/calls/{own.id}", {"outcome": "call_back", "people": [{"full_name": "Late Name"}]}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outcome"] == "call_back"
    assert [p["full_name"] for p in response.get_json()["people"]] == ["Late Name"]


def test_calls_are_listed_newest_first_with_filters(api, company, user, admin):
    def at(day: int) -> datetime:
        return datetime(2024, 5, day, 12, tzinfo=UTC)

    mine = factories.CallFactory(company=company, user=user, started_at=at(1), outcome="busy")
    theirs = factories.CallFactory(company=company, user=admin, started_at=at(3))
    elsewhere = factories.CallFactory(user=user, started_at=at(2))

    def ids(**params) -> list[int]:
        response = api.get("/api/v1/calls", **params)
        assert response.status_code == 200, response.get_json()
        return [c["id"] for c in response.get_json()["items"]]

    assert ids() == [theirs.id, elsewhere.id, mine.id]
    assert ids(company_id=company.id) == [theirs.id, mine.id]
    assert ids(user_id=user.id) == [elsewhere.id, mine.id]
    assert ids(outcome="busy") == [mine.id]
    assert ids(since="2024-05-02T00:00:00Z", until="2024-05-03T00:00:00+00:00") == [elsewhere.id]
    body = _assert_error(api.get("/api/v1/calls", since="2024-05-02"), 422)
    assert "offset" in body["fields"]["since"]


def test_listing_calls_takes_the_same_queries_for_any_number_of_calls(api, company, db):
    def queries_for_listing() -> int:
        statements: list[str] = []

        def record(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert api.get("/api/v1/calls").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    factories.CallFactory(company=company, people=[factories.PersonFactory(company=company)])
    one = queries_for_listing()
    for _ in range(5):
        factories.CallFactory(
            company=company, people=factories.PersonFactory.create_batch(2, company=company)
        )
    assert queries_for_listing() == one


# The error contract


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/companies/999",
        "/api/v1/people/999",
        "/api/v1/calls/999",
        "/api/v1/calls/99999999999999",
    ],
)
def test_unknown_ids_are_json_404s(api, url):
    _assert_error(api.get(url), 404, "not_found")
    assert api.patch(url, {}).status_code == 404


def test_malformed_json_is_a_bad_request(api):
    response = api.client.post(
        "/api/v1/companies",
        data='{"name": "Acme",',
        content_type="application/json",
        headers=api.headers,
    )
    _assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize("body", ["[1, 2]", '"Acme"', "null"])
def test_a_body_that_is_not_an_object_is_a_bad_request(api, body):
    response = api.client.post(
        "/api/v1/companies", data=body, content_type="application/json", headers=api.headers
    )
    _assert_error(response, 400, "invalid_body")


def test_a_body_that_is_not_json_is_unsupported(api, company):
    response = api.client.post("/api/v1/companies", data={"name": "Acme"}, headers=api.headers)
    _assert_error(response, 415, "unsupported_media_type")
    response = api.client.patch(
        f"/api/v1/companies/{company.id}",
        data='{"name": "X"}',
        content_type="text/plain",
        headers=api.headers,
    )
    _assert_error(response, 415)


def test_a_10000_character_name_is_refused(api, db):
    body = _assert_error(api.post("/api/v1/companies", {"name": "x" * 10_000}), 422)
    assert "200 characters" in body["fields"]["name"]
    assert _count(db, Company) == 0


def test_an_invalid_phone_is_refused_with_a_message(api, company):
    response = api.patch(f"/api/v1/companies/{company.id}", {"main_phone": "555-01"})
    body = _assert_error(response, 422)
    assert body["fields"]["main_phone"].startswith("“555-01” is not a valid number")


def test_unknown_fields_are_refused_and_read_only_ones_ignored(api, company):
    body = _assert_error(api.patch(f"/api/v1/companies/{company.id}", {"phone": "x"}), 422)
    assert body["fields"] == {"phone": "Unknown field."}
    response = api.patch(
        f"/api/v1/companies/{company.id}", {"id": 5, "created_at": "then", "notes": "ok"}
    )
    assert response.status_code == 200 and response.get_json()["id"] == company.id
    rows = [{"full_name": "Row Person", "reports_to_id": 1, "nickname": "R"}]
    body = _assert_error(
        api.post("/api/v1/calls", {"company_id": company.id, "outcome": "busy", "people": rows}),
        422,
    )
    assert set(body["fields"]) == {"people.0.reports_to_id", "people.0.nickname"}


def test_booleans_must_be_booleans(api, company):
    body = _assert_error(api.patch(f"/api/v1/companies/{company.id}", {"off_limits": "false"}), 422)
    assert body["fields"] == {"off_limits": "Must be true or false."}


@pytest.mark.parametrize("ident", [99_999_999_999_999, "99999999999999", "²"])
def test_ids_out_of_range_are_validation_errors(api, company, ident):
    response = api.post(
        "/api/v1/calls",
        {
            "company_id": company.id,
            "outcome": "busy",
            "person_id": ident,
            "people": [{"id": ident}],
        },
    )
    body = _assert_error(response, 422)
    assert set(body["fields"]) >= {"person_id", "people.0.id"}
    response = api.post(
        "/api/v1/people",
        {"company_id": company.id, "full_name": "New Person", "reports_to_id": ident},
    )
    assert "reports_to_id" in _assert_error(response, 422)["fields"]
