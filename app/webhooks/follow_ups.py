"""`follow_up.due`: a periodic job announces follow-ups whose time has come, each once.

A follow-up becomes due by time passing, with no write to hook, so a job looks every minute
(SCAN_EVERY) for open follow-ups due since its last look. The last look is a cursor row moved
forward with a compare-and-set UPDATE in the transaction that queues the deliveries: with
several servers (or runners) scanning at once, only one moves it, so each follow-up is announced
once. The scan reschedules itself while some endpoint wants the event; registering such an
endpoint starts it. A follow-up moved to a later time is announced again when that time comes.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.jobs.queue import Progress, enqueue, handler
from app.models import Call, Job, JobStatus, WebhookCursor, now_utc
from app.webhooks.outbox import queue_events, subscribers

SCAN = "webhook.follow_ups"
EVENT = "follow_up.due"
SCAN_EVERY = timedelta(minutes=1)
BATCH = 500


@handler(SCAN)
def scan_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Announce the follow-ups due since the last scan, then plan the next scan."""
    job_id = job.id
    announced = announce_due_follow_ups()
    keep_scanning(running_job_id=job_id)
    db.session.commit()
    return {"announced": announced}


def follow_up_json(call: Call) -> dict[str, Any]:
    return {"call_id": call.id, "follow_up_at": call.follow_up_at.isoformat(),
            "follow_up_note": call.follow_up_note, "person_id": call.person_id,
            "company_id": call.company_id, "user_id": call.user_id}


def _due(since, until, limit: int | None):
    query = (select(Call).where(Call.follow_up_done_at.is_(None), Call.follow_up_at > since,
                                Call.follow_up_at <= until)
             .order_by(Call.follow_up_at, Call.id))
    return db.session.scalars(query.limit(limit) if limit else query).all()


def announce_due_follow_ups() -> int:
    """Queue follow_up.due for each open follow-up due since the cursor; returns how many."""
    now = now_utc()
    cursor = db.session.get(WebhookCursor, EVENT)
    if cursor is None:  # the first scan starts now: follow-ups long past are not news
        db.session.add(WebhookCursor(name=EVENT, position=now))
        try:
            db.session.commit()
        except IntegrityError:  # another runner started it at the same moment
            db.session.rollback()
        return 0
    since = cursor.position
    calls = _due(since, now, BATCH)
    until = now
    if len(calls) == BATCH:  # a backlog: take it in parts, all ties of the last moment included
        until = calls[-1].follow_up_at
        calls = _due(since, until, None)
    moved = db.session.execute(update(WebhookCursor).where(
        WebhookCursor.name == EVENT, WebhookCursor.position == since).values(position=until))
    if moved.rowcount != 1:  # another runner announced these meanwhile
        db.session.rollback()
        return 0
    queue_events(db.session, [(EVENT, follow_up_json(call)) for call in calls])
    db.session.commit()
    return len(calls)


def keep_scanning(running_job_id: int | None = None) -> None:
    """Queue the next scan (not committed) if an endpoint wants follow_up.due and none waits."""
    if EVENT not in subscribers(db.session):
        return
    waiting = exists().where(Job.kind == SCAN, Job.id != (running_job_id or 0),
                             Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
    if db.session.scalar(select(waiting)):
        return
    job = enqueue(SCAN, {}, commit=False)
    if running_job_id is not None:
        job.run_after = now_utc() + SCAN_EVERY
