"""The reporting tree: merges cannot close a loop, and the chart places or names everyone."""

import csv
import io
import json

import pytest
from sqlalchemy import func, select, update

from app.companies.orgchart import build_org_chart, chart_nodes
from app.errors import DomainError, ReportsToCycleError
from app.models import Person, ReportingLink
from app.people.merge import merge_people
from app.people.service import move_person
from tests import factories


def managers(db, company_id: int) -> dict[int, int | None]:
    """Every person's manager as stored, read fresh."""
    return dict(
        db.session.execute(
            select(Person.id, Person.reports_to_id).where(Person.company_id == company_id)
        ).all()
    )


def has_cycle(tree: dict[int, int | None]) -> bool:
    """True when following managers from anyone comes back to someone already passed."""
    for start in tree:
        seen, node = set(), start
        while node is not None:
            if node in seen:
                return True
            seen.add(node)
            node = tree.get(node)
    return False


def force_manager(db, person: Person, manager: Person | None) -> None:
    """Store a reporting link as a race or an old merge left it: no checks at all."""
    db.session.execute(
        update(Person)
        .where(Person.id == person.id)
        .values(reports_to_id=manager.id if manager else None)
    )
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def people(app, db):
    """Kim at the top; Rob reports to Kim; Dee (Kim's duplicate) reports to Rob."""
    kim = factories.PersonFactory(full_name="Kim Keeper")
    company = kim.company
    rob = factories.PersonFactory(company=company, full_name="Rob Report", reports_to=kim)
    dee = factories.PersonFactory(company=company, full_name="Kim Keeper-Dupe", reports_to=rob)
    return {"kim": kim, "rob": rob, "dee": dee, "company": company}


def test_a_duplicates_manager_that_would_close_a_loop_does_not_fill_the_keepers_blank(people, db):
    kim, dee = people["kim"], people["dee"]
    ids = {k: p.id for k, p in people.items()}
    merged = merge_people(kim, dee)
    tree = managers(db, ids["company"])
    assert not has_cycle(tree)
    # Kim keeps her place at the top; "Dee reports to Rob" stays only as history.
    assert tree == {ids["kim"]: None, ids["rob"]: ids["kim"]}
    assert merged.reports_to_id is None and db.session.get(Person, ids["dee"]) is None


def test_merging_a_duplicate_whose_report_is_the_keepers_manager_is_refused(app, db):
    dee = factories.PersonFactory(full_name="Dee Dupe")
    company = dee.company
    rob = factories.PersonFactory(company=company, full_name="Rob Report", reports_to=dee)
    kim = factories.PersonFactory(company=company, full_name="Kim Keeper", reports_to=rob)
    ids = {"dee": dee.id, "rob": rob.id, "kim": kim.id}
    with pytest.raises(ReportsToCycleError) as refused:
        merge_people(kim, dee)
    assert "Kim Keeper report to Rob Report" in str(refused.value)
    # Nothing was written: the duplicate is still there, every link as it was.
    assert managers(db, company.id) == {
        ids["dee"]: None,
        ids["rob"]: ids["dee"],
        ids["kim"]: ids["rob"],
    }


def test_merging_a_duplicate_that_reports_to_the_keeper_does_not_make_them_their_own_boss(app, db):
    kim = factories.PersonFactory(full_name="Kim Keeper")
    dee = factories.PersonFactory(company=kim.company, full_name="Kim K", reports_to=kim)
    merged = merge_people(kim, dee)
    assert merged.reports_to_id is None
    assert not has_cycle(managers(db, kim.company_id))


def test_a_merge_that_closes_no_loop_still_moves_reports_and_manager(people, db):
    kim, rob = people["kim"], people["rob"]
    other = factories.PersonFactory(company=people["company"], full_name="Kim Other")
    sub = factories.PersonFactory(company=people["company"], full_name="Sue Sub", reports_to=other)
    merge_people(rob, other)
    assert db.session.get(Person, sub.id).reports_to_id == rob.id
    assert rob.reports_to_id == kim.id


def test_merging_someone_already_merged_away_is_a_clean_domain_error(people, db):
    kim, dee = people["kim"], people["dee"]
    stale = db.session.get(Person, dee.id)
    db.session.execute(
        update(Person).where(Person.reports_to_id == dee.id).values(reports_to_id=None)
    )
    db.session.delete(stale)
    db.session.commit()
    ghost = Person(id=dee.id, company_id=kim.company_id, full_name="Ghost")
    with pytest.raises(DomainError):
        merge_people(kim, ghost)


def test_moving_someone_under_a_person_merged_away_is_a_clean_domain_error(people, db):
    rob, dee = people["rob"], people["dee"]
    dee_id = dee.id
    db.session.delete(dee)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        move_person(rob, dee_id, None)
    assert "reports_to_id" in refused.value.fields


# --- the chart places everyone ------------------------------------------------------------


@pytest.fixture
def looped(app, db):
    """Ann and Bob report to each other (an old race stored it); Cat is under Ann; Dan is fine."""
    ann = factories.PersonFactory(full_name="Ann Loop", department="Sales")
    company = ann.company
    bob = factories.PersonFactory(company=company, full_name="Bob Loop", reports_to=ann)
    cat = factories.PersonFactory(company=company, full_name="Cat Under", reports_to=ann)
    dan = factories.PersonFactory(company=company, full_name="Dan Top")
    eve = factories.PersonFactory(company=company, full_name="Eve Fine", reports_to=dan)
    force_manager(db, ann, bob)
    return {"company": company, "ann": ann, "bob": bob, "cat": cat, "dan": dan, "eve": eve}


def everyone_in(nodes) -> list[int]:
    return [node.person.id for node in nodes]


def json_ids(roots: list[dict]) -> list[int]:
    out, stack = [], list(roots)
    while stack:
        node = stack.pop()
        out.append(node["id"])
        stack.extend(node["reports"])
    return out


def test_people_in_a_reporting_cycle_are_shown_under_could_not_place(looped, db, logged_in):
    company = looped["company"]
    chart = build_org_chart(db.session.get(type(company), company.id))
    ids = everyone_in(chart_nodes(chart))
    assert sorted(ids) == sorted(p.id for k, p in looped.items() if k != "company")
    assert {n.person.id for n in chart.cannot_place} == {looped["ann"].id, looped["bob"].id}
    assert all(n.problem == "reporting_cycle" and "cycle" in n.note for n in chart.cannot_place)
    # Cat keeps her place under Ann, inside the group.
    ann_node = next(n for n in chart.cannot_place if n.person.id == looped["ann"].id)
    assert [c.person.full_name for c in ann_node.reports] == ["Cat Under"]
    page = logged_in.get(f"/companies/{company.id}/org-chart").get_data(as_text=True)
    assert "Could not place" in page
    for name in ("Ann Loop", "Bob Loop", "Cat Under", "Dan Top", "Eve Fine"):
        assert page.count(f'data-name="{name}"') == 1


def test_the_csv_and_json_include_people_in_a_cycle(looped, db, logged_in, user):
    company = looped["company"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                logged_in.get(f"/companies/{company.id}/org-chart.csv").get_data(as_text=True)
            )
        )
    )
    assert sorted(int(r["id"]) for r in rows) == sorted(
        p.id for k, p in looped.items() if k != "company"
    )
    by_name = {r["full_name"]: r for r in rows}
    assert "cycle" in by_name["Ann Loop"]["chart_note"]
    assert by_name["Cat Under"]["manager_name"] == "Ann Loop"
    assert by_name["Eve Fine"]["chart_note"] == ""
    from app.auth.service import issue_token

    token = issue_token(user, "test")
    body = json.loads(
        logged_in.get(
            f"/api/v1/companies/{company.id}/org-chart",
            headers={"Authorization": f"Bearer {token}"},
        ).data
    )
    assert sorted(json_ids(body["roots"])) == sorted(
        p.id for k, p in looped.items() if k != "company"
    )
    ann = next(n for n in body["roots"] if n["id"] == looped["ann"].id)
    assert ann["unplaced_reason"] == "reporting_cycle"


def test_someone_whose_manager_is_at_another_company_is_shown_with_a_note(app, db, logged_in):
    stray = factories.PersonFactory(full_name="Stray Person")
    elsewhere = factories.PersonFactory(full_name="Boss Elsewhere")
    report = factories.PersonFactory(
        company=stray.company, full_name="Rae Report", reports_to=stray
    )
    force_manager(db, stray, elsewhere)
    chart = build_org_chart(stray.company)
    assert [n.person.id for n in chart.cannot_place] == [stray.id]
    assert "another company" in chart.cannot_place[0].note
    assert sorted(everyone_in(chart_nodes(chart))) == sorted([stray.id, report.id])


def test_a_self_loop_through_people_who_left_is_named_not_hidden(app, db):
    ann = factories.PersonFactory(full_name="Ann Here")
    gone = factories.PersonFactory(company=ann.company, full_name="Gus Gone", reports_to=ann)
    from app.models import now_utc

    gone.left_at = now_utc()
    db.session.commit()
    force_manager(db, ann, gone)
    chart = build_org_chart(ann.company)
    assert [n.person.id for n in chart.cannot_place] == [ann.id]


def test_reporting_links_are_kept_when_a_stored_cycle_shows(looped, db):
    assert db.session.scalars(select(ReportingLink)).all() == []  # factories write no history


# --- repairing cycles already stored -------------------------------------------------------


@pytest.fixture
def triangle(app, db, user):
    """Ann -> Bob -> Cat -> Ann, stored: Cat's link to Ann was recorded last (by hand)."""
    ann = factories.PersonFactory(full_name="Ann Loop")
    company = ann.company
    bob = factories.PersonFactory(company=company, full_name="Bob Loop")
    cat = factories.PersonFactory(company=company, full_name="Cat Loop")
    for person, manager in ((ann, bob), (bob, cat), (cat, ann)):
        db.session.add(ReportingLink(person_id=person.id, manager_id=manager.id, reported_by=user))
        db.session.commit()
        force_manager(db, person, manager)
    return {"company": company, "ann": ann, "bob": bob, "cat": cat}


def test_the_repair_command_breaks_a_stored_cycle_at_the_link_set_last(triangle, db, runner):
    links_before = db.session.scalar(select(func.count(ReportingLink.id)))
    result = runner.invoke(args=["repair-reporting-cycles"])
    assert result.exit_code == 0, result.output
    assert "Cat Loop no longer reports to Ann Loop" in result.output
    assert "1 cycle(s) found, 1 link(s) cut." in result.output
    tree = managers(db, triangle["company"].id)
    assert not has_cycle(tree)
    assert tree[triangle["cat"].id] is None and tree[triangle["ann"].id] == triangle["bob"].id
    # Provenance stays: every recorded report is still there.
    assert db.session.scalar(select(func.count(ReportingLink.id))) == links_before
    again = runner.invoke(args=["repair-reporting-cycles"])
    assert "No reporting cycles." in again.output


def test_the_repair_command_dry_run_prints_and_changes_nothing(triangle, db, runner):
    before = managers(db, triangle["company"].id)
    result = runner.invoke(args=["repair-reporting-cycles", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Cat Loop would no longer report to Ann Loop" in result.output
    assert "would be cut" in result.output
    assert managers(db, triangle["company"].id) == before


def test_a_link_without_a_record_counts_as_oldest_and_ties_go_to_the_higher_id(app, db, runner):
    ann = factories.PersonFactory(full_name="Ann Old")
    bob = factories.PersonFactory(company=ann.company, full_name="Bob Old", reports_to=ann)
    force_manager(db, ann, bob)
    result = runner.invoke(args=["repair-reporting-cycles"])
    assert "Bob Old no longer reports to Ann Old" in result.output
    assert managers(db, ann.company_id) == {ann.id: bob.id, bob.id: None}
    chart = build_org_chart(db.session.get(type(ann.company), ann.company_id))
    assert chart.cannot_place == [] and [n.person.id for n in chart.roots] == [bob.id]


def test_adding_a_report_under_someone_merged_away_meanwhile_is_a_clean_refusal(app, db, user):
    """The page loaded the manager; another session deleted them before the form was sent."""
    from sqlalchemy import delete

    from app.people.service import add_report

    manager = factories.PersonFactory(full_name="Gone Soon")
    company_id, manager_id = manager.company_id, manager.id
    db.session.get(Person, manager_id)  # in this session's identity map, as after get_or_404
    with db.engine.begin() as other:  # another request merges them away and commits
        other.execute(delete(Person).where(Person.id == manager_id))
    with pytest.raises(DomainError) as refused:
        add_report(manager, {"full_name": "New Report"}, user)
    assert "reports_to_id" in refused.value.fields
    db.session.rollback()
    assert managers(db, company_id) == {}
