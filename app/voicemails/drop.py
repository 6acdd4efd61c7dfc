"""Voicemail drop: redirect the target's leg of a live call to play a recorded message.

The call is marked (and committed) before Twilio is asked, so no transaction stays open while
we wait on the network; Twilio's answer then settles it as sent or failed. Redirecting the
child leg (the one `<Dial><Number>` placed) ends the parent's `<Dial>`, which frees the
recruiter at once, for a browser call and a bridge call alike.
"""

from flask import current_app, url_for
from requests import RequestException
from twilio.base.exceptions import TwilioException

from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.models import Call, Outcome, User, Voicemail, now_utc
from app.telephony.client import get_twilio_client
from app.telephony.errors import twilio_failure
from app.telephony.events import FINAL
from app.telephony.settings import public_url

WAITING, SENDING, SENT, PLAYED = "waiting", "sending", "sent", "played"
FAILED, CANCELLED = "failed", "cancelled"
# AnsweredBy values with DetectMessageEnd that mean "the greeting is over: speak now".
# "unknown" too: detection gave up, and the recruiter asked for the message.
GREETING_OVER = {"machine_end_beep", "machine_end_silence", "machine_end_other", "unknown"}
NOT_A_MAILBOX = {"human", "fax"}


class DropRefused(DomainError):
    """The call is not one a message can be dropped into now (not live through Twilio)."""

    status = 409


def drop_voicemail(call: Call, voicemail: Voicemail | None, user: User) -> Call:
    """Leave `voicemail` on `call`'s target leg now, or when the beep comes (AMD on).

    Raises PermissionDenied (not the user's call), DomainError (not their live message),
    DropRefused (not live) and TwilioFailure (Twilio could not redirect the call).
    """
    if not call.editable_by(user):
        raise PermissionDenied("Only the recruiter who placed this call, or an admin, may "
                               "leave a message on it.")
    if voicemail is None or voicemail.user_id != user.id or voicemail.deleted_at is not None:
        raise DomainError({"voicemail_id": "Pick one of your own voicemail messages."})
    db.session.refresh(call, with_for_update=True)  # two clicks: one drop
    if refusal := _not_live(call):
        db.session.rollback()
        raise DropRefused({"call": refusal})
    previous = call.outcome
    wait = current_app.config["TWILIO_MACHINE_DETECTION"] and call.answered_by_machine in (
        None, "machine_start")
    call.voicemail_id, call.outcome = voicemail.id, Outcome.VOICEMAIL
    call.voicemail_drop_status = WAITING if wait else SENDING
    call_id, target = call.id, call.twilio_target_sid
    db.session.commit()
    if not wait:
        redirect(call_id, target, previous)
    return db.session.get(Call, call_id)


def _not_live(call: Call) -> str | None:
    if not call.twilio_call_sid:
        return "This call was not placed through Twilio, so no message can be left on it."
    if call.twilio_status in FINAL or (call.twilio_status or "").startswith("agent-"):
        return "This call has ended."
    if not call.twilio_target_sid:
        return "The number you called has not been dialled yet."
    if call.voicemail_drop_status in {WAITING, SENDING, SENT, PLAYED}:
        return "A message is already being left on this call."
    machine_detection = current_app.config["TWILIO_MACHINE_DETECTION"]
    if not machine_detection and call.answered_at is None:
        return "The number you called has not answered yet."
    return None


def redirect(call_id: int, target_sid: str, previous: Outcome | None = None) -> None:
    """Point the target's leg at the drop TwiML; on failure mark the drop failed and raise."""
    call = db.session.get(Call, call_id)
    # The message rides in the (signed) URL, so the TwiML plays it whatever happens to the row.
    url = public_url(url_for("webhooks.voicemail_drop", call_id=call_id,
                             voicemail_id=call.voicemail_id if call else None))
    try:
        get_twilio_client().calls(target_sid).update(url=url, method="POST")
    except (TwilioException, RequestException) as exc:
        _settle(call_id, FAILED, previous)
        raise twilio_failure(exc, "leave the voicemail message") from None
    _settle(call_id, SENT, previous)


def _settle(call_id: int, status: str, previous: Outcome | None) -> None:
    """Record what Twilio said; a failed or cancelled drop leaves no message on the call."""
    call = db.session.get(Call, call_id)
    if call is None:
        return
    call.voicemail_drop_status = status
    if status == SENT:
        call.voicemail_dropped_at = now_utc()
    elif call.outcome == Outcome.VOICEMAIL:
        call.voicemail_id, call.outcome = None, previous
    else:
        call.voicemail_id = None
    db.session.commit()


def on_machine_detection(call: Call, answered_by: str) -> str | None:
    """AMD's verdict for the target leg: a waiting drop plays now, or is cancelled for a human.

    Called with the call locked and its event stored; returns the target SID to redirect (after
    the caller commits), or None.
    """
    call.answered_by_machine = answered_by[:30]
    if call.voicemail_drop_status != WAITING or not call.twilio_target_sid:
        return None
    if answered_by in GREETING_OVER:
        call.voicemail_drop_status = SENDING
        return call.twilio_target_sid
    if answered_by in NOT_A_MAILBOX:
        call.voicemail_drop_status = CANCELLED
        call.voicemail_id = None
        if call.outcome == Outcome.VOICEMAIL:
            call.outcome = None
    return None


def mark_played(call: Call, voicemail: Voicemail) -> None:
    """Twilio fetched the drop TwiML: the message is being left, whatever we heard before (a
    redirect that timed out on our side may still have reached Twilio)."""
    call.voicemail_id, call.voicemail_drop_status = voicemail.id, PLAYED
    call.voicemail_dropped_at = call.voicemail_dropped_at or now_utc()
    if call.outcome is None:
        call.outcome = Outcome.VOICEMAIL
