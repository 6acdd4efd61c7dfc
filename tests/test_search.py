"""Boolean search through each database's full-text engine, and the index kept in step."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.auth.service import issue_token
from app.calls.service import save_call
from app.models import Outcome, PersonStatus, SavedSearch, SearchEntry
from app.people.service import update_person
from app.search.service import run_search
from tests import factories
from tests.conftest import TEST_DATABASE_URL
from tests.test_api import Api


@pytest.fixture
def world(app, user):
    """Two companies, a handful of people and calls with distinctive words."""
    acme = factories.CompanyFactory(name="Acme Analytics", industry="Fintech")
    globex = factories.CompanyFactory(name="Globex Logistics", notes="Kafka shop in Chicago")
    people = {
        "ann": factories.PersonFactory(company=acme, full_name="Ann Director",
                                       title="Director of Finance", department="Finance"),
        "bob": factories.PersonFactory(company=acme, full_name="Bob Vice",
                                       title="Vice President Engineering",
                                       department="Engineering"),
        "cat": factories.PersonFactory(company=acme, full_name="Cat Intern",
                                       title="Finance Intern", department="Finance"),
        "dan": factories.PersonFactory(company=globex, full_name="Dan Builder",
                                       title="Engineering Manager", department="Engineering",
                                       status=PersonStatus.DO_NOT_CALL),
        "eve": factories.PersonFactory(company=globex, full_name="Éve Ångström",
                                       title="Data Engineer", department="Data"),
    }
    save_call(user, {"company_id": acme.id, "outcome": "connected", "person_id": people["ann"].id,
                     "notes": "Ann is hiring a controller; budget approved for Q3.",
                     "started_at": datetime(2026, 3, 2, 15, 0, tzinfo=UTC)})
    save_call(user, {"company_id": globex.id, "outcome": "voicemail",
                     "person_id": people["dan"].id,
                     "notes": "Left a message about the streaming platform role.",
                     "started_at": datetime(2025, 12, 1, 15, 0, tzinfo=UTC)})
    return {"acme": acme, "globex": globex, **people}


def names(group):
    return sorted(getattr(item, "full_name", None) or getattr(item, "name", None)
                  for item in group.items)


def test_fields_groups_and_not_with_linkedin_precedence(world):
    results = run_search('title:(director OR "vice president") AND department:finance NOT intern')
    assert names(results.people) == ["Ann Director"]
    # a OR b NOT c  ==  a OR (b AND NOT c)
    results = run_search("title:director OR department:finance NOT intern")
    assert names(results.people) == ["Ann Director"]
    results = run_search("department:finance -intern OR title:manager")
    assert names(results.people) == ["Ann Director", "Dan Builder"]


def test_phrases_prefixes_and_case(world):
    assert names(run_search('"vice president"').people) == ["Bob Vice"]
    assert names(run_search('"president vice"').people) == []
    assert names(run_search("ENGIN*").people) == ["Bob Vice", "Dan Builder", "Éve Ångström"]
    assert names(run_search("ångström").people) == ["Éve Ångström"]


def test_companies_and_call_notes_are_searched_too(world):
    results = run_search("kafka")
    assert names(results.companies) == ["Globex Logistics"]
    results = run_search("notes:controller")
    assert [c.id for c in results.calls.items] and results.people.total == 0
    assert names(run_search("company:acme title:intern").people) == ["Cat Intern"]


def test_choice_fields_dates_and_recruiter(world, user):
    assert names(run_search("status:do_not_call").people) == ["Dan Builder"]
    assert names(run_search("outcome:connected").people) == ["Ann Director"]
    assert run_search("outcome:voicemail").calls.total == 1
    assert names(run_search("called:>2026-01-01").people) == ["Ann Director"]
    assert names(run_search("called:<2026-01-01").companies) == ["Globex Logistics"]
    first_name = user.name.split()[0].lower()
    assert run_search(f"recruiter:{first_name}").calls.total == 2


def test_the_index_follows_creates_edits_and_deletes(world, db):
    assert run_search("zanzibar").total == 0
    update_person(world["cat"], {"title": "Zanzibar Liaison"})
    assert names(run_search("zanzibar").people) == ["Cat Intern"]
    assert names(run_search("title:intern").people) == []
    world["acme"].name = "Zenith Analytics"  # a rename reaches its people and calls
    db.session.commit()
    assert names(run_search("company:zenith title:director").people) == ["Ann Director"]
    assert run_search("company:zenith").calls.total == 1
    db.session.delete(world["eve"])
    db.session.commit()
    assert run_search("ångström").total == 0
    assert not db.session.scalars(select(SearchEntry).where(
        SearchEntry.ref_id == world["eve"].id, SearchEntry.kind == "person")).all()


def test_results_are_ranked_with_name_matches_first(world):
    factories.PersonFactory(company=world["acme"], full_name="Zed Finance",
                            title="Controller", department="Finance")
    people = run_search("finance").people.items
    # A match in the name (and department) outranks matches in title and department alone.
    assert people[0].full_name == "Zed Finance"
    assert {p.full_name for p in people} == {"Ann Director", "Cat Intern", "Zed Finance"}


def test_the_search_page_highlights_and_points_at_errors(world, logged_in):
    page = logged_in.get("/search/?q=finance").get_data(as_text=True)
    assert "<mark>Finance</mark>" in page
    response = logged_in.get("/search/?q=title:(director")
    assert response.status_code == 400
    assert "never closed" in response.get_data(as_text=True)
    escaped = logged_in.get("/search/?q=%3Cscript%3E").get_data(as_text=True)
    assert "<script>" not in escaped.split("<main", 1)[1].split("</main>")[0].replace(
        '<script src=', "")


def test_the_api_contract(world, client, user):
    api = Api(client, issue_token(user))
    body = api.get("/api/v1/search", q="department:finance").get_json()
    assert set(body) >= {"people", "companies", "calls", "total"}
    assert body["total"] == 2 and all("id" in p for p in body["people"])
    error = api.get("/api/v1/search", q="java)")
    assert error.status_code == 400
    assert error.get_json()["position"] == 4 and "no opening" in error.get_json()["error"]
    assert client.get("/api/v1/search?q=x").status_code == 401


def test_saved_searches_count_new_matches_since_the_last_run(world, logged_in, db, user):
    logged_in.post("/search/saved", data={"name": "Finance", "q": "department:finance"})
    saved = db.session.scalars(select(SavedSearch)).one()
    page = logged_in.get("/search/").get_data(as_text=True)
    assert "Finance" in page and "new</span>" not in page
    factories.PersonFactory(company=world["acme"], full_name="New Analyst",
                            department="Finance")
    assert "1 new" in logged_in.get("/search/").get_data(as_text=True)
    logged_in.get(f"/search/?q=department:finance&saved={saved.id}")  # running it resets
    assert "1 new" not in logged_in.get("/search/").get_data(as_text=True)
    refused = logged_in.post("/search/saved", data={"name": "Bad", "q": "title:("})
    assert refused.status_code == 302
    assert db.session.scalars(select(SavedSearch)).one().id == saved.id


def test_outcome_values_are_slugs_or_words(world):
    assert run_search('outcome:"call back"').calls.total == 0
    assert run_search("outcome:voicemail").calls.total == 1
    assert Outcome.CALL_BACK.value == "call_back"


@pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgresql"),
                    reason="needs PostgreSQL's concurrent writers (SQLite locks the whole file)")
def test_two_transactions_rewriting_the_same_entries_do_not_collide(world, db):
    """Two calls naming the same manager at once both rewrite the manager's entries."""
    import threading
    import time

    from app.search.index import reindex

    person_id, engine, errors = world["ann"].id, db.engine, []

    def writer(pause: float, start_after: float):
        time.sleep(start_after)
        try:
            with engine.begin() as conn:
                reindex(conn, "person", {person_id})
                time.sleep(pause)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(0.4, 0.0)),
               threading.Thread(target=writer, args=(0.0, 0.1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert names(run_search("name:ann").people) == ["Ann Director"]
