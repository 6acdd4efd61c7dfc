"""One import from start to end: read the stored file, decide and write every row, report.

Writes are committed every BATCH rows (a 100,000-row file never sits in one transaction, and
progress shows); a dry run writes nothing and rolls back what it read.
"""

from collections.abc import Callable
from typing import Any

from app.extensions import db
from app.imports.columns import guess_mapping, mapping_problem
from app.imports.companies import CompaniesImport
from app.imports.people import BATCH, PeopleImport
from app.imports.report import Report
from app.imports.source import UnreadableFile, open_source
from app.models import StoredFile, User

IMPORTERS = {"people": PeopleImport, "companies": CompaniesImport}


def run_import(file_id: int, kind: str, mapping: list[str | None] | None, dry_run: bool,
               author: User | None, job_id: int | None = None,
               progress: Callable[[int, int | None], None] | None = None) -> dict[str, Any]:
    """Import (or with dry_run, only judge) every row of a stored file; returns the report.

    Raises UnreadableFile when the file or the mapping cannot be used at all.
    """
    stored = db.session.get(StoredFile, file_id)
    if stored is None:
        raise UnreadableFile("The uploaded file is gone.")
    filename = stored.filename
    source = open_source(file_id)
    mapping = mapping if mapping is not None else guess_mapping(kind, source.headers)
    if len(mapping) != len(source.headers):
        raise UnreadableFile("The column mapping does not match the file's columns.")
    if problem := mapping_problem(kind, mapping):
        raise UnreadableFile(problem)
    total = source.count()
    report = Report(kind, source.headers, mapping)
    importer = IMPORTERS[kind](report, dry_run, author, job_id)
    done = 0

    def commit() -> None:
        if dry_run:
            db.session.rollback()  # nothing was written; drops what the reads loaded
        else:
            importer.save()
            db.session.commit()
        if progress:  # also the job's heartbeat, through the second pass too
            progress(done, total)

    for number, cells in source.rows():
        importer.row(number, cells)
        done += 1
        if done % BATCH == 0:
            commit()
    importer.reporting_lines(commit)
    commit()
    if progress:
        progress(total, total)
    return report.as_result(total, kind=kind, file=filename, dry_run=dry_run)
