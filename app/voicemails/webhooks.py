"""Twilio's side of a voicemail drop: the TwiML that plays it, AMD's verdict, the audio itself.

Views join the `webhooks` blueprint (imported in create_app before it is registered). The two
POSTs are signed webhooks; the audio GET is fetched by Twilio's media player, which carries no
signature we could check against a session, so it needs an HMAC token we put in the <Play> URL.
"""

from flask import Response, abort, current_app, request, url_for
from twilio.twiml.voice_response import VoiceResponse

from app.extensions import db
from app.models import Voicemail
from app.telephony import events
from app.telephony.errors import TwilioFailure
from app.telephony.settings import public_url
from app.telephony.webhooks import _call_from_args, _keep_orphan, bp, form_payload, twilio_signed
from app.validation import get_by_id
from app.voicemails import drop
from app.voicemails.service import audio_token, token_allows


def drop_twiml(voicemail: Voicemail | None) -> str:
    """Play the message into the voicemail box, then hang up (nothing to play: hang up)."""
    response = VoiceResponse()
    if voicemail is not None:
        response.play(public_url(url_for("webhooks.voicemail_audio", voicemail_id=voicemail.id,
                                         token=audio_token(voicemail))))
    response.hangup()
    return str(response)


@bp.post("/voicemail-drop")
@twilio_signed
def voicemail_drop():
    """TwiML for the target's leg once redirected: the recorded message, then hang up."""
    call = _call_from_args()
    voicemail = get_by_id(Voicemail, request.args.get("voicemail_id"))
    if call is None:
        _keep_orphan("voice")
        return Response(drop_twiml(None), mimetype="text/xml")
    events.store_event("voice", form_payload() | {"_voicemail_drop": "1"}, call)
    if voicemail is not None and voicemail.user_id == call.user_id:
        drop.mark_played(call, voicemail)
    else:
        voicemail = None
    db.session.commit()
    return Response(drop_twiml(voicemail), mimetype="text/xml")


@bp.post("/amd")
@twilio_signed
def amd():
    """Answering-machine detection's verdict on the dialled leg (AnsweredBy)."""
    call = _call_from_args()
    payload = form_payload()
    answered_by = payload.get("AnsweredBy", "")
    if call is None or not answered_by:
        _keep_orphan("amd")
        return "", 204
    db.session.refresh(call, with_for_update=True)
    event = events.store_event("amd", payload, call)
    if event is None:  # Twilio repeated itself: already applied
        db.session.commit()
        return "", 204
    if sid := events.twilio_sid(payload.get("CallSid")):
        call.twilio_target_sid = call.twilio_target_sid or sid
    target = drop.on_machine_detection(call, answered_by)
    event.applied = True
    call_id = call.id
    db.session.commit()
    if target is not None:
        try:
            drop.redirect(call_id, target)
        except TwilioFailure as exc:
            # Marked failed on the call; Twilio needs nothing from us but a 2xx.
            current_app.logger.warning("Voicemail drop on call %s failed: %s", call_id, exc)
    return "", 204


@bp.get("/voicemails/<int:voicemail_id>/audio")
def voicemail_audio(voicemail_id: int):
    """The message's audio, for Twilio's <Play>: only with a token we signed for it."""
    if not token_allows(request.args.get("token"), voicemail_id):
        abort(403)
    voicemail = db.get_or_404(Voicemail, voicemail_id)
    return Response(voicemail.audio, mimetype=voicemail.content_type,
                    headers={"Cache-Control": "private, max-age=3600"})
