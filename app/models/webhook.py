"""Outbound webhooks: endpoints admins register, one delivery per event and endpoint, attempts."""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, now_utc, slug_enum

if TYPE_CHECKING:
    from app.models.user import User


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    DELIVERED = "delivered"  # the endpoint answered 2xx
    FAILED = "failed"  # the last attempt failed too: no more tries unless an admin retries


class WebhookEndpoint(db.Model):
    """A URL an admin registered, the events it receives, and the secret that signs them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    # `whsec_` + base64 of random bytes (Standard Webhooks); shown to the admin once.
    secret: Mapped[str] = mapped_column(String(80))
    # Set when a delivery used up its last attempt; cleared by the next success.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    created_by: Mapped[User | None] = relationship()

    @property
    def failing(self) -> bool:
        return self.failing_since is not None

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.url}>"


class WebhookDelivery(db.Model):
    """One event for one endpoint: the exact body sent on every attempt, and where it stands."""

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    # The `webhook-id` header: the same on every attempt, so receivers can drop repeats.
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        slug_enum(DeliveryStatus, length=12),
        default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()
    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.number", passive_deletes=True)

    # The admin page lists an endpoint's deliveries newest first.
    __table_args__ = (Index("ix_webhook_delivery_endpoint_id_id", "endpoint_id", "id"),)

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


class WebhookAttempt(db.Model):
    """One try at a delivery and what the endpoint answered.

    The row is written (and committed) before the request goes out: its unique (delivery,
    number) is what lets exactly one runner make a given attempt.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (UniqueConstraint("delivery_id", "number"),)

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookCursor(db.Model):
    """How far a periodic scan has looked (follow-ups due up to `position` were announced).

    Advanced with a compare-and-set UPDATE, so with several servers each moment is announced once.
    """

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[datetime] = mapped_column(UTCDateTime)
