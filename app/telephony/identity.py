"""Client identities in access tokens map to users: "user-<id>"."""

from app.extensions import db
from app.models import User

PREFIX = "user-"


def identity_for(user: User) -> str:
    return f"{PREFIX}{user.id}"


def user_for_identity(value: str | None) -> User | None:
    """The active user behind a Twilio `From` such as "client:user-7", or None."""
    if not value:
        return None
    identity = value.removeprefix("client:")
    if not identity.startswith(PREFIX) or not identity[len(PREFIX):].isdigit():
        return None
    user = db.session.get(User, int(identity[len(PREFIX):]))
    return user if user is not None and user.active else None
