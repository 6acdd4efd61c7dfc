"""Command-line accounts and tokens."""

from sqlalchemy import select

from app.auth.service import user_for_token
from app.models import Role, User


def test_create_user_makes_a_recruiter(runner, db):
    result = runner.invoke(
        args=["create-user", "--email", "Kim@Example.com", "--password", "long-enough-pw"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "kim@example.com")).one()
    assert user.role == Role.RECRUITER
    assert user.check_password("long-enough-pw")


def test_create_user_with_admin_flag_makes_an_admin(runner, db):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "boss@example.com",
            "--password",
            "long-enough-pw",
            "--admin",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "boss@example.com")).one()
    assert user.role == Role.ADMIN


def test_create_user_refuses_a_duplicate(runner, user):
    result = runner.invoke(
        args=["create-user", "--email", user.email, "--password", "long-enough-pw"]
    )
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_create_user_refuses_a_short_password(runner):
    result = runner.invoke(args=["create-user", "--email", "x@example.com", "--password", "short"])
    assert result.exit_code != 0


def test_create_token_prints_only_a_working_token(runner, user):
    # Scripts capture stdout, as in TOKEN=$(flask create-token ...): nothing else may be there.
    result = runner.invoke(args=["create-token", "--email", user.email])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert user_for_token(lines[0].strip()) == user


def test_create_token_for_unknown_email_fails(runner):
    result = runner.invoke(args=["create-token", "--email", "nobody@example.com"])
    assert result.exit_code != 0
    assert "nobody@example.com" in result.output
