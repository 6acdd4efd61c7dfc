"""Twilio's webhooks: every view checks X-Twilio-Signature; nothing else authenticates them."""

from functools import wraps

from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator

from app.extensions import db
from app.models import Call
from app.telephony import bridge, events, service, twiml
from app.validation import get_by_id

bp = Blueprint("webhooks", __name__, url_prefix="/twilio")


def signed_url() -> str:
    """The URL Twilio signed: the public address when one is set (behind tunnels and proxies)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return request.url  # ProxyFix (PROXY_FIX=1) rebuilds it from X-Forwarded-*
    url = base.rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode()
    return url


def twilio_signed(view):
    """Refuse (403) any request whose signature does not match our auth token."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = current_app.config.get("TWILIO_AUTH_TOKEN")
        signature = request.headers.get("X-Twilio-Signature", "")
        # The whole multi-valued form: Twilio signs every value of a repeated key.
        if not token or not signature or not RequestValidator(token).validate(
            signed_url(), request.form, signature
        ):
            abort(403)
        if not _sids_fit():
            abort(400)
        return view(*args, **kwargs)

    return wrapped


# Twilio's SIDs are 34 characters, and so are our columns for them (PostgreSQL refuses more).
SID_FIELDS = ("CallSid", "ParentCallSid", "RecordingSid")
SID_LENGTH = 34


def _sids_fit() -> bool:
    """One SID per field, of a SID's length at most: anything else no Twilio request carries."""
    return all(
        len(values) <= 1 and all(len(value) <= SID_LENGTH for value in values)
        for values in (request.form.getlist(field) for field in SID_FIELDS)
    )


def form_payload() -> dict[str, str]:
    """The posted form as stored: a repeated key keeps all its values, comma-separated."""
    return {key: ",".join(values) for key, values in request.form.lists()}


def _xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def _call_from_args() -> Call | None:
    return get_by_id(Call, request.args.get("call_id"))


def _keep_orphan(kind: str) -> None:
    """An event for a call we do not know is still kept, for audit."""
    events.store_event(kind, form_payload(), None)
    db.session.commit()


@bp.post("/voice")
@twilio_signed
def voice():
    """TwiML for an outgoing call: from a browser (TwiML app) or a bridge call's first leg."""
    params = form_payload()
    if "call_id" in request.args:
        call = _call_from_args()
        if call is None:
            return _xml(twiml.refuse("This call is unknown to Switchboard."))
        return _xml(bridge.answer(call, params, request.args))  # press a key, then dial
    decision = service.answer_browser_call(params)
    if decision.call is None:
        events.store_event("voice", params | {"_refused": decision.refusal}, None)
        db.session.commit()
        return _xml(twiml.refuse(decision.refusal or "The call cannot be placed."))
    events.store_event("voice", params, decision.call)
    db.session.commit()
    return _xml(twiml.dial(decision.call, decision.extension, decision.warnings))


@bp.post("/status")
@twilio_signed
def status():
    """Call progress: initiated, ringing, answered, completed (or busy, no-answer, failed)."""
    call = _call_from_args()
    if call is not None:
        events.apply_status(call, form_payload(), request.args.get("leg", "target"))
    else:
        _keep_orphan("status")
    return "", 204


@bp.post("/recording")
@twilio_signed
def recording():
    """Recording progress; the media stays at Twilio and is streamed through the app."""
    call = _call_from_args()
    if call is not None:
        events.apply_recording(call, form_payload())
    else:
        _keep_orphan("recording")
    return "", 204


@bp.post("/consent")
@twilio_signed
def consent():
    """Played to the called party before the recorded call is joined."""
    return _xml(twiml.consent())


# Inbound calls live in their own module, on this blueprint (imported last: it uses `bp`).
from app.telephony import inbound_routes  # noqa: E402, F401
