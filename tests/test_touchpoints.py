"""Touchpoints beyond the phone: the form, the merged timeline, the ladder and the API."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import g, request_started
from sqlalchemy import event, func, select

from app import create_app
from app.api import shapes
from app.api.serializers import touchpoint_json
from app.auth.service import issue_token
from app.extensions import db as _db
from app.models import Call, Outcome, Person, Touchpoint, TouchpointKind
from app.touchpoints.service import (
    LadderStep,
    ladder_counts,
    ladder_step,
    ladder_steps,
    log_touchpoint,
)
from app.touchpoints.timeline import person_timeline
from tests import factories
from tests.conftest import PASSWORD, TEST_DATABASE_URL
from tests.test_api import Api

NEW_YORK = ZoneInfo("America/New_York")
T0 = datetime(2024, 3, 5, 14, 30, tzinfo=UTC)  # 09:30 in New York (EST)


@pytest.fixture
def person(app):
    return factories.PersonFactory(full_name="Dana Scully", title="VP Engineering")


@pytest.fixture
def api(client, user):
    return Api(client, issue_token(user))


def _touch(person, user, kind=TouchpointKind.EMAIL, at=T0, note=None) -> Touchpoint:
    touchpoint = Touchpoint(person=person, user=user, kind=kind, happened_at=at, note=note)
    _db.session.add(touchpoint)
    _db.session.commit()
    return touchpoint


def _call(
    user, person=None, answered_by=None, people=(), outcome=Outcome.GATEKEEPER, at=T0, company=None
) -> Call:
    company = company or (person or answered_by or people[0]).company
    call = Call(
        user=user,
        company=company,
        person=person,
        answered_by=answered_by,
        people=list(people),
        outcome=outcome,
        started_at=at,
    )
    _db.session.add(call)
    _db.session.commit()
    return call


def _count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


# --- the form ---------------------------------------------------------------------------------


def test_the_form_starts_at_now_in_the_users_time_zone(logged_in, person):
    page = logged_in.get(f"/people/{person.id}").get_data(as_text=True)
    value = re.search(r'name="happened_at"[^>]*value="([^"]+)"', page).group(1)
    shown = datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=NEW_YORK)
    assert abs(shown - datetime.now(UTC)) < timedelta(minutes=2)
    assert "Log an email, message or meeting" in page
    assert "autofocus" not in page[page.index('id="log-touchpoint"') :]


def test_logging_a_touchpoint_reads_the_time_in_the_users_zone(logged_in, person, user, db):
    response = logged_in.post(
        f"/people/{person.id}/touchpoints",
        data={"kind": "meeting", "happened_at": "2024-03-05T09:30", "note": "Coffee at the expo."},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/people/{person.id}#timeline")
    touchpoint = db.session.scalars(select(Touchpoint)).one()
    assert (touchpoint.kind, touchpoint.happened_at) == (TouchpointKind.MEETING, T0)
    assert (touchpoint.person_id, touchpoint.user_id) == (person.id, user.id)
    page = logged_in.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Met in person" in page and "Coffee at the expo." in page
    assert "Tue 05 Mar 2024, 09:30" in page


def test_a_blank_when_means_now(logged_in, person, db):
    response = logged_in.post(
        f"/people/{person.id}/touchpoints", data={"kind": "email", "happened_at": "", "note": ""}
    )
    assert response.status_code == 302
    touchpoint = db.session.scalars(select(Touchpoint)).one()
    assert abs(touchpoint.happened_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert touchpoint.note is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"happened_at": "2024-03-05T09:30"}, "kind", "Pick how you reached them."),
        ({"kind": "fax", "happened_at": "2024-03-05T09:30"}, "kind", "Choose one of"),
        ({"kind": "email", "happened_at": "2099-01-01T09:00"}, "happened_at", "in the future"),
        # Outside the date window every date field gives the same message (app/dates.py).
        ({"kind": "email", "happened_at": "2999-01-01T09:00"}, "happened_at", "between 1970"),
        ({"kind": "email", "happened_at": "0001-01-01T09:00"}, "happened_at", "between 1970"),
        ({"kind": "email", "happened_at": "last blue moon"}, "happened_at", "not a date we can"),
        (
            {"kind": "email", "happened_at": "2024-03-05T09:30", "note": "x" * 2001},
            "note",
            "2000 characters",
        ),
    ],
)
def test_an_invalid_touchpoint_is_refused_beside_its_field_and_keeps_the_input(
    logged_in, person, data, field, message
):
    data = {"note": "Sent the deck."} | data
    response = logged_in.post(f"/people/{person.id}/touchpoints", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(
        r'<div class="field[^"]*has-error[^"]*">.*?</div>|'
        r'<fieldset class="field has-error">.*?</fieldset>',
        page,
        re.S,
    ).group(0)
    assert message in error
    assert (f'name="{field}"' in error) or (field == "kind" and 'name="kind"' in error)
    assert data["note"] in page  # what was typed is still there
    if data.get("happened_at") and field != "happened_at":
        assert f'value="{data["happened_at"]}"' in page
    assert _count(Touchpoint) == 0


def test_all_the_forms_problems_are_shown_at_once(logged_in, person):
    response = logged_in.post(
        f"/people/{person.id}/touchpoints",
        data={"happened_at": "2999-01-01T09:00", "note": "x" * 2001},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Pick how you reached them." in page and "2000 characters" in page


def test_a_checked_kind_stays_checked_after_an_error(logged_in, person):
    page = logged_in.post(
        f"/people/{person.id}/touchpoints",
        data={"kind": "linkedin", "happened_at": "2999-01-01T09:00"},
    ).get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="linkedin"|value="linkedin"[^>]*checked', page)


def test_logging_for_an_unknown_person_is_404(logged_in):
    assert logged_in.post("/people/9999/touchpoints", data={"kind": "email"}).status_code == 404


def test_the_service_refuses_what_the_form_refuses(person, user):
    from app.errors import DomainError

    with pytest.raises(DomainError) as caught:
        log_touchpoint(person, user, None, datetime(2024, 1, 1), "x" * 2001)
    assert set(caught.value.fields) == {"kind", "happened_at", "note"}


@pytest.fixture
def csrf_client():
    """A signed-in client of an app with CSRF protection on, as in production."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
            "WTF_CSRF_ENABLED": True,
            "SECRET_KEY": "test",
            "DEFAULT_COUNTRY": "US",
        }
    )

    def forget(sender, **extra):
        g.pop("_login_user", None)

    with app.app_context():
        _db.drop_all()
        _db.create_all()
        request_started.connect(forget, app)
        factories.UserFactory(email="rita@example.com")
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post(
            "/login", data={"email": "rita@example.com", "password": PASSWORD, "csrf_token": token}
        )
        yield client
        request_started.disconnect(forget, app)
        _db.session.remove()
        _db.drop_all()
        for engine in _db.engines.values():
            engine.dispose()


def test_with_csrf_on_the_form_needs_its_token(csrf_client):
    person = factories.PersonFactory()
    data = {"kind": "email", "happened_at": "2024-03-05T09:30"}
    assert csrf_client.post(f"/people/{person.id}/touchpoints", data=data).status_code == 400
    assert _count(Touchpoint) == 0
    page = csrf_client.get(f"/people/{person.id}").get_data(as_text=True)
    form = page[page.index('id="log-touchpoint"') :]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    response = csrf_client.post(
        f"/people/{person.id}/touchpoints", data=data | {"csrf_token": token}
    )
    assert response.status_code == 302
    assert _count(Touchpoint) == 1


# --- the timeline ------------------------------------------------------------------------------


def test_the_timeline_merges_every_kind_of_call_and_touchpoint_newest_first(person, user):
    company = person.company
    other = factories.PersonFactory(company=company, full_name="Walter Skinner")
    hour = timedelta(hours=1)
    aimed = _call(user, person=person, outcome=Outcome.CONNECTED, at=T0)
    email = _touch(person, user, TouchpointKind.EMAIL, at=T0 + hour)
    answered = _call(user, person=other, answered_by=person, at=T0 + 2 * hour)
    named = _call(user, person=other, people=[person, other], at=T0 + 3 * hour)
    meeting = _touch(person, user, TouchpointKind.MEETING, at=T0 + 4 * hour)
    both = _call(user, person=person, people=[person], at=T0 + 5 * hour)  # listed once
    _call(user, person=other, at=T0 + 6 * hour)  # someone else's call
    _touch(other, user, at=T0 + 7 * hour)  # someone else's email

    timeline = person_timeline(person)
    got = [(i.call or i.touchpoint).id for i in timeline.items]
    kinds = ["call" if i.call else "touchpoint" for i in timeline.items]
    assert list(zip(kinds, got, strict=True)) == [
        ("call", both.id),
        ("touchpoint", meeting.id),
        ("call", named.id),
        ("call", answered.id),
        ("touchpoint", email.id),
        ("call", aimed.id),
    ]
    assert [i.role for i in timeline.items if i.call] == ["called", "named", "answered", "called"]
    assert not timeline.has_more and timeline.page == 1


def test_the_person_page_shows_the_timeline_with_who_when_and_what(logged_in, person, user):
    _call(user, person=person, outcome=Outcome.VOICEMAIL, at=T0)
    _touch(
        person,
        user,
        TouchpointKind.LINKEDIN,
        at=T0 + timedelta(days=1),
        note="InMail about the platform role. " * 10,
    )
    page = logged_in.get(f"/people/{person.id}").get_data(as_text=True)
    timeline = page[page.index('id="timeline"') :]
    assert timeline.index("LinkedIn / social message") < timeline.index("Voicemail")
    assert "Wed 06 Mar 2024, 09:30" in timeline and "Tue 05 Mar 2024, 09:30" in timeline
    assert timeline.count("Rita Recruiter") == 2
    assert "InMail about the platform role." in timeline and "..." in timeline  # an excerpt


def test_the_timeline_is_capped_at_100_with_a_link_to_older_entries(logged_in, person, user, db):
    company = person.company
    for i in range(60):
        db.session.add(
            Call(
                user=user,
                company=company,
                person=person,
                outcome=Outcome.BUSY,
                started_at=T0 - timedelta(hours=2 * i),
            )
        )
    for i in range(45):
        db.session.add(
            Touchpoint(
                person=person,
                user=user,
                kind=TouchpointKind.EMAIL,
                happened_at=T0 - timedelta(hours=2 * i + 1),
            )
        )
    db.session.commit()

    first = person_timeline(person)
    assert len(first.items) == 100 and first.has_more
    ats = [i.at for i in first.items]
    assert ats == sorted(ats, reverse=True) and ats[0] == T0
    second = person_timeline(person, page=2)
    assert len(second.items) == 5 and not second.has_more
    assert second.items[0].at < first.items[-1].at

    page = logged_in.get(f"/people/{person.id}").get_data(as_text=True)
    assert page.count('class="tl-') == 100
    assert f'href="/people/{person.id}?page=2#timeline"' in page
    older = logged_in.get(f"/people/{person.id}?page=2").get_data(as_text=True)
    assert older.count('class="tl-') == 5
    assert f'href="/people/{person.id}#timeline"' in older  # back to the newest
    assert logged_in.get(f"/people/{person.id}?page=99999999999").status_code == 200


def _queries_for(client, url: str) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_person_page_makes_as_many_queries_for_many_calls_as_for_few(logged_in, person, db):
    colleague = factories.PersonFactory(company=person.company)
    recruiters = [factories.UserFactory() for _ in range(3)]
    _call(recruiters[0], person=person)
    _touch(person, recruiters[0])
    _queries_for(logged_in, f"/people/{person.id}")  # the first view learns the email pattern
    db.session.expire_all()  # as the commit below does before `many` is counted
    few = _queries_for(logged_in, f"/people/{person.id}")
    for i in range(40):
        user = recruiters[i % 3]
        db.session.add(
            Call(
                user=user,
                company=person.company,
                outcome=Outcome.CONNECTED,
                started_at=T0 - timedelta(days=i),
                **(
                    {"person": person}
                    if i % 3
                    else {"answered_by": person, "person": colleague, "people": [person]}
                ),
            )
        )
        db.session.add(
            Touchpoint(
                person=person,
                user=user,
                kind=TouchpointKind.LINKEDIN,
                happened_at=T0 - timedelta(days=i, hours=1),
            )
        )
    db.session.commit()
    many = _queries_for(logged_in, f"/people/{person.id}")
    assert many == few
    assert few <= 20


# --- the ladder --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "step"),
    [
        ([], LadderStep.ONLINE),
        (["linkedin"], LadderStep.ONLINE),
        (["email"], LadderStep.EMAIL),
        (["linkedin", "email"], LadderStep.EMAIL),
        (["voicemail"], LadderStep.ONLINE),  # a call that did not connect is no step
        (["named_connected"], LadderStep.ONLINE),  # named on someone else's call
        (["email", "connected"], LadderStep.PHONE),
        (["gatekeeper"], LadderStep.ONLINE),  # only their gatekeeper was reached
        (["not_interested"], LadderStep.PHONE),  # a connect outcome on a call aimed at them
        (["referral"], LadderStep.PHONE),
        (["answered"], LadderStep.PHONE),  # they picked up someone's call
        (["meeting"], LadderStep.MET),
        (["email", "connected", "meeting", "linkedin"], LadderStep.MET),
    ],
)
def test_the_ladder_step_is_the_furthest_reached(person, user, history, step):
    other = factories.PersonFactory(company=person.company)
    for item in history:
        if item in {"linkedin", "email", "meeting"}:
            _touch(person, user, TouchpointKind(item))
        elif item == "answered":
            _call(user, person=other, answered_by=person, outcome=Outcome.REFERRAL)
        elif item == "named_connected":
            _call(user, person=other, people=[person], outcome=Outcome.CONNECTED)
        else:
            _call(user, person=person, outcome=Outcome(item))
    assert ladder_step(person) == step
    assert ladder_steps([person.id]) == {person.id: step}


def test_ladder_steps_for_many_people_at_once(user):
    company = factories.CompanyFactory()
    people = [factories.PersonFactory(company=company) for _ in range(5)]
    _touch(people[1], user, TouchpointKind.EMAIL)
    _call(user, person=people[2], outcome=Outcome.CONNECTED)
    _touch(people[3], user, TouchpointKind.MEETING)
    _touch(people[4], user, TouchpointKind.LINKEDIN)
    expected = {
        people[0].id: LadderStep.ONLINE,
        people[1].id: LadderStep.EMAIL,
        people[2].id: LadderStep.PHONE,
        people[3].id: LadderStep.MET,
        people[4].id: LadderStep.ONLINE,
    }
    assert ladder_steps(p.id for p in people) == expected
    at_company = select(Person.id).where(Person.company_id == company.id)
    assert ladder_steps(at_company) == expected
    assert ladder_counts(at_company) == {
        LadderStep.ONLINE: 2,
        LadderStep.EMAIL: 1,
        LadderStep.PHONE: 1,
        LadderStep.MET: 1,
    }
    assert ladder_steps([]) == {}


def test_the_person_page_shows_the_ladder(logged_in, person, user):
    _touch(person, user, TouchpointKind.EMAIL)
    page = logged_in.get(f"/people/{person.id}").get_data(as_text=True)
    ladder = re.search(r'<ol class="ladder".*?</ol>', page, re.S).group(0)
    assert re.findall(r"<li[^>]*>(\w+)</li>", ladder) == ["Online", "Email", "Phone", "Met"]
    assert re.search(r'aria-current="step">Email<', ladder)
    assert ladder.count('class="reached') == 2


# --- the API -----------------------------------------------------------------------------------


def test_api_creates_and_lists_touchpoints_newest_first(api, person, user):
    url = f"/api/v1/people/{person.id}/touchpoints"
    response = api.post(
        url,
        {
            "kind": "email",
            "happened_at": "2024-03-05T09:30:00-05:00",
            "note": "  Sent the job spec. ",
        },
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["happened_at"] == "2024-03-05T14:30:00+00:00"
    assert (created["kind"], created["note"]) == ("email", "Sent the job spec.")
    assert (created["person_id"], created["user_id"]) == (person.id, user.id)
    assert response.headers["Location"].endswith(url)

    later = api.post(url, {"kind": "meeting", "happened_at": "2024-04-01T12:00:00Z"}).get_json()
    now = api.post(url, {"kind": "linkedin"}).get_json()  # happened_at defaults to now
    listing = api.get(url).get_json()
    assert [t["id"] for t in listing["items"]] == [now["id"], later["id"], created["id"]]
    assert listing["total"] == 3
    assert api.get(url, per_page=1, page=3).get_json()["items"] == [created]


def test_api_sends_back_what_it_read(api, person):
    url = f"/api/v1/people/{person.id}/touchpoints"
    read = api.post(url, {"kind": "email", "happened_at": "2024-03-05T14:30:00Z"}).get_json()
    again = api.post(url, read)  # read-only fields are ignored
    assert again.status_code == 201 and again.get_json()["id"] != read["id"]


def _assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) >= {"error", "message", "fields"}
    if code:
        assert body["error"] == code
    return body


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"kind"}),
        ({"kind": "fax"}, {"kind"}),
        ({"kind": "email", "happened_at": "2024-03-05T09:30:00"}, {"happened_at"}),
        ({"kind": "email", "happened_at": "last Tuesday"}, {"happened_at"}),
        ({"kind": "email", "happened_at": "2999-01-01T00:00:00Z"}, {"happened_at"}),
        ({"kind": "email", "happened_at": "0001-01-01T00:00:00+09:00"}, {"happened_at"}),
        ({"kind": "email", "note": "x" * 2001}, {"note"}),
        ({"kind": "email", "note": 5}, {"note"}),
        ({"kind": "email", "channel": "fax"}, {"channel"}),
        ({"happened_at": 12, "note": "x" * 2001}, {"kind", "happened_at", "note"}),
    ],
)
def test_api_refuses_invalid_touchpoints(api, person, body, fields):
    response = api.post(f"/api/v1/people/{person.id}/touchpoints", body)
    assert set(_assert_error(response, 422, "validation_failed")["fields"]) == fields
    assert _count(Touchpoint) == 0


def test_api_touchpoint_errors(api, client, person):
    url = f"/api/v1/people/{person.id}/touchpoints"
    for method in (client.get, client.post):
        _assert_error(method(url, json={"kind": "email"}), 401, "unauthorized")
    for missing in ("/api/v1/people/9999/touchpoints", f"/api/v1/people/{2**31}/touchpoints"):
        _assert_error(api.get(missing), 404, "not_found")
        _assert_error(api.post(missing, {"kind": "email"}), 404, "not_found")
    _assert_error(api.client.post(url, data="kind=email", headers=api.headers), 415)
    _assert_error(
        api.client.post(url, data="{", headers=api.headers, content_type="application/json"),
        400,
        "invalid_json",
    )
    _assert_error(api.post(url, ["kind"]), 400, "invalid_body")
    _assert_error(api.get(url, page="0"), 422, "validation_failed")


def test_the_openapi_document_describes_touchpoints_as_served(client, person, user):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    example = touchpoint_json(log_touchpoint(person, user, "email", None, "Hi"))
    assert set(schemas["Touchpoint"]["properties"]) == set(example)
    assert set(schemas["Touchpoint"]["required"]) <= set(example)
    assert set(schemas["TouchpointCreate"]["properties"]) == shapes.TOUCHPOINT_WRITABLE
    assert schemas["Touchpoint"]["properties"]["kind"]["enum"] == [k.value for k in TouchpointKind]
    item = document["paths"]["/api/v1/people/{person_id}/touchpoints"]
    assert set(item) >= {"get", "post"}
    assert {"400", "401", "404", "415", "422"} <= set(item["post"]["responses"])
