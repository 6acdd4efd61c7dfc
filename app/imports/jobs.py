"""Imports as background jobs: queued by the browser, the API and `flask import-csv`."""

from typing import Any

from sqlalchemy import delete

from app.extensions import db
from app.imports.run import run_import
from app.jobs.queue import Progress, enqueue, handler
from app.models import Job, StoredFile, StoredFileChunk, User

KIND = "import"


def queue_import(stored: StoredFile, kind: str, mapping: list[str | None] | None,
                 dry_run: bool, author: User | None, commit: bool = True) -> Job:
    """Queue a dry run or an import of a stored file."""
    payload = {"file_id": stored.id, "filename": stored.filename, "kind": kind,
               "mapping": mapping, "dry_run": dry_run}
    return enqueue(KIND, payload, author, commit=commit)


def discard_file(file_id: int) -> None:
    """Delete a stored upload (its chunks first: SQLite may not cascade)."""
    db.session.execute(delete(StoredFileChunk).where(StoredFileChunk.file_id == file_id))
    db.session.execute(delete(StoredFile).where(StoredFile.id == file_id))
    db.session.commit()


@handler(KIND)
def import_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Run one import job; a real import's file is deleted once imported."""
    payload = job.payload
    result = run_import(payload["file_id"], payload["kind"], payload.get("mapping"),
                        bool(payload.get("dry_run")), job.created_by, job.id, progress)
    if not payload.get("dry_run"):
        discard_file(payload["file_id"])
    return result
