"""Demo callbacks: calls to the team's number that nobody took, so Today shows missed calls.

They go through the inbound service as Twilio's webhooks would (the incoming call, then the end
of ringing with nobody answering), so the demo shows exactly what a real missed call leaves.
"""

import uuid

from sqlalchemy import select

from app.extensions import db
from app.models import Call, Person, User
from app.telephony.inbound import finish_dial, receive_call

TEAM_NUMBER = "+13125550100"  # the demo's Twilio number (never dialled: nothing is configured)
UNKNOWN_CALLER = "+13125550187"


def _incoming(from_number: str) -> Call:
    sid = "CA" + uuid.uuid4().hex
    decision = receive_call({"CallSid": sid, "From": from_number, "To": TEAM_NUMBER,
                             "Direction": "inbound", "CallStatus": "ringing"})
    call = decision.call
    finish_dial(call, {"CallSid": sid, "DialCallStatus": "no-answer"})
    return call


def seed_missed_calls(recruiter: User) -> None:
    """A callback from someone the recruiter called last (routed to them), and one from a
    number nobody has on file (rung to the whole team)."""
    person = next(iter(recruiter_targets(recruiter)), None)
    if person is not None:
        _incoming(person.direct_phone)
    _incoming(UNKNOWN_CALLER)


def recruiter_targets(recruiter: User) -> list[Person]:
    """People with a direct dial whom this recruiter called, latest first."""
    rows = select(Person).join(Call, Call.person_id == Person.id).where(
        Call.user_id == recruiter.id, Person.direct_phone.is_not(None)
    ).order_by(Call.started_at.desc()).limit(1)
    return list(db.session.scalars(rows))
