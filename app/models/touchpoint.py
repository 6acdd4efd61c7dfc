"""Touchpoints beyond the phone: emails, LinkedIn or social messages, meetings."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, now_utc, slug_enum

if TYPE_CHECKING:
    from app.models.person import Person
    from app.models.user import User


class TouchpointKind(enum.StrEnum):
    EMAIL = "email"
    LINKEDIN = "linkedin"  # LinkedIn or another social network's message
    MEETING = "meeting"  # met in person (or on video)

    @property
    def label(self) -> str:
        return {"email": "Email", "linkedin": "LinkedIn / social message",
                "meeting": "Met in person"}[self.value]


class Touchpoint(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[TouchpointKind] = mapped_column(
        slug_enum(TouchpointKind))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    person: Mapped[Person] = relationship()
    user: Mapped[User] = relationship()
