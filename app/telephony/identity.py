"""Client identities in access tokens map to users: "user-<id>-<session generation>"."""

import hashlib
import hmac

from app.models import User
from app.validation import get_by_id

PREFIX = "user-"


def _generation(user: User) -> str:
    # Derived from the session token, so the identity (and every access token carrying it)
    # stops working when the user's sessions end: sign-out, password change or deactivation.
    return hashlib.sha256(user.session_token.encode()).hexdigest()[:16]


def identity_for(user: User) -> str:
    return f"{PREFIX}{user.id}-{_generation(user)}"


def user_for_identity(value: str | None) -> User | None:
    """The active user behind a Twilio `From` such as "client:user-7-…", while its sessions live."""
    identity = (value or "").removeprefix("client:")
    if not identity.startswith(PREFIX):
        return None
    user_id, _, generation = identity[len(PREFIX) :].partition("-")
    user = get_by_id(User, user_id)
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(generation.encode(), _generation(user).encode()) else None
