"""The backfill of people's "sound" entries: every existing person, across batches, and back."""

import flask_migrate
from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import Company, Person, SearchEntry
from app.people.heard_names import sound_keys
from tests.test_migrations import MIGRATIONS, empty_app  # noqa: F401 (a fixture)

BEFORE = "3911b78c7159"
PEOPLE = 5_003  # more than one batch of 5,000


def sound_entries() -> dict[int, str]:
    return dict(db.session.execute(select(SearchEntry.ref_id, SearchEntry.text).where(
        SearchEntry.kind == "person", SearchEntry.field == "sound")).all())


def test_upgrade_keys_every_existing_person_and_downgrade_removes_the_keys(empty_app):  # noqa: F811
    flask_migrate.upgrade(directory=MIGRATIONS, revision=BEFORE)
    # Rows written as before this revision: straight SQL, which the index hooks never see.
    with db.engine.begin() as conn:
        company_id = conn.execute(insert(Company.__table__).values(name="Acme")
                                  .returning(Company.__table__.c.id)).scalar_one()
        conn.execute(insert(Person.__table__), [
            {"company_id": company_id, "full_name": name, "placeholder": False, "namesake": False}
            for name in ["Katrin Müller", None, "  --  ",
                         *(f"Person Number{n}" for n in range(PEOPLE - 3))]])
    flask_migrate.upgrade(directory=MIGRATIONS)
    entries = sound_entries()
    people = dict(db.session.execute(select(Person.full_name, Person.id)).all())
    assert len(entries) == PEOPLE - 2  # no name, or no letters: no entry
    assert entries[people["Katrin Müller"]] == " ".join(sound_keys("Katrin Müller"))
    assert entries[people[f"Person Number{PEOPLE - 4}"]] == " ".join(
        sound_keys(f"Person Number{PEOPLE - 4}"))
    db.session.commit()

    flask_migrate.downgrade(directory=MIGRATIONS, revision=BEFORE)
    assert sound_entries() == {}
    assert db.session.scalar(select(func.count()).select_from(Person)) == PEOPLE
