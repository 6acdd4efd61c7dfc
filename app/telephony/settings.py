"""Which Twilio features the configuration turns on, and what is missing for the others."""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from flask import current_app, request

from app.telephony.caller_ids import check_pool

VOICE_SDK_VERSION = "2.18.5"
VOICE_SDK_INTEGRITY = (
    "sha512-2/tw1IDAIn7j6yFDOln8p93v3aHIxNIN93JwL98cHIlbkSNeU/Jt9zGM/0TvDpNjo+k88lvAew4jgOjKlc9/KA=="
)
VOICE_SDK_STATIC_PATH = f"vendor/twilio-voice-sdk-{VOICE_SDK_VERSION}/twilio.min.js"

REST_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_CALLER_ID", "PUBLIC_BASE_URL")
BROWSER_SETTINGS = REST_SETTINGS + (
    "TWILIO_API_KEY_SID",
    "TWILIO_API_KEY_SECRET",
    "TWILIO_TWIML_APP_SID",
)


# Twilio refuses access tokens that live longer than a day; a minute leaves time to dial.
TOKEN_TTL_RANGE = (60, 86400)
# A request waiting on Twilio must answer within 15 s in all; one REST call gets at most that.
MAX_HTTP_TIMEOUT = 15.0
NUMBER_TYPES = {name for name in vars(phonenumbers.PhoneNumberType) if name.isupper()}


class TelephonyConfigError(ValueError):
    """A Twilio setting out of bounds; the message names the setting and what it accepts."""


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse to start with a Twilio setting Twilio (or a waiting user) could not live with."""
    low, high = TOKEN_TTL_RANGE
    ttl = config.get("TWILIO_TOKEN_TTL")
    if not isinstance(ttl, int) or not low <= ttl <= high:
        raise TelephonyConfigError(
            f"TWILIO_TOKEN_TTL must be between {low} and {high} seconds (Twilio's maximum "
            f"access-token lifetime is 24 hours); it is {ttl!r}.")
    timeout = config.get("TWILIO_HTTP_TIMEOUT")
    if not isinstance(timeout, int | float) or not 0 < timeout <= MAX_HTTP_TIMEOUT:
        raise TelephonyConfigError(
            f"TWILIO_HTTP_TIMEOUT must be more than 0 and at most {MAX_HTTP_TIMEOUT:g} seconds; "
            f"it is {timeout!r}.")
    base = config.get("TWILIO_API_BASE_URL")
    if base and not _is_http_url(base):
        raise TelephonyConfigError(
            f"TWILIO_API_BASE_URL must be an http(s) address such as https://api.twilio.com; "
            f"it is {base!r}.")
    unknown = _names(config.get("TWILIO_ALLOWED_NUMBER_TYPES") or "") - NUMBER_TYPES
    if unknown:
        raise TelephonyConfigError(
            f"TWILIO_ALLOWED_NUMBER_TYPES names unknown number types: {', '.join(sorted(unknown))}"
            f". Known: {', '.join(sorted(NUMBER_TYPES))}.")
    if pool_problem := check_pool(config):
        raise TelephonyConfigError(pool_problem)


def _is_http_url(value: object) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return parts is not None and parts.scheme in {"http", "https"} and bool(parts.hostname)


def _names(value: str) -> set[str]:
    return {name.strip().upper() for name in value.split(",") if name.strip()}


def allowed_number_types() -> set[str]:
    return _names(current_app.config["TWILIO_ALLOWED_NUMBER_TYPES"])


def http_timeout() -> float:
    return float(current_app.config["TWILIO_HTTP_TIMEOUT"])


def missing(names: tuple[str, ...]) -> list[str]:
    return [name for name in names if not current_app.config.get(name)]


def browser_calling_enabled() -> bool:
    return not missing(BROWSER_SETTINGS)


def bridge_calling_enabled() -> bool:
    return not missing(REST_SETTINGS)


def calling_enabled() -> bool:
    """Some way to place a call through Twilio: from the browser, or a bridge to one's phone."""
    return browser_calling_enabled() or bridge_calling_enabled()


def public_url(path: str) -> str:
    """The address Twilio must use to reach `path` (signatures are computed over it).

    Without PUBLIC_BASE_URL, the address this request came in on (ProxyFix-corrected) is used.
    """
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return base.rstrip("/") + path


def allowed_countries() -> set[str]:
    return {c.strip().upper() for c in current_app.config["TWILIO_ALLOWED_COUNTRIES"].split(",")
            if c.strip()}


def calling_hours() -> tuple[int, int]:
    start, _, end = current_app.config["CALLING_HOURS"].partition("-")
    return int(start), int(end)


def csp_sources() -> dict[str, str]:
    """The Twilio hosts the Voice SDK talks to: signalling, insights, and its ringtone files."""
    edge = current_app.config["TWILIO_EDGE"]
    # The SDK fetches its sounds (the incoming ringtone too) with XMLHttpRequest for Web Audio,
    # so sdk.twilio.com is a connect source as well as a media one.
    return {
        "connect-src": f"wss://voice-js.{edge}.twilio.com https://eventgw.twilio.com "
                       "https://sdk.twilio.com",
        "media-src": "https://sdk.twilio.com",
    }
