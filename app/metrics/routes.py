"""The sourcing metrics page and its CSV download, both read-only GETs with the same filters."""

import click
from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from app.extensions import db
from app.metrics.caller_ids import answer_rate_by_caller_id
from app.metrics.export import COLUMNS, to_csv
from app.metrics.filters import FUNNEL_SCOPES, GROUPINGS, PERIODS, parse_filters
from app.metrics.rollup import rebuild
from app.metrics.service import calling_blocks, compute_metrics
from app.metrics.svg import bar_chart, funnel_chart, rate_chart
from app.models import User, now_utc

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def index():
    """Dials, connects, names, follow-ups and the funnel for a recruiter or the team."""
    flt = parse_filters(request.args, current_user, now_utc())
    metrics = compute_metrics(flt, now_utc())
    recruiters = db.session.scalars(db.select(User).order_by(User.name, User.email)).all()
    return render_template(
        "metrics/index.html",
        m=metrics,
        blocks=calling_blocks(flt),
        caller_ids=answer_rate_by_caller_id(flt),
        f=flt,
        columns=COLUMNS,
        recruiters=recruiters,
        periods=PERIODS,
        groupings=GROUPINGS,
        scopes=FUNNEL_SCOPES,
        charts=_charts(metrics),
    ), 400 if flt.errors else 200


@bp.get("/metrics.csv")
def export():
    """The page's numbers per period and recruiter, as CSV."""
    flt = parse_filters(request.args, current_user, now_utc())
    if flt.errors:
        return Response("\n".join(flt.errors) + "\n", 400, mimetype="text/plain")
    body = to_csv(compute_metrics(flt, now_utc()))
    name = f"metrics-{flt.first}-{flt.last}-{flt.grouping}.csv"
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.cli.command("rebuild")
def rebuild_command() -> None:
    """Recount the metrics roll-ups from the calls, names and touchpoints (a repair, or after
    rows were written without the app)."""
    with db.engine.begin() as conn:
        rows = rebuild(conn)
    click.echo(f"Metrics roll-ups rebuilt: {rows:,} recruiter-quarter-hours.")


def _charts(metrics) -> dict:
    """The page's three SVG charts for the selected recruiter or the team."""
    labels = [b.short_label for b in metrics.buckets]
    longs = [b.label for b in metrics.buckets]
    unit = "day" if metrics.filter.grouping == "day" else "week"
    return {
        "volume": bar_chart(
            "chart-volume",
            f"Dials and connects per {unit}",
            labels,
            longs,
            [
                ("Dials", "bar-dials", [n.dials for n in metrics.team]),
                ("Connects", "bar-connects", [n.connects for n in metrics.team]),
            ],
        ),
        "rate": rate_chart(
            "chart-rate",
            f"Connect rate per {unit}",
            labels,
            longs,
            [n.connect_rate for n in metrics.team],
        ),
        "funnel": funnel_chart(
            "chart-funnel", "Funnel: uncovered, contacted, candidate", metrics.funnel
        ),
    }
