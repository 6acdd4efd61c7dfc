"""Sign-in throttling, counted in the database so that every app server shares the same count."""

import ipaddress
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from app.extensions import db
from app.models import LoginAttempt, now_utc


class TooManyAttempts(Exception):
    """Sign-in is paused for this account at this address, or for the address as a whole."""


def address_key(ip: str) -> str:
    """The address as throttling counts it: an IPv6 client owns its whole /64, so that is one."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def begin_attempt(email: str, ip: str) -> None:
    """Record a sign-in attempt, or raise TooManyAttempts when a limit is reached.

    The attempt is committed before the count is taken, so of two racing attempts the one that
    counts last sees the other: no more attempts than the limit reach the password check, on any
    number of servers, without a lock. A refused attempt is deleted again: it tried nothing.
    """
    attempt = LoginAttempt(email=email, ip=ip)
    db.session.add(attempt)
    db.session.commit()
    config = current_app.config
    since = now_utc() - timedelta(seconds=config["LOGIN_RATE_WINDOW_SECONDS"])
    per_account, per_address = db.session.execute(
        select(func.count().filter(LoginAttempt.email == email), func.count()).where(
            LoginAttempt.ip == ip, LoginAttempt.at >= since
        )
    ).one()
    # Per account *and* address: guesses at one account never lock it out for anyone elsewhere,
    # and guesses at unknown or other accounts never lock out a colleague behind the same address.
    if (
        per_account > config["LOGIN_RATE_LIMIT"]
        or per_address > config["LOGIN_RATE_LIMIT_PER_ADDRESS"]
    ):
        db.session.delete(attempt)
        db.session.commit()
        raise TooManyAttempts()


def clear_attempts(email: str, ip: str) -> None:
    """After a success: forget this account's failures at this address, and expired attempts."""
    since = now_utc() - timedelta(seconds=current_app.config["LOGIN_RATE_WINDOW_SECONDS"])
    db.session.execute(
        delete(LoginAttempt).where(
            or_((LoginAttempt.email == email) & (LoginAttempt.ip == ip), LoginAttempt.at < since)
        )
    )
    db.session.commit()
