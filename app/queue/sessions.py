"""Calling blocks: started by the first item taken, ended by hand or after a quiet spell.

A block stays live while something happens at most QUEUE_SESSION_IDLE_MINUTES apart: an item
taken, skipped or snoozed, a call saved (each calls `touch_session`), or a call placed (so a long
call does not end its block). A user has at most one open block (ended_at NULL), held by a
partial unique index; a block left idle is closed at its last activity when the next starts.
The numbers of a block are in app.queue.session_stats.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Call, CallingSession, User
from app.queue.session_stats import (  # noqa: F401  (the numbers, for callers of this module)
    SessionSummary,
    SessionTotals,
    session_summary,
    sessions_between,
)


def idle_after() -> timedelta:
    """How long a block may stay quiet before it is over (setting QUEUE_SESSION_IDLE_MINUTES)."""
    return timedelta(minutes=current_app.config["QUEUE_SESSION_IDLE_MINUTES"])


def _open_session(user: User) -> CallingSession | None:
    return db.session.scalars(
        select(CallingSession).where(CallingSession.user_id == user.id,
                                     CallingSession.ended_at.is_(None))
        .order_by(CallingSession.started_at.desc()).limit(1)).first()


def is_live(session: CallingSession, now: datetime) -> bool:
    """Open, and active within the idle limit; the end of a call placed in it counts too."""
    if session.ended_at is not None:
        return False
    if now - session.last_activity_at <= idle_after():
        return True
    # Quiet since the last take or save: maybe still on (or just off) a long call.
    latest = db.session.execute(
        select(Call.started_at, Call.duration_seconds)
        .where(Call.user_id == session.user_id, Call.started_at >= session.started_at,
               Call.started_at <= now)
        .order_by(Call.started_at.desc()).limit(1)).first()
    if latest is None:
        return False
    call_end = latest.started_at + timedelta(seconds=latest.duration_seconds or 0)
    return now - call_end <= idle_after()


def current_session(user: User, now: datetime) -> CallingSession | None:
    """The user's block in progress: open and not idle; None between blocks."""
    session = _open_session(user)
    return session if session is not None and is_live(session, now) else None


def touch_session(user: User, now: datetime) -> CallingSession:
    """The user's open calling block, started now if none is live; marks activity. No commit.

    Two requests starting a block at once meet at the unique index: the loser uses the
    winner's block.
    """
    current = _open_session(user)
    if current is not None and is_live(current, now):
        current.last_activity_at = max(current.last_activity_at, now)
        return current
    try:
        with db.session.begin_nested():
            if current is not None:  # idle: it ended when things went quiet
                current.ended_at = current.last_activity_at
            fresh = CallingSession(user_id=user.id, started_at=now, last_activity_at=now)
            db.session.add(fresh)
        return fresh
    except IntegrityError:
        winner = _open_session(user)
        if winner is None:
            raise
        winner.last_activity_at = max(winner.last_activity_at, now)
        return winner


def end_session(user: User, now: datetime) -> CallingSession | None:
    """End the user's open block by hand (commits); None when there was none.

    A block already idle ends at its last activity, not now: the quiet time was no block.
    """
    session = _open_session(user)
    if session is None:
        return None
    session.ended_at = now if is_live(session, now) else session.last_activity_at
    session.ended_at = max(session.ended_at, session.started_at)
    db.session.commit()
    return session
