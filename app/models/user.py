"""Recruiters, their API tokens and sign-in attempts."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.types import UTCDateTime, now_utc, slug_enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    RECRUITER = "recruiter"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        slug_enum(Role),
        default=Role.RECRUITER,
    )
    active: Mapped[bool] = mapped_column(default=True)
    # The recruiter's own phone, rung first for bridge calls.
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # Part of every session and remember-me cookie (see get_id): replacing it ends them all,
    # wherever they were copied to, because the cookies themselves cannot be recalled.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    # Presence for inbound calls: a signed-in browser whose dialer is registered with Twilio
    # pushes this forward every minute; past it, callers ring the recruiter's own phone instead.
    browser_online_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of deactivated users
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def live_tokens(self) -> list[ApiToken]:
        return [token for token in self.tokens if token.revoked_at is None]

    def get_id(self) -> str:
        """What sessions and remember-me cookies store: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def has_session_token(self, token: str) -> bool:
        return hmac.compare_digest(self.session_token.encode(), token.encode())

    def end_sessions(self) -> None:
        """Invalidate every session and remember-me cookie issued so far."""
        self.session_token = new_session_token()
        # The browser's calling identity changes with the token: nothing there can ring now.
        self.browser_online_until = None

    def set_password(self, password: str) -> None:
        """A new password also ends every session signed in with the old one."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, so a leaked database leaks no tokens."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Revoked tokens are kept (when made, last used, revoked) but never authenticate again.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @classmethod
    def issue(cls, user: User, label: str = "") -> tuple[ApiToken, str]:
        """Make a token for user; the plain value is returned once and never stored."""
        plain = "sb_" + secrets.token_urlsafe(32)
        token = cls(user=user, token_hash=hash_token(plain), label=label)
        return token, plain


class LoginAttempt(db.Model):
    """Sign-ins in progress or failed, counted per email and address and per address alone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
