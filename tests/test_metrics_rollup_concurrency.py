"""Two transactions counting into the same roll-up slot lose neither count (PostgreSQL, threads).

Each writer recounts its keys from the calls; without the per-key lock the second recount, run
before the first writer commits, would see only its own call and overwrite the other's count.
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Call, MetricSlot, Outcome, Person, PersonRole
from tests import factories
from tests.conftest import TEST_DATABASE_URL
from tests.test_concurrent_merge import _while_held
from tests.test_metrics_rollup import assert_agrees_with_recount

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not TEST_DATABASE_URL.startswith("postgresql"),
        reason="needs PostgreSQL's concurrent writers (SQLite locks the whole file)",
    ),
]

AT = datetime(2025, 6, 2, 9, 5, tzinfo=UTC)


def _run_while_held(app, other: Session, work) -> None:
    """tests.test_concurrent_merge's _while_held, failing on the worker's error."""
    result = _while_held(app, other, work)
    assert not isinstance(result, Exception), result


@pytest.mark.parametrize("same_recruiter", [True, False])
def test_two_calls_logged_at_once_both_count(app, user, same_recruiter):
    """In one slot by one recruiter (one key), or by two in two slots (one company's chain)."""
    company = factories.CompanyFactory()
    other_user = user if same_recruiter else factories.UserFactory()
    ids = user.id, company.id, other_user.id

    def log_call(session: Session, user_id: int, minute: int) -> None:
        session.add(Call(user_id=user_id, company_id=ids[1], outcome=Outcome.CONNECTED,
                         started_at=AT.replace(minute=minute)))
        session.flush()  # the hook recounts the slot here, inside the open transaction

    with Session(db.engine) as other:
        log_call(other, ids[0], 1)

        def second():
            log_call(db.session, ids[2], 2 if same_recruiter else 20)
            db.session.commit()

        _run_while_held(app, other, second)
    rows = db.session.execute(select(MetricSlot.dials, MetricSlot.connects)).all()
    assert sum(r.dials for r in rows) == sum(r.connects for r in rows) == 2
    assert_agrees_with_recount()


def test_a_gatekeeper_named_while_a_call_names_them_counts_once_settled(app, user):
    """A role change recounts the calls the person answered, including one being logged."""
    company = factories.CompanyFactory()
    melinda = factories.PersonFactory(company=company, full_name="Melinda")
    ids = user.id, company.id, melinda.id

    with Session(db.engine) as other:
        # A main-line referral Melinda answered: a connect until she is known as a gatekeeper.
        other.add(Call(user_id=ids[0], company_id=ids[1], outcome=Outcome.REFERRAL,
                       answered_by_id=ids[2], started_at=AT))
        other.flush()

        def promote():
            db.session.get(Person, ids[2]).role = PersonRole.GATEKEEPER
            db.session.commit()

        _run_while_held(app, other, promote)
    row = db.session.execute(select(MetricSlot).where(MetricSlot.user_id == ids[0])).scalar_one()
    assert (row.dials, row.connects, row.gatekeepers, row.gatekeeper_pickups) == (1, 0, 1, 1)
    assert_agrees_with_recount()
