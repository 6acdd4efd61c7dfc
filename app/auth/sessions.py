"""Which user a session or remember-me cookie signs in: only while its session token is current."""

from app.models import User
from app.validation import get_by_id


def load_user(session_id: str) -> User | None:
    """Flask-Login's user loader: "<id>:<session token>", as User.get_id() wrote it."""
    if not isinstance(session_id, str):  # a cookie we never wrote (signed with a leaked key)
        return None
    user_id, _, token = session_id.partition(":")
    user = get_by_id(User, user_id)
    # Cookies from before session tokens hold a bare id: they sign nobody in any more.
    if user is None or not token or not user.has_session_token(token):
        return None
    return user
