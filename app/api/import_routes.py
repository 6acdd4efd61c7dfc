"""CSV imports in the JSON API (views on the `api` blueprint): queue one, then poll it."""

from flask import current_app, request, url_for

from app.api.auth import api_user, token_required
from app.api.errors import ApiError
from app.api.routes import _find, bp
from app.imports.service import ImportRefused, import_json, start_import
from app.models import Job

UPLOAD_FIELDS = {"kind", "file", "dry_run"}


@bp.url_value_preprocessor
def _allow_big_csv(endpoint: str | None, _values) -> None:
    # Runs before any before_request reads the body: only this endpoint takes big files.
    if endpoint == "api.create_import":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]


def _one(name: str) -> str | None:
    values = request.form.getlist(name)
    if len(values) > 1:
        raise ApiError(422, f"Send one {name}.", {name: "Send it once."})
    return values[0] if values else None


@bp.post("/imports")
@token_required
def create_import():
    """Store the file, read its header, and queue the import (202; poll its URL)."""
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "Send multipart/form-data with `kind` and `file`.")
    unknown = sorted({str(key) for key in [*request.form, *request.files]} - UPLOAD_FIELDS)
    if unknown:
        raise ApiError(422, "Unknown fields.", {name: "Unknown field." for name in unknown})
    if len(request.files.getlist("file")) > 1:
        raise ApiError(422, "Send one file.", {"file": "Send one file."})
    kind, dry_run = _one("kind"), _one("dry_run")
    upload = request.files.get("file")
    if upload is None and request.form.get("file") is not None:
        raise ApiError(422, "Send the file as a file part.", {"file": "Must be a file."})
    try:
        job = start_import(kind, upload, dry_run, api_user())
    except ImportRefused as exc:
        raise ApiError(422, exc.message, exc.fields) from None
    body = {"id": job.id, "status": job.status.value}
    return body, 202, {"Location": url_for(".get_import", import_id=job.id)}


@bp.get("/imports/<int:import_id>")
@token_required
def get_import(import_id: int):
    """An import's status, progress, counts and row errors."""
    job = _find(Job, import_id)
    if job.kind != "import":
        raise ApiError(404, "No import with that id.")
    return import_json(job)
