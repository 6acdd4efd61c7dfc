"""Raw Twilio webhook events, kept for audit and to make callbacks idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, now_utc

if TYPE_CHECKING:
    from app.models.call import Call


class TwilioEvent(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("call.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # voice, status, recording
    call_sid: Mapped[str | None] = mapped_column(String(34), index=True)
    # SHA-256 of kind + payload: Twilio's retries repeat a payload exactly, so a repeat is a no-op.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    applied: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    call: Mapped[Call | None] = relationship(back_populates="events")
