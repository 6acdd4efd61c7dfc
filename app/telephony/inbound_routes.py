"""Webhooks of inbound calls (a team number's Voice URL), on the signed `webhooks` blueprint."""

from flask import Response, request

from app.extensions import db
from app.telephony import events, inbound, inbound_twiml, twiml
from app.telephony.webhooks import _call_from_args, _keep_orphan, bp, form_payload, twilio_signed


def _xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


@bp.post("/inbound")
@twilio_signed
def inbound_call():
    """A call to one of the team's numbers: log it, then ring whoever it is routed to."""
    params = form_payload()
    decision = inbound.receive_call(params)
    if decision.call is None:
        events.store_event("inbound", params | {"_refused": decision.refusal}, None)
        db.session.commit()
        return _xml(twiml.refuse(decision.refusal or "Sorry, this call cannot be taken."))
    return _xml(inbound_twiml.ring(decision.call, decision.clients, decision.phone))


@bp.post("/inbound/leg")
@twilio_signed
def inbound_leg():
    """Progress of one ringing leg: a browser that answered takes the call."""
    call = _call_from_args()
    if call is None:
        _keep_orphan("dial")
    else:
        inbound.apply_leg(call, form_payload(), request.args.get("user_id"),
                          "client" if request.args.get("kind") == "client" else "number")
    return "", 204


@bp.post("/inbound/whisper")
@twilio_signed
def inbound_whisper():
    """The recruiter's own phone answered: ask for a key before the caller is put through."""
    call = _call_from_args()
    if call is None:
        return _xml(inbound_twiml.hangup())
    return _xml(inbound_twiml.whisper(call, request.args.get("user_id", type=int) or 0))


@bp.post("/inbound/accept")
@twilio_signed
def inbound_accept():
    """The whisper's <Gather>: a key joins the caller to this phone; none hangs this leg up."""
    call = _call_from_args()
    if call is None:
        _keep_orphan("gather")
        return _xml(inbound_twiml.hangup())
    taken = inbound.accept_on_phone(call, form_payload(), request.args.get("user_id"))
    return _xml(inbound_twiml.accepted(taken))


@bp.post("/inbound/dialed")
@twilio_signed
def inbound_dialed():
    """The <Dial> ended: hang up after a conversation, or take a message when nobody answered."""
    call = _call_from_args()
    if call is None:
        _keep_orphan("dial")
        return _xml(inbound_twiml.hangup())
    if inbound.finish_dial(call, form_payload()):
        return _xml(inbound_twiml.message(call))
    return _xml(inbound_twiml.hangup())


@bp.post("/inbound/message")
@twilio_signed
def inbound_message_done():
    """<Record> finished (the recording itself arrives at /twilio/recording): say goodbye."""
    call = _call_from_args()
    events.store_event("message", form_payload(), call)
    db.session.commit()
    return _xml(inbound_twiml.goodbye())
