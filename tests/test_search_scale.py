"""Search at scale: counts capped at 1,000 ("1,000+"), the newest matches ranked by the
engine's relevance blended with recency, and the index keys every field it writes."""

from sqlalchemy import func, select

from app.auth.service import issue_token
from app.models import Person, SearchEntry
from app.search.engine import FIELD_CODES
from app.search.index import rebuild_index
from app.search.service import COUNT_CAP, PER_PAGE, run_search
from tests import factories
from tests.test_api import Api


def _many_people(db, company, count: int, **fields) -> None:
    """Rows in one flush (the index hook writes their entries in chunks)."""
    db.session.add_all(Person(company_id=company.id, full_name=f"Pat Number{i}", **fields)
                       for i in range(count))
    db.session.commit()


def test_counts_stop_past_the_cap_and_say_so(app, db, user, client, logged_in):
    company = factories.CompanyFactory(name="Big Co")
    _many_people(db, company, COUNT_CAP + 5, title="Platform Engineer")
    results = run_search("title:engineer")
    assert results.people.total == COUNT_CAP and results.people.capped
    assert len(results.people.items) == PER_PAGE
    # The newest are the candidates: the last page stops at the cap.
    last = run_search("title:engineer", page=COUNT_CAP // PER_PAGE)
    assert len(last.people.items) == PER_PAGE
    assert run_search("title:engineer", page=COUNT_CAP // PER_PAGE + 1).people.items == []
    page = logged_in.get("/search/?q=engineer").get_data(as_text=True)
    assert "1,000+" in page and "counting stops at 1,000" in page
    body = Api(client, issue_token(user)).get("/api/v1/search", q="engineer").get_json()
    assert body["totals"]["people"] == COUNT_CAP and body["capped"]["people"] is True
    # A selective query under the cap counts exactly.
    factories.PersonFactory(company=company, full_name="Only One", title="Platform Engineer",
                            department="Zymurgy")
    results = run_search("title:engineer department:zymurgy")
    assert results.people.total == 1 and not results.people.capped
    assert run_search("NOT title:engineer").people.total == 0  # the walk without a driver


def test_a_strong_old_match_outranks_a_weak_new_one(app, db):
    """Relevance comes from the engine (a short title beats a word lost in long notes)."""
    company = factories.CompanyFactory()
    factories.PersonFactory(company=company, full_name="Olive Old", title="Treasury Lead")
    filler = " ".join(f"word{i}" for i in range(80))
    for i in range(5):
        factories.PersonFactory(company=company, full_name=f"Newer Person{i}", title="Clerk",
                                notes=f"{filler} treasury {filler}")
    ranked = [p.full_name for p in run_search("treasury").people.items]
    assert ranked[0] == "Olive Old" and len(ranked) == 6
    # Among equal matches, the newest comes first.
    assert ranked[1:] == [f"Newer Person{i}" for i in reversed(range(5))]


def test_every_field_the_index_writes_has_a_key_code(app, db, user):
    """SQLite's FTS5 rowid encodes the field: a new field needs a code in FIELD_CODES."""
    company = factories.CompanyFactory(domain="acme.example", industry="Fintech",
                                       location="Berlin", notes="Notes")
    person = factories.PersonFactory(company=company, full_name="Ann Lee", title="Director",
                                     department="Finance", notes="Notes")
    factories.CallFactory(user=user, company=company, person=person, notes="Notes")
    rebuild_index(db.session.connection())
    fields = set(db.session.scalars(select(SearchEntry.field).distinct()))
    assert fields <= set(FIELD_CODES), fields - set(FIELD_CODES)
    assert "sound" in fields
    written = db.session.scalar(select(func.count()).select_from(SearchEntry))
    assert written and run_search("ann").people.total == 1
