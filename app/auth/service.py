"""Accounts: sign-in with a rate limit, users managed by admins, API tokens."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select

from app.errors import DomainError
from app.extensions import db
from app.models import ApiToken, LoginAttempt, Role, User, hash_token, now_utc
from app.phones import PhoneError, normalize_phone
from app.timezones import is_timezone

MIN_PASSWORD = 8


class TooManyAttempts(Exception):
    """Sign-in is paused for this email or address after repeated failures."""


def _recent_failures(email: str, ip: str) -> int:
    since = now_utc() - timedelta(seconds=current_app.config["LOGIN_RATE_WINDOW_SECONDS"])
    query = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.at >= since, or_(LoginAttempt.email == email, LoginAttempt.ip == ip)
    )
    return db.session.scalar(query) or 0


def authenticate(email: str, password: str, ip: str) -> User | None:
    """The active user with these credentials, or None; raises TooManyAttempts when throttled."""
    email = email.strip().lower()
    if _recent_failures(email, ip) >= current_app.config["LOGIN_RATE_LIMIT"]:
        raise TooManyAttempts()
    user = db.session.scalars(select(User).where(User.email == email)).first()
    if user is None or not user.active or not user.check_password(password):
        db.session.add(LoginAttempt(email=email, ip=ip))
        db.session.commit()
        return None
    # A success clears this account's failures, so a later typo is not punished.
    db.session.execute(LoginAttempt.__table__.delete().where(LoginAttempt.email == email))
    db.session.commit()
    return user


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
    if len(password) < MIN_PASSWORD:
        raise DomainError({"password": f"Use at least {MIN_PASSWORD} characters."})
    user.set_password(password)
    db.session.commit()


def set_active(user: User, active: bool, acting: User) -> None:
    if user.id == acting.id and not active:
        raise DomainError("You cannot deactivate your own account.")
    user.active = active
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
    if token is None or not token.user.active:
        return None
    token.last_used_at = now_utc()
    return token.user


def revoke_token(user: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is not None and token.user_id == user.id:
        db.session.delete(token)
        db.session.commit()
