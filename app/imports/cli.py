"""`flask import-csv`: the browser's import, from a terminal, with the same rules and report."""

import sys

import click
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.imports.columns import KINDS
from app.imports.files import FileTooLarge, store_file
from app.imports.jobs import discard_file, queue_import
from app.imports.report import summary_line
from app.jobs.queue import runner_name
from app.jobs.runner import load_handlers, run_job
from app.models import Job, JobStatus, User, now_utc


@click.command("import-csv")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), required=True)
@click.option("--dry-run", is_flag=True, help="Say what would happen; write nothing.")
@click.option("--as", "email", default=None, help="The user the import is recorded as.")
def import_csv_command(kind: str, path: str, dry_run: bool, email: str | None) -> None:
    """Import companies or people from a CSV file (headers recognised, as in the browser).

    Prints `created N, updated N, skipped N, errors N` and each row's errors. Exits 1 when the
    file cannot be read, or when a real import had errors and imported nothing.
    """
    author = None
    if email:
        author = db.session.scalars(select(User).where(User.email == email.strip().lower())).first()
        if author is None:
            raise click.ClickException(f"No user with email {email}")
    with open(path, "rb") as stream:
        try:
            stored = store_file(stream, path.rsplit("/", 1)[-1], author,
                                current_app.config["IMPORT_MAX_BYTES"])
        except FileTooLarge as exc:
            raise click.ClickException(str(exc)) from None
    job = queue_import(stored, kind, None, dry_run, author, commit=False)
    # This process runs the job itself, claimed as any runner would claim it.
    worker = runner_name()
    job.status, job.locked_by, job.locked_at, job.attempts = (
        JobStatus.RUNNING, worker, now_utc(), 1)
    db.session.commit()
    file_id, job_id = stored.id, job.id
    load_handlers()
    status = run_job(job, worker)
    result = db.session.get(Job, job_id, populate_existing=True).result or {}
    if status is JobStatus.FAILED:
        if dry_run:
            discard_file(file_id)
        raise click.ClickException(result.get("error", "The import failed."))
    if dry_run:
        discard_file(file_id)
    click.echo(summary_line(result))
    for error in result["errors"]:
        click.echo(f"row {error['row']}, {error['column']}: {error['message']}")
    if not dry_run and result["errors"] and not (result["created"] or result["updated"]):
        sys.exit(1)
