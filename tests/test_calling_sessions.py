"""Calling blocks: started by activity, split by quiet spells, ended by hand, and their numbers."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, text

from app.extensions import db as _db
from app.models import (
    CallingSession,
    Outcome,
    PersonRole,
    QueueItem,
    QueueReason,
    QueueStatus,
    User,
)
from app.queue.sessions import (
    current_session,
    end_session,
    session_summary,
    sessions_between,
    touch_session,
)
from tests import factories
from tests.conftest import TEST_DATABASE_URL

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # a Monday, 9:00 in New York


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def item(user, company, session, status, reason=QueueReason.MANUAL, person=None, box=None):
    """A queue item worked in `session` (written directly: the queue's service is not tested)."""
    key = f"person:{person.id}" if person else f"line:{company.id}"
    row = QueueItem(user=user, company=company, person=person, line_key=key,
                    item_key=f"{key}|{status}|{box.id if box else ''}", reason=reason,
                    status=status, box=box, session=session)
    _db.session.add(row)
    return row


@pytest.fixture
def block(user):
    """A 60-minute block of Rita's: 6 dials, a teammate's call and one outside it."""
    company = factories.CompanyFactory()
    keeper = factories.PersonFactory(company=company, role=PersonRole.GATEKEEPER)
    session = touch_session(user, at(0))
    _db.session.commit()

    def call(minute, outcome, seconds, **kw):
        return factories.CallFactory(user=kw.pop("who", user), company=company,
                                     started_at=at(minute), outcome=outcome,
                                     duration_seconds=seconds, **kw)

    call(1, Outcome.CONNECTED, 600)
    named = call(15, Outcome.GATEKEEPER, 120)  # a gatekeeper, not a connect
    call(20, Outcome.VOICEMAIL, 60, answered_by=keeper)  # answered by a gatekeeper first
    call(30, Outcome.REFERRAL, 300)
    call(40, Outcome.NO_ANSWER, None)
    call(50, Outcome.CALL_BACK, 120)
    call(45, Outcome.CONNECTED, 900, who=factories.UserFactory())  # a teammate's: not hers
    call(75, Outcome.CONNECTED, 900)  # after the block
    factories.PersonFactory(company=company, source_call=named, full_name="New One")
    factories.PersonFactory(company=company, source_call=named, full_name="New Two")
    factories.PersonFactory(company=company, source_call=named, full_name=None,
                            placeholder=True, title="CFO")  # a box is no name
    filled = factories.PersonFactory(company=company, full_name="Now Named", title="CTO")
    empty = factories.PersonFactory(company=company, full_name=None, placeholder=True,
                                    title="VP Sales")
    item(user, company, session, QueueStatus.DONE, QueueReason.GAP, box=filled)
    item(user, company, session, QueueStatus.DONE, QueueReason.GAP, person=keeper, box=filled)
    item(user, company, session, QueueStatus.DONE, QueueReason.GAP, box=empty)
    item(user, company, session, QueueStatus.SKIPPED)
    item(user, company, session, QueueStatus.PENDING, person=filled)
    touch_session(user, at(60))
    _db.session.commit()
    return session


def test_summary_counts_the_block_s_calls_names_boxes_and_items(block):
    s = session_summary(block)
    assert (s.started_at, s.ended_at) == (at(0), at(60))
    assert s.dials == 6
    assert s.connects == 3  # connected, referral, call back; never gatekeeper
    assert s.gatekeepers == 2  # outcome gatekeeper, and the voicemail a gatekeeper answered
    assert s.names_uncovered == 2
    assert s.boxes_filled == 1  # two items aimed at the same box, now named; one still empty
    assert (s.items_done, s.items_skipped) == (3, 1)
    assert s.phone_seconds == 1200
    assert s.between_seconds == 3600 - 1200
    assert s.dials_per_hour == 6


def test_a_block_with_nothing_done_has_zero_numbers(user):
    session = touch_session(user, at(0))
    _db.session.commit()
    s = session_summary(session)
    assert (s.dials, s.phone_seconds, s.items_done, s.boxes_filled) == (0, 0, 0, 0)
    assert s.dials_per_hour is None


def test_activity_within_the_idle_limit_keeps_the_block(user):
    first = touch_session(user, at(0))
    assert touch_session(user, at(19)) is first
    assert touch_session(user, at(38)) is first
    _db.session.commit()
    assert current_session(user, at(58)) is first
    assert first.last_activity_at == at(38)


def test_a_quiet_spell_ends_the_block_at_its_last_activity(user):
    first = touch_session(user, at(0))
    touch_session(user, at(10))
    _db.session.commit()
    assert current_session(user, at(31)) is None
    second = touch_session(user, at(31))
    _db.session.commit()
    assert second is not first
    assert first.ended_at == at(10) and second.ended_at is None
    assert second.started_at == at(31)


def test_the_idle_limit_is_a_setting(app, user):
    app.config["QUEUE_SESSION_IDLE_MINUTES"] = 5
    first = touch_session(user, at(0))
    _db.session.commit()
    assert touch_session(user, at(6)) is not first


def test_a_long_call_keeps_its_block_alive(user):
    first = touch_session(user, at(0))
    _db.session.commit()
    factories.CallFactory(user=user, started_at=at(1), duration_seconds=40 * 60,
                          outcome=Outcome.CONNECTED)
    # Saved 45 minutes after the take: 4 minutes after the call ended.
    assert current_session(user, at(45)) is first
    assert touch_session(user, at(45)) is first
    _db.session.commit()
    assert current_session(user, at(45 + 21)) is None


def test_ending_a_block_by_hand(user):
    session = touch_session(user, at(0))
    _db.session.commit()
    assert end_session(user, at(12)) is session
    assert session.ended_at == at(12)
    assert current_session(user, at(13)) is None
    assert end_session(user, at(14)) is None  # nothing open
    assert touch_session(user, at(14)) is not session


def test_ending_an_idle_block_keeps_its_quiet_time_out(user):
    session = touch_session(user, at(0))
    touch_session(user, at(5))
    _db.session.commit()
    end_session(user, at(90))
    assert session.ended_at == at(5)


def test_blocks_of_a_period_per_recruiter_and_team(block, user):
    bob = factories.UserFactory(name="Bob")
    bobs = touch_session(bob, at(100))
    factories.CallFactory(user=bob, started_at=at(101), duration_seconds=60,
                          outcome=Outcome.CONNECTED)
    touch_session(bob, at(110))
    weeks_ago = at(-60 * 24 * 40)  # another block, out of range
    old = CallingSession(user=bob, started_at=weeks_ago, last_activity_at=weeks_ago,
                         ended_at=weeks_ago + timedelta(hours=1))
    _db.session.add(old)
    _db.session.commit()
    stats = sessions_between(at(-60), at(24 * 60))
    assert set(stats.per_user) == {user.id, bob.id}
    assert stats.per_user[user.id].dials == 6 and stats.per_user[bob.id].dials == 1
    team = stats.team
    assert (team.sessions, team.dials, team.connects, team.names) == (2, 7, 4, 2)
    assert team.phone_seconds == 1260
    assert team.between_seconds == (3600 - 1200) + (600 - 60)
    assert team.between_per_dial == pytest.approx(((3600 - 1200) + 540) / 7)
    only_bob = sessions_between(at(-60), at(24 * 60), [bob.id])
    assert set(only_bob.per_user) == {bob.id} and only_bob.team.sessions == 1
    assert bobs.id != old.id


def test_summary_takes_two_grouped_queries_whatever_the_block_size(block, db):
    statements: list[str] = []

    def record(*args):
        statements.append(args[2])

    block_id = block.id
    db.session.expire_all()
    session = db.session.get(CallingSession, block_id)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        session_summary(session)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 2, statements


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgresql"),
                    reason="needs PostgreSQL's concurrent writers (SQLite locks the whole file)")
def test_simultaneous_first_takes_start_one_block(app, user):
    user_id, writers = user.id, 4
    results: list = [None] * writers
    barrier = threading.Barrier(writers)

    def run(i):
        with app.app_context():
            barrier.wait()
            try:
                session = touch_session(_db.session.get(User, user_id), at(0))
                _db.session.commit()
                results[i] = session.id
            except Exception as exc:  # noqa: BLE001  (asserted on below)
                results[i] = exc
                _db.session.rollback()

    # Every writer reads "no block open" and waits at its INSERT until the gate opens.
    with _db.engine.connect() as gate:
        gate.execute(text("LOCK TABLE calling_session IN SHARE MODE"))
        threads = [threading.Thread(target=run, args=(i,)) for i in range(writers)]
        for thread in threads:
            thread.start()
        waiting = text("SELECT count(*) FROM pg_locks WHERE NOT granted "
                       "AND relation = 'calling_session'::regclass")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and gate.scalar(waiting) < writers:
            time.sleep(0.05)
        gate.commit()
    for thread in threads:
        thread.join(30)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    _db.session.expire_all()
    assert _db.session.scalar(select(func.count(CallingSession.id))) == 1


def test_metrics_page_shows_calling_blocks_for_the_team_and_a_recruiter(block, user, logged_in):
    bob = factories.UserFactory(name="Bob Caller")
    period = {"period": "custom", "from": "2026-03-01", "to": "2026-03-03"}
    html = logged_in.get("/metrics", query_string=period).get_data(as_text=True)
    assert "Calling blocks" in html
    assert 'id="blocks-count">1<' in html and 'id="blocks-dials">6<' in html
    assert 'id="blocks-phone">20:00<' in html  # 1,200 seconds on calls
    assert 'id="blocks-between">6:40<' in html  # 2,400 seconds off the phone over 6 dials
    assert "3 connects · 2 gatekeepers" in html and "1 empty box filled" in html
    table = html.split('id="blocks-per-recruiter"')[1].split("</table>")[0]
    assert "Rita Recruiter" in table and "Bob Caller" not in table
    html = logged_in.get("/metrics", query_string={**period, "recruiter": bob.id}).get_data(
        as_text=True)
    assert 'id="blocks-count">0<' in html and "No calling blocks in this period." in html
    later = {"period": "custom", "from": "2026-03-03", "to": "2026-03-05"}
    html = logged_in.get("/metrics", query_string=later).get_data(as_text=True)
    assert 'id="blocks-count">0<' in html
