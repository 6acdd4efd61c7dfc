"""Putting events in: a delivery row and a job per subscribed endpoint, in the caller's transaction.

Nothing here talks to the network: the rows commit (or roll back) with the change that caused
them, and a background job sends each one (app.webhooks.delivery).
"""

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.jobs.queue import enqueue
from app.models import WebhookDelivery, WebhookEndpoint, now_utc
from app.webhooks.signing import new_message_id

EVENT_TYPES = ("call.logged", "person.created", "person.updated", "person.erased",
               "follow_up.due")
DELIVER = "webhook.deliver"  # the job kind that sends one attempt


def iso_now() -> str:
    return now_utc().isoformat(timespec="seconds").replace("+00:00", "Z")


def subscribers(session: Session) -> dict[str, list[int]]:
    """Endpoint ids by event type (few rows: read whole)."""
    by_type: dict[str, list[int]] = {}
    for endpoint_id, events in session.execute(select(WebhookEndpoint.id, WebhookEndpoint.events)):
        for event_type in events or ():
            by_type.setdefault(event_type, []).append(endpoint_id)
    return by_type


def queue_events(session: Session, events: list[tuple[str, dict[str, Any]]],
                 by_type: dict[str, list[int]] | None = None) -> int:
    """Record each (type, data) for every endpoint that wants it; returns deliveries queued."""
    by_type = subscribers(session) if by_type is None else by_type
    deliveries = []
    for event_type, data in events:
        body = json.dumps({"type": event_type, "timestamp": iso_now(), "data": data},
                          separators=(",", ":"), ensure_ascii=False)
        for endpoint_id in by_type.get(event_type, ()):
            deliveries.append(WebhookDelivery(
                endpoint_id=endpoint_id, message_id=new_message_id(), event_type=event_type,
                body=body, next_attempt_at=now_utc()))
    if not deliveries:
        return 0
    session.add_all(deliveries)
    session.flush()  # the ids go into the jobs' payloads
    for delivery in deliveries:
        enqueue(DELIVER, {"delivery_id": delivery.id, "attempt": 1}, commit=False)
    return len(deliveries)
