"""Client identities in access tokens map to users: "user-<id>"."""

from app.extensions import db
from app.models import User
from app.validation import parse_id

PREFIX = "user-"


def identity_for(user: User) -> str:
    return f"{PREFIX}{user.id}"


def user_for_identity(value: str | None) -> User | None:
    """The active user behind a Twilio `From` such as "client:user-7", or None."""
    if not value:
        return None
    identity = value.removeprefix("client:")
    ident = parse_id(identity[len(PREFIX):]) if identity.startswith(PREFIX) else None
    if ident is None:  # not ours, or a number no user id can be
        return None
    user = db.session.get(User, ident)
    return user if user is not None and user.active else None
