"""Starting imports and reading their state: shared by the browser, the API and the tests."""

from typing import IO, Any

from flask import current_app

from app.extensions import db
from app.imports.columns import KINDS, guess_mapping, mapping_problem
from app.imports.files import FileTooLarge, store_file
from app.imports.jobs import discard_file, queue_import
from app.imports.source import UnreadableFile, open_source
from app.models import Job, JobStatus, StoredFile, User

DRY_RUN_VALUES = {"true": True, "false": False, "1": True, "0": False, "on": True}


class ImportRefused(ValueError):
    """An upload that cannot become an import; `fields` says which part is wrong."""

    def __init__(self, message: str, fields: dict[str, str]):
        super().__init__(message)
        self.message, self.fields = message, fields


def clean_kind(kind: Any) -> str:
    if kind not in KINDS:
        raise ImportRefused("Choose what the file holds.",
                            {"kind": "Choose one of: " + ", ".join(KINDS) + "."})
    return kind


def clean_dry_run(value: Any) -> bool:
    if value in (None, ""):
        return False
    if value not in DRY_RUN_VALUES:
        raise ImportRefused("dry_run must be true or false.",
                            {"dry_run": "Must be true or false."})
    return DRY_RUN_VALUES[value]


class _Upload:
    """What an upload must offer: a byte stream and a file name (werkzeug's FileStorage)."""

    stream: IO[bytes]
    filename: str | None


def save_upload(kind: Any, upload: _Upload | None, author: User | None
                ) -> tuple[StoredFile, list[str], list[str | None]]:
    """Store an upload and read its header: (file, headers, recognised mapping)."""
    kind = clean_kind(kind)
    if upload is None or not upload.filename:
        raise ImportRefused("Choose a CSV file.", {"file": "Choose a CSV file."})
    try:
        stored = store_file(upload.stream, upload.filename, author,
                            current_app.config["IMPORT_MAX_BYTES"])
        source = open_source(stored.id)
    except (FileTooLarge, UnreadableFile) as exc:
        db.session.rollback()
        raise ImportRefused(str(exc), {"file": str(exc)}) from None
    finally:
        upload.stream.close()  # a big upload is a temporary file: gone now that it is stored
    db.session.commit()
    return stored, source.headers, guess_mapping(kind, source.headers)


def start_import(kind: Any, upload: _Upload | None, dry_run: Any, author: User | None) -> Job:
    """Store the file, check that its header can be imported, and queue the job."""
    dry = clean_dry_run(dry_run)
    stored, _headers, mapping = save_upload(kind, upload, author)
    if problem := mapping_problem(kind, mapping):
        discard_file(stored.id)
        raise ImportRefused(problem, {"file": problem + " Name the columns in the first row."})
    return queue_import(stored, kind, mapping, dry, author)


def import_json(job: Job) -> dict[str, Any]:
    """The API's view of an import job (the contract's fields, counts 0 until done)."""
    result = job.result or {}
    errors = result.get("errors", [])
    if job.status is JobStatus.FAILED:
        errors = [{"row": 0, "column": None, "message": result.get("error", "Failed.")}]
    return {
        "id": job.id,
        "status": job.status.value,
        "dry_run": bool(job.payload.get("dry_run")),
        "processed": job.processed,
        "total": job.total,
        "created": result.get("created", 0),
        "updated": result.get("updated", 0),
        "skipped": result.get("skipped", 0),
        "errors": errors,
    }
