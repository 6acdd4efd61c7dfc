"""seed-demo: a realistic data set, loaded once, and reloaded cleanly with --reset."""

from sqlalchemy import func, select

from app.calls.queries import due_follow_ups
from app.companies.orgchart import build_org_chart, chart_nodes
from app.models import (
    Call,
    Company,
    Direction,
    Outcome,
    Person,
    PersonRole,
    PersonStatus,
    ReportingLink,
    Role,
    User,
    now_utc,
)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_covers_every_outcome_and_a_real_org_chart(runner, db):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "admin@switchboard.test" in result.output

    outcomes = set(db.session.scalars(select(Call.outcome).distinct()))
    assert outcomes == set(Outcome) | {None}  # None: the missed callbacks, not logged yet
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
        assert due_follow_ups(recruiter)[0], recruiter.email
    future = db.session.scalars(
        select(Call).where(Call.follow_up_done_at.is_(None), Call.follow_up_at > now_utc())
    ).all()
    done = db.session.scalars(select(Call).where(Call.follow_up_done_at.is_not(None))).all()
    assert future and done
    assert all(c.follow_up_done_at >= c.started_at for c in done)


def test_seed_demo_leaves_missed_callbacks_on_a_recruiters_today_page(runner, db, client):
    runner.invoke(args=["seed-demo"])
    missed = db.session.scalars(select(Call).where(Call.direction == Direction.INBOUND)).all()
    assert len(missed) == 2 and all(c.missed and c.follow_up_open for c in missed)
    known = [c for c in missed if c.person is not None]
    assert known and known[0].routed_to.email == "sam@switchboard.test"
    assert [c.company for c in missed if c.person is None] == [None]  # a number nobody has

    client.post("/login", data={"email": "sam@switchboard.test", "password": "switchboard-demo"})
    today = client.get("/").get_data(as_text=True)
    assert "Missed calls" in today and known[0].person.display_name in today


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


def test_seed_demo_has_empty_boxes_under_real_managers(runner, db):
    runner.invoke(args=["seed-demo"])
    boxes = db.session.scalars(select(Person).where(Person.placeholder)).all()
    assert 4 <= len(boxes) <= 6
    assert len({box.company_id for box in boxes}) >= 3
    for box in boxes:
        assert box.full_name is None and box.title and box.left_at is None
        manager = box.reports_to
        assert manager is not None and not manager.placeholder
        assert manager.company_id == box.company_id
        assert box.source_call is not None and box.source_call.company_id == box.company_id
        assert box.reporting_links and box.reporting_links[-1].source_call == box.source_call
    titles = {box.title for box in boxes}
    assert "Head of Data Science" in titles
    # A named person reports to an empty box, learned on a call.
    under_boxes = [p for box in boxes for p in box.direct_reports if not p.placeholder]
    assert under_boxes and all(p.source_call is not None for p in under_boxes)
    head = next(box for box in boxes if under_boxes[0] in box.direct_reports)
    chart = build_org_chart(head.company)
    node = next(n for n in chart_nodes(chart) if n.person.id == head.id)
    assert under_boxes[0].id in [child.person.id for child in node.reports]
    assert chart.coverage.named < chart.coverage.boxes


def test_seed_demo_has_people_who_left(runner, db):
    runner.invoke(args=["seed-demo"])
    left = db.session.scalars(select(Person).where(Person.left_at.is_not(None))).all()
    assert len(left) == 2
    assert all(not p.placeholder and p.left_at <= now_utc() for p in left)
    manager = next(p for p in left if p.direct_reports)
    chart = build_org_chart(manager.company)
    live = {n.person.id for n in chart_nodes(chart)}
    assert manager.id not in live and manager.id in {p.id for p in chart.left}
    # Their reports stay on the live chart, under the nearest manager still there.
    for report in manager.direct_reports:
        assert report.id in live
        parent = next(n for n in chart_nodes(chart)
                      if report.id in [c.person.id for c in n.reports])
        assert parent.person.id == manager.reports_to_id


def test_seed_demo_has_a_manager_reported_two_ways(runner, db, client):
    runner.invoke(args=["seed-demo"])
    links = db.session.scalars(select(ReportingLink).where(ReportingLink.manager_id.is_not(None)))
    by_person: dict[Person, set] = {}
    for link in links:
        if link.source_call_id is not None:
            by_person.setdefault(link.person, set()).add((link.manager_id, link.source_call_id))
    conflicted = [p for p, seen in by_person.items() if len({m for m, _ in seen}) > 1]
    assert len(conflicted) == 1
    person = conflicted[0]
    assert len({call for _, call in by_person[person]}) == 2
    chart = build_org_chart(person.company)
    node = next(n for n in chart_nodes(chart) if n.person.id == person.id)
    [other] = node.other_managers
    assert other.manager_id != person.reports_to_id and other.call_at is not None

    client.post("/login", data={"email": "sam@switchboard.test", "password": "switchboard-demo"})
    page = client.get(f"/companies/{person.company_id}/org-chart").get_data(as_text=True)
    assert f"Also reported under {other.manager_name}" in page
    assert "Left the company (1)" in page
    assert "name unknown" in page


# The calling block


def _queue(db, email):
    from app.models import OPEN_STATUSES, QueueItem

    user = db.session.scalars(select(User).where(User.email == email)).one()
    items = db.session.scalars(select(QueueItem).where(
        QueueItem.user_id == user.id, QueueItem.status.in_(OPEN_STATUSES))).all()
    return user, items


def test_seed_demo_leaves_a_queue_worth_working_through(runner, db):
    from app.models import QueueReason
    from app.queue.claims import take_next
    from app.queue.targets import check_target

    runner.invoke(args=["seed-demo"])
    for email in ("admin@switchboard.test", "sam@switchboard.test", "jo@switchboard.test"):
        user, items = _queue(db, email)
        assert items, email
        assert all(check_target(i.company, i.person).callable for i in items)
    admin, items = _queue(db, "admin@switchboard.test")
    assert len(items) >= 8
    reasons = {i.reason for i in items}
    assert {QueueReason.FOLLOW_UP, QueueReason.GAP} <= reasons
    asking = [i for i in items if i.reason == QueueReason.GAP and i.person is not None]
    assert len({i.company_id for i in asking}) >= 3
    for item in asking:  # who to ask, and why, in words
        assert item.person.full_name in item.why and item.next_step.startswith("Ask ")
    assert any(i.box is not None and i.box.placeholder for i in asking)
    assert take_next(admin) is not None


def test_seed_demo_has_gatekeepers_who_put_calls_through(runner, db):
    runner.invoke(args=["seed-demo"])
    calls = db.session.scalars(select(Call).where(Call.answered_by_id.is_not(None))).all()
    through: dict[Person, list[bool]] = {}
    for call in calls:
        if call.answered_by.role == PersonRole.GATEKEEPER:
            through.setdefault(call.answered_by, []).append(
                call.outcome in (Outcome.CONNECTED, Outcome.REFERRAL, Outcome.NOT_INTERESTED))
    regulars = [p for p, ends in through.items() if len(ends) >= 2]
    assert len(regulars) >= 4
    assert sum(any(ends) for ends in through.values()) >= 4
    assert any(not all(ends) and any(ends) for ends in through.values())


def test_seed_demo_saves_phone_tree_paths_on_main_lines(runner, db):
    from app.models import PhoneTreeStep

    runner.invoke(args=["seed-demo"])
    steps = db.session.scalars(select(PhoneTreeStep).order_by(
        PhoneTreeStep.company_id, PhoneTreeStep.position)).all()
    by_company: dict[int, list[int]] = {}
    for step in steps:
        by_company.setdefault(step.company_id, []).append(step.position)
        assert step.digits or step.label
    assert len(by_company) >= 2
    assert all(positions == list(range(len(positions))) for positions in by_company.values())


def test_demo_main_lines_straddle_calling_hours_at_every_hour(runner, db):
    from datetime import UTC, datetime, timedelta

    from app.queue.targets import within_calling_hours

    runner.invoke(args=["seed-demo"])
    companies = db.session.scalars(select(Company).where(Company.off_limits.is_(False))).all()
    assert len({c.timezone for c in companies}) >= 5
    for day in (datetime(2026, 1, 14, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)):
        for hour in range(24):
            now = day + timedelta(hours=hour)
            inside = [within_calling_hours(c, now) for c in companies]
            assert any(inside) and not all(inside), now


def test_seed_demo_has_past_calling_blocks_for_the_metrics_page(runner, db, client):
    from datetime import timedelta

    from app.models import CallingSession
    from app.queue.sessions import sessions_between

    runner.invoke(args=["seed-demo"])
    sessions = db.session.scalars(select(CallingSession)).all()
    assert sessions and all(s.ended_at is not None for s in sessions)
    stats = sessions_between(now_utc() - timedelta(days=40), now_utc())
    dialled = db.session.scalar(select(func.count()).where(Call.direction == Direction.OUTBOUND))
    assert stats.team.dials == dialled  # every demo call placed falls in one block
    assert len(stats.per_user) == 3
    client.post("/login", data={"email": "sam@switchboard.test", "password": "switchboard-demo"})
    page = client.get("/metrics?period=30").get_data(as_text=True)
    assert "Calling blocks" in page and 'id="blocks-count">0<' not in page
