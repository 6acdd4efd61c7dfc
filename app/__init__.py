"""Switchboard: the call log and org charts of a phone-sourcing team."""

import os
from typing import Any

from flask import Flask
from sqlalchemy import event
from werkzeug.routing import IntegerConverter

from app.auth.secret_key import configure_secret_key
from app.extensions import csrf, db, login_manager, migrate
from app.static_files import SwitchboardFlask


def create_app(config_overrides: dict[str, Any] | None = None) -> Flask:
    """Build a configured application: the only place an app instance is made."""
    app = SwitchboardFlask(__name__, instance_relative_config=True)
    app.config.from_object("app.config.Config")
    app.config.from_pyfile("config.py", silent=True)
    if config_overrides:
        app.config.update(config_overrides)
    embedded_database = not app.config.get("SQLALCHEMY_DATABASE_URI")
    configure_secret_key(app, embedded_database)
    if embedded_database:
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "switchboard.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    app.config["SQLALCHEMY_DATABASE_URI"] = _psycopg3(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)

    # Ids beyond a 32-bit column cannot exist: such URLs are 404s, not database overflows.
    app.url_map.converters["int"] = BoundedInt
    register_extensions(app)
    register_blueprints(app)
    from app.cli import register_cli
    from app.web import register_web

    register_cli(app)
    register_web(app)
    from app.jobs.runner import register_runner

    register_runner(app)
    return app


class BoundedInt(IntegerConverter):
    """An <int:...> whose impossible values (beyond 32 bits) become id 0, which never exists."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= 2**31 - 1 else 0


def _psycopg3(url: str) -> str:
    """Hosting providers hand out postgres:// URLs; SQLAlchemy needs the psycopg 3 driver named."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _sqlite_functions(dbapi_connection, _record) -> None:
    # SQLite's own lower() only folds ASCII, so "Émile" would never match "émile": duplicates and
    # searches use Python's, the same as PostgreSQL's for these purposes.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    # Write-ahead log: readers never block the one writer nor it them, and a commit is one
    # append, so writes from several workers queue for less time. (A no-op in memory.)
    dbapi_connection.execute("PRAGMA journal_mode=WAL")


def _sqlite_waits(engine_options: dict, database_url: str, seconds: float) -> dict:
    """Engine options that make a SQLite write queue for the lock instead of failing at once.

    pysqlite's `timeout` is SQLite's busy timeout (default 5 s, too short for a burst of writes
    from several workers); past it the request answers 503 (app.web), never 500.
    """
    if not database_url.startswith("sqlite"):
        return engine_options
    connect_args = {**engine_options.get("connect_args", {}), "timeout": seconds}
    return {**engine_options, "connect_args": connect_args}


def register_extensions(app: Flask) -> None:
    from app.timezones import utc_sessions

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    options = utc_sessions(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), url)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _sqlite_waits(
        options, url, app.config["SQLITE_BUSY_TIMEOUT"])
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_functions)
    from app.search.engine import include_object

    migrate.init_app(app, db, render_as_batch=True, compare_type=True,
                     include_object=include_object)
    login_manager.init_app(app)
    from app.auth.sessions import load_user

    login_manager.user_loader(load_user)
    csrf.init_app(app)
    import app.models  # noqa: F401  (registers the tables on db.metadata)
    from app.metrics.rollup_hooks import register_rollup_hooks
    from app.search.index import register_index_hooks
    from app.webhooks.events import register_webhook_hooks

    register_index_hooks()
    register_rollup_hooks()
    register_webhook_hooks()


def register_blueprints(app: Flask) -> None:
    from app.api import (
        import_routes,  # noqa: F401  (CSV imports, on api_bp)
        phone_routes,  # noqa: F401  (its views join the api blueprint)
        queue_routes,  # noqa: F401  (adds the queue's views to api_bp)
        voicemail_routes,  # noqa: F401  (voicemail messages and drops, on api_bp)
        webhook_routes,  # noqa: F401  (outbound webhooks, on api_bp)
    )
    from app.api.routes import bp as api_bp
    from app.auth.admin import bp as admin_bp
    from app.auth.routes import bp as auth_bp
    from app.calls.routes import bp as calls_bp
    from app.companies.routes import bp as companies_bp
    from app.exports.routes import bp as exports_bp  # also adds the export views to api_bp
    from app.imports.routes import bp as imports_bp
    from app.main.routes import bp as main_bp
    from app.metrics.routes import bp as metrics_bp
    from app.people.routes import bp as people_bp
    from app.queue.routes import bp as queue_bp
    from app.search.routes import bp as search_bp
    from app.telephony import browser_phone  # noqa: F401  (presence, screen pop: telephony_bp)
    from app.telephony.routes import bp as telephony_bp
    from app.telephony.webhooks import bp as webhooks_bp
    from app.touchpoints.routes import bp as touchpoints_bp
    from app.voicemails import webhooks as _voicemail_webhooks  # noqa: F401  (on webhooks_bp)
    from app.voicemails.routes import bp as voicemails_bp
    from app.webhooks.routes import bp as webhook_admin_bp

    for bp in (auth_bp, admin_bp, main_bp, companies_bp, people_bp, calls_bp, telephony_bp,
               touchpoints_bp, search_bp, metrics_bp, queue_bp, voicemails_bp, exports_bp,
               imports_bp, webhook_admin_bp):
        app.register_blueprint(bp)
    # Twilio authenticates its webhooks by signature (checked in every view), not by a form token.
    csrf.exempt(webhooks_bp)
    app.register_blueprint(webhooks_bp)
    # The API authenticates with bearer tokens, never cookies, so CSRF cannot apply to it.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
