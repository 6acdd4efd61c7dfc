"""The calling queue service: who may be queued, idempotent adds, order, claims, skip, snooze."""

from datetime import UTC, datetime, timedelta

import pytest

from app.calls.service import save_call
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.models import (
    Outcome,
    PersonStatus,
    QueueItem,
    QueueReason,
    QueueStatus,
)
from app.queue import claims
from app.queue import service as queue
from tests import factories

# 15:00 UTC: 10:00 in New York, 16:00 in Berlin, 23:00 in Singapore (outside 8-21).
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def company(app):
    return factories.CompanyFactory(name="Acme", main_phone="+12125550100")


@pytest.fixture
def teammate(app):
    return factories.UserFactory(name="Tess Teammate")


def _person(company, **extra):
    extra.setdefault("direct_phone", None)
    return factories.PersonFactory(company=company, **extra)


def _refusal(user, **target) -> str:
    with pytest.raises(DomainError) as caught:
        queue.add_to_queue(user, **target)
    return " ".join(caught.value.fields.values())


# --- who may be queued -----------------------------------------------------------------------

def test_a_do_not_call_person_is_refused_saying_why(user, company):
    person = _person(company, full_name="Dina Nocall", status=PersonStatus.DO_NOT_CALL)
    assert "Dina Nocall asked not to be called" in _refusal(user, person=person)


def test_nobody_at_an_off_limits_company_is_queued_nor_its_main_line(user):
    client = factories.CompanyFactory(name="Client Co", off_limits=True,
                                      off_limits_reason="our client")
    person = _person(client)
    assert "Client Co is off limits: our client" in _refusal(user, person=person)
    assert "off limits" in _refusal(user, company=client, ask_for="the CTO")


def test_someone_who_left_is_refused(user, company):
    person = _person(company, full_name="Lee Gone", left_at=NOW - timedelta(days=3))
    assert "Lee Gone has left Acme" in _refusal(user, person=person)


def test_an_empty_box_is_refused_and_points_at_the_main_line(user, company):
    box = _person(company, full_name=None, placeholder=True, title="VP Engineering")
    assert "empty box" in _refusal(user, person=box)


def test_a_target_whose_numbers_were_all_logged_bad_is_refused(user):
    company = factories.CompanyFactory(main_phone="+12125550100")
    person = _person(company, full_name="Bo Bad", direct_phone="+12125550111")
    for number, outcome in (("+12125550111", Outcome.BAD_NUMBER),
                            ("+12125550100", Outcome.WRONG_NUMBER)):
        factories.CallFactory(company=company, user=user, to_number=number, outcome=outcome)
    assert "Every number for Bo Bad was logged as bad or wrong" in _refusal(user, person=person)


def test_a_number_is_usable_again_once_a_later_call_to_it_went_through(user):
    company = factories.CompanyFactory(main_phone=None)
    person = _person(company, direct_phone="+12125550111")
    factories.CallFactory(company=company, user=user, to_number="+12125550111",
                          outcome=Outcome.BAD_NUMBER, started_at=NOW - timedelta(days=2))
    factories.CallFactory(company=company, user=user, to_number="+12125550111",
                          outcome=Outcome.CONNECTED, started_at=NOW - timedelta(days=1))
    item, created = queue.add_to_queue(user, person=person)
    assert created and item.status == QueueStatus.PENDING


def test_a_target_without_any_number_is_refused(user):
    company = factories.CompanyFactory(name="Nonum", main_phone=None)
    assert "No phone number on file for Nonum's main line" in _refusal(
        user, company=company, ask_for="the CFO")


def test_a_number_owned_by_a_do_not_call_colleague_is_not_a_way_to_reach_someone(user):
    company = factories.CompanyFactory(main_phone=None)
    _person(company, full_name="Dee Nocall", status=PersonStatus.DO_NOT_CALL,
            mobile_phone="+12125550177")
    sharer = _person(company, full_name="Sam Shared", direct_phone="+12125550177")
    assert "Dee Nocall asked not to be called" in _refusal(user, person=sharer)


def test_the_main_line_reaches_a_person_without_a_number_of_their_own(user, company):
    person = _person(company, extension="204")
    item, created = queue.add_to_queue(user, person=person)
    facts = queue.item_facts([item], user, NOW)
    assert created and facts[item.id].dial_number == "+12125550100"


def test_the_dial_number_prefers_the_direct_line_and_skips_a_bad_one(user, company):
    person = _person(company, direct_phone="+12125550111", mobile_phone="+12125550122")
    item, _ = queue.add_to_queue(user, person=person)
    assert queue.item_facts([item], user, NOW)[item.id].dial_number == "+12125550111"
    factories.CallFactory(company=company, user=user, to_number="+12125550111",
                          outcome=Outcome.WRONG_NUMBER)
    assert queue.item_facts([item], user, NOW)[item.id].dial_number == "+12125550122"


# --- adding is idempotent --------------------------------------------------------------------

def test_adding_the_same_person_twice_returns_the_open_item(user, company, db):
    person = _person(company)
    first, created = queue.add_to_queue(user, person=person)
    again, created_again = queue.add_to_queue(user, person=person)
    assert created and not created_again and again.id == first.id
    assert db.session.query(QueueItem).count() == 1


def test_a_main_line_is_one_target_per_ask_for_whatever_its_spelling(user, company, db):
    cfo, _ = queue.add_to_queue(user, company=company, ask_for="the CFO")
    same, created = queue.add_to_queue(user, company=company, ask_for="  THE   cfo ")
    other, created_other = queue.add_to_queue(user, company=company, ask_for="the CTO")
    assert not created and same.id == cfo.id
    assert created_other and other.line_key == cfo.line_key == f"line:{company.id}"


def test_teammates_each_queue_the_same_person(user, teammate, company):
    person = _person(company)
    mine, _ = queue.add_to_queue(user, person=person)
    theirs, created = queue.add_to_queue(teammate, person=person)
    assert created and theirs.id != mine.id


def test_a_person_at_another_company_is_refused(user, company):
    elsewhere = _person(factories.CompanyFactory())
    with pytest.raises(DomainError) as caught:
        queue.add_to_queue(user, person=elsewhere, company=company)
    assert "another company" in caught.value.fields["person_id"]


def test_an_overlong_ask_for_is_refused_on_its_field(user, company):
    with pytest.raises(DomainError) as caught:
        queue.add_to_queue(user, company=company, ask_for="x" * 201)
    assert "200 characters" in caught.value.fields["ask_for"]


# --- order -----------------------------------------------------------------------------------

def test_companies_inside_their_calling_hours_come_first(user):
    singapore = factories.CompanyFactory(name="Night", timezone="Asia/Singapore")
    berlin = factories.CompanyFactory(name="Day", timezone="Europe/Berlin")
    late, _ = queue.add_to_queue(user, person=_person(singapore), reason=QueueReason.FOLLOW_UP)
    early, _ = queue.add_to_queue(user, person=_person(berlin), reason=QueueReason.SEARCH)
    items, facts, _ = queue.queue_listing(user, [QueueStatus.PENDING], NOW)
    assert [i.id for i in items] == [early.id, late.id]
    assert facts[late.id].within_hours is False
    assert facts[late.id].local_time.isoformat() == "2026-03-10T23:00:00+08:00"


def test_a_company_without_a_time_zone_counts_as_inside_hours(user):
    company = factories.CompanyFactory(timezone=None)
    item, _ = queue.add_to_queue(user, person=_person(company))
    fact = queue.item_facts([item], user, NOW)[item.id]
    assert fact.within_hours and fact.local_time.utcoffset() == timedelta(0)


def test_priority_follow_up_then_manual_then_gap_then_search(user, company):
    made = {}
    for reason in (QueueReason.SEARCH, QueueReason.GAP, QueueReason.MANUAL,
                   QueueReason.FOLLOW_UP):
        made[reason], _ = queue.add_to_queue(user, person=_person(company), reason=reason)
    order = [i.reason for i in queue.queue_items(user, [QueueStatus.PENDING], NOW)]
    assert order == [QueueReason.FOLLOW_UP, QueueReason.MANUAL, QueueReason.GAP,
                     QueueReason.SEARCH]


def test_the_longest_since_the_last_attempt_first_and_never_called_before_all(user, company):
    recent, long_ago, never = (_person(company) for _ in range(3))
    factories.CallFactory(company=company, user=user, person=recent,
                          started_at=NOW - timedelta(hours=1))
    factories.CallFactory(company=company, user=user, person=long_ago,
                          started_at=NOW - timedelta(days=9))
    for person in (recent, long_ago, never):
        queue.add_to_queue(user, person=person)
    order = [i.person_id for i in queue.queue_items(user, [QueueStatus.PENDING], NOW)]
    assert order == [never.id, long_ago.id, recent.id]


def test_a_main_line_item_counts_calls_to_the_company_with_nobody_named(user):
    called, fresh = factories.CompanyFactory(), factories.CompanyFactory()
    factories.CallFactory(company=called, user=user, person=None,
                          started_at=NOW - timedelta(hours=2))
    factories.CallFactory(company=fresh, user=user, person=_person(fresh),
                          started_at=NOW - timedelta(hours=1))
    a, _ = queue.add_to_queue(user, company=called, ask_for="HR")
    b, _ = queue.add_to_queue(user, company=fresh, ask_for="HR")
    assert [i.id for i in queue.queue_items(user, [QueueStatus.PENDING], NOW)] == [b.id, a.id]


# --- claims ----------------------------------------------------------------------------------

def test_take_next_claims_the_first_item_for_the_claim_time(app, user, company):
    item, _ = queue.add_to_queue(user, person=_person(company))
    taken = queue.take_next(user, NOW)
    assert taken.id == item.id and taken.status == QueueStatus.CLAIMED
    assert taken.claimed_by_id == user.id and taken.claimed_at == NOW
    assert taken.claimed_until == NOW + timedelta(minutes=app.config["QUEUE_CLAIM_MINUTES"])
    assert taken.session is not None


def test_taking_next_puts_back_the_unlogged_claim(user, company):
    first, _ = queue.add_to_queue(user, person=_person(company), reason=QueueReason.FOLLOW_UP)
    second, _ = queue.add_to_queue(user, person=_person(company))
    assert queue.take_next(user, NOW).id == first.id
    # "Not this one now": the held item waits, pending, while the next one is offered.
    assert queue.take_next(user, NOW + timedelta(minutes=1)).id == second.id
    db.session.refresh(first)
    assert first.status == QueueStatus.PENDING and first.claimed_by_id is None
    # ... and comes round again on the next take.
    assert queue.take_next(user, NOW + timedelta(minutes=2)).id == first.id
    db.session.refresh(second)
    assert second.status == QueueStatus.PENDING
    assert [i.id for i in queue.queue_items(user, [QueueStatus.CLAIMED], NOW)] == [first.id]


def test_taking_next_with_nothing_else_to_offer_leaves_the_put_back_item_pending(user, company):
    only, _ = queue.add_to_queue(user, person=_person(company))
    assert queue.take_next(user, NOW).id == only.id
    assert queue.take_next(user, NOW + timedelta(minutes=1)) is None
    db.session.refresh(only)
    assert only.status == QueueStatus.PENDING


def test_a_teammates_live_claim_is_passed_over_and_named(user, teammate, company):
    shared = _person(company)
    other = _person(company)
    theirs, _ = queue.add_to_queue(teammate, person=shared)
    mine, _ = queue.add_to_queue(user, person=shared, reason=QueueReason.FOLLOW_UP)
    backup, _ = queue.add_to_queue(user, person=other)
    assert queue.take_next(teammate, NOW).id == theirs.id
    assert queue.take_next(user, NOW + timedelta(minutes=1)).id == backup.id
    items, facts, _ = queue.queue_listing(user, [QueueStatus.PENDING], NOW)
    assert facts[mine.id].holder_id == teammate.id
    assert facts[mine.id].holder_name == "Tess Teammate"


def test_nothing_to_claim_when_a_teammate_holds_the_only_line(user, teammate, company):
    queue.add_to_queue(teammate, company=company, ask_for="the CFO")
    queue.add_to_queue(user, company=company, ask_for="the CTO")
    assert queue.take_next(teammate, NOW) is not None
    assert queue.take_next(user, NOW + timedelta(minutes=2)) is None


def test_a_claim_the_index_refuses_is_lost_quietly_and_the_transaction_goes_on(
        user, teammate, company, db):
    shared = _person(company)
    queue.add_to_queue(teammate, person=shared)
    mine, _ = queue.add_to_queue(user, person=shared)
    queue.take_next(teammate, NOW)
    # As if the teammate's claim landed between our read of the holders and our claim.
    assert claims._claim(mine, user, NOW, expired_holder=None) is False
    db.session.commit()
    assert db.session.get(QueueItem, mine.id).status == QueueStatus.PENDING


def test_the_current_item_is_the_one_held(user, company):
    assert queue.current_item(user) is None
    item, _ = queue.add_to_queue(user, person=_person(company))
    assert queue.take_next(user, NOW) == queue.current_item(user) == item


def test_an_expired_claim_is_taken_over(user, teammate, company):
    shared = _person(company)
    theirs, _ = queue.add_to_queue(teammate, person=shared)
    mine, _ = queue.add_to_queue(user, person=shared)
    queue.take_next(teammate, NOW)
    taken = queue.take_next(user, NOW + timedelta(minutes=11))
    assert taken.id == mine.id
    theirs = queue.db.session.get(QueueItem, theirs.id)
    assert theirs.status == QueueStatus.PENDING and theirs.claimed_by_id is None


def test_an_item_that_became_uncallable_is_skipped_for_good_with_the_reason(user, company, db):
    gone = _person(company, full_name="Ann Left")
    item, _ = queue.add_to_queue(user, person=gone, reason=QueueReason.FOLLOW_UP)
    fine, _ = queue.add_to_queue(user, person=_person(company))
    gone.left_at = NOW - timedelta(days=1)
    db.session.commit()
    assert queue.queue_items(user, [QueueStatus.PENDING], NOW) == [fine]
    assert queue.take_next(user, NOW).id == fine.id
    item = db.session.get(QueueItem, item.id)
    assert item.status == QueueStatus.SKIPPED and "Ann Left has left Acme" in item.skip_reason


def test_only_the_holder_extends_a_claim_and_only_while_claimed(user, teammate, company):
    item, _ = queue.add_to_queue(user, person=_person(company))
    with pytest.raises(DomainError):
        queue.extend_claim(user, item, NOW)
    queue.take_next(user, NOW)
    extended = queue.extend_claim(user, item, NOW + timedelta(minutes=8))
    assert extended.claimed_until == NOW + timedelta(minutes=18)
    with pytest.raises(PermissionDenied):
        queue.extend_claim(teammate, item, NOW)


def test_release_puts_a_claim_back_and_frees_the_line(user, teammate, company):
    shared = _person(company)
    mine, _ = queue.add_to_queue(user, person=shared)
    theirs, _ = queue.add_to_queue(teammate, person=shared)
    queue.take_next(user, NOW)
    queue.release_item(user, mine)
    assert mine.status == QueueStatus.PENDING and mine.claimed_until is None
    assert queue.take_next(teammate, NOW).id == theirs.id


# --- skip and snooze -------------------------------------------------------------------------

def test_skip_needs_a_reason_of_at_most_300_characters(user, company):
    item, _ = queue.add_to_queue(user, person=_person(company))
    for bad in (None, "   ", 42, "x" * 301):
        with pytest.raises(DomainError) as caught:
            queue.skip_item(user, item, bad)
        assert "reason" in caught.value.fields
    assert queue.skip_item(user, item, "Not a fit").skip_reason == "Not a fit"


def test_a_skipped_item_is_not_offered_and_cannot_be_skipped_again(user, company):
    item, _ = queue.add_to_queue(user, person=_person(company))
    queue.skip_item(user, item, "Not now")
    assert queue.take_next(user, NOW) is None
    with pytest.raises(DomainError) as caught:
        queue.skip_item(user, item, "again")
    assert "skipped" in caught.value.fields["status"]


def test_someone_elses_item_cannot_be_skipped(user, teammate, company):
    item, _ = queue.add_to_queue(user, person=_person(company))
    with pytest.raises(PermissionDenied):
        queue.skip_item(teammate, item, "mine now")


def test_a_snoozed_item_wakes_when_its_time_comes(user, company):
    item, _ = queue.add_to_queue(user, person=_person(company))
    queue.snooze_item(user, item, "2026-03-10T17:00:00+01:00", now=NOW)  # 16:00 UTC
    assert item.status == QueueStatus.SNOOZED
    assert queue.take_next(user, NOW + timedelta(minutes=59)) is None
    woken = queue.take_next(user, NOW + timedelta(hours=1))
    assert woken.id == item.id and woken.snoozed_until is None


@pytest.mark.parametrize(("until", "message"), [
    ("2026-03-10T14:00:00Z", "future"),
    ("2026-09-10T14:00:00Z", "90 days"),
    ("2026-03-11T14:00:00", "offset"),
    ("tomorrow", "ISO 8601"),
    ("9999-12-31T23:59:59Z", "between"),
    (None, "ISO 8601"),
    (12, "ISO 8601"),
])
def test_a_snooze_needs_a_bounded_future_time_with_an_offset(user, company, until, message):
    item, _ = queue.add_to_queue(user, person=_person(company))
    with pytest.raises(DomainError) as caught:
        queue.snooze_item(user, item, until, now=NOW)
    assert message in caught.value.fields["until"]
    assert item.status == QueueStatus.PENDING


def test_release_brings_back_a_skipped_item_unless_the_target_is_queued_again(user, company):
    person = _person(company)
    item, _ = queue.add_to_queue(user, person=person)
    queue.skip_item(user, item, "later")
    assert queue.release_item(user, item).status == QueueStatus.PENDING
    queue.skip_item(user, item, "later")
    queue.add_to_queue(user, person=person)
    with pytest.raises(DomainError) as caught:
        queue.release_item(user, item)
    assert "already in your queue" in caught.value.fields["status"]


# --- the call that works an item -------------------------------------------------------------

def test_a_call_saved_with_the_item_id_as_form_text_marks_it_done_in_the_block(user, company,
                                                                              db):
    person = _person(company)
    item, _ = queue.add_to_queue(user, person=person)
    taken = queue.take_next(user)
    call = save_call(user, {"company_id": str(company.id), "person_id": str(person.id),
                            "outcome": "no_answer", "queue_item_id": str(item.id)})
    item = db.session.get(QueueItem, item.id)
    assert item.status == QueueStatus.DONE and item.call_id == call.id
    assert item.session_id == taken.session_id is not None
    assert queue.current_item(user) is None
