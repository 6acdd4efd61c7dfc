"""Names as they are heard (issue 14): accents folded alike on both databases, `~` for
sound-alikes and nicknames, and field-scoped queries that return the kind they are about."""

import pytest

from app.auth.service import issue_token
from app.search.service import run_search
from tests import factories
from tests.test_api import Api


@pytest.fixture
def heard(app, user):
    """People whose names are spelled the many ways a name is heard, at two companies."""
    acme = factories.CompanyFactory(name="Acme Analytics")
    globex = factories.CompanyFactory(name="Globex Logistics", notes="Head office in Zurich")
    names = {
        "Kathryn Hale": acme, "Katherine Moss": acme, "Catherine Wu": globex,
        "Katrin Müller": globex, "Hans Muller": acme, "Greta Mueller": acme,
        "Robert Lang": acme, "Bobby Tran": globex, "Mark Stone": acme, "Marcia Lee": acme,
        "Ann Day": globex, "Anton Berg": globex, "José Ortiz": acme, "Jose Ramos": globex,
        "François Petit": acme, "Francois Blanc": globex,
    }
    people = {name: factories.PersonFactory(company=company, full_name=name, title="Analyst")
              for name, company in names.items()}
    for key, name, title in (("Héad", "Ida Brun", "Héad of Data"),
                             ("Head", "Ola Nord", "Head of Sales")):
        people[key] = factories.PersonFactory(company=acme, full_name=name, title=title)
    factories.PersonFactory(company=acme, full_name="Ivy Intern", title="Data Intern")
    factories.CallFactory(user=user, company=acme, person=people["Hans Muller"],
                          notes="Hans took the call")
    return people


def people(query: str) -> list[str]:
    return [p.full_name for p in run_search(query).people.items]


@pytest.mark.parametrize(("typed", "expected"), [
    ("name:muller", {"Katrin Müller", "Hans Muller"}),
    ("name:müller", {"Katrin Müller", "Hans Muller"}),
    ("name:MÜLLER", {"Katrin Müller", "Hans Muller"}),
    ("josé", {"José Ortiz", "Jose Ramos"}),
    ("jose", {"José Ortiz", "Jose Ramos"}),
    ("name:francois", {"François Petit", "Francois Blanc"}),
    ("françois", {"François Petit", "Francois Blanc"}),
    ("title:head", {"Ida Brun", "Ola Nord"}),
    ("héad", {"Ida Brun", "Ola Nord"}),
    ('"héad of"', {"Ida Brun", "Ola Nord"}),
    ("hé*", {"Ida Brun", "Ola Nord"}),
])
def test_accents_and_case_fold_the_same_on_either_database(heard, typed, expected):
    """Run on SQLite and on PostgreSQL (TEST_DATABASE_URL): the same answers on both."""
    assert set(people(typed)) == expected


def test_an_accent_fold_is_not_a_sound_alike(heard):
    """Mueller is how Müller sounds, not how it is spelled: only `~` finds it."""
    assert "Greta Mueller" not in people("name:muller")
    assert "Greta Mueller" in people("name:muller~")


def test_a_tilde_finds_sound_alikes_and_near_spellings_with_the_spelling_typed_first(heard):
    found = people("name:kathryn~")
    assert found[0] == "Kathryn Hale"
    assert {"Kathryn Hale", "Katherine Moss", "Catherine Wu", "Katrin Müller"} <= set(found)
    assert people("name:kathryn") == ["Kathryn Hale"]  # without ~, literal
    assert people("kathryn~") == found  # no field: a name is meant


def test_a_tilde_finds_nicknames_and_formal_names(heard):
    assert {"Robert Lang", "Bobby Tran"} <= set(people("name:bob~"))
    assert "Robert Lang" in people("bobby~") and "Bobby Tran" in people("robert~")


@pytest.mark.parametrize(("typed", "stranger"), [("mark~", "Marcia Lee"), ("ann~", "Anton Berg")])
def test_names_that_only_look_alike_do_not_match(heard, typed, stranger):
    assert stranger not in people(typed)


def test_tilde_terms_combine_like_any_other(heard):
    assert people("katrin~ muller~") == ["Katrin Müller"]
    assert set(people("muller~ NOT name:muller")) == {"Greta Mueller"}
    assert set(people("name:(bob~ OR kathryn~) company:acme")) >= {"Robert Lang", "Kathryn Hale"}


def test_a_query_about_people_fields_returns_people_only(heard):
    results = run_search("NOT title:intern")
    assert results.companies.total == 0 and results.calls.total == 0
    assert "Ivy Intern" not in [p.full_name for p in results.people.items]
    assert results.people.total == len(heard)  # everyone but the intern
    for query in ("name:hans", "name:kathryn~", "title:head department:x OR title:analyst"):
        results = run_search(query)
        assert results.companies.total == 0 and results.calls.total == 0, query
    # Other words still reach every kind: OR widens what a query is about.
    results = run_search("title:head OR zurich")
    assert results.companies.total == 1 and results.people.total == 2
    assert run_search("hans").calls.total == 1  # a call names the people on it


def test_the_api_contract_for_heard_names(heard, client, user):
    api = Api(client, issue_token(user))
    body = api.get("/api/v1/search", q="name:kathryn~").get_json()
    names = [p["full_name"] for p in body["people"]]
    assert names[0] == "Kathryn Hale"
    assert {"Katherine Moss", "Catherine Wu", "Katrin Müller"} <= set(names)
    assert {p["full_name"] for p in api.get("/api/v1/search", q="name:bob~").get_json()[
        "people"]} >= {"Robert Lang", "Bobby Tran"}
    body = api.get("/api/v1/search", q="name:muller").get_json()
    assert {p["full_name"] for p in body["people"]} == {"Katrin Müller", "Hans Muller"}
    body = api.get("/api/v1/search", q="NOT title:intern").get_json()
    assert body["companies"] == [] and body["calls"] == [] and body["people"]
    assert body["capped"] == {"people": False, "companies": False, "calls": False}


@pytest.mark.parametrize(("query", "words"), [
    ('"kathryn hale"~', "right after a name"),
    ("kath*~", "either * or ~"),
    ("title:analyst~", "use it on names"),
    ("~", "right after a name"),
])
def test_a_misplaced_tilde_is_a_pointed_400(heard, client, user, logged_in, query, words):
    response = Api(client, issue_token(user)).get("/api/v1/search", q=query)
    assert response.status_code == 400 and words in response.get_json()["error"]
    assert logged_in.get("/search/", query_string={"q": query}).status_code == 400


def test_the_search_page_explains_tilde_and_people_fields(logged_in):
    page = logged_in.get("/search/").get_data(as_text=True)
    assert "kathryn~" in page and "NOT title:intern" in page and "Müller" in page


def test_highlights_ignore_accents_as_matching_does(heard, logged_in):
    page = logged_in.get("/search/?q=name:muller").get_data(as_text=True)
    assert "Katrin <mark>Müller</mark>" in page and "Hans <mark>Muller</mark>" in page
    page = logged_in.get("/search/?q=title:héad").get_data(as_text=True)
    assert "<mark>Head</mark> of Sales" in page and "<mark>Héad</mark> of Data" in page
