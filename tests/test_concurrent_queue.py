"""Recruiters taking next at the same moment never hold the same person or line (PostgreSQL).

Each taker runs on its own thread with its own app context, session and connection. To make the
race certain rather than likely, the test holds a SHARE lock on queue_item while the takers
start: each one's first write to the queue waits on it (a second take by the same recruiter
waits on the first one's lock on their user row); once all of them wait, the lock goes.
"""

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import Person, QueueItem, QueueStatus, User
from app.queue.service import add_to_queue, take_next
from tests import factories
from tests.conftest import TEST_DATABASE_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not TEST_DATABASE_URL.startswith("postgresql"),
        reason="needs PostgreSQL's concurrent writers (SQLite locks the whole file)",
    ),
]

# Sessions of this database waiting on a lock (see tests/test_concurrent_capture.py).
WAITING = text(
    "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid IN (SELECT pid"
    " FROM pg_locks WHERE database = (SELECT oid FROM pg_database"
    " WHERE datname = current_database()))"
)


def _take(user_id: int):
    item = take_next(db.session.get(User, user_id))
    return (item.id, item.user_id, item.line_key) if item else None


def _race(app, user_ids: list[int], work=_take) -> list:
    """work(user id) for each user id (repeats allowed), all released at the same moment."""
    results: list = [None] * len(user_ids)
    barrier = threading.Barrier(len(user_ids))

    def run(i: int):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = work(user_ids[i])
            except Exception as exc:  # noqa: BLE001  (asserted on by the test)
                results[i] = exc
                db.session.rollback()
            finally:
                db.session.remove()

    with db.engine.connect() as gate:
        gate.execute(text("LOCK TABLE queue_item IN SHARE MODE"))
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(user_ids))]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and gate.scalar(WAITING) < len(user_ids):
            time.sleep(0.05)
        gate.commit()
    for thread in threads:
        thread.join(30)
    assert not any(t.is_alive() for t in threads), "a taker hung"
    return results


def _claims(db) -> list[tuple[int, str]]:
    db.session.expire_all()
    return list(db.session.execute(select(QueueItem.user_id, QueueItem.line_key)
                                   .where(QueueItem.status == QueueStatus.CLAIMED)))


def _shared_queue(users, targets: int):
    company = factories.CompanyFactory()
    people = [factories.PersonFactory(company=company, direct_phone=f"+1212555{100 + i:04d}")
              for i in range(targets)]
    for user in users:
        for person in people:
            add_to_queue(user, person=person)
    return people


@pytest.mark.parametrize("takers_per_user", [1, 3])
def test_teammates_taking_next_together_never_hold_the_same_target(app, db, takers_per_user):
    users = [factories.UserFactory() for _ in range(2)]
    _shared_queue(users, targets=3)
    results = _race(app, [u.id for u in users for _ in range(takers_per_user)])
    assert not [r for r in results if isinstance(r, Exception)], results
    claims = _claims(db)
    assert Counter(line for _, line in claims).most_common(1)[0][1] == 1  # never one line twice
    assert Counter(user for user, _ in claims).most_common(1)[0][1] == 1  # one item each at most
    if takers_per_user == 1:
        assert all(results), "each recruiter had a target nobody else held"
        lines_by_user = {u.id: {r[2] for r in results if r[1] == u.id} for u in users}
        assert not set.intersection(*lines_by_user.values())
        assert len(claims) == len(users)
    # With repeated nexts a recruiter puts each target back as they take another ("not this
    # one now"), so a line one lets go may be a teammate's a moment later, and a next that
    # finds every other line held answers nothing: what must hold is the unique claim index at
    # every moment, and so the end state above.


def test_more_takers_than_targets_leaves_the_late_ones_with_nothing(app, db):
    users = [factories.UserFactory() for _ in range(5)]
    _shared_queue(users, targets=2)
    results = _race(app, [u.id for u in users])
    assert not [r for r in results if isinstance(r, Exception)], results
    taken = [r for r in results if r is not None]
    assert len(taken) == 2 and len({r[2] for r in taken}) == 2
    assert len(_claims(db)) == 2


def test_one_recruiter_pressing_next_four_times_at_once_holds_one_item(app, db):
    user = factories.UserFactory()
    _shared_queue([user], targets=3)
    results = _race(app, [user.id] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert all(results)
    db.session.expire_all()
    held = db.session.scalar(select(func.count(QueueItem.id)).where(
        QueueItem.user_id == user.id, QueueItem.status == QueueStatus.CLAIMED))
    assert held == 1


def test_simultaneous_adds_of_one_target_make_one_item(app, db):
    user = factories.UserFactory()
    person_id = factories.PersonFactory(direct_phone="+12125550199").id

    def add(user_id: int):
        item, created = add_to_queue(db.session.get(User, user_id),
                                     person=db.session.get(Person, person_id))
        return item.id, created

    results = _race(app, [user.id] * 4, add)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({item_id for item_id, _ in results}) == 1
    assert [created for _, created in results].count(True) == 1
