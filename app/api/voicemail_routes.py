"""Voicemail messages and drops in the JSON API (views on the `api` blueprint).

Uploads are multipart/form-data (`name`, `file`); the file's bytes decide its type.
"""

from flask import request, url_for

from app.api.auth import api_user, token_required
from app.api.errors import ApiError
from app.api.parsing import json_body
from app.api.routes import _find, bp
from app.api.serializers import call_json
from app.models import Call, Voicemail
from app.voicemails import service
from app.voicemails.drop import drop_voicemail
from app.voicemails.service import MAX_BYTES

UPLOAD_FIELDS = {"name", "file"}


def voicemail_json(voicemail: Voicemail) -> dict:
    return {"id": voicemail.id, "name": voicemail.name,
            "duration_seconds": voicemail.duration_seconds}


@bp.get("/voicemails")
@token_required
def list_voicemails():
    """Your live messages, by name."""
    return {"voicemails": [voicemail_json(v) for v in service.live_voicemails(api_user())]}


def _upload() -> tuple[str | None, bytes | None]:
    """The form's name and the file's bytes (a `file` sent as a plain field counts as its text)."""
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "Send the message as multipart/form-data with `name` and `file`.")
    # A part without a name arrives under the key None: unknown too, never a 500.
    unknown = sorted({str(key) for key in [*request.form, *request.files]} - UPLOAD_FIELDS)
    if unknown:
        raise ApiError(422, "Unknown fields.", {name: "Unknown field." for name in unknown})
    if len(request.form.getlist("name")) > 1 or len(request.files.getlist("file")) > 1:
        raise ApiError(422, "Send one name and one file.", {"file": "Send one file."})
    upload = request.files.get("file")
    data = upload.read(MAX_BYTES + 1) if upload else (request.form.get("file") or "").encode()
    return request.form.get("name"), data


@bp.post("/voicemails")
@token_required
def create_voicemail():
    """Upload a message (WAV or MP3, checked by its bytes); 409 when the name is taken."""
    name, data = _upload()
    voicemail = service.create_voicemail(api_user(), name, data)
    return voicemail_json(voicemail), 201, {
        "Location": url_for(".list_voicemails") + f"#voicemail-{voicemail.id}"}


@bp.post("/calls/<int:call_id>/voicemail-drop")
@token_required
def drop(call_id: int):
    """Leave one of your messages on a live call's voicemail box (202: playing or waiting)."""
    call = _find(Call, call_id)
    user = api_user()
    if not call.editable_by(user):
        raise ApiError(403, "Only the recruiter who placed this call, or an admin, may leave a "
                            "message on it.")
    data = json_body()
    unknown = sorted(set(data) - {"voicemail_id"})
    if unknown:
        raise ApiError(422, "Unknown fields.", {name: "Unknown field." for name in unknown})
    ident = data.get("voicemail_id")
    if not isinstance(ident, int) or isinstance(ident, bool):
        raise ApiError(422, "voicemail_id must be the id of one of your messages.",
                       {"voicemail_id": "Must be the id of one of your messages."})
    voicemail = service.own_voicemail(user, ident)
    return call_json(drop_voicemail(call, voicemail, user)), 202
