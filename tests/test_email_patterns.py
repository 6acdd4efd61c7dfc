"""Email patterns: learned from addresses on file, overridden by a typed one, applied in a click."""

import pytest
from sqlalchemy import event

from app.auth.service import issue_token
from app.extensions import db as _db
from app.models import Company
from app.people.email_patterns import (
    fold,
    learn_pattern,
    name_parts,
    parse_user_pattern,
)
from tests import factories
from tests.test_api import Api
from tests.test_security import _token, csrf_app  # noqa: F401  (fixture)


def _company(**kw) -> Company:
    return Company(id=1, name="Acme", domain=kw.pop("domain", "acme.example"), **kw)


def test_accents_titles_and_suffixes_are_folded_out_of_names():
    assert fold("José Núñez-Åberg") == "josenunezaberg"
    assert name_parts("Dr. Zoë O'Brien Jr.") == ("zoe", "obrien")
    assert name_parts("Madonna") is None


def test_the_pattern_most_addresses_fit_wins_and_reports_its_support():
    rows = [("Ann Lee", "ann.lee@acme.example"), ("Bob Stone", "bob.stone@acme.example"),
            ("Cy Young", "cyoung@acme.example"), ("José Núñez", "jose.nunez@ACME.example")]
    pattern = learn_pattern(_company(), rows)
    assert (pattern.name, pattern.support, pattern.domain) == ("first.last", 3, "acme.example")


def test_generic_mailboxes_other_domains_and_unfit_addresses_are_ignored():
    rows = [("Info Desk", "info@acme.example"), ("Jobs Team", "jobs@acme.example"),
            ("Ann Lee", "ann.lee@gmail.com"), ("Bob Stone", "bs1977@acme.example"),
            ("Cy Young", "cyoung@acme.example")]
    pattern = learn_pattern(_company(domain="https://www.Acme.example/about"), rows)
    assert (pattern.name, pattern.support) == ("flast", 1)
    assert learn_pattern(_company(), rows[:4]) is None
    assert learn_pattern(_company(domain=None), rows) is None


def test_a_pattern_typed_on_the_company_overrides_the_learned_one():
    rows = [("Ann Lee", "ann.lee@acme.example"), ("Cy Young", "cyoung@acme.example")]
    typed = learn_pattern(_company(email_pattern="{f}{last}@acme.example"), rows)
    assert (typed.name, typed.support, typed.user_set) == ("flast", 1, True)
    assert parse_user_pattern("first_last", "acme.example") == ("{first}_{last}", "acme.example")
    assert parse_user_pattern("{first}.{last}@other.example", None)[1] == "other.example"
    # Not a pattern: the learned one applies instead.
    assert parse_user_pattern("ask reception", "acme.example") is None
    assert learn_pattern(_company(email_pattern="whatever"), rows).user_set is False


@pytest.fixture
def acme(app):
    company = factories.CompanyFactory(name="Acme", domain="acme.example")
    for name in ("Ann Lee", "Bob Stone", "Cy Young"):
        first, last = name.lower().split()
        factories.PersonFactory(company=company, full_name=name,
                                email=f"{first}.{last}@acme.example")
    factories.PersonFactory(company=company, full_name="Info", email="info@acme.example")
    return company


def test_person_json_carries_the_guess_and_null_when_an_email_is_on_file(client, user, acme):
    api = Api(client, issue_token(user))
    zoe = factories.PersonFactory(company=acme, full_name="Zoë Ångström")
    body = api.get(f"/api/v1/people/{zoe.id}").get_json()
    assert body["email_guess"] == {"email": "zoe.angstrom@acme.example", "pattern": "first.last",
                                   "support": 3}
    listed = api.get("/api/v1/people", company_id=acme.id).get_json()["items"]
    assert [p["email_guess"] is None for p in listed] == [True, True, True, True, False]


def test_a_list_learns_each_companys_pattern_once_not_per_person(client, user, acme, app):
    for n in range(20):
        factories.PersonFactory(company=acme, full_name=f"New Person{n}")
    learned = []

    def count(conn, cursor, statement, *args):
        if "person.email IS NOT NULL" in statement:
            learned.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        items = Api(client, issue_token(user)).get(
            "/api/v1/people", company_id=acme.id, per_page=50).get_json()["items"]
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    assert sum(1 for p in items if p["email_guess"]) == 20
    assert len(learned) == 1


def test_applying_the_guess_sets_the_email_with_its_provenance(logged_in, acme):
    zoe = factories.PersonFactory(company=acme, full_name="Zoë Ångström")
    page = logged_in.get(f"/people/{zoe.id}").get_data(as_text=True)
    assert "zoe.angstrom@acme.example" in page and ">guess<" in page
    response = logged_in.post(f"/people/{zoe.id}/email-guess",
                              data={"email": "zoe.angstrom@acme.example"})
    assert response.status_code == 303
    _db.session.refresh(zoe)
    assert zoe.email == "zoe.angstrom@acme.example"
    assert zoe.email_source == "from the company's email pattern (first.last)"
    page = logged_in.get(f"/people/{zoe.id}").get_data(as_text=True)
    assert "from the company&#39;s email pattern (first.last)" in page
    # Typed again by hand: no longer from the pattern.
    zoe.email = "zoe@acme.example"
    _db.session.commit()
    assert zoe.email_source is None


def test_a_stale_guess_is_refused_and_nothing_changes(logged_in, acme):
    zoe = factories.PersonFactory(company=acme, full_name="Zoë Ångström")
    response = logged_in.post(f"/people/{zoe.id}/email-guess",
                              data={"email": "zangstrom@acme.example"}, follow_redirects=True)
    assert "no longer current" in response.get_data(as_text=True)
    _db.session.refresh(zoe)
    assert zoe.email is None


def test_the_company_page_shows_the_pattern_and_its_support(logged_in, acme):
    page = logged_in.get(f"/companies/{acme.id}").get_data(as_text=True)
    assert "first.last@acme.example" in page and "learned; fits 3 addresses on file" in page


def test_applying_needs_the_csrf_token(csrf_app):  # noqa: F811
    factories.UserFactory(email="rita@example.com")
    company = factories.CompanyFactory(domain="acme.example", email_pattern="{f}{last}")
    zoe = factories.PersonFactory(company=company, full_name="Zoe Lane")
    client = csrf_app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": "rita@example.com", "password": "correct-horse-battery",
                                "csrf_token": token})
    assert client.post(f"/people/{zoe.id}/email-guess").status_code == 400
    token = _token(client.get(f"/people/{zoe.id}").get_data(as_text=True))
    assert client.post(f"/people/{zoe.id}/email-guess",
                       data={"csrf_token": token}).status_code == 303
    _db.session.refresh(zoe)
    assert zoe.email == "zlane@acme.example"


def test_the_pattern_is_learned_again_after_any_change_to_the_companys_people(client, user, acme):
    api = Api(client, issue_token(user))
    zoe = factories.PersonFactory(company=acme, full_name="Zoe Lane")
    assert api.get(f"/api/v1/people/{zoe.id}").get_json()["email_guess"]["support"] == 3
    # Four colleagues at flast@ (added through the API) now outnumber first.last@.
    for name in ("Dee Ray", "Eve Moss", "Fay Wu", "Gil Orr"):
        first, last = name.lower().split()
        assert api.post("/api/v1/people", {"company_id": acme.id, "full_name": name,
                                           "email": f"{first[0]}{last}@acme.example"}
                        ).status_code == 201
    assert api.get(f"/api/v1/people/{zoe.id}").get_json()["email_guess"] == {
        "email": "zlane@acme.example", "pattern": "flast", "support": 4}
