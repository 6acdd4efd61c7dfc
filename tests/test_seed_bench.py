"""`flask seed-bench`: the benchmark data set, small, on the test database."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import aliased

from app.models import (
    Call,
    Company,
    Person,
    ReportingLink,
    SearchEntry,
    Touchpoint,
    User,
    call_person,
)
from app.search.service import run_search

SMALL = ["seed-bench", "--companies", "20", "--people", "300", "--calls", "1000"]


def seed(runner, *extra):
    result = runner.invoke(args=[*SMALL, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def count(db, what) -> int:
    return db.session.scalar(select(func.count()).select_from(what))


def first_rows(db):
    people = db.session.execute(select(
        Person.id, Person.company_id, Person.full_name, Person.title, Person.department,
        Person.reports_to_id, Person.status, Person.placeholder).order_by(Person.id).limit(50)
    ).all()
    calls = db.session.execute(select(
        Call.id, Call.user_id, Call.company_id, Call.person_id, Call.answered_by_id,
        Call.outcome, Call.notes, Call.follow_up_note).order_by(Call.id).limit(50)).all()
    companies = db.session.execute(select(Company.id, Company.name).order_by(Company.id)).all()
    return people, calls, companies


def test_seeds_the_requested_counts_and_prints_timings(runner, db):
    output = seed(runner)
    assert "calls" in output and "search index" in output and " s " in output
    assert count(db, User) == 10
    assert count(db, Company) == 20
    assert count(db, Person) == 300
    assert count(db, Call) == 1000
    assert count(db, call_person) > 1000
    assert count(db, ReportingLink) > 250
    assert count(db, Touchpoint) > 0
    assert count(db, SearchEntry) > 3000
    # The mix is realistic: empty boxes, leavers, follow-ups open and kept, several outcomes.
    assert db.session.scalar(select(func.count()).where(Person.placeholder)) > 0
    assert db.session.scalar(select(func.count()).where(Person.left_at.is_not(None))) > 0
    assert db.session.scalar(select(func.count(func.distinct(Call.outcome)))) == 10
    assert db.session.scalar(select(func.count()).where(Call.follow_up_done_at.is_not(None))) > 0
    assert db.session.scalar(select(func.count()).where(
        Call.follow_up_at.is_not(None), Call.follow_up_done_at.is_(None))) > 0
    sizes = db.session.scalars(select(func.count()).select_from(Person)
                               .group_by(Person.company_id)).all()
    assert min(sizes) >= 3 and max(sizes) > 3 * min(sizes)


def test_same_seed_same_rows_and_another_seed_differs(runner, db):
    seed(runner)
    before = first_rows(db)
    db.session.remove()
    seed(runner, "--reset")
    assert first_rows(db) == before
    db.session.remove()
    seed(runner, "--reset", "--seed", "2")
    assert first_rows(db) != before


def test_refuses_a_database_with_data_unless_reset(runner, db):
    seed(runner)
    db.session.remove()
    result = runner.invoke(args=SMALL)
    assert result.exit_code != 0
    assert "--reset" in result.output
    assert count(db, Call) == 1000


def test_foreign_keys_point_at_rows_that_exist(runner, db):
    seed(runner)
    checked = 0
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            column = fk.parent
            referenced = fk.column.table.alias("referenced")
            target = referenced.c[fk.column.name]
            missing = db.session.scalar(
                select(func.count()).select_from(table.outerjoin(
                    referenced, column == target)).where(column.is_not(None), target.is_(None)))
            assert missing == 0, f"{table.name}.{column.name} -> {target.table.name}"
            checked += 1
    assert checked > 20


def test_hierarchies_and_calls_stay_within_their_company(runner, db):
    seed(runner)
    manager = aliased(Person)
    assert db.session.scalar(select(func.count()).select_from(Person).join(
        manager, manager.id == Person.reports_to_id).where(
        manager.company_id != Person.company_id)) == 0
    # Each company has one person at the top (the CEO) and nearly everyone has a manager.
    assert db.session.scalar(select(func.count()).where(Person.reports_to_id.is_not(None))) > 270
    for column in (Call.person_id, Call.answered_by_id):
        assert db.session.scalar(select(func.count()).select_from(Call).join(
            Person, Person.id == column).where(Person.company_id != Call.company_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(call_person).join(
        Call, Call.id == call_person.c.call_id).join(
        Person, Person.id == call_person.c.person_id).where(
        Person.company_id != Call.company_id)) == 0
    # Provenance: the call that uncovered a person is one that touched them.
    assert db.session.scalar(select(func.count()).select_from(Person).where(
        Person.source_call_id.is_not(None), ~select(call_person.c.call_id).where(
            call_person.c.call_id == Person.source_call_id,
            call_person.c.person_id == Person.id).exists())) == 0


def test_search_finds_the_generated_vocabulary(runner, db):
    seed(runner)
    for query in ("voicemail", "notes:kubernetes OR notes:payroll OR notes:audit", "engineer",
                  'title:(director OR "vice president") AND department:finance NOT intern'):
        results = run_search(query)
        assert results.total > 0, query
    calls = run_search("notes:voicemail").calls
    assert calls.total > 0
    assert all("voicemail" in (call.notes or "").lower() for call in calls.items)
    people = run_search('title:(director OR "vice president") AND department:finance').people
    assert all(p.department == "Finance" for p in people.items)


def test_postgres_sequences_continue_after_the_seeded_ids(runner, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("sequences are PostgreSQL's")
    seed(runner)
    next_id = db.session.scalar(text("SELECT nextval(pg_get_serial_sequence('call', 'id'))"))
    assert next_id == 1001


def test_ends_with_fresh_planner_statistics(runner, db):
    """Bulk loads leave no statistics on SQLite (and stale ones on PostgreSQL until autovacuum):
    the seed's last phase gathers them, so benchmarks measure the plans users get."""
    output = seed(runner)
    assert output.rstrip().splitlines()[-2].split()[0] == "analyze"
    if db.engine.dialect.name == "sqlite":
        analysed = db.session.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'call'"))
    else:
        analysed = db.session.scalar(text(
            "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() "
            "AND tablename = 'call'"))
    assert analysed > 0
