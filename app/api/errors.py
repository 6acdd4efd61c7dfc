"""API errors: every failure is JSON `{"error", "message", "fields"}` with a fitting status."""

from typing import Any

from flask import Blueprint, Response, jsonify
from werkzeug.exceptions import HTTPException

from app.errors import DomainError, PermissionDenied

# Short, stable codes a client can branch on; the message is for people.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "duplicate",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    500: "server_error",
}


class ApiError(Exception):
    """A request the API refuses before (or instead of) reaching a service."""

    def __init__(
        self,
        status: int,
        message: str,
        fields: dict[str, str] | None = None,
        code: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = dict(fields or {})
        self.code = code or HTTP_CODES.get(status, "error")


def error_response(
    status: int,
    message: str,
    fields: dict[str, str] | None = None,
    code: str | None = None,
    **extra: Any,
) -> tuple[Response, int]:
    body = {
        "error": code or HTTP_CODES.get(status, "error"),
        "message": message,
        "fields": dict(fields or {}),
        **extra,
    }
    return jsonify(body), status


def _api_error(exc: ApiError):
    response, status = error_response(exc.status, exc.message, exc.fields, exc.code)
    if status == 401:
        # RFC 6750: tell the client which scheme to use (and that its token was refused).
        challenge = 'Bearer realm="switchboard"'
        if exc.code == "invalid_token":
            challenge += ', error="invalid_token"'
        response.headers["WWW-Authenticate"] = challenge
    return response, status


def _domain_error(exc: DomainError):
    extra = {"matches": exc.matches} if exc.matches else {}
    # Built from fields (not str(exc)), since the API may refine a field's message after raising.
    message = "; ".join(f"{path}: {text}" for path, text in exc.fields.items())
    return error_response(exc.status, message, exc.fields, **extra)


def _permission_denied(exc: PermissionDenied):
    return error_response(403, str(exc) or "You may not change this.")


def passed_headers(exc: Exception) -> list[tuple[str, str]]:
    """The headers an HTTP error carries for the client (405's Allow, 401's WWW-Authenticate)."""
    if not isinstance(exc, HTTPException):
        return []
    return [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]


def http_error_response(exc: HTTPException, message: str | None = None) -> tuple[Response, int]:
    """An HTTP error in the API's shape, keeping the headers it carries."""
    status = exc.code or 500
    response, _ = error_response(
        status, message or exc.description or exc.name, code=HTTP_CODES.get(status)
    )
    response.headers.extend(passed_headers(exc))
    return response, status


def _http_error(exc: HTTPException):
    return http_error_response(exc)


def register_error_handlers(bp: Blueprint) -> None:
    """JSON errors for everything raised inside the API's views (404s included, never HTML)."""
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(DomainError, _domain_error)
    bp.register_error_handler(PermissionDenied, _permission_denied)
    # The app registers handlers per status code, and Flask prefers those over a blueprint's
    # generic HTTPException handler, so the API registers its own for the same codes.
    for status in HTTP_CODES:
        bp.register_error_handler(status, _http_error)
    bp.register_error_handler(HTTPException, _http_error)
