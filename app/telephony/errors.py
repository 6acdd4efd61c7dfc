"""Twilio's failures as answers a user can act on: bad credentials, rate limited, unavailable.

None of them is the user's fault, so none is a 422 about the form: each carries the status we
answer with, a stable `error` code, Twilio's own message and error code, and (when waiting helps)
how long to wait.
"""

import json

from requests import ConnectionError as RequestsConnectionError
from requests import RequestException, Timeout
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.response import Response

RETRY_AFTER_SECONDS = 30  # Twilio's 429 reaches us without its headers; a cautious default


class TwilioFailure(Exception):
    """Twilio could not do what we asked; `status` is ours, `twilio_code` is Twilio's."""

    status = 503
    error = "twilio_unavailable"

    def __init__(
        self, message: str, *, twilio_code: int | None = None, retry_after: int | None = None
    ):
        super().__init__(message)
        self.message = message
        self.twilio_code = twilio_code
        self.retry_after = retry_after


class TwilioCredentialsRejected(TwilioFailure):
    status, error = 502, "twilio_credentials"


class TwilioRateLimited(TwilioFailure):
    status, error = 503, "twilio_rate_limited"


class TwilioUnavailable(TwilioFailure):
    status, error = 503, "twilio_unavailable"


class TwilioTimeout(TwilioFailure):
    status, error = 504, "twilio_timeout"


class TwilioRefused(TwilioFailure):
    """Twilio understood and said no (an invalid or unreachable number, a trial restriction)."""

    status, error = 422, "twilio_refused"


class CallNotRecorded(TwilioFailure):
    """Twilio placed the call but we could not write it down, so it was cancelled."""

    status, error = 503, "call_not_recorded"


def http_error(exc: Exception) -> tuple[int, str, int | None] | None:
    """(HTTP status, Twilio's message, Twilio's error code) of an error response, if it was one."""
    # Without a JSON error body (a proxy's HTML page) the SDK puts the HTTP status where Twilio's
    # own error code goes; that is no Twilio error code, so none is reported.
    if isinstance(exc, TwilioRestException):
        return exc.status, exc.msg, exc.code if exc.code != exc.status else None
    if isinstance(exc, TwilioServiceException):
        return exc.status, exc.detail or exc.title, exc.code if exc.code != exc.status else None
    # Listing pages raises a bare TwilioException("Unable to fetch page", response).
    response = exc.args[1] if isinstance(exc, TwilioException) and len(exc.args) > 1 else None
    if isinstance(response, Response):
        try:
            body = json.loads(response.text)
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        return response.status_code, str(body.get("message") or exc.args[0]), body.get("code")
    return None


def twilio_failure(exc: Exception, action: str) -> TwilioFailure:
    """The honest answer for an exception the SDK raised while we tried to `action`."""
    if (error := http_error(exc)) is not None:
        status, message, code = error
        said = message + (f" (Twilio error {code})" if code else "")
        if status == 401:
            return TwilioCredentialsRejected(
                "Twilio rejected our credentials (admin: check TWILIO_AUTH_TOKEN and "
                f"TWILIO_ACCOUNT_SID): could not {action}. {said}",
                twilio_code=code,
            )
        if status == 403:
            return TwilioCredentialsRejected(
                "Twilio refused this account the request (admin: check the account and its "
                f"permissions in the Twilio console): could not {action}. {said}",
                twilio_code=code,
            )
        if status == 429:
            return TwilioRateLimited(
                f"Twilio is rate limiting this account: could not {action}. Try again in "
                f"{RETRY_AFTER_SECONDS} seconds. {said}",
                twilio_code=code,
                retry_after=RETRY_AFTER_SECONDS,
            )
        if status >= 500:
            return TwilioUnavailable(
                f"Twilio is unavailable ({status}): could not {action}. Try again shortly. {said}",
                twilio_code=code,
            )
        return TwilioRefused(f"Twilio refused to {action}: {said}", twilio_code=code)
    if isinstance(exc, Timeout) and not isinstance(exc, RequestsConnectionError):
        # A read timeout: Twilio may have acted without our hearing back.
        return TwilioTimeout(f"Twilio did not answer in time: could not {action}. Try again.")
    if isinstance(exc, RequestException | TwilioException):
        return TwilioUnavailable(
            f"Could not reach Twilio ({type(exc).__name__}): could not {action}. Try again shortly."
        )
    raise TypeError(f"not a Twilio failure: {exc!r}") from exc


def failure_body(exc: TwilioFailure) -> dict:
    """The API's error shape ({error, message, fields}) plus Twilio's code."""
    return {
        "error": exc.error,
        "message": exc.message,
        "fields": {},
        "twilio_code": exc.twilio_code,
    }
