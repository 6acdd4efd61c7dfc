"""The gatekeeper card: who answers a company's line, how calls through them ended, and when."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from app.auth.service import issue_token
from app.companies.gatekeepers import answers_when, gatekeepers_of
from app.extensions import db as _db
from app.models import Outcome, PersonRole
from tests import factories
from tests.test_api import Api

# New York in January is UTC-5: 13:00 UTC is 8:00 local.
JAN = datetime(2025, 1, 6, tzinfo=UTC)


def _at(day: int, utc_hour: int, minute: int = 0) -> datetime:
    return JAN + timedelta(days=day, hours=utc_hour, minutes=minute)


@pytest.fixture
def line(app, user):
    """Initech's main line: Melinda (7 calls, 3 put through), Tom (2, none), Sara (marked, 0)."""
    company = factories.CompanyFactory(name="Initech", timezone="America/New_York")
    melinda = factories.PersonFactory(company=company, full_name="Melinda Reception",
                                      title="Receptionist", role=PersonRole.GATEKEEPER)
    tom = factories.PersonFactory(company=company, full_name="Tom Smykowski", title="Liaison")
    sara = factories.PersonFactory(company=company, full_name="Sara Front",
                                   role=PersonRole.GATEKEEPER)
    factories.PersonFactory(company=company, full_name="Gone Gatekeeper",
                            role=PersonRole.GATEKEEPER, left_at=JAN)
    bill = factories.PersonFactory(company=company, full_name="Bill Lumbergh", title="VP")
    outcomes = [Outcome.CONNECTED, Outcome.GATEKEEPER, Outcome.REFERRAL, Outcome.GATEKEEPER,
                Outcome.VOICEMAIL, Outcome.CONNECTED, Outcome.GATEKEEPER]
    for day, outcome in enumerate(outcomes):  # 13:00-16:30 UTC: 8-11 in New York
        factories.CallFactory(company=company, user=user, person=bill, answered_by=melinda,
                              outcome=outcome, started_at=_at(day, 13 + day % 4, 30),
                              notes=f"call {day}")
    factories.CallFactory(company=company, user=user, person=bill, answered_by=melinda,
                          outcome=None, started_at=_at(8, 14), notes=None)  # live, not logged
    factories.CallFactory(company=company, user=user, answered_by=tom, outcome=Outcome.CALL_BACK,
                          started_at=_at(1, 19), notes="Tom: try after lunch")
    factories.CallFactory(company=company, user=user, answered_by=tom, outcome=Outcome.GATEKEEPER,
                          started_at=_at(2, 20), notes=None)
    # Bill picking up his own direct line is a connect, not a gatekeeper.
    factories.CallFactory(company=company, user=user, person=bill, answered_by=bill,
                          outcome=Outcome.CONNECTED, started_at=_at(9, 15))
    # Melinda once answered another company's line: not this one's record.
    factories.CallFactory(user=user, answered_by=melinda, outcome=Outcome.CONNECTED,
                          started_at=_at(10, 15))
    return company, melinda, tom, sara


def test_gatekeepers_are_ordered_by_calls_and_counted_per_outcome(line):
    company, melinda, tom, sara = line
    rows = gatekeepers_of(company)
    assert [r.person_id for r in rows] == [melinda.id, tom.id, sara.id]
    first = rows[0]
    assert (first.calls, first.put_through) == (8, 3)
    assert first.put_through_rate == 0.375
    assert first.outcomes == {"connected": 2, "gatekeeper": 3, "referral": 1, "voicemail": 1,
                              "not_logged": 1}
    assert first.outcome_labels[0] == ("Gatekeeper", 3)
    assert first.last_call_at == _at(8, 14)
    assert first.last_notes == "call 6"  # the latest call had no notes: the latest notes shown
    assert (first.full_name, first.title) == ("Melinda Reception", "Receptionist")


def test_a_gatekeeper_who_never_put_anyone_through_has_a_zero_rate(line):
    company, _, tom, sara = line
    rows = {r.person_id: r for r in gatekeepers_of(company)}
    assert (rows[tom.id].calls, rows[tom.id].put_through, rows[tom.id].put_through_rate) == (
        2, 0, 0.0)
    assert rows[tom.id].last_notes == "Tom: try after lunch"
    assert (rows[sara.id].calls, rows[sara.id].put_through_rate) == (0, 0.0)
    assert rows[sara.id].last_call_at is None and rows[sara.id].answers_when is None


def test_when_they_answer_is_told_in_the_companys_local_time(line):
    company, melinda, tom, _ = line
    rows = {r.person_id: r for r in gatekeepers_of(company)}
    assert rows[melinda.id].answers_when == "usually mornings (8–11)"
    assert rows[tom.id].answers_when == "so far afternoons (14–15)"


def test_without_a_time_zone_the_hours_say_utc(line):
    company, melinda, *_ = line
    company.timezone = None
    rows = {r.person_id: r for r in gatekeepers_of(company)}
    assert rows[melinda.id].answers_when == "usually afternoons (13–16) UTC"


@pytest.mark.parametrize(("hours", "phrase"), [
    ([], None),
    ([9], "so far mornings (around 9:00)"),
    ([9, 10, 11, 9], "usually mornings (9–11)"),
    ([13, 14, 16], "usually afternoons (13–16)"),
    ([19, 20, 18], "usually evenings (18–20)"),
    ([8, 9, 10, 11, 12, 13, 14, 15, 16, 17], "usually 9–16"),
    ([9, 9, 9, 9, 9, 9, 9, 9, 9, 22], "usually mornings (around 9:00)"),
])
def test_answers_when_reads_the_middle_of_their_hours(hours, phrase):
    assert answers_when(hours) == phrase


def test_long_notes_are_trimmed(app, user):
    company = factories.CompanyFactory()
    gk = factories.PersonFactory(company=company)
    factories.CallFactory(company=company, user=user, answered_by=gk, notes="word " * 400)
    notes = gatekeepers_of(company)[0].last_notes
    assert len(notes) <= 301 and notes.endswith("…")


def test_a_company_with_no_calls_and_no_gatekeepers_has_none(app):
    assert gatekeepers_of(factories.CompanyFactory()) == []


def test_the_card_takes_the_same_few_queries_for_many_calls(app, user):
    company = factories.CompanyFactory()
    people = [factories.PersonFactory(company=company) for _ in range(5)]
    for i in range(300):
        factories.CallFactory(company=company, user=user, answered_by=people[i % 5],
                              started_at=_at(i % 30, i % 24), notes=f"n{i}")
    assert company.timezone  # loaded, as the page has it before rendering the card
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        rows = gatekeepers_of(company)
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    assert sum(r.calls for r in rows) == 300
    # Counts, people, then each gatekeeper's latest calls: one more per gatekeeper (here 5),
    # none per call.
    assert len(statements) == 2 + 5, statements


def test_the_api_lists_gatekeepers_with_the_contract_fields(client, user, line):
    company, melinda, *_ = line
    response = Api(client, issue_token(user)).get(f"/api/v1/companies/{company.id}/gatekeepers")
    assert response.status_code == 200
    first = response.get_json()["gatekeepers"][0]
    assert first["person_id"] == melinda.id and first["full_name"] == "Melinda Reception"
    assert (first["calls"], first["put_through"], first["put_through_rate"]) == (8, 3, 0.375)
    assert first["last_call_at"] == "2025-01-14T14:00:00+00:00"
    assert first["last_notes"] == "call 6"
    assert first["answers_when"] == "usually mornings (8–11)"
    assert first["outcomes"]["gatekeeper"] == 3


def test_the_gatekeepers_api_needs_a_token_and_a_real_company(client, user, line):
    company, *_ = line
    assert client.get(f"/api/v1/companies/{company.id}/gatekeepers").status_code == 401
    api = Api(client, issue_token(user))
    assert api.get("/api/v1/companies/999/gatekeepers").status_code == 404


def test_the_company_page_shows_the_gatekeeper_card(logged_in, line):
    company, *_ = line
    page = logged_in.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Melinda Reception" in page and "3/8 put through" in page
    assert "answers usually mornings (8–11)" in page and "call 6" in page
    assert "Sara Front" in page and "No calls through them yet" in page
    assert "Gone Gatekeeper" not in page.split("Gatekeepers on this line")[1].split("</section>")[0]
