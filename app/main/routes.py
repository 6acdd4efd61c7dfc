"""Home page: today's follow-ups and recent calls."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.calls.queries import due_follow_ups, missed_calls, recent_calls
from app.main.readiness import readiness
from app.models import now_utc

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Missed calls to call back, follow-ups due today or overdue, then the latest calls."""
    mine, due_total = due_follow_ups(current_user)
    missed = missed_calls(current_user)
    # A missed call is a follow-up too (the queue builds from it); here it has its own card.
    shown = {call.id for call in missed}
    follow_ups = [call for call in mine if call.id not in shown]
    return render_template("main/index.html", follow_ups=follow_ups, missed=missed,
                           due_total=due_total - (len(mine) - len(follow_ups)),
                           calls=recent_calls(10), now_utc=now_utc())


@bp.get("/healthz")
def health():
    """Liveness probe for load balancers; says nothing about the data."""
    return {"status": "ok"}


@bp.get("/readyz")
def ready():
    """Readiness probe: 200 when this server can serve (database, schema, Voice SDK), else 503."""
    checks = readiness()
    ok = all(verdict == "ok" for verdict in checks.values())
    return {"status": "ready" if ok else "not ready", "checks": checks}, 200 if ok else 503
