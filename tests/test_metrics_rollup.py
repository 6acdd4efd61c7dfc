"""The metrics roll-ups agree with a recount from the raw rows after any mix of writes.

Hypothesis plays random sequences of what the app does to counted rows: calls logged and
edited (outcome, recruiter, start, company, target, who answered, Twilio's status), people
linked, calls deleted, names found and edited (status, role, placeholder, source call), touchpoints
logged, moved and deleted, people merged and erased. Then the roll-up tables must equal a
rebuild from scratch, and the page's numbers from roll-ups must equal those read from the calls,
in zones whose midnights fall on the hour, the half hour (Kolkata) and the quarter (Eucla).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from factory.random import reseed_random
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.demo import wipe_all
from app.extensions import db
from app.metrics.filters import MetricsFilter
from app.metrics.rollup import rebuild
from app.metrics.service import compute_metrics
from app.models import (
    Call,
    Direction,
    MetricCompanySlot,
    MetricSlot,
    Outcome,
    Person,
    PersonRole,
    PersonStatus,
    Touchpoint,
    TouchpointKind,
    User,
)
from app.models.metric_rollup import slot_of
from app.people.merge import erase_person, merge_people
from tests import factories

DAYS = [date(2025, 3, 7) + timedelta(days=i) for i in range(5)]  # New York's DST switch: 9th
NOW = datetime(2025, 3, 9, 12, tzinfo=UTC)  # some follow-ups are past, some to come
ZONES = ["America/New_York", "Asia/Kolkata", "Australia/Eucla", "UTC"]

moments = st.builds(
    lambda day, hour, minute: datetime.combine(day, datetime.min.time(), UTC)
    + timedelta(hours=hour, minutes=minute),
    st.sampled_from(DAYS), st.integers(0, 23), st.sampled_from([0, 14, 15, 29, 30, 44, 45, 59]))
outcomes = st.sampled_from([None, *Outcome])
twilio_statuses = st.sampled_from([None, "completed", "agent-no-answer"])


def snapshot() -> list:
    tables = (MetricSlot.__table__, MetricCompanySlot.__table__)
    return [[tuple(r) for r in db.session.execute(select(t).order_by(*t.primary_key.columns))]
            for t in tables]


def assert_agrees_with_recount() -> None:
    db.session.commit()
    kept = snapshot()
    rebuild(db.session.connection())
    recounted = snapshot()
    db.session.rollback()
    assert kept == recounted
    users = [None, *db.session.scalars(select(Call.user_id).distinct())]
    for tz in ZONES:
        for grouping in ("day", "week"):
            for user_id in users[:2]:
                flt = MetricsFilter(first=DAYS[0], last=DAYS[-1], tz_name=tz, user_id=user_id,
                                    grouping=grouping, funnel_scope="period")
                fast = compute_metrics(flt, NOW)
                slow = compute_metrics(flt, NOW, use_rollups=False)
                assert [u.id for u in fast.users] == [u.id for u in slow.users]
                assert fast.cells == slow.cells
                assert fast.team == slow.team
                assert fast.per_user == slow.per_user
                assert fast.total == slow.total
                assert fast.statuses == slow.statuses


class World:
    """Two recruiters, two companies, a gatekeeper and three others; ids, reloaded per use."""

    def __init__(self) -> None:
        self.users = [factories.UserFactory().id, factories.UserFactory().id]
        first, second = factories.CompanyFactory(), factories.CompanyFactory()
        self.companies = [first.id, second.id]
        self.people = [
            factories.PersonFactory(company=first, role=PersonRole.GATEKEEPER).id,
            factories.PersonFactory(company=first).id,
            factories.PersonFactory(company=first).id,
            factories.PersonFactory(company=second).id,
        ]
        self.calls: list[int] = []
        self.touchpoints: list[int] = []

    def person(self, data) -> Person | None:
        return db.session.get(Person, data.draw(st.sampled_from(self.people)))

    def maybe_person(self, data) -> int | None:
        return data.draw(st.sampled_from([None, *self.people]))

    def call(self, data) -> Call | None:
        return db.session.get(Call, data.draw(st.sampled_from(self.calls))) if self.calls else None


def _add(row, ids: list[int]) -> None:
    db.session.add(row)
    db.session.flush()
    ids.append(row.id)


def new_call(w: World, data) -> None:
    call = Call(user_id=data.draw(st.sampled_from(w.users)),
                company_id=data.draw(st.sampled_from([None, *w.companies])),
                person_id=w.maybe_person(data), answered_by_id=w.maybe_person(data),
                outcome=data.draw(outcomes), started_at=data.draw(moments),
                direction=data.draw(st.sampled_from(list(Direction))),
                twilio_status=data.draw(twilio_statuses),
                follow_up_at=data.draw(st.none() | moments),
                follow_up_done_at=data.draw(st.none() | moments))
    _add(call, w.calls)


def edit_call(w: World, data) -> None:
    call = w.call(data)
    if call is None:
        return
    field = data.draw(st.sampled_from(["outcome", "user_id", "started_at", "company_id",
                                       "person_id", "answered_by_id", "twilio_status",
                                       "direction", "people", "user"]))
    value = {
        "outcome": outcomes, "user_id": st.sampled_from(w.users), "started_at": moments,
        "company_id": st.sampled_from(w.companies), "twilio_status": twilio_statuses,
        "person_id": st.sampled_from([None, *w.people]),
        "answered_by_id": st.sampled_from([None, *w.people]),
        "direction": st.sampled_from(list(Direction)),
        "people": st.lists(st.sampled_from(w.people), unique=True, max_size=3),
        "user": st.sampled_from(w.users),  # the relationship: user_id changes only at flush
    }[field]
    drawn = data.draw(value)
    if field == "user":
        drawn = db.session.get(User, drawn)
    if field == "people":
        drawn = [db.session.get(Person, pid) for pid in drawn]
        drawn = [p for p in drawn if p is not None]
    setattr(call, field, drawn)


def delete_call(w: World, data) -> None:
    call = w.call(data)
    if call is not None:
        for person in db.session.scalars(select(Person).where(Person.source_call_id == call.id)):
            person.source_call = None  # as the app would: a name outlives the call
        db.session.delete(call)
        db.session.flush()
        w.calls.remove(call.id)


def new_name(w: World, data) -> None:
    call = w.call(data)
    placeholder = data.draw(st.booleans())
    person = Person(company_id=data.draw(st.sampled_from(w.companies)),
                    full_name=None if placeholder else f"Name {len(w.people)}",
                    placeholder=placeholder, status=data.draw(st.sampled_from(list(PersonStatus))),
                    role=data.draw(st.sampled_from(list(PersonRole))), source_call=call)
    _add(person, w.people)


def edit_person(w: World, data) -> None:
    person = w.person(data)
    if person is None:
        return
    field = data.draw(st.sampled_from(["status", "role", "source_call"]))
    if field == "status":
        person.status = data.draw(st.sampled_from(list(PersonStatus)))
    elif field == "role":
        person.role = data.draw(st.sampled_from(list(PersonRole)))
    else:
        person.source_call = w.call(data)


def touchpoint(w: World, data) -> None:
    action = data.draw(st.sampled_from(["new", "move", "delete"]))
    if action == "new" or not w.touchpoints:
        person = w.person(data)
        if person is None:
            return
        point = Touchpoint(person_id=person.id, user_id=data.draw(st.sampled_from(w.users)),
                           kind=data.draw(st.sampled_from(list(TouchpointKind))),
                           happened_at=data.draw(moments))
        _add(point, w.touchpoints)
        return
    point = db.session.get(Touchpoint, data.draw(st.sampled_from(w.touchpoints)))
    if point is None:  # went with its person
        return
    if action == "delete":
        db.session.delete(point)
    else:
        point.happened_at, point.user_id = data.draw(moments), data.draw(st.sampled_from(w.users))


def merge_or_erase(w: World, data) -> None:
    db.session.commit()
    person = w.person(data)
    if person is None:
        return
    if data.draw(st.booleans()):
        erase_person(person)
        return
    other = data.draw(st.sampled_from(w.people))
    duplicate = db.session.get(Person, other)
    if duplicate is not None and duplicate.company_id == person.company_id and other != person.id:
        merge_people(person, duplicate)


ACTIONS = [new_call, new_call, edit_call, edit_call, delete_call, new_name, edit_person,
           edit_person, touchpoint, merge_or_erase]


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_rollups_equal_a_recount_after_random_writes(app, data):
    wipe_all()
    # The same names and emails in every run of an example: Hypothesis replays examples, and a
    # name decides some paths (e.g. whether a new name is someone already on file).
    reseed_random("rollups")
    for made in (factories.UserFactory, factories.CompanyFactory, factories.PersonFactory):
        made.reset_sequence()
    world = World()
    for _ in range(data.draw(st.integers(1, 25))):
        data.draw(st.sampled_from(ACTIONS))(world, data)
        if data.draw(st.booleans()):
            db.session.commit()
        world.people = [p for p in world.people if db.session.get(Person, p) is not None]
    assert_agrees_with_recount()


@pytest.mark.parametrize("moment", [
    datetime(2025, 3, 9, 6, 59, 59, 999999, tzinfo=UTC), datetime(2025, 3, 9, 7, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 12, 31, 23, 45, tzinfo=UTC)])
def test_the_database_puts_a_time_in_the_slot_python_does(app, user, moment):
    call = factories.CallFactory(user=user, started_at=moment, outcome=Outcome.BUSY)
    row = db.session.execute(select(MetricSlot.slot).where(MetricSlot.user_id == user.id)).one()
    assert row.slot == slot_of(moment) == slot_of(call.started_at)


@pytest.fixture
def answered(app, user):
    """A main-line referral Melinda answered, a name it found, and a touchpoint with her."""
    company = factories.CompanyFactory()
    melinda = factories.PersonFactory(company=company, full_name="Melinda")
    call = factories.CallFactory(user=user, company=company, outcome=Outcome.REFERRAL,
                                 answered_by=melinda, started_at=datetime(2025, 3, 9, 7, 5,
                                                                          tzinfo=UTC))
    found = factories.PersonFactory(company=company, full_name="Vera Vp", source_call=call)
    db.session.add(Touchpoint(person=melinda, user=user, kind=TouchpointKind.EMAIL,
                              happened_at=datetime(2025, 3, 10, 12, tzinfo=UTC)))
    db.session.commit()
    return melinda, found, call


def _counts():
    return db.session.execute(select(
        func.sum(MetricSlot.connects), func.sum(MetricSlot.gatekeeper_pickups),
        func.sum(MetricSlot.names_uncovered), func.sum(MetricSlot.touch_email))).one()


def test_naming_a_gatekeeper_recounts_the_calls_they_answered(answered):
    melinda, _, _ = answered
    assert tuple(_counts()) == (1, 0, 1, 1)
    melinda.role = PersonRole.GATEKEEPER
    assert tuple(_counts()[:2]) == (0, 1)
    assert_agrees_with_recount()


def test_erasing_a_person_recounts_their_calls_and_touchpoints(answered):
    melinda, found, _ = answered
    melinda.role = PersonRole.GATEKEEPER
    db.session.commit()
    erase_person(melinda)
    assert tuple(_counts()) == (1, 0, 1, 0)
    erase_person(db.session.get(Person, found.id))
    assert tuple(_counts()) == (1, 0, 0, 0)
    assert_agrees_with_recount()


def test_merging_a_gatekeeper_into_a_colleague_recounts_their_calls(answered):
    melinda, found, _ = answered
    melinda.role = PersonRole.GATEKEEPER
    db.session.commit()
    merge_people(db.session.get(Person, found.id), melinda)
    assert tuple(_counts()) == (1, 0, 1, 1)
    assert_agrees_with_recount()


def test_moving_and_deleting_a_call_moves_and_drops_its_names(answered):
    _, found, call = answered
    call.started_at = datetime(2025, 3, 11, 23, 59, tzinfo=UTC)
    call.user = factories.UserFactory()
    assert_agrees_with_recount()
    db.session.get(Person, found.id).source_call = None
    db.session.delete(db.session.get(Call, call.id))
    assert tuple(_counts()) == (0, 0, 0, 1)  # only the touchpoint is left
    assert_agrees_with_recount()


def test_rebuild_command_restores_rollups_lost_outside_the_app(answered, runner):
    before = snapshot()
    db.session.execute(MetricSlot.__table__.delete())
    db.session.execute(MetricCompanySlot.__table__.delete())
    db.session.commit()
    result = runner.invoke(args=["metrics", "rebuild"])
    assert "Metrics roll-ups rebuilt: 2 recruiter-quarter-hours." in result.output
    assert snapshot() == before
