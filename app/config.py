"""Settings: every value can come from the environment; instance/config.py overrides them."""

import os


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(name: str, default: str, kind: type = int) -> int | float:
    """A numeric setting; a value that is not one stops the start with the setting's name."""
    value = os.environ.get(name, default)
    try:
        return kind(value)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"{name} must be {what}, not {value!r}.") from None


class Config:
    # No default: without one, create_app refuses to start, except in the embedded SQLite setup
    # (or debug mode), where it generates a private key once into instance/secret_key.
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means "SQLite file in the instance folder", resolved in create_app.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # SQLite has one writer at a time: how long a write queues for the lock before the request
    # gives up with a 503 (never a 500). Seconds.
    SQLITE_BUSY_TIMEOUT = _number("SQLITE_BUSY_TIMEOUT", "15", float)
    DEFAULT_COUNTRY = os.environ.get("DEFAULT_COUNTRY", "US")
    DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "America/New_York")
    # Failed sign-ins per account and address, and per address over all accounts, in the window.
    LOGIN_RATE_LIMIT = _number("LOGIN_RATE_LIMIT", "5")
    LOGIN_RATE_LIMIT_PER_ADDRESS = _number("LOGIN_RATE_LIMIT_PER_ADDRESS", "50")
    LOGIN_RATE_WINDOW_SECONDS = _number("LOGIN_RATE_WINDOW_SECONDS", "900")
    PAGE_SIZE = _number("PAGE_SIZE", "25")
    # A calling block ends after this many quiet minutes (no item taken, call placed or saved).
    QUEUE_SESSION_IDLE_MINUTES = _number("QUEUE_SESSION_IDLE_MINUTES", "20")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    WTF_CSRF_TIME_LIMIT = None  # a call can last longer than the default hour
    PROXY_FIX = _bool("PROXY_FIX")
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # CSV imports may be larger than other bodies (100,000 rows is about 15 MB).
    IMPORT_MAX_BYTES = _number("IMPORT_MAX_BYTES", str(64 * 1024 * 1024))
    # Background jobs: a runner thread inside each serving process (off: run `flask jobs-worker`),
    # how often an idle runner looks for work, and after how long without a heartbeat a running
    # job counts as abandoned and is taken again.
    JOBS_IN_PROCESS = _bool("JOBS_IN_PROCESS", True)
    JOB_POLL_SECONDS = _number("JOB_POLL_SECONDS", "2", float)
    JOB_STALE_SECONDS = _number("JOB_STALE_SECONDS", "300")
    # Outbound webhooks go only to public https addresses; on, a receiver on this machine or
    # the office network (and plain http) is allowed too: for development and tests.
    WEBHOOK_ALLOW_PRIVATE_URLS = _bool("WEBHOOK_ALLOW_PRIVATE_URLS")
    # Seconds a delivery waits to connect, then for each read of the answer.
    WEBHOOK_CONNECT_TIMEOUT = _number("WEBHOOK_CONNECT_TIMEOUT", "5", float)
    WEBHOOK_READ_TIMEOUT = _number("WEBHOOK_READ_TIMEOUT", "10", float)

    # Telephony (optional): without these, calls are logged by hand and call buttons explain why.
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN")
    TWILIO_API_KEY_SID = os.environ.get("TWILIO_API_KEY_SID")
    TWILIO_API_KEY_SECRET = os.environ.get("TWILIO_API_KEY_SECRET")
    TWILIO_TWIML_APP_SID = os.environ.get("TWILIO_TWIML_APP_SID")
    TWILIO_CALLER_ID = os.environ.get("TWILIO_CALLER_ID")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")
    TWILIO_RECORD_CALLS = _bool("TWILIO_RECORD_CALLS")
    TWILIO_CONSENT_MESSAGE = os.environ.get(
        "TWILIO_CONSENT_MESSAGE", "This call is being recorded for note-taking purposes."
    )
    TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL")  # e.g. a local emulator
    TWILIO_ALLOWED_COUNTRIES = os.environ.get("TWILIO_ALLOWED_COUNTRIES", "US,CA")
    TWILIO_TOKEN_TTL = _number("TWILIO_TOKEN_TTL", "600")  # 60..86400, checked
    TWILIO_EDGE = os.environ.get("TWILIO_EDGE", "roaming")  # the Voice SDK's only, never REST's
    # Seconds to connect to, and then to hear from, Twilio's REST API (0 < t <= 15, checked).
    TWILIO_HTTP_TIMEOUT = _number("TWILIO_HTTP_TIMEOUT", "10", float)
    # phonenumbers' number types that may be dialled; premium rate and the like are not.
    TWILIO_ALLOWED_NUMBER_TYPES = os.environ.get(
        "TWILIO_ALLOWED_NUMBER_TYPES", "FIXED_LINE,MOBILE,FIXED_LINE_OR_MOBILE,TOLL_FREE,VOIP"
    )
    # Answering-machine detection on dialled numbers; with it, a voicemail drop waits for the beep.
    TWILIO_MACHINE_DETECTION = _bool("TWILIO_MACHINE_DETECTION")
    # The account's numbers to show as caller ID (E.164, comma-separated): a call shows the one
    # in the target's country and area code, else TWILIO_CALLER_ID (`flask twilio-check` lists
    # the account's numbers).
    TWILIO_CALLER_IDS = os.environ.get("TWILIO_CALLER_IDS", "")
    # Inbound calls nobody on file called before ring these recruiters' browsers (emails,
    # comma-separated); empty: every active recruiter, up to Twilio's 10 at once.
    TWILIO_RING_GROUP = os.environ.get("TWILIO_RING_GROUP", "")
    # How long an inbound call rings before the caller is asked to leave a message.
    TWILIO_RING_SECONDS = _number("TWILIO_RING_SECONDS", "20")
    TWILIO_INBOUND_GREETING = os.environ.get(
        "TWILIO_INBOUND_GREETING",
        "Sorry we missed your call. Please leave a message after the tone and we will call you "
        "back.")
    CALLING_HOURS = os.environ.get("CALLING_HOURS", "8-21")  # local hours at the called company
    # How long taking a queue item holds its person or main line against teammates' queues.
    QUEUE_CLAIM_MINUTES = _number("QUEUE_CLAIM_MINUTES", "10")
