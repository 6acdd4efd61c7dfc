"""Bearer-token authentication for the API: `Authorization: Bearer <token>` on every request."""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request

from app.api.errors import ApiError
from app.auth.service import user_for_token
from app.extensions import db
from app.models import User

P = ParamSpec("P")
R = TypeVar("R")


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def token_required(view: Callable[P, R]) -> Callable[P, R]:
    """Run the view only for an active user's token; the user is then `api_user()`."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _bearer_token()
        if token is None:
            raise ApiError(401, "Send an API token as 'Authorization: Bearer <token>'.")
        user = user_for_token(token)
        if user is None:
            raise ApiError(
                401,
                "That API token is unknown, revoked or belongs to an inactive account.",
                code="invalid_token",
            )
        # user_for_token stamped last_used_at; commit it now so a failing request still counts.
        db.session.commit()
        g.api_user = user
        return view(*args, **kwargs)

    wrapper.token_required = True  # type: ignore[attr-defined]  (checked by the tests)
    return wrapper


def api_user() -> User:
    """The user whose token authenticated this request."""
    return g.api_user
