"""seed-demo: a realistic data set, loaded once, and reloaded cleanly with --reset."""

from sqlalchemy import func, select

from app.calls.queries import due_follow_ups
from app.models import Call, Company, Outcome, Person, PersonStatus, Role, User, now_utc


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_covers_every_outcome_and_a_real_org_chart(runner, db):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "admin@switchboard.test" in result.output

    outcomes = set(db.session.scalars(select(Call.outcome).distinct()))
    assert outcomes == set(Outcome)
    assert count(db, Person) >= 40
    managed = db.session.scalars(select(Person).where(Person.reports_to_id.is_not(None))).all()
    assert len(managed) >= 20
    uncovered = db.session.scalars(select(Person).where(Person.source_call_id.is_not(None))).all()
    assert uncovered and all(p.source_call.company_id == p.company_id for p in uncovered)
    statuses = set(db.session.scalars(select(Person.status).distinct()))
    assert PersonStatus.DO_NOT_CALL in statuses
    assert db.session.scalars(select(Company).where(Company.off_limits)).one().off_limits_reason
    assert db.session.scalars(select(Company).where(Company.country == "GB")).one()


def test_seed_demo_gives_recruiters_follow_ups_due_today(runner, db):
    runner.invoke(args=["seed-demo"])
    recruiters = db.session.scalars(select(User).where(User.role == Role.RECRUITER)).all()
    assert len(recruiters) == 2
    for recruiter in recruiters:
        assert due_follow_ups(recruiter), recruiter.email
    future = db.session.scalars(
        select(Call).where(Call.follow_up_done_at.is_(None), Call.follow_up_at > now_utc())
    ).all()
    done = db.session.scalars(select(Call).where(Call.follow_up_done_at.is_not(None))).all()
    assert future and done
    assert all(c.follow_up_done_at >= c.started_at for c in done)


def test_demo_admin_can_sign_in(runner, client):
    runner.invoke(args=["seed-demo"])
    response = client.post(
        "/login", data={"email": "admin@switchboard.test", "password": "switchboard-demo"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_seed_demo_twice_does_not_duplicate(runner, db):
    runner.invoke(args=["seed-demo"])
    before = {m: count(db, m) for m in (User, Company, Person, Call)}
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "already" in result.output
    assert {m: count(db, m) for m in before} == before


def test_seed_demo_reset_reloads_the_same_data(runner, db):
    runner.invoke(args=["seed-demo"])
    before = {m: count(db, m) for m in (User, Company, Person, Call)}
    result = runner.invoke(args=["seed-demo", "--reset"])
    assert result.exit_code == 0, result.output
    assert "Seeded" in result.output
    assert {m: count(db, m) for m in before} == before
