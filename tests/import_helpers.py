"""Helpers for the import tests: a CSV text stored as an upload, then judged or imported."""

import io

from app.extensions import db
from app.imports.files import store_file
from app.imports.run import run_import


def stored(text: str | bytes, name: str = "research.csv", author=None):
    data = text.encode("utf-8") if isinstance(text, str) else text
    file = store_file(io.BytesIO(data), name, author, 10**9)
    db.session.commit()
    return file.id


def run_csv(text: str | bytes, kind: str = "people", dry_run: bool = False, author=None,
            mapping=None, job_id=None) -> dict:
    """The report of importing (or dry-running) this CSV text."""
    return run_import(stored(text, author=author), kind, mapping, dry_run, author, job_id)


def counts(result: dict) -> tuple[int, int, int, int]:
    return (result["created"], result["updated"], result["skipped"], len(result["errors"]))
