"""Sending: one attempt per job, signed, with timeouts, never inside a database transaction.

An attempt is claimed by inserting its row (unique per delivery and number) and committing;
then the request goes out with no transaction open; then the answer is written, and on failure
the next attempt is queued for later (RETRY_DELAYS), or, after the last one, the delivery is
failed and its endpoint marked failing.
"""

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import certifi
from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, Timeout
from urllib3 import exceptions as http_errors

from app.extensions import db
from app.jobs.queue import Progress, enqueue, handler
from app.models import (
    DeliveryStatus,
    Job,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    now_utc,
)
from app.webhooks.addresses import UnsafeUrl, target_of
from app.webhooks.outbox import DELIVER
from app.webhooks.signing import signed_headers

# The first retry comes 10 s after the first try, then each waits longer (Standard Webhooks
# suggests a similar schedule); after the sixth attempt the endpoint is marked failing.
RETRY_DELAYS = (timedelta(seconds=10), timedelta(minutes=2), timedelta(minutes=10),
                timedelta(hours=1), timedelta(hours=6))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
EXCERPT_BYTES = 1000  # of the response body kept for the admin page; the rest is never read


@dataclass(frozen=True)
class Claim:
    """What one claimed attempt needs, read before the transaction ended."""

    attempt_id: int
    delivery_id: int
    endpoint_id: int
    number: int
    url: str
    secret: str
    message_id: str
    body: str


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    excerpt: str | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@handler(DELIVER)
def deliver_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Make the attempt this job was queued for (or nothing, if it was made already)."""
    return attempt_delivery(int(job.payload["delivery_id"]), int(job.payload["attempt"]))


def attempt_delivery(delivery_id: int, number: int) -> dict[str, Any]:
    """Claim attempt `number`, send it, record the answer; the job's result says what happened."""
    claim = _claim(delivery_id, number)
    if claim is None:
        return {"skipped": "delivered, deleted, or this attempt was made already"}
    answer = send(claim)
    _record(claim, answer)
    return {"attempt": number, "status_code": answer.status_code, "error": answer.error}


def _claim(delivery_id: int, number: int) -> Claim | None:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    endpoint = delivery.endpoint if delivery else None  # before the insert: no autoflush
    if (endpoint is None or delivery.status is not DeliveryStatus.PENDING
            or delivery.attempts != number - 1):
        db.session.rollback()
        return None
    attempt = WebhookAttempt(delivery_id=delivery_id, number=number, started_at=now_utc())
    db.session.add(attempt)
    delivery.attempts = number
    delivery.next_attempt_at = None
    try:
        db.session.flush()
        claim = Claim(attempt.id, delivery_id, endpoint.id, number, endpoint.url,
                      endpoint.secret, delivery.message_id, delivery.body)
        db.session.commit()
    # Another runner claimed this very attempt, or the endpoint was deleted meanwhile.
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        return None
    return claim


def _timeout() -> Timeout:
    config = current_app.config
    return Timeout(connect=config["WEBHOOK_CONNECT_TIMEOUT"], read=config["WEBHOOK_READ_TIMEOUT"])


def _pool(target) -> HTTPConnectionPool:
    # The connection goes to the address just checked; TLS still verifies the URL's host name.
    if target.scheme == "https":
        return HTTPSConnectionPool(
            target.address, target.port, timeout=_timeout(), retries=False, maxsize=1,
            server_hostname=target.host, assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED", ca_certs=certifi.where())
    return HTTPConnectionPool(target.address, target.port, timeout=_timeout(), retries=False,
                              maxsize=1)


def send(claim: Claim) -> Answer:
    """POST the body, signed now; the answer or what went wrong (never raises)."""
    started = time.monotonic()

    def answer(status=None, excerpt=None, error=None) -> Answer:
        return Answer(status, excerpt, error, int((time.monotonic() - started) * 1000))

    try:
        target = target_of(claim.url)  # again: the name may point elsewhere now
    except UnsafeUrl as exc:
        return answer(error=f"Refused: {exc}"[:300])
    headers = signed_headers(claim.secret, claim.message_id, int(now_utc().timestamp()),
                             claim.body)
    headers["host"] = target.host_header
    try:
        with _pool(target) as pool:
            response = pool.urlopen("POST", target.path, body=claim.body.encode(),
                                    headers=headers, redirect=False, preload_content=False,
                                    assert_same_host=False)
            excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
            response.release_conn()
            return answer(response.status, excerpt)
    # Refused or unreachable; urllib3 makes it a ConnectTimeoutError subclass, so it goes first.
    except http_errors.NewConnectionError as exc:
        return answer(error=f"Could not connect: {exc}"[:300])
    except http_errors.ConnectTimeoutError:
        return answer(error=f"No connection within {_timeout().connect_timeout:g} s.")
    except http_errors.ReadTimeoutError:
        return answer(error=f"No answer within {_timeout().read_timeout:g} s.")
    except http_errors.SSLError as exc:
        return answer(error=f"TLS failed: {exc}"[:300])
    except (http_errors.HTTPError, OSError) as exc:
        return answer(error=f"Could not deliver: {type(exc).__name__}: {exc}"[:300])


def _record(claim: Claim, answer: Answer) -> None:
    now = now_utc()
    attempt = db.session.get(WebhookAttempt, claim.attempt_id)
    delivery = db.session.get(WebhookDelivery, claim.delivery_id)
    if attempt is None or delivery is None:  # the endpoint was deleted meanwhile
        db.session.rollback()
        return
    attempt.status_code, attempt.response_excerpt = answer.status_code, answer.excerpt
    attempt.error, attempt.duration_ms = answer.error, answer.duration_ms
    delivery.last_status_code = answer.status_code
    endpoint = update(WebhookEndpoint).where(WebhookEndpoint.id == claim.endpoint_id)
    if answer.ok:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
        db.session.execute(endpoint.values(failing_since=None))
    elif claim.number < MAX_ATTEMPTS:
        delivery.next_attempt_at = now + RETRY_DELAYS[claim.number - 1]
        schedule_attempt(claim.delivery_id, claim.number + 1, delivery.next_attempt_at)
    else:
        delivery.status = DeliveryStatus.FAILED
        db.session.execute(endpoint.where(WebhookEndpoint.failing_since.is_(None))
                           .values(failing_since=now))
    try:
        db.session.commit()
    except StaleDataError:  # the endpoint was deleted while the request was out
        db.session.rollback()


def schedule_attempt(delivery_id: int, number: int, when) -> None:
    """Queue attempt `number` for `when` (committed by the caller)."""
    job = enqueue(DELIVER, {"delivery_id": delivery_id, "attempt": number}, commit=False)
    job.run_after = when
