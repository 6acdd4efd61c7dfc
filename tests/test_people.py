"""Key players: added by hand, duplicates, the reports-to rules, and where a name came from."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.models import Person, PersonStatus
from tests import factories


def _form(**fields):
    data = {"full_name": "Jane Doe", "title": "", "department": "", "reports_to": "",
            "direct_phone": "", "extension": "", "mobile_phone": "", "email": "",
            "linkedin_url": "", "role": "other", "status": "uncovered", "notes": ""}
    return data | fields


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Person))


def _edit(client, person, **fields):
    data = _form(full_name=person.full_name, title=person.title or "",
                 reports_to=str(person.reports_to_id or "")) | fields
    return client.post(f"/people/{person.id}/edit", data=data)


def test_a_person_is_added_under_a_company(logged_in, user, db):
    company = factories.CompanyFactory(name="Initech", country="GB")
    boss = factories.PersonFactory(company=company, full_name="Bill Lumbergh")
    response = logged_in.post(f"/people/new?company_id={company.id}", data=_form(
        full_name="  Peter   Gibbons ", title="Engineer", reports_to=str(boss.id),
        direct_phone="020 7946 0018", extension="4471", email="peter@initech.example",
        role="candidate"))
    assert response.status_code == 302
    person = db.session.scalars(select(Person).where(Person.id != boss.id)).one()
    assert response.headers["Location"].endswith(f"/people/{person.id}")
    assert person.full_name == "Peter Gibbons" and person.company_id == company.id
    assert person.reports_to_id == boss.id
    assert person.direct_phone == "+442079460018" and person.extension == "4471"
    assert person.created_by_id == user.id and person.source_call_id is None
    page = logged_in.get(f"/people/{person.id}").get_data(as_text=True)
    assert f'href="/people/{boss.id}">Bill Lumbergh</a>' in page
    assert f'href="/companies/{company.id}">Initech</a>' in page


def test_the_new_person_form_offers_only_colleagues_as_managers(logged_in):
    company = factories.CompanyFactory()
    colleague = factories.PersonFactory(company=company, full_name="Colleague Here")
    stranger = factories.PersonFactory(full_name="Stranger Elsewhere")
    page = logged_in.get(f"/people/new?company_id={company.id}").get_data(as_text=True)
    assert f'value="{colleague.id}"' in page and "Colleague Here" in page
    assert "Stranger Elsewhere" not in page and f'value="{stranger.id}"' not in page


@pytest.mark.parametrize("query", ["", "?company_id=9999", "?company_id=abc"])
def test_adding_a_person_needs_a_real_company(logged_in, query):
    assert logged_in.get(f"/people/new{query}").status_code == 404


def test_an_invalid_direct_dial_is_refused_and_nothing_written(logged_in, db):
    company = factories.CompanyFactory()
    response = logged_in.post(f"/people/new?company_id={company.id}",
                              data=_form(direct_phone="555-01"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is not a valid number in US" in page and 'value="555-01"' in page
    assert _count(db) == 0


def test_a_same_name_offers_the_existing_person_and_writes_nothing(logged_in, db):
    existing = factories.PersonFactory(full_name="Jane Doe", title="VP Engineering")
    url = f"/people/new?company_id={existing.company_id}"
    response = logged_in.post(url, data=_form(full_name="  jane   DOE ", title="VP Eng"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is already on file at this company" in page
    assert f'href="/people/{existing.id}">Jane Doe, VP Engineering</a>' in page
    assert 'name="allow_duplicate"' in page
    assert _count(db) == 1


def test_ticking_different_person_adds_a_second_person_of_the_same_name(logged_in, db):
    existing = factories.PersonFactory(full_name="Jane Doe")
    url = f"/people/new?company_id={existing.company_id}"
    response = logged_in.post(url, data=_form(full_name="Jane Doe", title="Intern",
                                              allow_duplicate="y"))
    assert response.status_code == 302
    names = db.session.scalars(select(Person.full_name)).all()
    assert names == ["Jane Doe", "Jane Doe"]


def test_the_same_name_at_another_company_is_not_a_duplicate(logged_in, db):
    factories.PersonFactory(full_name="Jane Doe")
    company = factories.CompanyFactory()
    response = logged_in.post(f"/people/new?company_id={company.id}", data=_form())
    assert response.status_code == 302
    assert _count(db) == 2


def test_reporting_to_someone_at_another_company_is_refused(logged_in, db):
    company = factories.CompanyFactory()
    outsider = factories.PersonFactory(full_name="Outsider Person")
    response = logged_in.post(f"/people/new?company_id={company.id}",
                              data=_form(reports_to=str(outsider.id)))
    assert response.status_code == 422
    assert "Outsider Person works at another company" in response.get_data(as_text=True)
    assert _count(db) == 1


def test_editing_a_manager_to_someone_at_another_company_is_refused(logged_in, db):
    person = factories.PersonFactory()
    outsider = factories.PersonFactory(full_name="Outsider Person")
    response = _edit(logged_in, person, reports_to=str(outsider.id))
    assert response.status_code == 422
    assert "works at another company" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.reports_to_id is None


def test_an_edit_that_would_make_a_reporting_cycle_is_refused(logged_in, db):
    company = factories.CompanyFactory()
    a = factories.PersonFactory(company=company, full_name="Alice A")
    b = factories.PersonFactory(company=company, full_name="Bob B")
    assert _edit(logged_in, a, reports_to=str(b.id)).status_code == 302
    db.session.refresh(a)
    assert a.reports_to_id == b.id
    response = _edit(logged_in, b, reports_to=str(a.id))
    assert response.status_code == 422
    assert "That would make a reporting cycle" in response.get_data(as_text=True)
    db.session.refresh(b)
    assert b.reports_to_id is None


def test_a_cycle_through_several_people_is_refused(logged_in, db):
    company = factories.CompanyFactory()
    top = factories.PersonFactory(company=company, full_name="Top")
    middle = factories.PersonFactory(company=company, full_name="Middle", reports_to=top)
    bottom = factories.PersonFactory(company=company, full_name="Bottom", reports_to=middle)
    response = _edit(logged_in, top, reports_to=str(bottom.id))
    assert response.status_code == 422
    assert "reporting cycle" in response.get_data(as_text=True)
    db.session.refresh(top)
    assert top.reports_to_id is None


def test_a_person_cannot_report_to_themselves(logged_in, db):
    person = factories.PersonFactory()
    response = _edit(logged_in, person, reports_to=str(person.id))
    assert response.status_code == 422
    db.session.refresh(person)
    assert person.reports_to_id is None


def test_editing_a_person_saves_the_changes(logged_in, db):
    person = factories.PersonFactory(full_name="Jane Doe", status=PersonStatus.UNCOVERED)
    response = _edit(logged_in, person, title="CTO", status="verified", mobile_phone="415 555 2671")
    assert response.status_code == 302
    db.session.refresh(person)
    assert (person.title, person.status, person.mobile_phone) == (
        "CTO", PersonStatus.VERIFIED, "+14155552671")


def test_renaming_a_person_onto_a_colleagues_name_is_refused_unless_ticked(logged_in, db):
    company = factories.CompanyFactory()
    factories.PersonFactory(company=company, full_name="Jane Doe")
    person = factories.PersonFactory(company=company, full_name="Jane Smith")
    response = _edit(logged_in, person, full_name="jane doe")
    assert response.status_code == 422
    assert "already on file" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.full_name == "Jane Smith"
    assert _edit(logged_in, person, full_name="Jane Doe", allow_duplicate="y").status_code == 302


def test_the_person_page_shows_the_call_that_uncovered_them_and_who_logged_it(logged_in, user,
                                                                             db):
    company = factories.CompanyFactory()
    call = factories.CallFactory(user=user, company=company,
                                 started_at=datetime(2024, 1, 15, 15, 0, tzinfo=UTC))
    person = factories.PersonFactory(company=company, source_call=call, created_by=user)
    call.people = [person]
    db.session.commit()
    page = logged_in.get(f"/people/{person.id}").get_data(as_text=True)
    source = re.search(r"<dt>Source</dt><dd>(.*?)</dd>", page).group(1)
    assert f'href="/calls/{call.id}">call of Mon 15 Jan 2024, 10:00</a>' in source
    assert "logged by Rita Recruiter" in source
    assert f'href="/calls/{call.id}"' in page.split("<h2>Calls")[1]


def test_a_person_added_by_hand_says_so(logged_in, db):
    company = factories.CompanyFactory()
    logged_in.post(f"/people/new?company_id={company.id}", data=_form())
    person = db.session.scalars(select(Person)).one()
    page = logged_in.get(f"/people/{person.id}").get_data(as_text=True)
    source = re.search(r"<dt>Source</dt><dd>(.*?)</dd>", page).group(1)
    assert "added by hand, logged by Rita Recruiter" in source


def test_the_person_page_lists_calls_aimed_at_or_answered_by_them(logged_in, user):
    person = factories.PersonFactory()
    aimed = factories.CallFactory(company=person.company, person=person)
    answered = factories.CallFactory(company=person.company, answered_by=person)
    unrelated = factories.CallFactory(company=person.company)
    page = logged_in.get(f"/people/{person.id}").get_data(as_text=True)
    assert f'href="/calls/{aimed.id}"' in page and f'href="/calls/{answered.id}"' in page
    assert f'href="/calls/{unrelated.id}"' not in page


def test_html_in_a_persons_notes_is_escaped(logged_in):
    person = factories.PersonFactory(notes="<script>alert(1)</script>")
    page = logged_in.get(f"/people/{person.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_people_list_searches_and_filters_by_status(logged_in):
    initech = factories.CompanyFactory(name="Initech")
    factories.PersonFactory(company=initech, full_name="Peter Gibbons", title="Engineer",
                            status=PersonStatus.CANDIDATE)
    factories.PersonFactory(company=initech, full_name="Bill Lumbergh", title="VP",
                            status=PersonStatus.VERIFIED)
    factories.PersonFactory(full_name="Hank Scorpio", title="CEO")

    def names(**args):
        page = logged_in.get("/people/", query_string=args).get_data(as_text=True)
        return re.findall(r'<a href="/people/\d+">([^<]+)</a>', page)

    assert names(q="initech") == ["Bill Lumbergh", "Peter Gibbons"]
    assert names(q="ceo") == ["Hank Scorpio"]
    assert names(status="candidate") == ["Peter Gibbons"]
    assert names(q="initech", status="verified") == ["Bill Lumbergh"]
    assert len(names()) == 3


@pytest.mark.parametrize("path", ["/people/9999", "/people/9999/edit"])
def test_an_unknown_person_is_404(logged_in, path):
    assert logged_in.get(path).status_code == 404


@pytest.mark.parametrize("email", ["a<b@c.de", "a..b@c.de", "a@-b.com", "a@b.c\u200b"])
def test_an_email_no_mail_system_accepts_is_refused_on_the_form_and_the_api(
    logged_in, client, user, db, email
):
    from app.auth.service import issue_token

    company = factories.CompanyFactory(name="Acme")
    page = logged_in.post(f"/people/new?company_id={company.id}",
                          data=_form(full_name="Ann Mail", email=email))
    assert page.status_code == 422
    headers = {"Authorization": f"Bearer {issue_token(user)}"}
    api = client.post("/api/v1/people", headers=headers,
                      json={"company_id": company.id, "full_name": "Bo Mail", "email": email})
    assert api.status_code == 422 and "email" in api.get_json()["fields"]
    assert _count(db) == 0


def test_an_email_at_an_accented_domain_is_kept_and_documented_as_such(api_client_token, db):
    client, headers = api_client_token
    company = factories.CompanyFactory(name="Acme")
    response = client.post("/api/v1/people", headers=headers,
                           json={"company_id": company.id, "full_name": "Al Idn",
                                 "email": "al@Émile.fr"})
    assert response.status_code == 201 and response.get_json()["email"] == "al@émile.fr"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["schemas"]["Person"]["properties"]["email"]["format"] == "idn-email"


@pytest.fixture
def api_client_token(client, user):
    from app.auth.service import issue_token

    return client, {"Authorization": f"Bearer {issue_token(user)}"}
