"""SECRET_KEY: the operator's, or, for the embedded single-machine setup, one generated once."""

import os
import secrets
import tempfile

from flask import Flask

KEY_FILE = "secret_key"
# Defaults of earlier releases: published in the source, so anyone could sign sessions with them.
PUBLISHED_KEYS = frozenset({"dev-only-change-me"})
MISSING = (
    "SECRET_KEY is not set. It signs sessions and CSRF tokens, and Switchboard will not start "
    "without one when it uses a database you configured (DATABASE_URL or "
    "SQLALCHEMY_DATABASE_URI). Set SECRET_KEY in the environment or in instance/config.py to a "
    "long random value, for example the output of:\n"
    '    python -c "import secrets; print(secrets.token_hex(32))"\n'
    "Every app server must use the same value."
)
_announced: set[str] = set()


class SecretKeyError(RuntimeError):
    """The app cannot start without a key only its operator knows."""


def configure_secret_key(app: Flask, embedded_database: bool) -> None:
    """Keep a configured key; otherwise use instance/secret_key where that is safe, or refuse."""
    key = app.config.get("SECRET_KEY")
    # Judged without surrounding whitespace: "SECRET_KEY= " in an env file is no secret either.
    judged = key.strip() if isinstance(key, str) else key
    if judged in PUBLISHED_KEYS:
        raise SecretKeyError(f"SECRET_KEY is set to {key!r}, a published default. " + MISSING)
    if judged:
        return
    # Only a database nobody configured (scripts/run's SQLite in instance/) or debug mode mean
    # "one developer's machine"; anything else may be one of several servers, which need one key.
    if not (embedded_database or app.debug):
        raise SecretKeyError(MISSING)
    path = os.path.join(app.instance_path, KEY_FILE)
    key, created = load_or_create_key(path)
    app.config["SECRET_KEY"] = key
    if created or path not in _announced:
        _announced.add(path)
        action = "generated a random one and saved it in" if created else "using the one saved in"
        app.logger.warning(
            "SECRET_KEY is not set: %s %s. Set SECRET_KEY on a server.", action, path
        )


def load_or_create_key(path: str) -> tuple[str, bool]:
    """The key stored at path, creating it (mode 0600) if missing; and whether it was created."""
    try:
        return _read(path), False
    except FileNotFoundError:
        pass
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    # Written whole to a private temporary file, then linked into place: link() refuses to
    # replace a file, so of processes starting together exactly one key wins and every process
    # reads that one, and no process ever reads a half-written key.
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{KEY_FILE}.")  # mode 0600
    try:
        key = secrets.token_hex(32)
        with os.fdopen(fd, "w") as file:
            file.write(key + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _read(path), False
        return key, True
    finally:
        os.unlink(temporary)


def _read(path: str) -> str:
    with open(path) as file:
        key = file.read().strip()
    if not key:
        raise SecretKeyError(
            f"{path} is empty: delete it to have a new key made, or set SECRET_KEY."
        )
    return key
