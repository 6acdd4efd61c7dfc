"""Which Twilio features the configuration turns on, and what is missing for the others."""

from flask import current_app, request

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


def missing(names: tuple[str, ...]) -> list[str]:
    return [name for name in names if not current_app.config.get(name)]


def browser_calling_enabled() -> bool:
    return not missing(BROWSER_SETTINGS)


def bridge_calling_enabled() -> bool:
    return not missing(REST_SETTINGS)


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
    return {
        "connect-src": f"wss://voice-js.{edge}.twilio.com https://eventgw.twilio.com",
        "media-src": "https://sdk.twilio.com",
    }
