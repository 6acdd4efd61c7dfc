"""Signed-in pages: your voicemail messages (list, play, upload, record, delete) and the drop."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.models import Call, Voicemail
from app.voicemails import service
from app.voicemails.drop import drop_voicemail
from app.voicemails.forms import VoicemailForm
from app.voicemails.service import MAX_BYTES, MAX_SECONDS

bp = Blueprint("voicemails", __name__)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _own(voicemail_id: int) -> Voicemail:
    voicemail = db.get_or_404(Voicemail, voicemail_id)
    if voicemail.user_id != current_user.id or voicemail.deleted_at is not None:
        abort(404)  # someone else's messages are not even said to exist
    return voicemail


def _page(form: VoicemailForm, status: int = 200):
    return render_template("voicemails/index.html", form=form, max_bytes=MAX_BYTES,
                           max_seconds=MAX_SECONDS,
                           voicemails=service.live_voicemails(current_user)), status


@bp.get("/voicemails")
def index():
    """Your messages, with a player each, the upload form and the recorder."""
    return _page(VoicemailForm())


@bp.post("/voicemails")
def create():
    """Save an uploaded or recorded message (the recorder asks for JSON)."""
    form = VoicemailForm()
    if not form.validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    try:
        voicemail = service.create_voicemail(current_user, form.name.data,
                                             upload.read(MAX_BYTES + 1) if upload else None)
    except DomainError as exc:
        if _wants_json():
            return jsonify(error="invalid", fields=exc.fields,
                           message=" ".join(exc.fields.values())), exc.status
        for name, message in exc.fields.items():
            getattr(form, name).errors = [message]
        return _page(form, exc.status)
    if _wants_json():
        return jsonify(id=voicemail.id, name=voicemail.name,
                       duration_seconds=voicemail.duration_seconds), 201
    flash(f"Saved “{voicemail.name}” ({voicemail.duration_seconds} s).", "success")
    return redirect(url_for(".index"))


@bp.post("/voicemails/<int:voicemail_id>/delete")
def delete(voicemail_id: int):
    """Remove a message from your list; calls that left it still name it."""
    voicemail = _own(voicemail_id)
    service.delete_voicemail(voicemail)
    flash(f"Deleted “{voicemail.name}”.", "success")
    return redirect(url_for(".index"))


@bp.get("/voicemails/<int:voicemail_id>/audio")
def audio(voicemail_id: int):
    """The message's audio, for its owner's player."""
    voicemail = _own(voicemail_id)
    return Response(voicemail.audio, mimetype=voicemail.content_type,
                    headers={"Cache-Control": "private, max-age=3600"})


@bp.post("/calls/<int:call_id>/voicemail-drop")
def drop(call_id: int):
    """The dialer's "Drop voicemail": JSON for its script, errors in the dialer's shape."""
    call = db.get_or_404(Call, call_id)
    voicemail = service.own_voicemail(current_user, request.form.get("voicemail_id"))
    try:
        call = drop_voicemail(call, voicemail, current_user)
    except PermissionDenied as exc:
        return jsonify(error="forbidden", message=str(exc)), 403
    except DomainError as exc:
        return jsonify(error="invalid", fields=exc.fields,
                       message=" ".join(exc.fields.values())), exc.status
    return jsonify(call_id=call.id, status=call.voicemail_drop_status,
                   voicemail={"id": voicemail.id, "name": voicemail.name}), 202
