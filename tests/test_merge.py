"""Merging a duplicate into the person who stays, and erasing a person on request."""

import pytest
from sqlalchemy import select

from app.calls.service import save_call
from app.errors import DomainError
from app.models import Call, Person, ReportingLink, Touchpoint, TouchpointKind
from app.people.merge import erase_person, merge_people
from app.search.service import run_search
from tests import factories


@pytest.fixture
def pair(app, user, db):
    """Jane on file twice: the original with a title, a duplicate with calls, reports and more."""
    boss = factories.PersonFactory(full_name="Bo Boss")
    company = boss.company
    keep = factories.PersonFactory(company=company, full_name="Jane Doe", title="VP Sales",
                                   email=None, reports_to=boss)
    dup = factories.PersonFactory(company=company, full_name="Jane  Doe-Smith", title=None,
                                  email="jane@acme.example", notes="Prefers mornings.")
    report = factories.PersonFactory(company=company, full_name="Rick Report", reports_to=dup)
    call = save_call(user, {"company_id": company.id, "outcome": "connected",
                            "person_id": dup.id, "notes": "Spoke with Jane about the role.",
                            "people": [{"id": report.id, "reports_to": dup.id}]})
    db.session.add(Touchpoint(person_id=dup.id, user_id=user.id, kind=TouchpointKind.EMAIL))
    db.session.commit()
    return {"keep": keep, "dup": dup, "report": report, "call": call, "boss": boss}


def test_merging_moves_every_link_and_fills_blanks(pair, db):
    keep_id, dup_id = pair["keep"].id, pair["dup"].id
    merged = merge_people(pair["keep"], pair["dup"])
    assert db.session.get(Person, dup_id) is None
    assert merged.id == keep_id and merged.title == "VP Sales"
    assert merged.email == "jane@acme.example" and "Prefers mornings." in merged.notes
    call = db.session.get(Call, pair["call"].id)
    assert call.person_id == keep_id and keep_id in {p.id for p in call.people}
    assert db.session.get(Person, pair["report"].id).reports_to_id == keep_id
    assert all(link.manager_id != dup_id and link.person_id != dup_id
               for link in db.session.scalars(select(ReportingLink)))
    assert db.session.scalars(select(Touchpoint)).one().person_id == keep_id
    assert merged.reports_to_id == pair["boss"].id


def test_the_search_index_follows_a_merge(pair):
    assert run_search("doe-smith").people.total == 1
    merge_people(pair["keep"], pair["dup"])
    assert run_search("doe-smith").people.total == 0
    assert [p.full_name for p in run_search("name:jane").people.items] == ["Jane Doe"]
    # The call now names the person who stayed (name: is about people, so search the word).
    assert run_search("jane").calls.total == 1


def test_merging_across_companies_or_with_oneself_is_refused(pair):
    stranger = factories.PersonFactory(full_name="Elsewhere Person")
    with pytest.raises(DomainError):
        merge_people(pair["keep"], stranger)
    with pytest.raises(DomainError):
        merge_people(pair["keep"], pair["keep"])


def test_erasing_removes_the_person_and_keeps_the_calls(pair, db):
    dup_id, call_id = pair["dup"].id, pair["call"].id
    erase_person(pair["dup"])
    assert db.session.get(Person, dup_id) is None
    call = db.session.get(Call, call_id)
    assert call.person_id is None and dup_id not in {p.id for p in call.people}
    assert db.session.get(Person, pair["report"].id).reports_to_id is None
    assert not db.session.scalars(select(Touchpoint)).all()
    assert run_search("doe-smith").total == 0


def test_the_person_page_offers_likely_duplicates_and_merges_them(pair, logged_in, db):
    page = logged_in.get(f"/people/{pair['keep'].id}").get_data(as_text=True)
    assert f'value="{pair["dup"].id}"' in page and "Possible duplicates" in page
    response = logged_in.post(f"/people/{pair['keep'].id}/merge",
                              data={"duplicate_id": pair["dup"].id})
    assert response.status_code == 302
    assert db.session.get(Person, pair["dup"].id) is None


def test_only_admins_may_erase(pair, logged_in, client, admin, db):
    assert logged_in.post(f"/people/{pair['dup'].id}/erase").status_code == 403
    logged_in.post("/logout")
    client.post("/login", data={"email": admin.email, "password": "correct-horse-battery"})
    assert client.post(f"/people/{pair['dup'].id}/erase").status_code == 302
    assert db.session.get(Person, pair["dup"].id) is None


def test_a_merge_that_would_close_a_reporting_loop_is_refused_on_the_page(app, logged_in, db):
    dup = factories.PersonFactory(full_name="Dee Dupe")
    rob = factories.PersonFactory(company=dup.company, full_name="Rob Report", reports_to=dup)
    keep = factories.PersonFactory(company=dup.company, full_name="Dee Keeper", reports_to=rob)
    response = logged_in.post(f"/people/{keep.id}/merge", data={"duplicate_id": dup.id},
                              follow_redirects=True)
    assert "Merging would make Dee Keeper report to Rob Report" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, dup.id) is not None
    assert db.session.get(Person, rob.id).reports_to_id == dup.id


def test_merging_a_record_someone_already_merged_away_says_so_instead_of_a_404(pair, logged_in):
    keep, dup = pair["keep"], pair["dup"]
    keep_id, dup_id = keep.id, dup.id
    first = logged_in.post(f"/people/{keep_id}/merge", data={"duplicate_id": dup_id})
    assert first.status_code == 302
    second = logged_in.post(f"/people/{keep_id}/merge", data={"duplicate_id": dup_id},
                            follow_redirects=True)
    assert second.status_code == 200
    assert "no longer on file (merged or erased meanwhile)" in second.get_data(as_text=True)


def test_a_call_row_naming_someone_merged_away_gets_that_one_message(app, user, db):
    company = factories.CompanyFactory()
    gone = factories.PersonFactory(company=company)
    gone_id, company_id = gone.id, company.id
    db.session.delete(gone)
    db.session.commit()
    rows = [{"id": gone_id}, {"full_name": "Al Q", "reports_to": {"row": 2}}, {"full_name": "Bo"}]
    with pytest.raises(DomainError) as refused:
        save_call(user, {"company_id": company_id, "outcome": "gatekeeper", "people": rows})
    assert refused.value.fields == {"people.0.id": f"No person with id {gone_id}."}
