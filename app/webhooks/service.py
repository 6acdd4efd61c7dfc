"""Registering, deleting and retrying webhooks (the admin page and the API call these)."""

from datetime import timedelta

from sqlalchemy import delete, select

from app.errors import DomainError
from app.extensions import db
from app.jobs.queue import WAKE
from app.models import (
    DeliveryStatus,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    now_utc,
)
from app.validation import FieldErrors
from app.webhooks.addresses import UnsafeUrl, check_url
from app.webhooks.delivery import schedule_attempt
from app.webhooks.follow_ups import keep_scanning
from app.webhooks.outbox import EVENT_TYPES
from app.webhooks.signing import new_secret

# An attempt takes at most its two timeouts (15 s by default); one still "under way" after this
# long lost its runner (a killed process), and may be retried.
ABANDONED_AFTER = timedelta(minutes=2)


def check_events(events: object) -> list[str]:
    """The event types asked for, in the documented order; DomainError if any is unknown."""
    if not isinstance(events, list) or not events:
        raise DomainError({"events": "Pick at least one event: " + ", ".join(EVENT_TYPES) + "."})
    unknown = [str(e) for e in events if e not in EVENT_TYPES]
    if unknown:
        raise DomainError({"events": f"Unknown event {unknown[0]!r}: choose from "
                                     + ", ".join(EVENT_TYPES) + "."})
    return [e for e in EVENT_TYPES if e in events]


def register_endpoint(url: object, events: object, author: User | None,
                      found: FieldErrors | None = None) -> WebhookEndpoint:
    """Add an endpoint with a fresh secret (the caller shows it once); refuses unsafe URLs.

    `found`: problems the form already saw; all are raised together with the service's own.
    """
    problems = FieldErrors(found or {})
    if "url" not in problems:
        try:
            url = check_url(url)
        except UnsafeUrl as exc:
            problems.add("url", str(exc))
    try:
        events = check_events(events)
    except DomainError as exc:
        for path, message in exc.fields.items():
            problems.add(path, message)
    if problems:
        raise DomainError(problems)
    endpoint = WebhookEndpoint(url=url, events=events, secret=new_secret(), created_by=author)
    db.session.add(endpoint)
    db.session.flush()
    keep_scanning()  # follow_up.due needs its periodic scan running
    db.session.commit()
    WAKE.set()
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its deliveries; attempts already queued find nothing to send."""
    # Explicit, not left to ON DELETE CASCADE: SQLite enforces no foreign keys here.
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    db.session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.commit()


def retry_delivery(delivery: WebhookDelivery) -> bool:
    """Queue the next attempt now; False while an attempt is still under way or it was delivered."""
    last = delivery.attempt_log[-1] if delivery.attempt_log else None
    under_way = last is not None and last.duration_ms is None
    if under_way and last.started_at < now_utc() - ABANDONED_AFTER:
        last.error, under_way = "The runner stopped during this attempt.", False
    if delivery.status is DeliveryStatus.DELIVERED or under_way:
        return False
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now_utc()
    schedule_attempt(delivery.id, delivery.attempts + 1, delivery.next_attempt_at)
    db.session.commit()
    WAKE.set()
    return True

