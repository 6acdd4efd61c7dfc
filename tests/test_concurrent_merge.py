"""Merges and erasures racing writes that name the person going away (PostgreSQL, threads).

Another worker's transaction is played by a second connection held open at the exact moment
that matters: a call it is logging (not yet committed) that names the duplicate, or a merge it
is running that has already deleted the duplicate. The service under test runs on its own
thread with its own session; the held transaction commits once that thread waits on it.
"""

import threading
import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.calls.service import save_call
from app.errors import DomainError
from app.extensions import db
from app.models import Call, Outcome, Person, Touchpoint, User, now_utc
from app.people.merge import erase_person, merge_people
from app.people.service import mark_left, update_person
from app.touchpoints.service import log_touchpoint
from tests import factories
from tests.conftest import TEST_DATABASE_URL
from tests.test_concurrent_capture import WAITING

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not TEST_DATABASE_URL.startswith("postgresql"),
        reason="needs PostgreSQL's concurrent writers (SQLite locks the whole file)",
    ),
]


def _while_held(app, other: Session, work):
    """Run work() on a thread until it waits on `other`'s open transaction, then commit that."""
    result: list = []

    def run():
        with app.app_context():
            try:
                result.append(work())
            except Exception as exc:  # noqa: BLE001  (asserted on by the test)
                result.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    with db.engine.connect() as watch:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not watch.scalar(WAITING):
            watch.rollback()
            time.sleep(0.05)
    other.commit()
    thread.join(30)
    return result[0]


@pytest.fixture
def pair(app, user):
    """Two records of one person at a company (keep, duplicate), committed."""
    company = factories.CompanyFactory()
    keep = factories.PersonFactory(company=company, full_name="Dana Keep")
    duplicate = factories.PersonFactory(company=company, full_name="Dana K.")
    db.session.commit()
    return company.id, keep.id, duplicate.id, user.id


def _merge(keep_id, duplicate_id):
    return lambda: merge_people(
        db.session.get(Person, keep_id), db.session.get(Person, duplicate_id)
    )


@pytest.mark.parametrize("column", ["person_id", "answered_by_id"])
def test_a_merge_waits_for_a_call_being_logged_about_the_duplicate_and_moves_it(app, pair, column):
    company_id, keep_id, duplicate_id, user_id = pair
    with Session(db.engine) as other:  # another worker, mid call log
        other.add(
            Call(
                user_id=user_id,
                company_id=company_id,
                outcome=Outcome.GATEKEEPER,
                started_at=now_utc(),
                **{column: duplicate_id},
            )
        )
        other.flush()
        kept = _while_held(app, other, _merge(keep_id, duplicate_id))
    assert not isinstance(kept, Exception), kept
    db.session.expire_all()
    assert db.session.scalars(select(getattr(Call, column))).all() == [keep_id]
    assert db.session.get(Person, duplicate_id) is None


def test_a_merge_waits_for_a_touchpoint_being_logged_with_the_duplicate(app, pair):
    company_id, keep_id, duplicate_id, user_id = pair
    with Session(db.engine) as other:
        other.add(
            Touchpoint(person_id=duplicate_id, user_id=user_id, kind="email", happened_at=now_utc())
        )
        other.flush()
        kept = _while_held(app, other, _merge(keep_id, duplicate_id))
    assert not isinstance(kept, Exception), kept
    db.session.expire_all()
    assert db.session.scalars(select(Touchpoint.person_id)).all() == [keep_id]


def test_an_erasure_waits_for_a_call_being_logged_about_the_person(app, pair):
    company_id, _keep_id, duplicate_id, user_id = pair
    with Session(db.engine) as other:
        other.add(
            Call(
                user_id=user_id,
                company_id=company_id,
                outcome=Outcome.GATEKEEPER,
                started_at=now_utc(),
                person_id=duplicate_id,
            )
        )
        other.flush()
        done = _while_held(app, other, lambda: erase_person(db.session.get(Person, duplicate_id)))
    assert not isinstance(done, Exception), done
    db.session.expire_all()
    assert db.session.scalars(select(Call.person_id)).all() == [None]


def _merging_away(company_id: int, duplicate_id: int) -> Session:
    """Another worker's merge, caught after it deleted the duplicate and before it commits."""
    other = Session(db.engine)
    other.execute(text("SELECT id FROM company WHERE id = :c FOR NO KEY UPDATE"), {"c": company_id})
    other.execute(text("SELECT id FROM person WHERE id = :d FOR UPDATE"), {"d": duplicate_id})
    other.execute(text("DELETE FROM person WHERE id = :d"), {"d": duplicate_id})
    return other


@pytest.mark.parametrize("column", ["person_id", "answered_by_id"])
def test_a_call_naming_someone_merged_away_meanwhile_is_refused_with_a_reason(app, pair, column):
    company_id, _keep_id, duplicate_id, user_id = pair

    def log():
        author = db.session.get(User, user_id)
        return save_call(
            author, {"company_id": company_id, "outcome": "gatekeeper", column: duplicate_id}
        )

    with _merging_away(company_id, duplicate_id) as other:
        result = _while_held(app, other, log)
    assert isinstance(result, DomainError), result
    assert "merged or erased" in result.fields[column]
    db.session.expire_all()
    assert db.session.scalars(select(Call)).all() == []


def test_a_touchpoint_with_someone_merged_away_meanwhile_is_refused_with_a_reason(app, pair):
    company_id, _keep_id, duplicate_id, user_id = pair

    def log():
        author = db.session.get(User, user_id)
        return log_touchpoint(db.session.get(Person, duplicate_id), author, "email", None, "hi")

    person_loaded = _merging_away(company_id, duplicate_id)
    with person_loaded as other:
        result = _while_held(app, other, log)
    assert isinstance(result, DomainError), result
    assert "merged or erased" in " ".join(result.fields.values())


@pytest.mark.parametrize("change", ["title", "left"])
def test_editing_someone_merged_away_meanwhile_is_refused_with_a_reason(app, pair, change):
    company_id, _keep_id, duplicate_id, _user_id = pair

    def edit():
        person = db.session.get(Person, duplicate_id)
        if change == "left":
            return mark_left(person, True)
        return update_person(person, {"title": "Director"})

    with _merging_away(company_id, duplicate_id) as other:
        result = _while_held(app, other, edit)
    assert isinstance(result, DomainError), result
    assert "merged or erased" in " ".join(result.fields.values())
