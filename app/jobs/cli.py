"""`flask jobs-worker`: a runner outside the web servers, for production."""

import click
from flask import current_app

from app.jobs.runner import run_pending, work_forever


@click.command("jobs-worker")
@click.option("--once", is_flag=True, help="Run the jobs due now, then exit.")
@click.option("--poll", type=float, default=None, help="Seconds between looks when idle.")
def jobs_worker_command(once: bool, poll: float | None) -> None:
    """Run background jobs (imports, deliveries) until stopped; several may run at once."""
    if once:
        click.echo(f"ran {run_pending()} job(s)")
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo("jobs-worker: waiting for jobs (Ctrl+C stops)")
    work_forever(app, poll or app.config["JOB_POLL_SECONDS"])
