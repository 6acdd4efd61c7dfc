"""Saving a phone tree under concurrency: two saves never interleave, the last one wins whole.

Threads have their own connections (a SQLite file, or PostgreSQL), released together.
"""

import random
import threading
import time

import pytest
from sqlalchemy import event

from app.companies.phone_tree import save_steps, step_dict, steps_of
from app.extensions import db
from app.models import Company
from tests import factories
from tests.conftest import TEST_DATABASE_URL, app_on_empty_schema
from tests.test_concurrency_tree import run_in_thread

ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


@pytest.fixture
def shared_app(tmp_path):
    """An app whose threads each get their own connection (a file on SQLite)."""
    url = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'race.sqlite'}"
    yield from app_on_empty_schema({"SQLALCHEMY_DATABASE_URI": url})


def _path(tag: str, length: int) -> list[dict]:
    return [{"digits": str(i % 10), "wait_seconds": i, "label": f"{tag} {i}"}
            for i in range(length)]


def _stored(company_id: int) -> list[dict]:
    db.session.rollback()
    return [step_dict(s) for s in steps_of(db.session.get(Company, company_id))]


def _save(company_id: int, steps: list[dict]) -> int:
    # As a request does: load the company first (get_or_404), then call the service.
    return len(save_steps(db.session.get(Company, company_id), steps))


def test_a_save_made_while_another_is_half_done_waits_and_then_wins_whole(shared_app):
    """The first save pauses after deleting the old path; the second runs meanwhile.

    Without the company lock, on PostgreSQL the second's DELETE waits for the first's deleted
    rows, misses the rows the first then inserts, and its own INSERT hits the unique position.
    """
    company = factories.CompanyFactory(name="Race Line")
    save_steps(company, _path("old", 4))
    company_id = company.id
    db.session.remove()
    engine, deleted, test_thread = db.engine, threading.Event(), threading.current_thread()

    def pause_after_first_delete(conn, cursor, statement, *args):
        # The first save's thread is the only other one until `deleted` is set (it may run its
        # DELETE before run_in_thread has even returned it to us, so it is not named here).
        if threading.current_thread() is not test_thread and not deleted.is_set() and (
            statement.lstrip().upper().startswith("DELETE FROM PHONE_TREE_STEP")
        ):
            deleted.set()
            time.sleep(0.5)  # the second save starts while this one is uncommitted

    event.listen(engine, "after_cursor_execute", pause_after_first_delete)
    try:
        results: list = []
        first = run_in_thread(shared_app, _save, results, company_id, _path("first", 3))
        assert deleted.wait(60)  # generous: a loaded CI machine is slow to start a thread
        second = run_in_thread(shared_app, _save, results, company_id, _path("second", 5))
        first.join()
        second.join()
    finally:
        event.remove(engine, "after_cursor_execute", pause_after_first_delete)
    assert sorted(results, key=str) == [3, 5], results
    assert _stored(company_id) == _path("second", 5)


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL's concurrent writers")
def test_simultaneous_saves_always_leave_exactly_one_writers_path(shared_app):
    """Rounds of four saves released together: no crash, never a mix of two paths."""
    rng = random.Random(9)
    company_id = factories.CompanyFactory(name="Busy Line").id
    writers = 4
    barrier = threading.Barrier(writers)

    def save(steps: list[dict]) -> int:
        company = db.session.get(Company, company_id)
        barrier.wait(5)
        return len(save_steps(company, steps))

    for round_ in range(30):
        db.session.remove()
        paths = [_path(f"r{round_}w{w}", rng.randint(1, 20)) for w in range(writers)]
        results: list = []
        threads = [run_in_thread(shared_app, save, results, p) for p in paths]
        for thread in threads:
            thread.join()
        crashes = [r for r in results if isinstance(r, tuple)]
        assert crashes == [], "\n".join(c[2] for c in crashes)
        assert sorted(results) == sorted(len(p) for p in paths)
        assert _stored(company_id) in paths
