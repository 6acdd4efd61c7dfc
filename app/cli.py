"""Command-line tasks: accounts, tokens and demo data."""

import click
from flask import Flask

from app.errors import DomainError


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--admin", is_flag=True, help="Give the account the admin role.")
@click.option("--name", default="")
def create_user_command(email: str, password: str, admin: bool, name: str) -> None:
    """Create a sign-in account."""
    from app.auth.service import create_user

    try:
        user = create_user(email, password, admin=admin, name=name)
    except DomainError as exc:
        raise click.ClickException("; ".join(exc.fields.values())) from None
    click.echo(f"Created {user.role.value} {user.email}")


@click.command("create-token")
@click.option("--email", required=True)
@click.option("--label", default="cli")
def create_token_command(email: str, label: str) -> None:
    """Issue an API token for a user and print only the token."""
    from sqlalchemy import select

    from app.auth.service import issue_token
    from app.extensions import db
    from app.models import User

    user = db.session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise click.ClickException(f"No user with email {email}")
    click.echo(issue_token(user, label))


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Delete the demo data first, then seed it again.")
def seed_demo_command(reset: bool) -> None:
    """Load a realistic demo team, companies, org charts, calls and follow-ups."""
    from app.demo import seed_demo

    summary = seed_demo(reset=reset)
    click.echo(summary)


def register_cli(app: Flask) -> None:
    from app.benchdata import seed_bench_command
    from app.imports.cli import import_csv_command
    from app.jobs.cli import jobs_worker_command
    from app.people.repair import repair_reporting_cycles_command
    from app.telephony.cli import twilio_check_command

    for command in (create_user_command, create_token_command, seed_demo_command,
                    twilio_check_command, seed_bench_command, repair_reporting_cycles_command,
                    jobs_worker_command, import_csv_command):
        app.cli.add_command(command)
