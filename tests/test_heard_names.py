"""The duplicate check with heard names: offered (never blocking) through the stored keys."""

import pytest
from sqlalchemy import select

from app.auth.service import issue_token
from app.calls.service import save_call
from app.models import Person, SearchEntry
from app.people.merge import merge_candidates
from app.people.service import update_person
from app.people.similar import find_similar, relation
from tests import factories
from tests.test_api import Api


@pytest.fixture
def acme(app):
    """A company with people whose names get heard in many ways, and a rival with namesakes."""
    company = factories.CompanyFactory(name="Acme", country="US")
    for name, department in (("Katrin Müller", "Procurement"), ("Robert Smith", "Finance"),
                             ("Elizabeth Taylor", "Legal"), ("William Brown", "IT"),
                             ("Stephen Jones", "Sales"), ("John Ward", None),
                             ("Mark Lee", None), ("Anton Weber", None)):
        factories.PersonFactory(company=company, full_name=name, department=department)
    rival = factories.CompanyFactory(name="Rival")
    factories.PersonFactory(company=rival, full_name="Katherine Muller")
    return company


def offered(company, name: str) -> list[tuple[str, str]]:
    return [(s.person.full_name, s.reason) for s in find_similar(company.id, name)]


@pytest.mark.parametrize(("heard", "on_file", "reason"), [
    ("Catherine Mueller", "Katrin Müller", "sounds_like"),
    ("Kathryn Muller", "Katrin Müller", "sounds_like"),
    ("Katherine Mueller", "Katrin Müller", "sounds_like"),
    ("Bob Smith", "Robert Smith", "nickname"),
    ("Bobby Smyth", "Robert Smith", "nickname"),
    ("Robert Smyth", "Robert Smith", "sounds_like"),
    ("Liz Taylor", "Elizabeth Taylor", "nickname"),
    ("Bill Brown", "William Brown", "nickname"),
    ("Steven Jones", "Stephen Jones", "sounds_like"),
    ("Jon Ward", "John Ward", "sounds_like"),
    ("Katrin", "Katrin Müller", "sounds_like"),  # only a first name was given
])
def test_a_heard_variant_at_the_company_is_offered_with_its_reason(acme, heard, on_file,
                                                                   reason):
    assert offered(acme, heard) == [(on_file, reason)]


@pytest.mark.parametrize("heard", ["Marcia Lee", "Ann Weber", "Bob Jones Smithers",
                                   "Robert Schmidt", "Katrin Müller", "katrin  MÜLLER", ""])
def test_other_names_and_exact_names_are_not_offered(acme, heard):
    # Exact names (any case or spacing) are the "already on file" check's, not this one's.
    assert offered(acme, heard) == []


def test_only_colleagues_at_the_same_company_are_offered(acme):
    other = factories.CompanyFactory(name="Empty")
    assert offered(other, "Catherine Mueller") == []


def test_the_check_reads_the_stored_keys_so_a_rename_is_found_at_once(acme):
    person = factories.PersonFactory(company=acme, full_name="Zed Quux")
    assert offered(acme, "Zoe Quinn") == []
    update_person(person, {"full_name": "Zoe Quin"})
    assert offered(acme, "Zoe Quinn") == [("Zoe Quin", "sounds_like")]
    entry = SearchEntry.query.filter_by(kind="person", ref_id=person.id, field="sound").one()
    assert entry.text.split() == ["zskn", "zss"]  # Quin: KN; Zoe: S


def test_relation_needs_every_heard_word_to_meet_a_word_on_file():
    assert relation("Bob Smith", "Robert Smith") == "nickname"
    assert relation("Bob Jones", "Robert Smith") is None
    assert relation("K. Mueller", "Katrin Müller") == "sounds_like"  # initials do not count
    assert relation("—", "Katrin Müller") is None


def test_api_creates_a_heard_variant_and_offers_the_person_on_file(client, user, acme):
    api = Api(client, issue_token(user))
    katrin = Person.query.filter_by(full_name="Katrin Müller").one()
    response = api.post("/api/v1/people", {"company_id": acme.id,
                                           "full_name": "Catherine Mueller"})
    assert response.status_code == 201
    assert response.get_json()["similar"] == [
        {"id": katrin.id, "full_name": "Katrin Müller", "reason": "sounds_like"}]
    # An exact name keeps today's answer.
    response = api.post("/api/v1/people", {"company_id": acme.id, "full_name": "katrin müller"})
    assert response.status_code == 409
    assert response.get_json()["matches"]["full_name"] == [katrin.id]


def test_api_call_rows_offer_what_each_new_name_may_be(client, user, acme):
    api = Api(client, issue_token(user))
    robert = Person.query.filter_by(full_name="Robert Smith").one()
    response = api.post("/api/v1/calls", {
        "company_id": acme.id, "outcome": "gatekeeper",
        "people": [{"full_name": "Bob Smith"}, {"full_name": "Someone Else"},
                   {"id": robert.id}],
    })
    assert response.status_code == 201, response.get_json()
    people = {p["full_name"]: p for p in response.get_json()["people"]}
    assert people["Bob Smith"]["similar"] == [
        {"id": robert.id, "full_name": "Robert Smith", "reason": "nickname"}]
    assert people["Someone Else"]["similar"] == []
    assert "similar" not in people["Robert Smith"]  # on file before: nothing to offer


def test_merge_screen_lists_sound_alikes_first(acme):
    newcomer = factories.PersonFactory(company=acme, full_name="Kathryn Mueller")
    candidates = merge_candidates(newcomer)
    assert candidates[0].full_name == "Katrin Müller"


def test_call_page_offers_the_person_on_file_and_merges_in_one_click(client, auth, user, acme):
    auth.login()
    call = save_call(user, {"company_id": acme.id, "outcome": "gatekeeper",
                            "people": [{"full_name": "Liz Taylor"}]})
    liz = db_person("Liz Taylor")
    elizabeth = db_person("Elizabeth Taylor")
    page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "is this" in page and "Elizabeth Taylor, Legal" in page
    response = client.post(f"/people/{elizabeth.id}/merge", data={"duplicate_id": liz.id})
    assert response.status_code == 302
    assert db_person("Liz Taylor") is None
    assert "Already on file" not in client.get(f"/calls/{call.id}").get_data(as_text=True)


def db_person(name: str) -> Person | None:
    from app.extensions import db

    return db.session.scalars(select(Person).where(Person.full_name == name)).first()
