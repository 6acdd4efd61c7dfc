"""Signed-in telephony endpoints: access tokens, bridge calls, recordings, live call binding."""

import requests
from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.models import Call, Company, Person
from app.telephony import service, settings
from app.telephony.errors import TwilioFailure, failure_body
from app.telephony.identity import identity_for
from app.telephony.tokens import voice_token
from app.validation import get_by_id

bp = Blueprint("telephony", __name__)
# A bad Twilio setting stops the app at start-up with its name, not at the first call.
bp.record_once(lambda state: settings.check_config(state.app.config))


@bp.app_errorhandler(TwilioFailure)
def twilio_failure(exc: TwilioFailure):
    """Twilio's failure, wherever a view met it (the dialer, the API): JSON the user can act on."""
    response = jsonify(failure_body(exc))
    if exc.retry_after:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response, exc.status


@bp.get("/twilio/token")
def token():
    """A short-lived Voice access token carrying the signed-in user's identity."""
    if not settings.browser_calling_enabled():
        return jsonify(error="calling_disabled", missing=settings.missing(
            settings.BROWSER_SETTINGS)), 503
    jwt, ttl = voice_token(current_user)
    response = jsonify(token=jwt, identity=identity_for(current_user), ttl=ttl)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/calls/bridge")
def bridge():
    """Ring the recruiter's phone, then connect the target; answers JSON for the dialer."""
    if not settings.bridge_calling_enabled():
        return jsonify(error="calling_disabled", missing=settings.missing(
            settings.REST_SETTINGS)), 503
    form = request.form
    person = get_by_id(Person, form.get("person_id"))
    company = person.company if person else get_by_id(Company, form.get("company_id"))
    if company is None:
        return jsonify(error="invalid", fields={"company_id": "Pick a company or a person."}), 422
    try:
        call = service.start_bridge_call(current_user, form.get("to_number"), company, person,
                                         form.get("extension"))
    except DomainError as exc:
        return jsonify(error="invalid", fields=exc.fields,
                       message=" ".join(exc.fields.values())), 422
    return jsonify(call_id=call.id, call_sid=call.twilio_call_sid, warning=call.dial_warning,
                   status_url=url_for("telephony.live_status", sid=call.twilio_call_sid)), 201


@bp.get("/calls/live/<sid>")
def live_status(sid: str):
    """The Twilio status of one of your calls, polled by the dialer during and after a call."""
    call = db.session.scalars(select(Call).where(Call.twilio_call_sid == sid)).first()
    if call is None:
        abort(404)
    if call.user_id != current_user.id and not current_user.is_admin:
        abort(403)
    return jsonify(status=call.twilio_status, call_sid=call.twilio_call_sid, call_id=call.id,
                   duration_seconds=call.duration_seconds,
                   suggested_outcome=call.suggested_outcome.value if call.suggested_outcome
                   else None)


@bp.get("/calls/<int:call_id>/recording")
def recording(call_id: int):
    """Stream the call's recording from Twilio with our credentials; the browser never sees them."""
    call = db.get_or_404(Call, call_id)
    if not call.recording_url or call.recording_status != "completed":
        abort(404)
    config = current_app.config
    if not _is_twilio_media(call.recording_url):
        abort(404)  # our credentials go to Twilio's own media host and nowhere else
    # A minute of MP3 is about 1 MB, so the whole file is fetched rather than streamed.
    try:
        with requests.get(call.recording_url + ".mp3", timeout=15, auth=(
            config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"]
        )) as upstream:
            if upstream.status_code != 200:
                abort(502)
            audio = upstream.content
    except requests.RequestException:
        abort(502)
    return Response(audio, mimetype="audio/mpeg", headers={
        "Cache-Control": "private, max-age=3600",
        "Content-Disposition": f'inline; filename="call-{call.id}.mp3"'})


def _is_twilio_media(url: str) -> bool:
    allowed = ["https://api.twilio.com/"]
    if base := current_app.config.get("TWILIO_API_BASE_URL"):
        allowed.append(base.rstrip("/") + "/")
    return url.startswith(tuple(allowed))
