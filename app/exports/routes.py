"""Export downloads: the API's (bearer token) and the browser's (signed-in session) views."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, request, stream_with_context
from flask_login import current_user

from app.api.auth import api_user, token_required
from app.api.errors import ApiError
from app.api.routes import _find
from app.api.routes import bp as api_bp
from app.exports.subject import subject_export
from app.exports.team import stream_json, stream_zip
from app.extensions import db
from app.models import Person

bp = Blueprint("exports", __name__)


def _snapshot() -> None:
    """Read every batch from one snapshot where the database offers it (PostgreSQL), so a call
    logged mid-export cannot name a person the export has already passed."""
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        connection = db.session.connection(
            execution_options={"isolation_level": "REPEATABLE READ"})
        # The snapshot is taken by the first statement, not by BEGIN: take it now, before the
        # view returns, so the export shows the data as it was when it was asked for.
        connection.exec_driver_sql("SELECT 1")


def team_export(fmt: str) -> Response:
    """The streamed download; the generator reads the database while the response is sent."""
    _snapshot()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = f"switchboard-export-{stamp}.{fmt}"
    body = stream_zip() if fmt == "zip" else stream_json()
    return Response(stream_with_context(body),
                    mimetype="application/zip" if fmt == "zip" else "application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


def subject_response(person: Person) -> Response:
    """One person's record as a JSON download named after their id."""
    response = Response(json.dumps(subject_export(person), indent=1, ensure_ascii=False),
                        mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="person-{person.id}-export.json"')
    response.headers["Cache-Control"] = "no-store"
    return response


@api_bp.get("/export")
@token_required
def export_all():
    """Everything the team holds (admins): `format=zip` (CSV files, default) or `json`."""
    if not api_user().is_admin:
        raise ApiError(403, "Only an admin may export the whole team's data.")
    return team_export(request.args.get("format", "zip"))


@api_bp.get("/people/<int:person_id>/export")
@token_required
def export_person(person_id: int):
    """Subject access export: everything held about one person and where it came from."""
    return subject_response(_find(Person, person_id))


def _admin_download(fmt: str) -> Response:
    if not current_user.is_admin:
        abort(403)
    return team_export(fmt)


@bp.get("/admin/export.zip")
def team_zip():
    """The browser's download of the whole team's data as CSV files in a ZIP (admins)."""
    return _admin_download("zip")


@bp.get("/admin/export.json")
def team_json():
    """The browser's download of the whole team's data as JSON (admins)."""
    return _admin_download("json")


@bp.get("/people/<int:person_id>/export.json")
def person_export(person_id: int):
    """The browser's subject access download for one person."""
    return subject_response(db.get_or_404(Person, person_id))
