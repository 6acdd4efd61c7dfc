"""Every problem of a submission in one response, each tied to its field and linked from the top.

The form's own checks (a date or duration it cannot read, a field too long) and the service's
(phone numbers, names on file, reporting cycles) used to run one after the other, so a form with
several problems took several saves to show them all.
"""

import re

from sqlalchemy import func, select

from app.models import Call, Company, Person
from tests import factories


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _summary_links(page: str) -> list[str]:
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary, "no error summary at the top of the form"
    return re.findall(r'<a href="#([^"]+)">', summary.group(0))


def _heading(page: str) -> str:
    return re.search(r'<h2 id="error-summary-title">([^<]*)</h2>', page).group(1)


def _tied(page: str, field_id: str) -> str:
    """The field's error message, after checking the field names it and says it is invalid."""
    tag = re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    assert tag, f"no input #{field_id}"
    assert 'aria-invalid="true"' in tag.group(0), tag.group(0)
    described = re.search(r'aria-describedby="([^"]+)"', tag.group(0)).group(1).split()
    assert f"{field_id}-error" in described
    error = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">([^<]*)</p>', page)
    assert error, f"no error element for #{field_id}"
    return error.group(1)


def test_a_call_with_six_problems_shows_all_six_after_one_save(logged_in, db):
    pat = factories.PersonFactory(full_name="Pat Existing")
    data = {
        "company_id": str(pat.company_id),
        # no outcome: the form's check
        "to_number": "555-01",  # the service's phone check
        "duration": "four minutes",  # the form's parse
        "follow_up_at": "3 Dex 14:30",  # the form's date parse, echoed
        "people-0-full_name": "Pat Existing",  # the service: already on file
        "people-1-full_name": "Bo New",
        "people-1-direct_phone": "12",  # the service: not a number
    }
    response = logged_in.post("/calls/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    expected = ["to_number", "outcome-0", "duration", "follow_up_at", "people-0-full_name",
                "people-1-direct_phone"]
    assert sorted(_summary_links(page)) == sorted(expected)
    assert _heading(page) == "There are 6 problems with this call"
    assert "“3 Dex 14:30” is not a date we can read" in _tied(page, "follow_up_at")
    assert "already on file" in _tied(page, "people-0-full_name")
    assert _tied(page, "people-1-direct_phone")
    assert _tied(page, "to_number") and _tied(page, "duration")
    # The radio group: each choice names the group's one error.
    assert page.count('aria-describedby="outcome-error"') == len(re.findall(
        r'name="outcome"', page))
    assert 'id="outcome-error"' in page
    # Labels in the summary say which row: "Name 2 · Direct dial".
    assert ">Name 2 · Direct dial: " in page
    assert 'value="3 Dex 14:30"' in page  # what was typed stays in the field
    assert _count(db, Call) == 0 and _count(db, Person) == 1


def test_row_errors_land_on_the_right_rows_when_rows_were_removed_in_between(logged_in, db):
    company = factories.CompanyFactory()
    # Rows 0, 1 and 3 were removed in the browser: rows 2 and 4 come, renumbered 0 and 1.
    data = {"company_id": str(company.id), "outcome": "gatekeeper",
            "people-2-full_name": "Cy Third", "people-2-direct_phone": "12",
            "people-4-full_name": "x" * 201}  # the form's length check, two rows later
    page = logged_in.post("/calls/new", data=data).get_data(as_text=True)
    assert sorted(_summary_links(page)) == ["people-0-direct_phone", "people-1-full_name"]
    assert "not a valid" in _tied(page, "people-0-direct_phone")
    assert "200 characters" in _tied(page, "people-1-full_name")
    assert re.search(r'id="people-0-full_name"[^>]*value="Cy Third"', page)
    # The blank row padded after them does not read row 2's name again ("already in row 1").
    assert page.count('value="Cy Third"') == 1 and "already in row" not in page


def test_a_person_with_a_name_on_file_and_other_problems_hears_about_all_at_once(
    logged_in, db
):
    existing = factories.PersonFactory(full_name="Jane Doe")
    response = logged_in.post(f"/people/new?company_id={existing.company_id}", data={
        "full_name": "jane doe", "direct_phone": "12", "email": "not-an-email",
        "linkedin_url": "x" * 301, "role": "other", "status": "uncovered"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert sorted(_summary_links(page)) == ["direct_phone", "email", "full_name", "linkedin_url"]
    assert "already on file" in _tied(page, "full_name").lower() or "Jane Doe" in _tied(
        page, "full_name")
    assert "Open that record" in page  # the record on file is still offered
    assert _count(db, Person) == 1


def test_editing_a_person_shows_a_cycle_and_a_bad_number_together(logged_in, db):
    boss = factories.PersonFactory(full_name="Ann Boss")
    report = factories.PersonFactory(full_name="Bob Report", company=boss.company,
                                     reports_to=boss)
    response = logged_in.post(f"/people/{boss.id}/edit", data={
        "full_name": "Ann Boss", "reports_to": str(report.id), "direct_phone": "12",
        "role": "other", "status": "uncovered"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert sorted(_summary_links(page)) == ["direct_phone", "reports_to"]
    assert _heading(page) == "There are 2 problems"


def test_a_company_with_a_name_on_file_a_bad_number_and_country_shows_all_three(logged_in, db):
    factories.CompanyFactory(name="Acme")
    response = logged_in.post("/companies/new", data={
        "name": "acme", "main_phone": "12", "country": "XX", "timezone": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert sorted(_summary_links(page)) == ["country", "main_phone", "name"]
    assert "already on file" in _tied(page, "name")
    assert _count(db, Company) == 1


def test_a_good_form_has_no_summary_and_its_first_field_keeps_autofocus(logged_in, db):
    company = factories.CompanyFactory()
    page = logged_in.get(f"/people/new?company_id={company.id}").get_data(as_text=True)
    assert "error-summary" not in page
    assert re.search(r'<input[^>]*autofocus[^>]*id="full_name"|<input[^>]*id="full_name"'
                     r'[^>]*autofocus', page)


def test_the_summary_is_focused_on_arrival_and_comes_before_every_field(logged_in, db):
    company = factories.CompanyFactory()
    page = logged_in.post("/companies/new", data={"name": "", "main_phone": "12"}).get_data(
        as_text=True)
    summary = re.search(r'<div class="error-summary"[^>]*>', page).group(0)
    assert "autofocus" in summary and 'tabindex="-1"' in summary and 'role="alert"' in summary
    # The first autofocus in the page wins: the summary's comes before the name field's.
    assert page.index("autofocus") == page.index(summary) + summary.index("autofocus")
    assert company.id


def test_the_api_reports_a_duplicate_with_the_other_problems_in_its_documented_shape(
    client, user, db
):
    from app.auth.service import issue_token

    existing = factories.PersonFactory(full_name="Jane Doe")
    token = issue_token(user, "test")
    response = client.post("/api/v1/people", headers={"Authorization": f"Bearer {token}"},
                           json={"company_id": existing.company_id, "full_name": "Jane Doe",
                                 "direct_phone": "12"})
    assert response.status_code == 422
    body = response.get_json()
    assert set(body["fields"]) == {"full_name", "direct_phone"}
    assert body["matches"] == {"full_name": [existing.id]}
    alone = client.post("/api/v1/people", headers={"Authorization": f"Bearer {token}"},
                        json={"company_id": existing.company_id, "full_name": "Jane Doe"})
    assert alone.status_code == 409  # a duplicate alone is still the documented conflict


def test_a_touchpoint_with_a_bad_kind_date_and_note_hears_about_all_three(logged_in, db):
    person = factories.PersonFactory()
    response = logged_in.post(f"/people/{person.id}/touchpoints", data={
        "kind": "fax",  # the service's check
        "happened_at": "last blue moon",  # the form's date parse
        "note": "x" * 2001})  # the form's length check
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in ("Choose one of", "“last blue moon” is not a date", "2000 characters"):
        assert message in page
