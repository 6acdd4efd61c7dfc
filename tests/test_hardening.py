"""Bad input is answered, never a 500, and updates never lose what they did not mention."""

import pytest
from sqlalchemy import func, select

from app.auth.service import issue_token
from app.models import Call, Person
from tests import factories
from tests.test_api import Api


@pytest.fixture
def api(client, user):
    return Api(client, issue_token(user))


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_patching_a_calls_notes_keeps_who_it_was_for_and_who_answered(api, db):
    target = factories.PersonFactory(full_name="Tina Target")
    gatekeeper = factories.PersonFactory(company=target.company, full_name="Gus Gate")
    created = api.post("/api/v1/calls", {"company_id": target.company_id, "outcome": "gatekeeper",
                                         "person_id": target.id, "answered_by_id": gatekeeper.id})
    call_id = created.get_json()["id"]
    patched = api.patch(f"/api/v1/calls/{call_id}", {"notes": "just notes"}).get_json()
    assert (patched["person_id"], patched["answered_by_id"]) == (target.id, gatekeeper.id)


def test_a_call_with_people_cannot_move_to_another_company(api, db):
    person = factories.PersonFactory(full_name="Paula Person")
    other = factories.CompanyFactory(name="Elsewhere")
    created = api.post("/api/v1/calls", {"company_id": person.company_id, "outcome": "connected",
                                         "person_id": person.id}).get_json()
    response = api.patch(f"/api/v1/calls/{created['id']}", {"company_id": other.id})
    assert response.status_code == 422 and "company_id" in response.get_json()["fields"]
    assert db.session.get(Call, created["id"]).company_id == person.company_id


def test_an_accented_name_already_on_file_is_caught(api, db):
    company = factories.CompanyFactory(name="Accents")
    first = api.post("/api/v1/people", {"company_id": company.id, "full_name": "Émile Ångström"})
    second = api.post("/api/v1/people", {"company_id": company.id, "full_name": "émile ångström"})
    assert first.status_code == 201 and second.status_code == 409
    assert _count(db, Person) == 1


@pytest.mark.parametrize("url", ["/companies/?q=%00", "/people/?q=%00", "/calls/?company=%00"])
def test_a_nul_character_in_a_query_string_is_a_400(logged_in, url):
    assert logged_in.get(url).status_code == 400


@pytest.mark.parametrize("url", ["/calls/live/a%00b", "/calls/live/%00"])
def test_a_nul_character_in_a_url_path_is_a_400(logged_in, url):
    # PostgreSQL cannot even compare text holding NUL: a path segment used in a query was a 500.
    assert logged_in.get(url).status_code == 400


def test_a_nul_character_in_a_form_or_json_writes_nothing(logged_in, api, db):
    assert logged_in.post("/companies/new", data={"name": "N\x00UL"}).status_code == 400
    response = api.post("/api/v1/companies", {"name": "N\x00UL"})
    assert response.status_code == 400 and "NUL" in response.get_json()["message"]
    assert api.get("/api/v1/companies", q="\x00").status_code == 400
    assert _count(db, factories.Company) == 0


@pytest.mark.parametrize("path", ["/companies/", "/people/", "/calls/"])
def test_an_absurd_page_number_is_an_empty_page_not_an_error(logged_in, path):
    assert logged_in.get(f"{path}?page=999999999999999999").status_code == 200
    assert logged_in.get(f"{path}?page=-3").status_code == 200


def test_a_call_row_cannot_rename_someone_on_file_but_can_name_an_empty_box(api, db):
    person = factories.PersonFactory(full_name="Rita Real")
    box = factories.PersonFactory(company=person.company, full_name=None, placeholder=True,
                                  title="VP Sales")
    refused = api.post("/api/v1/calls", {"company_id": person.company_id, "outcome": "connected",
                                         "people": [{"id": person.id, "full_name": "Other Name"}]})
    assert refused.status_code == 422 and "people.0.full_name" in refused.get_json()["fields"]
    named = api.post("/api/v1/calls", {"company_id": person.company_id, "outcome": "referral",
                                       "people": [{"id": box.id, "full_name": "Sam Sales"}]})
    assert named.status_code == 201
    db.session.refresh(box)
    assert (box.full_name, box.placeholder, box.title) == ("Sam Sales", False, "VP Sales")
    db.session.refresh(person)
    assert person.full_name == "Rita Real"


def test_with_thousands_of_targets_the_calls_list_filters_by_company_name(logged_in, db, user):
    from sqlalchemy import insert

    from app.calls.prefill import SERVER_COMPANIES
    from app.models import Company

    db.session.execute(insert(Company), [{"name": f"Target {i:04d}", "country": "US"}
                                         for i in range(SERVER_COMPANIES + 1)])
    wanted = factories.CompanyFactory(name="Zebra Holdings")
    factories.CallFactory(user=user, company=wanted)
    factories.CallFactory(user=user, company=factories.CompanyFactory(name="Other Co"))
    page = logged_in.get("/calls/").get_data(as_text=True)
    assert page.count("<option") < 50 and 'name="company_name"' in page
    filtered = logged_in.get("/calls/?company_name=zebra").get_data(as_text=True)
    assert "Zebra Holdings" in filtered and "Other Co</a>" not in filtered


def test_the_today_page_shows_the_oldest_fifty_follow_ups_and_the_count(logged_in, db, user):
    from datetime import timedelta

    from app.models import now_utc

    for days in range(55):
        factories.CallFactory(user=user, follow_up_at=now_utc() - timedelta(days=days + 1))
    page = logged_in.get("/").get_data(as_text=True)
    assert '<span class="count">55</span>' in page
    assert page.count('data-call-id="') == 50 and "50 oldest of 55" in page
