"""Calling blocks: started by the first item taken, ended by hand or after a quiet spell.

PLACEHOLDER (to be replaced): touch_session only.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import CallingSession, User

IDLE = timedelta(minutes=20)


def touch_session(user: User, now: datetime) -> CallingSession:
    """The user's open calling block, started now if none is open; marks activity. No commit."""
    current = db.session.scalars(
        select(CallingSession).where(CallingSession.user_id == user.id,
                                     CallingSession.ended_at.is_(None))
        .order_by(CallingSession.started_at.desc()).limit(1)).first()
    if current is None or now - current.last_activity_at > IDLE:
        current = CallingSession(user_id=user.id, started_at=now, last_activity_at=now)
        db.session.add(current)
    current.last_activity_at = now
    return current
