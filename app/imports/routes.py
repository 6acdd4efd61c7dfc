"""Import pages: upload, map the columns, dry run, confirm, then watch it to the end."""

from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.imports.columns import FIELDS, KINDS, guess_mapping, mapping_problem
from app.imports.jobs import KIND, queue_import
from app.imports.service import ImportRefused, clean_kind, import_json, save_upload
from app.imports.source import UnreadableFile, open_source
from app.models import Job, JobStatus, StoredFile
from app.paging import MAX_PAGE

bp = Blueprint("imports", __name__, url_prefix="/imports")
ROWS_PER_PAGE = 100


@bp.url_value_preprocessor
def _allow_big_csv(endpoint: str | None, _values) -> None:
    # Before the CSRF check reads the form: only the upload takes files this big.
    if endpoint == "imports.upload":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]


@dataclass
class RowsPage:
    """One page of a report's rows, shaped like the pager macro's Pagination."""

    items: list[Any]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _rows_page(rows: list[Any]) -> RowsPage:
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    start = (page - 1) * ROWS_PER_PAGE
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    return RowsPage(rows[start:start + ROWS_PER_PAGE], page, pages, len(rows))


def _job(job_id: int) -> Job:
    job = db.get_or_404(Job, job_id)
    if job.kind != KIND:
        abort(404)
    return job


@bp.get("")
def index():
    """The upload form and the latest imports."""
    recent = db.session.scalars(select(Job).where(Job.kind == KIND)
                                .order_by(Job.id.desc()).limit(10)).all()
    return render_template("imports/index.html", kinds=KINDS, recent=recent,
                           kind=request.args.get("kind", "people"),
                           max_mb=current_app.config["IMPORT_MAX_BYTES"] // (1024 * 1024))


@bp.post("")
def upload():
    """Store the file and go on to its column mapping."""
    try:
        stored, _headers, _mapping = save_upload(request.form.get("kind"),
                                                 request.files.get("file"), current_user)
    except ImportRefused as exc:
        flash(exc.message, "error")
        return redirect(url_for(".index", kind=request.form.get("kind", "people")))
    return redirect(url_for(".mapping", file_id=stored.id, kind=request.form["kind"]))


def _mapping_page(stored: StoredFile, kind: str, headers: list[str],
                  mapping: list[str | None], problem: str = ""):
    return render_template("imports/mapping.html", stored=stored, kind=kind, headers=headers,
                           mapping=mapping, fields=FIELDS[kind], problem=problem), (
        422 if problem else 200)


def _stored_headers(file_id: int, kind: Any) -> tuple[StoredFile, str, list[str]]:
    """The stored upload, the kind it is imported as, and its header (404 when unusable)."""
    stored = db.get_or_404(StoredFile, file_id)
    try:
        return stored, clean_kind(kind), open_source(stored.id).headers
    except (ImportRefused, UnreadableFile):
        abort(404)


@bp.get("/files/<int:file_id>")
def mapping(file_id: int):
    """Which field each column holds, as recognised from the headers; the user can change it."""
    stored, kind, headers = _stored_headers(file_id, request.args.get("kind"))
    return _mapping_page(stored, kind, headers, guess_mapping(kind, headers))


@bp.post("/files/<int:file_id>")
def dry_run(file_id: int):
    """Queue the dry run with the chosen mapping."""
    stored, kind, headers = _stored_headers(file_id, request.form.get("kind"))
    known = {field.key for field in FIELDS[kind]}
    mapping = [value if (value := request.form.get(f"col-{i}")) in known else None
               for i in range(len(headers))]
    if problem := mapping_problem(kind, mapping):
        return _mapping_page(stored, kind, headers, mapping, problem)
    job = queue_import(stored, kind, mapping, True, current_user)
    return redirect(url_for(".detail", job_id=job.id))


@bp.post("/<int:job_id>/confirm")
def confirm(job_id: int):
    """Import for real what the dry run showed (same file, same mapping)."""
    job = _job(job_id)
    stored = db.session.get(StoredFile, job.payload["file_id"])
    if not job.payload.get("dry_run") or job.status is not JobStatus.DONE or stored is None:
        flash("That dry run cannot be imported (already imported, or not finished).", "error")
        return redirect(url_for(".detail", job_id=job.id))
    real = queue_import(stored, job.payload["kind"], job.payload["mapping"], False, current_user)
    return redirect(url_for(".detail", job_id=real.id))


@bp.get("/<int:job_id>")
def detail(job_id: int):
    """Progress while it runs (refreshes itself), then the report, paged, with its errors."""
    job = _job(job_id)
    result = job.result or {}
    state = import_json(job)
    imported = None
    if job.payload.get("dry_run"):
        imported = db.session.scalar(
            select(Job.id).where(Job.kind == KIND, Job.id > job.id)
            .where(Job.payload["file_id"].as_integer() == job.payload["file_id"]).limit(1))
    return render_template("imports/detail.html", job=job, state=state,
                           rows=_rows_page(result.get("rows", [])),
                           running=job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
                           imported=imported,
                           can_confirm=bool(job.payload.get("dry_run")) and imported is None
                           and job.status is JobStatus.DONE)


@bp.get("/<int:job_id>/status")
def status(job_id: int):
    """The import's state as JSON, for the progress bar (same shape as the API's)."""
    return import_json(_job(job_id))
