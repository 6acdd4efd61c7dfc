"""Merging a duplicate into the person who stays, and erasing someone on request.

Both move or remove every link in one transaction: calls, reports, reporting links, touchpoints.
Updates go through SQL for speed, so the search index is refreshed here for the calls whose
people changed (the session hook sees only the two people).
"""

from sqlalchemy import delete, func, or_, select, update

from app.errors import DomainError, ReportsToCycleError
from app.extensions import db
from app.models import Call, Person, ReportingLink, Touchpoint, call_person
from app.people.identity import reclaim_name
from app.people.reporting import (
    chain_reaches,
    current_rows,
    lock_people_going,
    lock_reporting_lines,
)
from app.people.similar import similar_to
from app.queue.people import drop_queue_items, move_queue_items
from app.search.index import reindex

FILLABLE = ("title", "department", "direct_phone", "extension", "mobile_phone", "email",
            "linkedin_url")


def _calls_of(person_id: int) -> set[int]:
    return set(db.session.scalars(select(Call.id).where(or_(
        Call.person_id == person_id, Call.answered_by_id == person_id,
        Call.id.in_(select(call_person.c.call_id).where(call_person.c.person_id == person_id)),
    ))))


def merge_candidates(person: Person, limit: int = 15) -> list[Person]:
    """Colleagues who may be the same person: a name that sounds alike or is a nickname, a
    shared word of the name, or the same phone or email."""
    words = {w.lower() for w in (person.full_name or "").replace("-", " ").split() if len(w) > 1}
    conditions = [func.lower(Person.full_name).like(f"%{w}%") for w in words]
    for value, column in ((person.email, Person.email), (person.direct_phone, Person.direct_phone)):
        if value:
            conditions.append(column == value)
    # Heard variants first (Catherine Mueller for Katrin Müller, Bob for Robert).
    candidates = {s.person.id: s.person for s in similar_to(person)}
    if conditions:
        candidates.update((p.id, p) for p in db.session.scalars(
            select(Person).where(Person.company_id == person.company_id, Person.id != person.id,
                                 or_(*conditions)).order_by(Person.full_name).limit(limit)))
    return list(candidates.values())[:limit]


def _lock_pair(keep: Person, duplicate: Person) -> None:
    """Take the company's reporting lock and reread both, or refuse if one has gone meanwhile."""
    ids = {keep.id, duplicate.id}  # read before the lock expires them: they may be gone after
    duplicate_id = duplicate.id
    lock_reporting_lines(keep.company_id)
    lock_people_going({duplicate_id})
    if len(current_rows(ids)) < 2:
        db.session.rollback()
        raise DomainError({"duplicate_id": "One of them was merged or erased meanwhile: reload "
                                           "the page and try again."})
    db.session.refresh(keep)
    db.session.refresh(duplicate)


def merge_people(keep: Person, duplicate: Person) -> Person | None:
    """Fold `duplicate` into `keep`: links move, blank details fill in, the duplicate goes.

    Returns the keeper as committed (None only if another merge took it away right after).

    The merged tree is checked before anything is kept. The keeper's own manager and the
    duplicate's reports are both statements someone made, so if together they close a loop
    the merge is refused (nothing written): only the sourcer can tell which one is wrong. The
    duplicate's manager only fills a blank, so it is left out when it would close a loop; the
    report of it stays in the keeper's reporting history.
    """
    if keep.id == duplicate.id:
        raise DomainError({"duplicate_id": "Pick another person to merge."})
    if keep.company_id != duplicate.company_id:
        raise DomainError({"duplicate_id": "Only people at the same company can be merged."})
    _lock_pair(keep, duplicate)
    calls = _calls_of(duplicate.id)
    for field in FILLABLE:
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    if duplicate.notes:
        keep.notes = "\n\n".join(n for n in (keep.notes, duplicate.notes) if n)
    # An empty box takes the duplicate's name once the duplicate is gone: one holder per name.
    inherited_name = duplicate.full_name if keep.placeholder else None
    inherited = None
    if keep.reports_to_id in (None, duplicate.id):  # no manager, or its own duplicate
        keep.reports_to_id, inherited = None, duplicate.reports_to_id
    db.session.flush()
    ids = {"old": duplicate.id, "new": keep.id}
    db.session.execute(update(Call).where(Call.person_id == ids["old"]).values(person_id=keep.id))
    db.session.execute(update(Call).where(Call.answered_by_id == ids["old"])
                       .values(answered_by_id=keep.id))
    already = select(call_person.c.call_id).where(call_person.c.person_id == keep.id)
    db.session.execute(update(call_person).where(call_person.c.person_id == ids["old"],
                                                 call_person.c.call_id.not_in(already))
                       .values(person_id=keep.id))
    db.session.execute(delete(call_person).where(call_person.c.person_id == ids["old"]))
    db.session.execute(update(Person).where(Person.reports_to_id == ids["old"],
                                            Person.id != keep.id).values(reports_to_id=keep.id))
    _settle_manager(keep, inherited)
    for column in (ReportingLink.person_id, ReportingLink.manager_id, ReportingLink.told_by_id):
        db.session.execute(update(ReportingLink).where(column == ids["old"])
                           .values({column.key: keep.id}))
    db.session.execute(delete(ReportingLink).where(ReportingLink.person_id == keep.id,
                                                   ReportingLink.manager_id == keep.id))
    db.session.execute(update(Touchpoint).where(Touchpoint.person_id == ids["old"])
                       .values(person_id=keep.id))
    move_queue_items(ids["old"], keep.id)
    db.session.expire_all()
    db.session.delete(db.session.get(Person, ids["old"]))
    db.session.flush()
    keep = db.session.get(Person, ids["new"])
    if inherited_name:
        keep.full_name, keep.placeholder, keep.namesake = inherited_name, False, True
    reclaim_name(keep)
    db.session.flush()
    reindex(db.session.connection(), "call", calls)
    db.session.commit()
    return keep


def _settle_manager(keep: Person, inherited: int | None) -> None:
    """Refuse a loop the moved reports close; take the duplicate's manager if it closes none."""
    if keep.reports_to_id is not None and chain_reaches(keep.reports_to_id, keep.id):
        who, boss = keep.display_name, db.session.get(Person, keep.reports_to_id).display_name
        db.session.rollback()
        raise ReportsToCycleError({"duplicate_id": (
            f"Merging would make {who} report to {boss}, who would report to {who} (directly "
            f"or through others). Move one of them first, then merge.")})
    if inherited is not None and not chain_reaches(inherited, keep.id):
        keep.reports_to_id = inherited
        db.session.flush()


def erase_person(person: Person) -> None:
    """Remove someone entirely (a data-subject request); calls stay, without their name."""
    person_id = person.id  # read before the lock expires it: the row may be gone after
    lock_reporting_lines(person.company_id)  # their reports move up to their manager
    lock_people_going({person_id})
    if person_id not in current_rows({person_id}):
        db.session.rollback()
        return  # erased (or merged away) meanwhile: nothing left to erase
    db.session.refresh(person)
    calls = _calls_of(person.id)
    person_id, manager_id = person.id, person.reports_to_id
    db.session.execute(update(Call).where(Call.person_id == person_id).values(person_id=None))
    db.session.execute(update(Call).where(Call.answered_by_id == person_id)
                       .values(answered_by_id=None))
    db.session.execute(delete(call_person).where(call_person.c.person_id == person_id))
    db.session.execute(update(Person).where(Person.reports_to_id == person_id)
                       .values(reports_to_id=manager_id))
    db.session.execute(delete(ReportingLink).where(or_(
        ReportingLink.person_id == person_id, ReportingLink.manager_id == person_id)))
    db.session.execute(update(ReportingLink).where(ReportingLink.told_by_id == person_id)
                       .values(told_by_id=None))
    db.session.execute(delete(Touchpoint).where(Touchpoint.person_id == person_id))
    drop_queue_items(person_id)
    db.session.expire_all()
    db.session.delete(db.session.get(Person, person_id))
    db.session.flush()
    reindex(db.session.connection(), "call", calls)
    db.session.commit()
