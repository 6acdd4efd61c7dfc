"""Merging a duplicate into the person who stays, and erasing someone on request.

Both move or remove every link in one transaction: calls, reports, reporting links, touchpoints.
Updates go through SQL for speed, so the search index is refreshed here for the calls whose
people changed (the session hook sees only the two people).
"""

from sqlalchemy import delete, func, or_, select, update

from app.errors import DomainError
from app.extensions import db
from app.models import Call, Person, ReportingLink, Touchpoint, call_person
from app.people.identity import reclaim_name
from app.search.index import reindex

FILLABLE = ("title", "department", "direct_phone", "extension", "mobile_phone", "email",
            "linkedin_url")


def _calls_of(person_id: int) -> set[int]:
    return set(db.session.scalars(select(Call.id).where(or_(
        Call.person_id == person_id, Call.answered_by_id == person_id,
        Call.id.in_(select(call_person.c.call_id).where(call_person.c.person_id == person_id)),
    ))))


def merge_candidates(person: Person, limit: int = 15) -> list[Person]:
    """Colleagues who may be the same person: sharing a word of the name (or a phone/email)."""
    words = {w.lower() for w in (person.full_name or "").replace("-", " ").split() if len(w) > 1}
    conditions = [func.lower(Person.full_name).like(f"%{w}%") for w in words]
    for value, column in ((person.email, Person.email), (person.direct_phone, Person.direct_phone)):
        if value:
            conditions.append(column == value)
    if not conditions:
        return []
    return list(db.session.scalars(
        select(Person).where(Person.company_id == person.company_id, Person.id != person.id,
                             or_(*conditions)).order_by(Person.full_name).limit(limit)))


def merge_people(keep: Person, duplicate: Person) -> Person:
    """Fold `duplicate` into `keep`: links move, blank details fill in, the duplicate goes."""
    if keep.id == duplicate.id:
        raise DomainError({"duplicate_id": "Pick another person to merge."})
    if keep.company_id != duplicate.company_id:
        raise DomainError({"duplicate_id": "Only people at the same company can be merged."})
    calls = _calls_of(duplicate.id)
    for field in FILLABLE:
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    if duplicate.notes:
        keep.notes = "\n\n".join(n for n in (keep.notes, duplicate.notes) if n)
    # An empty box takes the duplicate's name once the duplicate is gone: one holder per name.
    inherited = duplicate.full_name if keep.placeholder else None
    if keep.reports_to_id == duplicate.id:  # keep reported to its own duplicate
        keep.reports_to_id = duplicate.reports_to_id
    elif keep.reports_to_id is None:
        keep.reports_to_id = duplicate.reports_to_id
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
    for column in (ReportingLink.person_id, ReportingLink.manager_id, ReportingLink.told_by_id):
        db.session.execute(update(ReportingLink).where(column == ids["old"])
                           .values({column.key: keep.id}))
    db.session.execute(delete(ReportingLink).where(ReportingLink.person_id == keep.id,
                                                   ReportingLink.manager_id == keep.id))
    db.session.execute(update(Touchpoint).where(Touchpoint.person_id == ids["old"])
                       .values(person_id=keep.id))
    db.session.expire_all()
    db.session.delete(db.session.get(Person, ids["old"]))
    db.session.flush()
    keep = db.session.get(Person, ids["new"])
    if inherited:
        keep.full_name, keep.placeholder, keep.namesake = inherited, False, True
    reclaim_name(keep)
    db.session.flush()
    reindex(db.session.connection(), "call", calls)
    db.session.commit()
    return keep


def erase_person(person: Person) -> None:
    """Remove someone entirely (a data-subject request); calls stay, without their name."""
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
    db.session.expire_all()
    db.session.delete(db.session.get(Person, person_id))
    db.session.flush()
    reindex(db.session.connection(), "call", calls)
    db.session.commit()
