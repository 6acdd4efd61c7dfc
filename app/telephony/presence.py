"""Is a recruiter's browser ready to take an inbound call? Kept in the database, so every app
server agrees: the dialer, registered with Twilio for incoming calls, pushes `browser_online_until`
forward every minute (POST /twilio/presence); a closed tab simply stops pushing and lapses."""

from datetime import timedelta

from app.extensions import db
from app.models import User, now_utc

# The browser renews every 60 s; 90 s forgives one slow renewal without ringing a closed tab.
ONLINE_FOR = timedelta(seconds=90)


def mark_online(user: User, online: bool = True) -> None:
    user.browser_online_until = now_utc() + ONLINE_FOR if online else None
    db.session.commit()


def is_online(user: User) -> bool:
    until = user.browser_online_until
    return until is not None and until > now_utc()
