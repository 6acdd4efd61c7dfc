"""A recruiter's voicemail messages: check and store an upload, list, delete, sign audio URLs."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.models import User, Voicemail, now_utc
from app.voicemails.audio import AudioError, sniff, whole_seconds

MAX_BYTES = 1_500_000  # under MAX_CONTENT_LENGTH (2 MB) with room for the form around it
MAX_SECONDS = 90  # a voicemail box rarely keeps more; a drop should be short anyway
NAME_MAX = 80
# Twilio fetches the audio once the redirect plays; an hour covers a long AMD wait and retries.
AUDIO_TOKEN_SECONDS = 3600


class VoicemailNameTaken(DomainError):
    """Another live message of this recruiter has the name (the unique index says so)."""

    status = 409


def live_voicemails(user: User) -> list[Voicemail]:
    """The recruiter's messages that are not deleted, by name."""
    return list(db.session.scalars(
        select(Voicemail).where(Voicemail.user_id == user.id, Voicemail.deleted_at.is_(None))
        .order_by(Voicemail.name, Voicemail.id)))


def own_voicemail(user: User, voicemail_id: object) -> Voicemail | None:
    """The user's live message with this id (any int-like value), else None."""
    text = str(voicemail_id) if isinstance(voicemail_id, int | str) else ""
    if isinstance(voicemail_id, bool) or not (text.isascii() and text.isdigit()):
        return None
    if not 1 <= int(text) <= 2**31 - 1:
        return None
    voicemail = db.session.get(Voicemail, int(text))
    if voicemail is None or voicemail.user_id != user.id or voicemail.deleted_at is not None:
        return None
    return voicemail


def create_voicemail(user: User, name: object, data: bytes | None) -> Voicemail:
    """Check the name and the audio (type by its bytes, size, length), then store the message."""
    errors: dict[str, str] = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = "Give the message a name."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Keep the name to {NAME_MAX} characters."
    audio = None
    if not data:
        errors["file"] = "Choose or record an audio file."
    elif len(data) > MAX_BYTES:
        errors["file"] = f"The file is {len(data):,} bytes; at most {MAX_BYTES:,} are accepted."
    else:
        try:
            audio = sniff(data)
        except AudioError as exc:
            errors["file"] = str(exc)
        else:
            if audio.seconds > MAX_SECONDS:
                errors["file"] = (f"The message lasts {audio.seconds:.0f} s; keep it to "
                                  f"{MAX_SECONDS} s.")
    if errors or audio is None or data is None:
        raise DomainError(errors)
    voicemail = Voicemail(user_id=user.id, name=name, content_type=audio.content_type,
                          audio=data, size_bytes=len(data),
                          duration_seconds=whole_seconds(audio.seconds), created_at=now_utc())
    db.session.add(voicemail)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise VoicemailNameTaken(
            {"name": f"You already have a message called “{name}”."}) from None
    return voicemail


def delete_voicemail(voicemail: Voicemail) -> None:
    """Hide the message; calls that left it keep naming it."""
    voicemail.deleted_at = voicemail.deleted_at or now_utc()
    db.session.commit()


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="voicemail-audio")


def audio_token(voicemail: Voicemail) -> str:
    """An unguessable, expiring token for Twilio's fetch of this message (it has no session)."""
    return _signer().dumps(voicemail.id)


def token_allows(token: str | None, voicemail_id: int) -> bool:
    """Whether `token` was signed by us for this message, less than AUDIO_TOKEN_SECONDS ago."""
    try:
        return _signer().loads(token or "", max_age=AUDIO_TOKEN_SECONDS) == voicemail_id
    except BadSignature:  # includes SignatureExpired
        return False
