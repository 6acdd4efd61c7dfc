"""One person per name at a company: the stored key, the index that holds it, and its edges."""

import flask_migrate
import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from app.errors import AlreadyOnFileError
from app.extensions import db
from app.models import Call, Person
from app.models.person import person_name_key
from app.people.identity import capture_person
from app.people.merge import merge_candidates, merge_people
from app.people.service import create_person, update_person
from tests import factories
from tests.test_migrations import MIGRATIONS, empty_app, schema_diff  # noqa: F401 (a fixture)


@pytest.mark.parametrize(
    "spelling",
    ["zoë quinn", "  ZOË   QUINN ", "Zoe\u0308 Quinn", "Ｚｏë Ｑｕｉｎｎ", "Zoë\u00a0Quinn"],
)
def test_spellings_of_one_name_share_a_key(spelling):
    assert person_name_key(spelling) == person_name_key("Zoë Quinn") == "zoë quinn"


def test_the_key_folds_case_beyond_lower():
    assert person_name_key("Hans Straße") == person_name_key("HANS STRASSE")
    assert person_name_key(None) is None and person_name_key("   ") is None


def test_the_key_follows_every_change_of_name(app, db):
    person = factories.PersonFactory(full_name="Ann Lee")
    assert person.name_key == "ann lee"
    person.full_name = "Ann Lee-Park"
    db.session.commit()
    assert (
        db.session.scalar(select(Person.name_key).where(Person.id == person.id)) == "ann lee-park"
    )


def test_the_database_refuses_a_second_holder_of_a_name(app, db):
    ann = factories.PersonFactory(full_name="Ann Lee")
    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(Person).values(
                company_id=ann.company_id, full_name="ANN LEE", name_key="ann lee"
            )
        )
    db.session.rollback()


def test_empty_boxes_and_confirmed_namesakes_stay_outside_the_rule(app, db, user):
    ann = factories.PersonFactory(full_name="Ann Lee")
    for _ in range(2):
        create_person(ann.company, {"placeholder": True, "title": "VP Sales"}, user)
    twin = create_person(ann.company, {"full_name": "ann lee"}, user, allow_duplicate=True)
    assert twin.namesake and not ann.namesake
    with pytest.raises(AlreadyOnFileError) as caught:
        create_person(ann.company, {"full_name": "Ann  LEE"}, user)
    assert caught.value.matches == {"full_name": [ann.id, twin.id]}


def test_a_name_in_another_unicode_form_is_offered_as_already_on_file(logged_in, db):
    zoe = factories.PersonFactory(full_name="Zoë Quinn")
    response = logged_in.post(
        "/calls/new",
        data={
            "company_id": str(zoe.company_id),
            "outcome": "gatekeeper",
            "people-0-full_name": "Zoe\u0308 Quinn",
        },
    )
    assert response.status_code == 422
    assert f'value="existing:{zoe.id}"' in response.get_data(as_text=True)


def test_two_rows_naming_one_person_in_two_unicode_forms_are_caught(logged_in, db):
    company = factories.CompanyFactory()
    response = logged_in.post(
        "/calls/new",
        data={
            "company_id": str(company.id),
            "outcome": "gatekeeper",
            "people-0-full_name": "Zoë Quinn",
            "people-1-full_name": "ＺＯＥ\u0308 quinn",
        },
    )
    assert response.status_code == 422
    assert "is already in row 1 of this call" in response.get_data(as_text=True)


def test_a_capture_that_lost_the_race_links_to_the_person_on_file_and_fills_blanks(app, db):
    zoe = factories.PersonFactory(full_name="Zoë Quinn", title="CTO", email=None)
    person, created = capture_person(
        zoe.company, {"full_name": "zoë quinn", "title": "Intern", "email": "zoe@acme.example"}
    )
    db.session.commit()
    assert not created and person is zoe
    assert zoe.title == "CTO" and zoe.email == "zoe@acme.example"
    assert db.session.scalars(select(Person)).all() == [zoe]


def test_naming_an_empty_box_after_someone_on_file_offers_them_instead(logged_in, db):
    ann = factories.PersonFactory(full_name="Ann Lee")
    box = factories.PersonFactory(
        company=ann.company, full_name=None, placeholder=True, title="VP Sales"
    )
    response = logged_in.post(
        "/calls/new",
        data={
            "company_id": str(ann.company_id),
            "outcome": "gatekeeper",
            "people-0-person_id": str(box.id),
            "people-0-full_name": "ann lee",
        },
    )
    assert response.status_code == 422, response.status_code
    assert f'value="existing:{ann.id}"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert box.full_name is None and db.session.scalars(select(Call)).all() == []


def test_renaming_onto_a_colleagues_name_is_a_conflict_and_confirming_keeps_both(app, db):
    ann = factories.PersonFactory(full_name="Ann Lee")
    bob = factories.PersonFactory(company=ann.company, full_name="Bob Stone")
    with pytest.raises(AlreadyOnFileError):
        update_person(bob, {"full_name": "ANN LEE"})
    db.session.rollback()
    update_person(bob, {"full_name": "ANN LEE"}, allow_duplicate=True)
    assert bob.namesake and bob.name_key == ann.name_key
    update_person(bob, {"full_name": "Bob Stone"})
    assert not bob.namesake


def test_merging_a_named_duplicate_into_an_empty_box_gives_the_box_the_name(app, db, user):
    ann = factories.PersonFactory(full_name="Ann Lee")
    box = factories.PersonFactory(
        company=ann.company, full_name=None, placeholder=True, title="VP Sales"
    )
    kept = merge_people(box, ann)
    assert kept.full_name == "Ann Lee" and not kept.placeholder and not kept.namesake
    with pytest.raises(AlreadyOnFileError):
        create_person(kept.company, {"full_name": "ann lee"}, user)


def test_merging_the_holder_into_its_namesake_hands_the_name_over(app, db, user):
    ann = factories.PersonFactory(full_name="Ann Lee")
    twin = create_person(ann.company, {"full_name": "Ann Lee"}, user, allow_duplicate=True)
    kept = merge_people(twin, ann)
    assert not kept.namesake
    with pytest.raises(AlreadyOnFileError):
        create_person(kept.company, {"full_name": "ann lee"}, user)


def test_the_migration_keys_existing_people_and_keeps_their_duplicates_as_namesakes(empty_app):  # noqa: F811
    flask_migrate.upgrade(directory=MIGRATIONS, revision="b6a5387aabbd")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO company (id, name, country, timezone, off_limits, "
                "created_at, updated_at) VALUES (1, 'Acme', 'US', 'UTC', false, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        for pid, name, box in [
            (1, "Jane Doe", False),
            (2, "jane  DOE", False),
            (3, "Zoe\u0308 Quinn", False),
            (4, None, True),
            (5, None, True),
            (6, "JANE DOE", False),
        ]:
            conn.execute(
                text(
                    "INSERT INTO person (id, company_id, full_name, placeholder, role, "
                    "status, created_at, updated_at) VALUES (:id, 1, :name, :box, "
                    "'other', 'uncovered', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": pid, "name": name, "box": box},
            )
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert schema_diff(empty_app) == []
    rows = db.session.execute(
        select(Person.id, Person.name_key, Person.namesake).order_by(Person.id)
    ).all()
    assert [tuple(r) for r in rows] == [
        (1, "jane doe", False),
        (2, "jane doe", True),
        (3, "zoë quinn", False),
        (4, None, False),
        (5, None, False),
        (6, "jane doe", True),
    ]
    jane = db.session.get(Person, 1)
    assert {p.id for p in merge_candidates(jane)} >= {2, 6}
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO person (company_id, full_name, name_key, placeholder, "
                    "namesake, role, status, created_at, updated_at) VALUES (1, 'Zoë "
                    "Quinn', 'zoë quinn', false, false, 'other', 'uncovered', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )


def test_the_bench_data_set_keys_every_name_and_marks_repeats_as_namesakes(runner, db):
    result = runner.invoke(args=["seed-bench", "--companies", "5", "--people", "400",
                                 "--calls", "50"])  # fmt: skip
    assert result.exit_code == 0, result.output
    people = db.session.scalars(select(Person).where(Person.full_name.is_not(None))).all()
    assert all(p.name_key == person_name_key(p.full_name) for p in people)
    holders = {(p.company_id, p.name_key) for p in people if not p.namesake}
    assert holders == {(p.company_id, p.name_key) for p in people}
    assert any(p.namesake for p in people)  # 400 random names at 5 companies repeat some
