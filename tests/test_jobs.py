"""Background jobs: queued, claimed by exactly one runner, their progress and outcome kept."""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.jobs.queue import claim_next, enqueue, handler
from app.jobs.runner import run_pending, work_forever
from app.models import Job, JobStatus, now_utc
from tests.concurrency import needs_postgres, run_together
from tests.conftest import TEST_DATABASE_URL

RAN: list[tuple[int, str]] = []
RAN_LOCK = threading.Lock()


@handler("test.record")
def _record(job, progress):
    progress(1, 2)
    time.sleep(job.payload.get("sleep", 0))
    with RAN_LOCK:
        RAN.append((job.id, job.locked_by))
    progress(2, 2)
    return {"echo": job.payload.get("value")}


@handler("test.explode")
def _explode(job, progress):
    raise RuntimeError("the disk is full")


@pytest.fixture(autouse=True)
def _forget_runs():
    RAN.clear()


def test_a_queued_job_runs_once_and_keeps_its_result_and_progress(app):
    job_id = enqueue("test.record", {"value": 7}).id
    assert run_pending("w1") == 1
    job = db.session.get(Job, job_id, populate_existing=True)
    assert (job.status, job.result, job.processed, job.total) == (JobStatus.DONE, {"echo": 7}, 2, 2)
    assert job.attempts == 1 and job.locked_by is None and job.finished_at is not None
    assert run_pending("w1") == 0  # nothing left


def test_a_failing_job_is_marked_failed_with_the_reason_and_the_runner_goes_on(app):
    bad = enqueue("test.explode", {}).id
    good = enqueue("test.record", {"value": 1}).id
    assert run_pending("w1") == 2
    assert db.session.get(Job, bad).status is JobStatus.FAILED
    assert "the disk is full" in db.session.get(Job, bad).result["error"]
    assert db.session.get(Job, good).status is JobStatus.DONE


def test_a_job_of_an_unknown_kind_fails_instead_of_waiting_forever(app):
    job_id = enqueue("no.such.kind", {}).id
    run_pending("w1")
    assert db.session.get(Job, job_id).status is JobStatus.FAILED


def test_a_job_whose_runner_died_is_taken_again_but_a_live_one_is_not(app):
    dead = enqueue("test.record", {}).id
    live = enqueue("test.record", {}).id
    stale = now_utc() - timedelta(seconds=app.config["JOB_STALE_SECONDS"] + 5)
    db.session.execute(update(Job).where(Job.id == dead).values(
        status=JobStatus.RUNNING, locked_by="gone", locked_at=stale, attempts=1))
    db.session.execute(update(Job).where(Job.id == live).values(
        status=JobStatus.RUNNING, locked_by="alive", locked_at=now_utc(), attempts=1))
    db.session.commit()
    assert run_pending("w2") == 1
    assert RAN == [(dead, "w2")]
    assert db.session.get(Job, dead, populate_existing=True).attempts == 2
    assert db.session.get(Job, live, populate_existing=True).status is JobStatus.RUNNING


def test_a_job_due_later_waits(app):
    job = enqueue("test.record", {})
    job.run_after = now_utc() + timedelta(minutes=5)
    db.session.commit()
    assert claim_next("w1") is None


def test_a_claim_is_conditional_so_a_job_taken_meanwhile_is_not_taken_twice(app):
    job_id = enqueue("test.record", {}).id
    first = claim_next("w1")
    assert first is not None and first.id == job_id
    assert claim_next("w2") is None


def test_the_runner_loop_finishes_queued_jobs_until_stopped(app):
    if TEST_DATABASE_URL == "sqlite://":
        pytest.skip("an in-memory SQLite database is one connection: no second thread")
    stop = threading.Event()
    thread = threading.Thread(target=work_forever, args=(app, 0.05, stop))
    thread.start()
    try:
        job_id = enqueue("test.record", {"value": 3}).id
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            db.session.rollback()
            if db.session.get(Job, job_id, populate_existing=True).status is JobStatus.DONE:
                break
            time.sleep(0.05)
        assert db.session.get(Job, job_id).status is JobStatus.DONE
    finally:
        stop.set()
        thread.join(10)


@pytest.mark.postgres
@needs_postgres
def test_concurrent_runners_never_run_the_same_job(app):
    """Four runners on their own connections, released together over 24 jobs."""
    ids = [enqueue("test.record", {"sleep": 0.02}).id for _ in range(24)]
    run_together(app, lambda i: run_pending(f"runner-{i}"))
    counts = Counter(job_id for job_id, _ in RAN)
    assert sorted(counts) == ids and set(counts.values()) == {1}
    assert len({worker for _, worker in RAN}) > 1  # they really did share the work
    statuses = db.session.scalars(select(Job.status).where(Job.id.in_(ids))).all()
    assert set(statuses) == {JobStatus.DONE}


@handler("test.outlived")
def _outlived(job, progress):
    # Another runner takes the job over while this one is silent.
    db.session.execute(update(Job).where(Job.id == job.id).values(locked_by="other"))
    db.session.commit()
    progress(1, 2)
    RAN.append((job.id, "should not get here"))
    return {}


def test_a_runner_that_lost_its_job_to_another_stops_and_records_nothing(app):
    job_id = enqueue("test.outlived", {}).id
    run_pending("slow")
    job = db.session.get(Job, job_id, populate_existing=True)
    assert RAN == [] and job.locked_by == "other" and job.status is JobStatus.RUNNING
