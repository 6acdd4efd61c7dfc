"""Home page: today's follow-ups and recent calls."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.calls.queries import due_follow_ups, recent_calls
from app.models import now_utc

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Follow-ups due today or overdue, then the latest calls."""
    mine, due_total = due_follow_ups(current_user)
    return render_template("main/index.html", follow_ups=mine, due_total=due_total,
                           calls=recent_calls(10), now_utc=now_utc())


@bp.get("/healthz")
def health():
    """Liveness probe for load balancers; says nothing about the data."""
    return {"status": "ok"}
