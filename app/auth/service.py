"""Accounts: sign-in with a rate limit, users managed by admins, API tokens."""

import secrets
from functools import cache

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.throttle import address_key, begin_attempt, clear_attempts
from app.errors import DomainError
from app.extensions import db
from app.models import ApiToken, Role, User, hash_token, now_utc
from app.phones import PhoneError, normalize_phone
from app.timezones import is_timezone

MIN_PASSWORD = 8


@cache
def _dummy_password_hash() -> str:
    """A hash made the way set_password makes them, checked when no account can be."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str, ip: str) -> User | None:
    """The active user with these credentials, or None; raises TooManyAttempts when throttled."""
    email, ip = email.strip().lower()[:254], address_key(ip)
    begin_attempt(email, ip)
    user = db.session.scalars(select(User).where(User.email == email)).first()
    # One password check on every path (unknown, deactivated, wrong, right), so the time taken
    # does not tell whether an account exists.
    if user is None:
        check_password_hash(_dummy_password_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    clear_attempts(email, ip)
    return user


def sign_out_everywhere(user: User) -> None:
    """End every session and remember-me cookie of this user, on every device."""
    user.end_sessions()
    db.session.commit()


def create_user(email: str, password: str, admin: bool = False, name: str = "",
                timezone: str | None = None) -> User:
    """Add an account; emails are unique and case-insensitive."""
    email = email.strip().lower()
    errors = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = "Enter a valid email address."
    elif db.session.scalars(select(User).where(User.email == email)).first():
        errors["email"] = "An account with this email already exists."
    if len(password) < MIN_PASSWORD:
        errors["password"] = f"Use at least {MIN_PASSWORD} characters."
    if errors:
        raise DomainError(errors)
    user = User(email=email, name=name.strip(), role=Role.ADMIN if admin else Role.RECRUITER,
                timezone=timezone or current_app.config["DEFAULT_TIMEZONE"])
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def update_profile(user: User, name: str, phone: str | None, timezone: str) -> User:
    """A recruiter's own name, phone (rung first on bridge calls) and time zone."""
    errors = {}
    try:
        phone_e164 = normalize_phone(phone, current_app.config["DEFAULT_COUNTRY"])
    except PhoneError as exc:
        errors["phone"] = str(exc)
    if not is_timezone(timezone):
        errors["timezone"] = "Pick a time zone from the list."
    if errors:
        raise DomainError(errors)
    user.name, user.phone_e164, user.timezone = name.strip()[:120], phone_e164, timezone
    db.session.commit()
    return user


def set_password(user: User, password: str) -> None:
    """A new password (an admin's reset); every session of the user ends with the old one."""
    if len(password) < MIN_PASSWORD:
        raise DomainError({"password": f"Use at least {MIN_PASSWORD} characters."})
    user.set_password(password)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change, proven with the current password; other sessions end."""
    if not user.check_password(current):
        raise DomainError({"current_password": "Your current password is not right."})
    if len(new) < MIN_PASSWORD:
        raise DomainError({"new_password": f"Use at least {MIN_PASSWORD} characters."})
    set_password(user, new)


def set_active(user: User, active: bool, acting: User) -> None:
    """Deactivation ends every session and revokes every API token for good."""
    if user.id == acting.id and not active:
        raise DomainError("You cannot deactivate your own account.")
    user.active = active
    if not active:
        # Revoked, not suspended: reactivating the account must not revive copied credentials.
        user.end_sessions()
        for token in user.live_tokens:
            token.revoked_at = now_utc()
    db.session.commit()


def issue_token(user: User, label: str = "") -> str:
    """Create an API token and return its value, which is shown once and never stored."""
    token, plain = ApiToken.issue(user, label[:80])
    db.session.add(token)
    db.session.commit()
    return plain


def user_for_token(plain: str) -> User | None:
    token = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == hash_token(plain))
    ).first()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    token.last_used_at = now_utc()
    return token.user


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens; the row stays as a record."""
    token = db.session.get(ApiToken, token_id)
    if token is not None and token.user_id == user.id and token.revoked_at is None:
        token.revoked_at = now_utc()
        db.session.commit()
