"""Putting jobs in, claiming them safely, recording progress and the outcome.

Claiming: on PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED` picks a due job that no other runner
is claiming at this instant, and the UPDATE in the same transaction marks it running. On SQLite
(one writer at a time) a single conditional `UPDATE … WHERE id = :id AND <still claimable>`
claims it: of two runners that picked the same id, only one UPDATE matches a row.
"""

import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update

from app.extensions import db
from app.models import Job, JobStatus, User, now_utc

# The work each kind of job does: handler(job, progress) -> result (a JSON object).
Progress = Callable[[int, int | None], None]
HANDLERS: dict[str, Callable[[Job, Progress], dict[str, Any]]] = {}
# Set when a job is queued in this process, so the in-process runner starts it at once.
WAKE = threading.Event()


def handler(kind: str):
    """Register the function that runs jobs of this kind."""
    def register(function):
        HANDLERS[kind] = function
        return function
    return register


def runner_name() -> str:
    """Who holds a job: host, process and thread, as shown in `locked_by`."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:120]


def enqueue(kind: str, payload: dict[str, Any], author: User | None = None,
            commit: bool = True) -> Job:
    """Queue a job; the next free runner takes it."""
    job = Job(kind=kind, payload=payload, created_by=author, status=JobStatus.QUEUED,
              run_after=now_utc())
    db.session.add(job)
    if commit:
        db.session.commit()
        WAKE.set()
    return job


def _claimable(stale_before):
    due = and_(Job.status == JobStatus.QUEUED, Job.run_after <= now_utc())
    abandoned = and_(Job.status == JobStatus.RUNNING, Job.locked_at < stale_before)
    return or_(due, abandoned)


def claim_next(worker: str) -> Job | None:
    """Take the oldest due job (or one whose runner stopped answering), or None."""
    stale_before = now_utc() - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    pick = select(Job.id).where(_claimable(stale_before)).order_by(Job.id).limit(1)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres:
        pick = pick.with_for_update(skip_locked=True)
    job_id = db.session.scalar(pick)
    if job_id is None:
        db.session.rollback()
        return None
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, _claimable(stale_before))
        .values(status=JobStatus.RUNNING, locked_by=worker, locked_at=now_utc(),
                attempts=Job.attempts + 1, updated_at=now_utc())
    )
    db.session.commit()
    if claimed.rowcount != 1:  # SQLite: another runner claimed it between the two statements
        return None
    return db.session.get(Job, job_id, populate_existing=True)


class JobLost(RuntimeError):
    """Another runner took the job over (this one was silent past the stale limit): stop."""


def report_progress(job_id: int, worker: str, processed: int, total: int | None) -> None:
    """Store progress and renew the claim (a heartbeat), in its own short transaction.

    Runs on its own connection: the job's work may be in the middle of a transaction.
    Raises JobLost when the job is no longer this runner's, so two never work on it at once.
    """
    with db.engine.begin() as connection:
        renewed = connection.execute(
            update(Job).where(Job.id == job_id, Job.locked_by == worker)
            .values(processed=processed, total=total, locked_at=now_utc(), updated_at=now_utc())
        )
    if renewed.rowcount != 1:
        raise JobLost(f"job {job_id} was taken over by another runner")


def finish(job_id: int, worker: str, status: JobStatus, result: dict[str, Any]) -> None:
    """Record the outcome, unless another runner took the job over meanwhile."""
    db.session.rollback()
    db.session.execute(
        update(Job).where(Job.id == job_id, Job.locked_by == worker)
        .values(status=status, result=result, locked_by=None, locked_at=None,
                finished_at=now_utc(), updated_at=now_utc())
    )
    db.session.commit()
