"""Sourcing calls: one row per dial, with the people it touched."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    and_,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, now_utc, slug_enum

if TYPE_CHECKING:
    from app.models.company import Company
    from app.models.person import Person
    from app.models.telephony import TwilioEvent
    from app.models.user import User
    from app.models.voicemail import Voicemail


class Outcome(enum.StrEnum):
    CONNECTED = "connected"
    GATEKEEPER = "gatekeeper"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    BAD_NUMBER = "bad_number"
    REFERRAL = "referral"
    NOT_INTERESTED = "not_interested"
    CALL_BACK = "call_back"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]

    @property
    def is_connect(self) -> bool:
        """Dialer-style grouping: did a human conversation happen?"""
        return self in {
            Outcome.CONNECTED,
            Outcome.GATEKEEPER,
            Outcome.REFERRAL,
            Outcome.NOT_INTERESTED,
            Outcome.CALL_BACK,
        }

    @property
    def reached_the_target(self) -> bool:
        """A conversation with the person called (or one who moved the search on): a connect
        that is not a gatekeeper's pick-up. Touchpoints and calling blocks count these."""
        return self.is_connect and self is not Outcome.GATEKEEPER


OUTCOME_LABELS = {
    Outcome.CONNECTED: "Connected",
    Outcome.GATEKEEPER: "Gatekeeper",
    Outcome.VOICEMAIL: "Voicemail",
    Outcome.NO_ANSWER: "No answer",
    Outcome.BUSY: "Busy",
    Outcome.WRONG_NUMBER: "Wrong number",
    Outcome.BAD_NUMBER: "Bad number",
    Outcome.REFERRAL: "Referral",
    Outcome.NOT_INTERESTED: "Not interested",
    Outcome.CALL_BACK: "Call back later",
}

# Every person a call touched: the names it uncovered and the existing people it mentioned.
call_person = Table(
    "call_person",
    db.metadata,
    Column("call_id", ForeignKey("call.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    # The key starts with call_id; a person's calls need their own index.
    Index("ix_call_person_person_id", "person_id"),
)


class Direction(enum.StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Call(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Who logged it; for an inbound call, whoever it was routed to (or who answered it).
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # None only for an inbound call from a number nobody has on file, until someone says whose.
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))  # indexed below
    # The person the call was aimed at (or reached), if any.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # Who picked up: often a gatekeeper rather than the target.
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    to_number: Mapped[str | None] = mapped_column(String(20))
    # None while a Twilio call is live and the sourcer has not logged it yet.
    outcome: Mapped[Outcome | None] = mapped_column(slug_enum(Outcome), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    duration_seconds: Mapped[int | None]
    # Indexed with user_id and follow_up_done_at (ix_call_follow_up_due_metrics), not alone.
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_note: Mapped[str | None] = mapped_column(String(500))
    follow_up_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The earlier call whose follow-up this call carried out.
    previous_call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    # Telephony: filled by Twilio's webhooks when the call is placed through Twilio.
    dialed_via: Mapped[str | None] = mapped_column(String(10))  # "browser" or "bridge"
    twilio_call_sid: Mapped[str | None] = mapped_column(String(34), unique=True)
    twilio_target_sid: Mapped[str | None] = mapped_column(String(34), index=True)
    twilio_status: Mapped[str | None] = mapped_column(String(20))
    twilio_sequence: Mapped[int | None]
    twilio_status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_machine: Mapped[str | None] = mapped_column(String(30))
    recording_sid: Mapped[str | None] = mapped_column(String(34))
    recording_status: Mapped[str | None] = mapped_column(String(20))
    recording_duration: Mapped[int | None]
    # Twilio's media URL: fetched server-side with our credentials, never sent to a browser.
    recording_url: Mapped[str | None] = mapped_column(String(300))
    suggested_outcome: Mapped[Outcome | None] = mapped_column(slug_enum(Outcome))
    dial_warning: Mapped[str | None] = mapped_column(String(300))
    # Outbound (we dialled) or inbound (they called one of the team's Twilio numbers).
    direction: Mapped[Direction] = mapped_column(
        slug_enum(Direction, length=8),
        default=Direction.OUTBOUND, server_default=Direction.OUTBOUND.value)
    # The number shown to the other side: our pool number on an outbound call placed through
    # Twilio, the caller's own number on an inbound one; None for calls logged by hand.
    caller_id: Mapped[str | None] = mapped_column(String(20), index=True)
    # Inbound: the recruiter the call was routed to (None: rung to the team's ring group).
    routed_to_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Voicemail drop: the message left, and whether it played or waits for the beep.
    voicemail_id: Mapped[int | None] = mapped_column(ForeignKey("voicemail.id"))
    voicemail_drop_status: Mapped[str | None] = mapped_column(String(12))
    voicemail_dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Covers the metrics page's pass over a period's calls without touching the table rows.
    __table_args__ = (
        Index("ix_call_metrics", "started_at", "user_id", "company_id", "outcome",
              "answered_by_id"),
        # Open follow-ups are few among a year of calls: index only those (Today, company page).
        # A recruiter's calls in a time window (a calling block's summary, their call list):
        # also serves every lookup by user_id alone, so it replaced ix_call_user_id.
        Index("ix_call_user_started_at", "user_id", "started_at"),
        # A company's latest calls (its page lists the last 100 of, at most, ~20,000): also
        # serves every lookup by company_id alone, so it replaced ix_call_company_id.
        Index("ix_call_company_started_at", "company_id", "started_at"),
        Index("ix_call_open_follow_up_user", "user_id", "follow_up_at",
              postgresql_where=text("follow_up_done_at IS NULL AND follow_up_at IS NOT NULL"),
              sqlite_where=text("follow_up_done_at IS NULL AND follow_up_at IS NOT NULL")),
        Index("ix_call_open_follow_up_company", "company_id", "follow_up_at",
              postgresql_where=text("follow_up_done_at IS NULL AND follow_up_at IS NOT NULL"),
              sqlite_where=text("follow_up_done_at IS NULL AND follow_up_at IS NOT NULL")),
        # Follow-ups due in a period (metrics: due, kept, missed), read from the indexes alone:
        # the team's by due time, one recruiter's by recruiter then due time. Only calls with a
        # follow-up. They replaced a plain index on follow_up_at, which both planners preferred
        # to the partial indexes above (PostgreSQL took "follow_up_at IS NOT NULL" as an index
        # condition on it and walked a year of closed follow-ups, ~160,000, for Today and the
        # company page); here user_id and follow_up_done_at are checked inside the index if a
        # planner still walks it.
        Index("ix_call_follow_up_due_metrics", "follow_up_at", "user_id", "follow_up_done_at",
              postgresql_where=text("follow_up_at IS NOT NULL"),
              sqlite_where=text("follow_up_at IS NOT NULL")),
        Index("ix_call_user_follow_up_metrics", "user_id", "follow_up_at", "follow_up_done_at",
              postgresql_where=text("follow_up_at IS NOT NULL"),
              sqlite_where=text("follow_up_at IS NOT NULL")),
        # Who answers a company's calls (its gatekeeper card, read with every main-line target):
        # without it PostgreSQL intersects the company's calls with every answered call. The
        # trailing columns let the card's counts come from the index alone and its latest calls
        # per gatekeeper be read newest first (a big company's gatekeepers answered ~4,000).
        Index("ix_call_company_answered", "company_id", "answered_by_id", "started_at",
              "person_id", "outcome",
              postgresql_where=text("answered_by_id IS NOT NULL"),
              sqlite_where=text("answered_by_id IS NOT NULL")),
        # The queue's reads: the latest logged call to a number (is it bad?), and to a
        # company's main line with nobody named (how long since the last attempt), from the
        # index alone rather than a big company's whole history.
        Index("ix_call_to_number_started_at", "to_number", "started_at",
              postgresql_where=text("outcome IS NOT NULL"),
              sqlite_where=text("outcome IS NOT NULL")),
        Index("ix_call_line_started_at", "company_id", "started_at",
              postgresql_where=text("person_id IS NULL"), sqlite_where=text("person_id IS NULL")),
        # A recruiter's answer rate by caller ID over up to a year (~100,000 calls) from the
        # index alone (app/metrics/caller_ids.py): reading the rows was most of the page's SQL.
        Index("ix_call_user_caller_id_metrics", "user_id", "started_at", "caller_id", "outcome",
              "direction",
              postgresql_where=text("caller_id IS NOT NULL AND outcome IS NOT NULL"),
              sqlite_where=text("caller_id IS NOT NULL AND outcome IS NOT NULL")),
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    routed_to: Mapped[User | None] = relationship(foreign_keys=[routed_to_id])
    voicemail: Mapped[Voicemail | None] = relationship()
    company: Mapped[Company | None] = relationship(back_populates="calls")
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    answered_by: Mapped[Person | None] = relationship(foreign_keys=[answered_by_id])
    people: Mapped[list[Person]] = relationship(secondary=call_person, order_by="Person.id")
    previous_call: Mapped[Call | None] = relationship(remote_side=[id])

    events: Mapped[list[TwilioEvent]] = relationship(
        back_populates="call", order_by="TwilioEvent.id", cascade="all, delete-orphan"
    )

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up_at is not None and self.follow_up_done_at is None

    @property
    def inbound(self) -> bool:
        return self.direction == Direction.INBOUND

    @property
    def missed(self) -> bool:
        """An inbound call nobody picked up (the caller may have left a message)."""
        return self.inbound and self.answered_at is None and self.twilio_status in {
            "completed", "busy", "no-answer", "failed", "canceled"}

    @property
    def not_placed(self) -> bool:
        """A bridge call that ended on the recruiter's own leg (no key pressed, their phone not
        answering, the target refused on pick-up): the target was never dialled."""
        return (self.twilio_status or "").startswith("agent-")

    @classmethod
    def dialled(cls) -> ColumnElement[bool]:
        """SQL: a dial we made that reached the target's number (metrics and calling blocks
        count these): not a call someone made to us, not a bridge call that never left the
        recruiter's own phone (see not_placed)."""
        return and_(cls.direction == Direction.OUTBOUND,
                    or_(cls.twilio_status.is_(None), cls.twilio_status.not_like("agent-%")))

    def editable_by(self, user: User) -> bool:
        return user.is_admin or user.id == self.user_id
