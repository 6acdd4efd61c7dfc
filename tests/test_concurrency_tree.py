"""Reporting lines under concurrency: threads with their own connections, released together.

The deterministic race runs on SQLite (a file, so threads really have separate connections) and
PostgreSQL; the random rounds of moves, merges and call captures need PostgreSQL's concurrent
writers.
"""

import random
import threading
import time

import pytest
from sqlalchemy import event, select

from app.calls.service import save_call
from app.errors import DomainError
from app.extensions import db
from app.models import Company, Person, User
from app.people.merge import merge_people
from app.people.service import move_person
from tests import factories
from tests.conftest import TEST_DATABASE_URL, app_on_empty_schema
from tests.test_reporting_tree import has_cycle

ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


@pytest.fixture
def shared_app(tmp_path):
    """An app whose threads each get their own connection (a file on SQLite)."""
    url = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'race.sqlite'}"
    yield from app_on_empty_schema({"SQLALCHEMY_DATABASE_URI": url})


def run_in_thread(app, work, results: list, *args) -> threading.Thread:
    """Run work(*args) in its own app context (its own session and connection)."""

    def target():
        with app.app_context():
            try:
                results.append(work(*args))
            except DomainError as exc:
                results.append(exc)
            except Exception as exc:  # noqa: BLE001  (a 500 in the app: the test reports it)
                import traceback

                results.append(("crash", exc, traceback.format_exc()))
            finally:
                db.session.remove()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def fresh_tree(company_id: int) -> dict[int, int | None]:
    db.session.rollback()
    return dict(
        db.session.execute(
            select(Person.id, Person.reports_to_id).where(Person.company_id == company_id)
        ).all()
    )


@pytest.mark.parametrize("second_writer", ["move", "call capture"])
def test_two_opposite_changes_at_the_same_moment_cannot_both_pass(shared_app, second_writer):
    """Ann under Bob, and Bob under Ann (moved, or said on a call) while the first is uncommitted.

    The first writer pauses right after its UPDATE; the second has already read both people,
    as a request does when it renders its form, and runs its check meanwhile.
    """
    ann = factories.PersonFactory(full_name="Ann Race")
    bob = factories.PersonFactory(company=ann.company, full_name="Bob Race")
    author = factories.UserFactory(email="race@example.com")
    ids, company_id, author_id = (ann.id, bob.id), ann.company_id, author.id
    db.session.remove()
    engine, wrote, first = db.engine, threading.Event(), []

    def pause_after_first_move(conn, cursor, statement, *args):
        if (
            first
            and threading.current_thread() is first[0]
            and statement.lstrip().upper().startswith("UPDATE PERSON")
        ):
            wrote.set()
            time.sleep(0.5)  # the second writer runs its check while this one is uncommitted

    def move(person_id, manager_id):
        return move_person(db.session.get(Person, person_id), manager_id, None).id

    def second(person_id, manager_id):
        person, manager = db.session.get(Person, person_id), db.session.get(Person, manager_id)
        assert person.reports_to_id is None and manager.reports_to_id is None  # read early
        if second_writer == "move":
            return move_person(person, manager_id, None).id
        row = {"id": person_id, "reports_to": manager_id}
        data = {"company_id": company_id, "outcome": "connected", "people": [row]}
        return save_call(db.session.get(User, author_id), data).id

    event.listen(engine, "after_cursor_execute", pause_after_first_move)
    try:
        results: list = []
        first.append(run_in_thread(shared_app, move, results, ids[0], ids[1]))
        assert wrote.wait(60)  # generous: a loaded CI machine is slow to start a thread
        later = run_in_thread(shared_app, second, results, ids[1], ids[0])
        first[0].join()
        later.join()
    finally:
        event.remove(engine, "after_cursor_execute", pause_after_first_move)
    assert [r for r in results if isinstance(r, tuple)] == []
    assert len([r for r in results if isinstance(r, DomainError)]) == 1
    tree = fresh_tree(company_id)
    assert not has_cycle(tree) and tree[ids[0]] == ids[1] and tree[ids[1]] is None


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL's concurrent writers")
def test_random_simultaneous_moves_merges_and_captures_never_leave_a_cycle(shared_app):
    """Many rounds of four writers released together; every loser gets a domain error."""
    rng = random.Random(8)
    company = factories.CompanyFactory(name="Race Corp")
    author = factories.UserFactory(email="race@example.com")
    company_id, author_id = company.id, author.id
    counter = iter(range(10_000))
    outcomes = {"ok": 0, "refused": 0}
    writers = 4
    barrier = threading.Barrier(writers)

    def add_people(minimum: int) -> None:
        present = fresh_tree(company_id)
        for _ in range(minimum - len(present)):
            db.session.add(Person(company_id=company_id, full_name=f"Person {next(counter)}"))
        db.session.commit()

    def act(op: str, a: int, b: int | None):
        # As a request does: load the records first (get_or_404), then call the service.
        person, other = db.session.get(Person, a), db.session.get(Person, b) if b else None
        author = db.session.get(User, author_id)
        barrier.wait(5)
        if op == "move":
            return move_person(person, b, author).id
        if op == "merge":
            kept = merge_people(person, other)  # None: another merge took the keeper right after
            return a if kept is None else kept.id
        people = [{"id": a, "reports_to": b}]
        return save_call(
            author, {"company_id": company_id, "outcome": "connected", "people": people}
        ).id

    for _round in range(60):
        add_people(6)
        ids = sorted(fresh_tree(company_id))
        db.session.remove()
        results: list = []
        threads = []
        for _ in range(writers):
            a, b = rng.sample(ids, 2)
            op = rng.choice(["move", "move", "merge", "capture"])
            if op == "move" and rng.random() < 0.15:
                b = None
            threads.append(run_in_thread(shared_app, act, results, op, a, b))
        for thread in threads:
            thread.join()
        crashes = [r for r in results if isinstance(r, tuple)]
        assert crashes == [], "\n".join(c[2] for c in crashes)
        outcomes["refused"] += sum(isinstance(r, DomainError) for r in results)
        outcomes["ok"] += sum(isinstance(r, int) for r in results)
        assert not has_cycle(fresh_tree(company_id))
    # The rounds really raced: some writers won, some were turned away.
    assert outcomes["ok"] > 60 and outcomes["refused"] > 10, outcomes
    assert db.session.get(Company, company_id) is not None
