"""Running claimed jobs: one at a time per runner, in a thread inside the app or a worker.

In-process runner: started by the first request a serving process handles (never by `flask`
commands such as `db upgrade`, nor under tests unless a test asks), once per process. Under
gunicorn each worker process therefore has one runner thread; that is deliberate and safe, as
claims are decided by the database. Set JOBS_IN_PROCESS=0 and run `flask jobs-worker` where
request workers should never spend time on imports.
"""

import logging
import threading
import traceback

from flask import Flask, current_app

from app.extensions import db
from app.jobs.queue import (
    HANDLERS,
    WAKE,
    JobLost,
    claim_next,
    finish,
    report_progress,
    runner_name,
)
from app.models import Job, JobStatus

log = logging.getLogger(__name__)
_started: set[str] = set()  # databases this process already runs a thread for
_start_lock = threading.Lock()


def run_job(job: Job, worker: str) -> JobStatus:
    """Run one claimed job to its end and record done (with its result) or failed (why)."""
    function = HANDLERS.get(job.kind)
    job_id = job.id
    if function is None:
        finish(job_id, worker, JobStatus.FAILED, {"error": f"No handler for {job.kind!r}."})
        return JobStatus.FAILED

    def progress(processed: int, total: int | None) -> None:
        report_progress(job_id, worker, processed, total)

    try:
        result = function(job, progress)
    except JobLost:
        log.warning("job %s: taken over by another runner; this one stops", job_id)
        db.session.rollback()
        return JobStatus.RUNNING
    except Exception as exc:  # a job's failure is recorded, never kills its runner
        log.error("job %s failed:\n%s", job_id, traceback.format_exc())
        db.session.rollback()
        finish(job_id, worker, JobStatus.FAILED, {"error": f"{type(exc).__name__}: {exc}"})
        return JobStatus.FAILED
    finish(job_id, worker, JobStatus.DONE, result)
    return JobStatus.DONE


def load_handlers() -> None:
    """Import the modules that register job handlers (each kind of job has one)."""
    import app.imports.jobs  # noqa: F401
    import app.webhooks.jobs  # noqa: F401


def run_pending(worker: str | None = None, limit: int | None = None) -> int:
    """Run due jobs until none is left (or `limit` ran); returns how many ran."""
    load_handlers()
    worker = worker or runner_name()
    ran = 0
    while limit is None or ran < limit:
        job = claim_next(worker)
        if job is None:
            break
        run_job(job, worker)
        ran += 1
    return ran


def work_forever(app: Flask, poll_seconds: float, stop: threading.Event | None = None) -> None:
    """Claim and run jobs until `stop` is set; sleeps `poll_seconds` (or until woken) when idle."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            with app.app_context():
                ran = run_pending(runner_name())
                db.session.remove()
        except Exception:  # the database may be away for a moment: keep the runner alive
            log.exception("job runner: claiming failed; trying again")
            ran = 0
        if not ran:
            WAKE.wait(poll_seconds)
            WAKE.clear()


def start_in_process_runner(app: Flask) -> None:
    """Start this process's runner thread, once (further calls do nothing)."""
    key = app.config["SQLALCHEMY_DATABASE_URI"]
    with _start_lock:
        if key in _started:
            return
        _started.add(key)
    thread = threading.Thread(
        target=work_forever, args=(app, app.config["JOB_POLL_SECONDS"]),
        name="switchboard-jobs", daemon=True)
    thread.start()


def register_runner(app: Flask) -> None:
    """Start the in-process runner with the first request this process serves, if enabled."""
    if not app.config["JOBS_IN_PROCESS"] or app.testing:
        return

    @app.before_request
    def _start_jobs() -> None:
        start_in_process_runner(current_app._get_current_object())  # type: ignore[attr-defined]
