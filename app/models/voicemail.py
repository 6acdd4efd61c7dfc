"""Voicemail messages a recruiter recorded once, to be dropped into voicemail boxes in one click."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, now_utc
from app.models.user import User


class Voicemail(db.Model):
    """One recorded message. The audio lives in the database (not on one server's disk), so every
    app server can hand it to Twilio; a deleted message is hidden but kept for the calls that
    name it (`Call.voicemail_id`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    # audio/wav or audio/mpeg: what Twilio's <Play> accepts (browsers record WAV for it).
    content_type: Mapped[str] = mapped_column(String(40))
    # Deferred: lists of messages never load the audio.
    audio: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    size_bytes: Mapped[int]
    duration_seconds: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    __table_args__ = (
        # Two live messages of one recruiter never share a name (the dialer picks by name).
        Index("uq_voicemail_user_name", "user_id", "name", unique=True,
              postgresql_where=text("deleted_at IS NULL"), sqlite_where=text("deleted_at IS NULL")),
    )
