"""The call log: the filtered list, who may edit a call, and where the call form starts from."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.models import Call, Outcome, Person
from tests import factories
from tests.conftest import AuthActions


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _listed(client, **args) -> list[int]:
    """Ids of the calls the list shows, in order."""
    response = client.get("/calls/", query_string=args)
    assert response.status_code == 200
    return [int(i) for i in re.findall(r'<a href="/calls/(\d+)">', response.get_data(as_text=True))]


def _edit_form(call: Call, **extra) -> dict:
    data = {"company_id": str(call.company_id), "outcome": call.outcome.value, "to_number": "",
            "notes": call.notes or "", "duration": ""}
    return data | extra


def _selected(page: str, name: str) -> str | None:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    match = re.search(r'<option selected value="([^"]*)"', select_html)
    return match.group(1) if match else None


def _value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', match.group(0)) if match else None
    return value.group(1) if value else None


# --- the list ------------------------------------------------------------------------------


def test_the_call_list_shows_newest_first(logged_in, user):
    old = factories.CallFactory(user=user, started_at=_at(2024, 1, 1, 12))
    new = factories.CallFactory(user=user, started_at=_at(2024, 2, 1, 12))
    middle = factories.CallFactory(started_at=_at(2024, 1, 15, 12))
    assert _listed(logged_in) == [new.id, middle.id, old.id]


def test_the_call_list_filters_by_recruiter(logged_in, user):
    mine = factories.CallFactory(user=user)
    theirs = factories.CallFactory()
    assert _listed(logged_in, user=user.id) == [mine.id]
    assert _listed(logged_in, user=theirs.user_id) == [theirs.id]


def test_the_call_list_filters_by_company(logged_in):
    initech = factories.CompanyFactory(name="Initech")
    here = factories.CallFactory(company=initech)
    factories.CallFactory()
    assert _listed(logged_in, company=initech.id) == [here.id]


def test_the_call_list_filters_by_outcome(logged_in):
    voicemail = factories.CallFactory(outcome=Outcome.VOICEMAIL)
    factories.CallFactory(outcome=Outcome.GATEKEEPER)
    assert _listed(logged_in, outcome="voicemail") == [voicemail.id]


def test_filters_combine(logged_in, user):
    initech = factories.CompanyFactory(name="Initech")
    hit = factories.CallFactory(user=user, company=initech, outcome=Outcome.CONNECTED)
    factories.CallFactory(user=user, company=initech, outcome=Outcome.BUSY)
    factories.CallFactory(company=initech, outcome=Outcome.CONNECTED)
    factories.CallFactory(user=user, outcome=Outcome.CONNECTED)
    assert _listed(logged_in, user=user.id, company=initech.id, outcome="connected") == [hit.id]


def test_date_filters_are_days_in_the_viewers_time_zone(logged_in, user):
    assert user.timezone == "America/New_York"  # UTC-5 in January
    late_on_the_15th = factories.CallFactory(started_at=_at(2024, 1, 16, 3))  # 22:00 on the 15th
    early_on_the_15th = factories.CallFactory(started_at=_at(2024, 1, 15, 5, 30))  # 00:30
    late_on_the_14th = factories.CallFactory(started_at=_at(2024, 1, 15, 4))  # 23:00 on the 14th
    early_on_the_16th = factories.CallFactory(started_at=_at(2024, 1, 16, 5, 30))  # 00:30
    assert _listed(logged_in, date_from="2024-01-15", date_to="2024-01-15") == [
        late_on_the_15th.id, early_on_the_15th.id]
    assert _listed(logged_in, date_from="2024-01-16") == [early_on_the_16th.id]
    assert _listed(logged_in, date_to="2024-01-14") == [late_on_the_14th.id]


@pytest.mark.parametrize(("bad", "message"), [
    ("not-a-date", "is not a date"), ("2024-02-30", "is not a date"),
    ("0001-01-01", "between 1970-01-01 and 2100-12-31"),
    ("9999-12-31", "between 1970-01-01 and 2100-12-31"),
])
def test_a_date_filter_it_cannot_use_is_named_and_left_out(logged_in, bad, message):
    call = factories.CallFactory()
    response = logged_in.get("/calls/", query_string={"date_from": bad})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'<a href="/calls/{call.id}">' in page  # the list still shows, unfiltered by it
    assert re.search(r'id="date_from-error">[^<]*' + message, page)


def test_the_call_list_is_paginated_and_pages_keep_the_filters(logged_in, app, user):
    app.config["PAGE_SIZE"] = 2
    calls = [factories.CallFactory(user=user, outcome=Outcome.VOICEMAIL,
                                   started_at=_at(2024, 1, 1) + timedelta(hours=i))
             for i in range(5)]
    factories.CallFactory(outcome=Outcome.BUSY)
    newest_first = [c.id for c in reversed(calls)]
    assert _listed(logged_in, outcome="voicemail") == newest_first[:2]
    assert _listed(logged_in, outcome="voicemail", page=2) == newest_first[2:4]
    assert _listed(logged_in, outcome="voicemail", page=3) == newest_first[4:]
    page = logged_in.get("/calls/?outcome=voicemail").get_data(as_text=True)
    assert "Page 1 of 3 · 5 in all" in page
    link = re.search(r'href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    assert "outcome=voicemail" in link and "page=2" in link


def test_the_call_list_shows_the_number_national_and_the_recruiter(logged_in, user):
    factories.CallFactory(user=user, to_number="+14155552671")
    page = logged_in.get("/calls/").get_data(as_text=True)
    assert "(415) 555-2671" in page and "Rita Recruiter" in page


# --- who may edit --------------------------------------------------------------------------


def test_a_recruiter_cannot_edit_another_recruiters_call(logged_in, db):
    call = factories.CallFactory(notes="Original notes")
    assert logged_in.get(f"/calls/{call.id}/edit").status_code == 403
    response = logged_in.post(f"/calls/{call.id}/edit", data=_edit_form(call, notes="Hijacked"))
    assert response.status_code == 403
    db.session.refresh(call)
    assert call.notes == "Original notes"
    page = logged_in.get(f"/calls/{call.id}").get_data(as_text=True)
    assert f'href="/calls/{call.id}/edit"' not in page


def test_an_admin_can_edit_anyones_call(client, admin, db):
    call = factories.CallFactory(notes="Original notes")
    AuthActions(client).login(email="ada@example.com")
    assert client.get(f"/calls/{call.id}/edit").status_code == 200
    response = client.post(f"/calls/{call.id}/edit", data=_edit_form(call, notes="Fixed typo"))
    assert response.status_code == 302
    db.session.refresh(call)
    assert call.notes == "Fixed typo" and call.user_id != admin.id


def test_the_author_edits_a_call_and_adds_names_to_it(logged_in, user, db):
    company = factories.CompanyFactory(name="Initech")
    first = factories.PersonFactory(company=company, full_name="Already There")
    call = factories.CallFactory(user=user, company=company, notes="First pass", people=[first])
    page = logged_in.get(f"/calls/{call.id}/edit").get_data(as_text=True)
    assert "First pass" in page and "Already There" in page
    data = _edit_form(call, notes="Second pass", outcome="referral", duration="2:05")
    data |= {"people-0-full_name": "New Name", "people-0-title": "Director",
             "people-0-reports_to": str(first.id)}
    response = logged_in.post(f"/calls/{call.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(call)
    assert call.notes == "Second pass" and call.outcome == Outcome.REFERRAL
    assert call.duration_seconds == 125
    assert [p.full_name for p in call.people] == ["Already There", "New Name"]
    new = db.session.scalars(select(Person).where(Person.full_name == "New Name")).one()
    assert new.source_call_id == call.id and new.reports_to_id == first.id
    assert new.created_by_id == user.id
    assert db.session.scalar(select(Call.id).where(Call.id != call.id)) is None


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/calls/9999"),
    ("get", "/calls/9999/edit"),
    ("post", "/calls/9999/edit"),
    ("post", "/calls/9999/follow-up/done"),
    ("get", "/calls/company-people/9999"),
])
def test_unknown_call_ids_are_404(logged_in, method, path):
    assert getattr(logged_in, method)(path).status_code == 404


@pytest.mark.parametrize("number", [2**31, 2**63])
@pytest.mark.parametrize("path", ["/calls/{}", "/calls/{}/edit", "/companies/{}", "/people/{}"])
def test_an_id_too_large_for_the_database_is_404_not_a_server_error(logged_in, path, number):
    assert logged_in.get(path.format(number)).status_code == 404


@pytest.mark.parametrize("number", [2**31, 2**63])
@pytest.mark.parametrize("path", ["/calls/new?company_id={}", "/calls/new?person_id={}",
                                  "/calls/new?follow_up={}", "/calls/?user={}",
                                  "/calls/?company={}"])
def test_an_id_too_large_in_the_query_string_is_ignored_not_a_server_error(logged_in, path,
                                                                           number):
    assert logged_in.get(path.format(number)).status_code == 200


# --- where the form starts from ------------------------------------------------------------


def test_the_form_started_from_a_company_picks_it_and_its_main_line(logged_in):
    company = factories.CompanyFactory(name="Initech", main_phone="+12125550100")
    page = logged_in.get(f"/calls/new?company_id={company.id}").get_data(as_text=True)
    assert _selected(page, "company_id") == str(company.id)
    assert _value(page, "to_number") == "(212) 555-0100"
    assert "to Initech" in page


def test_the_form_started_from_a_person_dials_their_direct_line(logged_in):
    company = factories.CompanyFactory(main_phone="+12125550100")
    person = factories.PersonFactory(company=company, direct_phone="+14155552671")
    page = logged_in.get(f"/calls/new?person_id={person.id}").get_data(as_text=True)
    assert _selected(page, "company_id") == str(company.id)
    assert _selected(page, "person_id") == str(person.id)
    assert _value(page, "to_number") == "(415) 555-2671"


def test_the_form_started_from_a_person_without_a_direct_line_dials_the_main_line(logged_in):
    company = factories.CompanyFactory(main_phone="+12125550100")
    person = factories.PersonFactory(company=company)
    page = logged_in.get(f"/calls/new?person_id={person.id}").get_data(as_text=True)
    assert _value(page, "to_number") == "(212) 555-0100"


def test_a_foreign_company_number_is_prefilled_as_dialled_there(logged_in):
    company = factories.CompanyFactory(country="GB", main_phone="+442079460018")
    page = logged_in.get(f"/calls/new?company_id={company.id}").get_data(as_text=True)
    assert _value(page, "to_number") == "020 7946 0018"


def test_a_follow_up_call_is_prefilled_and_saving_it_closes_the_previous_follow_up(
    logged_in, user, db
):
    person = factories.PersonFactory(direct_phone="+14155552671")
    previous = factories.CallFactory(user=user, company=person.company, person=person,
                                     to_number="+14155552671",
                                     follow_up_at=datetime.now(UTC) - timedelta(hours=1),
                                     follow_up_note="Try again after lunch")
    page = logged_in.get(f"/calls/new?follow_up={previous.id}").get_data(as_text=True)
    assert _value(page, "previous_call_id") == str(previous.id)
    assert _selected(page, "company_id") == str(person.company_id)
    assert _selected(page, "person_id") == str(person.id)
    assert _value(page, "to_number") == "(415) 555-2671"

    response = logged_in.post("/calls/new", data={
        "company_id": str(person.company_id), "person_id": str(person.id),
        "previous_call_id": str(previous.id), "to_number": "(415) 555-2671",
        "outcome": "connected", "notes": "Got through"})
    assert response.status_code == 302, response.get_data(as_text=True)
    new = db.session.scalars(select(Call).where(Call.id != previous.id)).one()
    db.session.refresh(previous)
    assert new.previous_call_id == previous.id
    assert previous.follow_up_done_at is not None and not previous.follow_up_open
    page = logged_in.get(f"/calls/{new.id}").get_data(as_text=True)
    assert f'href="/calls/{previous.id}">call of' in page


@pytest.mark.parametrize("query", ["?company_id=9999", "?person_id=abc", "?follow_up=-1"])
def test_prefill_with_unknown_ids_shows_a_blank_form(logged_in, query):
    response = logged_in.get(f"/calls/new{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _selected(page, "company_id") in (None, "")
    assert _value(page, "to_number") in (None, "")
