"""One person per name at a company, held by the database, not by a look before the write.

The unique index on (company_id, name_key) decides every race: each write of a new name runs in
a SAVEPOINT, and the one that loses learns it from the index. A call that uncovered the name
links to the person who won; a direct add or rename answers 409 with that person as the match.
"""

from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app.errors import AlreadyOnFileError
from app.extensions import db
from app.models import Company, Person
from app.models.person import person_name_key

INDEX = "uq_person_company_id_name_key"


def holder_of(company_id: int, name: str | None, exclude_id: int | None = None) -> Person | None:
    """The person at the company who holds this name (namesakes never do)."""
    key = person_name_key(name)
    if key is None:
        return None
    query = select(Person).where(
        Person.company_id == company_id, Person.name_key == key, ~Person.namesake
    )
    if exclude_id:
        query = query.where(Person.id != exclude_id)
    with db.session.no_autoflush:  # a pending person must reach the database in its savepoint
        return db.session.scalars(query).first()


def _is_clash(exc: IntegrityError) -> bool:
    # PostgreSQL names the index; SQLite names its columns.
    return INDEX in str(exc.orig) or "person.name_key" in str(exc.orig)


def _stored(person: Person) -> bool:
    """Flush person in a savepoint; False when the index says someone else holds the name."""
    try:
        with db.session.begin_nested():
            db.session.add(person)
            db.session.flush()
    except IntegrityError as exc:
        if not _is_clash(exc):
            raise
        return False
    return True


def _updated_in_savepoint(person_id: int, **values: Any) -> bool:
    """UPDATE one person in a savepoint; False when the index says someone else holds the name.

    A core UPDATE, not an ORM flush: a clash undoes only this statement, where a failed flush
    would end the whole transaction.
    """
    connection, table = db.session.connection(), Person.__table__
    try:
        with connection.begin_nested():
            connection.execute(update(table).where(table.c.id == person_id).values(**values))
    except IntegrityError as exc:
        if not _is_clash(exc):
            raise
        return False
    return True


def name_taken(company_id: int, name: str) -> AlreadyOnFileError:
    """The 409 for a name someone at the company already has, with them as the matches."""
    from app.people.service import duplicate_message, find_same_name  # (it imports this module)

    with db.session.no_autoflush:  # a refused person may still hang in company.people
        matches = find_same_name(company_id, name)
    return AlreadyOnFileError(
        {"full_name": duplicate_message(matches)}, {"full_name": [p.id for p in matches]}
    )


def claim_name(person: Person, allow_duplicate: bool = False) -> None:
    """Write a new or renamed person, whose name must be free at the company (else 409).

    With allow_duplicate (the user confirmed "someone else"), a taken name makes it a namesake
    instead, whether it was taken before this request or while it ran.
    """
    state = inspect(person)
    if person.name_key is None or (
        state.persistent and not state.attrs.name_key.history.has_changes()
    ):
        return
    name, key = person.full_name, person.name_key
    company_id = person.company_id or person.company.id
    person.namesake = allow_duplicate and holder_of(company_id, name, person.id) is not None
    # The row goes in without its key, then the key alone in a SAVEPOINT: a clash undoes that
    # one UPDATE, where a failed ORM flush would end the whole transaction.
    person.name_key = None
    db.session.flush()
    connection, table = db.session.connection(), Person.__table__
    if not _updated_in_savepoint(person.id, name_key=key):
        if not allow_duplicate:
            error = name_taken(company_id, name)
            db.session.rollback()  # nothing of a refused write stays, as with any refusal
            raise error from None
        connection.execute(
            update(table).where(table.c.id == person.id).values(name_key=key, namesake=True)
        )
        set_committed_value(person, "namesake", True)
    set_committed_value(person, "name_key", key)


def capture_person(
    company: Company, values: dict[str, Any], allow_duplicate: bool = False, **links: Any
) -> tuple[Person, bool]:
    """A person uncovered by a call: (new person, True), or (the one on file, False).

    The second form is a lost race: another request wrote the name since this one checked.
    This call then links to that person and only fills the fields it left blank. With
    allow_duplicate (confirmed as someone else) it stores a namesake instead.
    """
    name = values.get("full_name")
    namesake = allow_duplicate and holder_of(company.id, name) is not None
    db.session.flush()  # the call and the rows before this one stay whatever happens below
    for _attempt in range(3):
        # company_id, not company=: a loser left in company.people would be inserted at commit.
        person = Person(company_id=company.id, namesake=namesake, **links, **values)
        if person.name_key is None:
            db.session.add(person)
            return person, True
        if _stored(person):
            return person, True
        if allow_duplicate:
            namesake = True
            continue
        winner = holder_of(company.id, name)
        if winner is not None:
            for key, value in values.items():
                if (
                    key != "full_name"
                    and value not in (None, "")
                    and (getattr(winner, key) in (None, ""))
                ):
                    setattr(winner, key, value)
            return winner, False
    # The holder vanished three times between our INSERT and SELECT: give up like any write.
    raise name_taken(company.id, name)


def reclaim_name(person: Person) -> None:
    """A namesake whose name nobody holds any more (merged, renamed) takes it over."""
    if not (person.namesake and person.name_key) or holder_of(
        person.company_id, person.full_name, person.id
    ):
        return
    db.session.flush()
    if not _updated_in_savepoint(person.id, namesake=False):
        return  # taken again meanwhile: it stays a namesake
    set_committed_value(person, "namesake", False)
