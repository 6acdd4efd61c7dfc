"""Queue items follow a merged person to the survivor and vanish with an erased one."""

from datetime import UTC, datetime

from sqlalchemy import select

from app.models import QueueItem, QueueReason, QueueStatus
from app.people.merge import erase_person, merge_people
from app.queue import service as queue
from tests import factories

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def _items(db) -> list[QueueItem]:
    db.session.expire_all()
    return list(db.session.scalars(select(QueueItem).order_by(QueueItem.id)))


def test_a_merge_moves_items_to_the_survivor_and_keeps_one_open_item_per_user(user, db):
    teammate = factories.UserFactory()
    company = factories.CompanyFactory()
    keep = factories.PersonFactory(company=company, full_name="Kim Keep")
    duplicate = factories.PersonFactory(company=company, full_name="Kim Keep Jr")
    mine_keep, _ = queue.add_to_queue(user, person=keep)
    queue.add_to_queue(user, person=duplicate, reason=QueueReason.SEARCH)
    theirs, _ = queue.add_to_queue(teammate, person=duplicate)
    merge_people(keep, duplicate)
    items = _items(db)
    assert [(i.id, i.user_id) for i in items] == [(mine_keep.id, user.id), (theirs.id, teammate.id)]
    assert {i.person_id for i in items} == {keep.id}
    assert {i.item_key for i in items} == {f"person:{keep.id}"}
    assert queue.add_to_queue(teammate, person=keep)[0].id == theirs.id


def test_a_merge_never_leaves_two_claims_on_the_survivor(user, db):
    teammate = factories.UserFactory()
    company = factories.CompanyFactory()
    keep = factories.PersonFactory(company=company)
    duplicate = factories.PersonFactory(company=company)
    queue.add_to_queue(user, person=keep)
    theirs, _ = queue.add_to_queue(teammate, person=duplicate)
    assert queue.take_next(user, NOW) and queue.take_next(teammate, NOW).id == theirs.id
    merge_people(keep, duplicate)
    by_user = {i.user_id: i for i in _items(db)}
    assert by_user[user.id].status == QueueStatus.CLAIMED
    assert by_user[teammate.id].status == QueueStatus.PENDING
    assert by_user[teammate.id].claimed_by_id is None and by_user[teammate.id].person_id == keep.id


def test_a_merged_empty_box_points_its_gap_items_at_the_survivor(user, db):
    company = factories.CompanyFactory()
    box = factories.PersonFactory(company=company, full_name=None, placeholder=True,
                                  title="CFO")
    named = factories.PersonFactory(company=company, full_name="Cass Finance")
    item, _ = queue.add_to_queue(user, company=company, ask_for="the CFO",
                                 reason=QueueReason.GAP, box=box)
    merge_people(box, named)
    assert _items(db)[0].box_id == box.id
    other = factories.PersonFactory(company=company, full_name=None, placeholder=True,
                                    title="COO")
    gap, _ = queue.add_to_queue(user, company=company, ask_for="the COO", box=other)
    keeper = factories.PersonFactory(company=company, full_name="Cole Ops")
    merge_people(keeper, other)
    assert db.session.get(QueueItem, gap.id).box_id == keeper.id


def test_erasing_someone_removes_their_queue_items(user, db):
    teammate = factories.UserFactory()
    company = factories.CompanyFactory()
    gone = factories.PersonFactory(company=company, full_name="Erin Erase")
    stays = factories.PersonFactory(company=company)
    box = factories.PersonFactory(company=company, full_name=None, placeholder=True, title="CTO")
    queue.add_to_queue(user, person=gone)
    queue.add_to_queue(teammate, person=gone)
    queue.take_next(teammate, NOW)
    kept, _ = queue.add_to_queue(user, person=stays)
    gap, _ = queue.add_to_queue(user, company=company, ask_for="the CTO", box=box)
    erase_person(gone)
    erase_person(box)
    items = _items(db)
    assert [i.id for i in items] == [kept.id, gap.id]
    assert items[1].box_id is None
