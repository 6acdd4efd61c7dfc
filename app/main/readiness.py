"""Readiness: may a load balancer send this app server requests now?

`/healthz` only says the process answers (liveness). With several app servers behind one
balancer, a server must also be taken out while it cannot do its work: the database is
unreachable, its schema is not the one this code was written for (a deploy that ran the new
code before `flask db upgrade`, or an old server left running after it), or browser calling is
configured but this server lacks the Voice SDK file every page would load. Each check says
what is wrong in a word or two, never a connection string or a stack trace.
"""

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.telephony import settings
from app.telephony.dialer import sdk_installed

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@lru_cache(maxsize=1)
def code_heads() -> frozenset[str]:
    """The migration heads this code expects (read once: the files do not change at runtime)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def readiness() -> dict[str, str]:
    """Each check's verdict: "ok", or what is wrong."""
    checks: dict[str, str] = {}
    try:
        with db.engine.connect() as conn:
            applied = frozenset(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError:
        return {"database": "unreachable"}
    checks["database"] = "ok"
    if applied == code_heads():
        checks["migrations"] = "ok"
    elif not applied:
        checks["migrations"] = "not applied (run flask db upgrade)"
    else:
        checks["migrations"] = "database schema differs from this code's (run flask db upgrade)"
    if settings.browser_calling_enabled():
        checks["voice_sdk"] = "ok" if sdk_installed() else "missing (run scripts/fetch_vendor.py)"
    return checks
