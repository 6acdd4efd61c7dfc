"""Cross-cutting web behaviour: sign-in everywhere, template filters, headers, error pages."""

from datetime import datetime

from flask import Flask, current_app, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import ServiceUnavailable

from app.dates import FIRST_DAY, LAST_DAY
from app.extensions import db, login_manager
from app.models import OUTCOME_LABELS, PersonRole, PersonStatus
from app.phones import format_national
from app.telephony.phone_links import phone_link_state
from app.telephony.settings import browser_calling_enabled, csp_sources
from app.timezones import to_local

# Blueprints that authenticate on their own terms (bearer tokens, Twilio signatures).
SELF_AUTHENTICATED_BLUEPRINTS = {"api", "webhooks"}
PUBLIC_ENDPOINTS = {"auth.login", "static", "main.health", "main.ready"}


def refuse_nul_characters():
    """NUL cannot be stored in PostgreSQL text and is never typed by a person: refuse it early."""
    values = [request.path, *request.args.values()]  # the path too: /calls/live/<sid> queries it
    if request.method in {"POST", "PUT", "PATCH"} and request.mimetype in {
        "application/x-www-form-urlencoded", "multipart/form-data"
    }:
        values += request.form.values()
    if any("\x00" in value for value in values):
        if wants_json():
            from app.api.errors import error_response

            return error_response(400, "Text may not contain NUL characters.")
        return render_template("errors/error.html", code=400, title="Bad request",
                               message="The request contained a NUL character."), 400
    return None


def require_login():
    """Every page but sign-in needs a signed-in, active user."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.blueprint in SELF_AUTHENTICATED_BLUEPRINTS:
        return None
    if request.endpoint is None:  # 404s fall through to the error handler
        return None
    if not current_user.is_authenticated:
        if request.blueprint == "telephony":  # called by scripts, which need a status, not a page
            return jsonify(error="unauthorized", message="Sign in first."), 401
        return login_manager.unauthorized()
    return None


def content_security_policy() -> str:
    """Same-origin everything; with browser calling on, exactly the Twilio hosts the SDK needs."""
    # blob: media: the voicemail recorder previews the WAV it made in the page before saving.
    connect, media = "'self'", "'self' blob:"
    if browser_calling_enabled():
        twilio = csp_sources()
        connect += " " + twilio["connect-src"]
        media += " " + twilio["media-src"]
    return (f"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"connect-src {connect}; media-src {media}; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


def security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    return response


def localtime(value: datetime | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    """Show a UTC time in the signed-in user's zone (in UTC if it cannot be converted)."""
    if value is None:
        return ""
    tz = current_user.timezone if current_user.is_authenticated else "UTC"
    return to_local(value, tz).strftime(fmt)


def phone(value: str | None) -> str:
    return format_national(value, current_app.config["DEFAULT_COUNTRY"])


def duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def wants_json() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def register_web(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    app.before_request(refuse_nul_characters)
    app.before_request(require_login)
    app.after_request(security_headers)
    app.add_template_filter(localtime)
    app.add_template_filter(phone)
    app.add_template_filter(duration)
    app.jinja_env.globals.update(
        OUTCOME_LABELS=OUTCOME_LABELS, PersonRole=PersonRole, PersonStatus=PersonStatus,
        FIRST_DAY=FIRST_DAY, LAST_DAY=LAST_DAY, phone_link_state=phone_link_state,
    )

    def error_page(code: int, title: str, message: str):
        def handler(error):
            from app.api.errors import http_error_response, passed_headers

            if wants_json():
                # Unmatched /api/ URLs never reach the API blueprint: answer in its error shape.
                return http_error_response(error, message)
            return render_template("errors/error.html", code=code, title=title,
                                   message=message), code, passed_headers(error)
        return handler

    app.register_error_handler(403, error_page(403, "Forbidden", "You may not change this."))
    app.register_error_handler(404, error_page(404, "Not found", "Nothing lives at this address."))
    app.register_error_handler(405, error_page(405, "Method not allowed", "Wrong HTTP method."))
    app.register_error_handler(413, error_page(413, "Too large", "That request is too large."))
    app.register_error_handler(429, error_page(429, "Too many requests", "Slow down a little."))
    app.register_error_handler(500, error_page(500, "Server error", "Something broke on our side; "
                                               "nothing was saved. Try again."))

    @app.errorhandler(OperationalError)
    def database_busy(error):
        # SQLite's write lock stayed taken past SQLITE_BUSY_TIMEOUT: nothing was written, and
        # trying again shortly works. Any other database failure stays a 500.
        if "database is locked" not in str(error.orig):
            raise error
        db.session.rollback()
        busy = ServiceUnavailable("The database is busy with other changes; nothing was saved. "
                                  "Try again in a moment.", retry_after=2)
        from app.api.errors import error_response, passed_headers

        if wants_json():
            response, status = error_response(503, busy.description, code="database_busy")
            return response, status, passed_headers(busy)
        return render_template("errors/error.html", code=503, title="Busy",
                               message=busy.description), 503, passed_headers(busy)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():
            return jsonify(error="csrf", message=error.description), 400
        return render_template("errors/error.html", code=400, title="Form expired",
                               message="The form's security token was missing or expired. Go back,"
                               " reload the page and submit again; your draft notes are kept."), 400

    @app.teardown_request
    def rollback_on_error(exc):
        # A failed request must leave nothing half-written in the session.
        if exc is not None:
            db.session.rollback()

