"""Property tests of the reporting tree: random moves, and random (even broken) stored trees."""

import csv
import io
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from app.companies.export import org_chart_to_csv, org_chart_to_json, stream_org_chart_json
from app.companies.orgchart import build_org_chart, chart_nodes
from app.errors import DomainError
from app.extensions import db
from app.models import Company, Person, now_utc
from app.people.repair import repair_reporting_cycles
from app.people.service import move_person
from tests import factories
from tests.test_reporting_tree import has_cycle, json_ids, managers

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def make_company(size: int) -> tuple[int, list[int]]:
    company = factories.CompanyFactory()
    people = [
        factories.PersonFactory(company=company, full_name=f"P{i} Person") for i in range(size)
    ]
    return company.id, [p.id for p in people]


def would_cycle(tree: dict[int, int | None], person: int, manager: int | None) -> bool:
    node = manager
    while node is not None:
        if node == person:
            return True
        node = tree[node]
    return False


def assert_everyone_shown_once(company_id: int, client) -> None:
    """Every live person exactly once on the page, in the chart's walk, the CSV and the JSON."""
    company = db.session.get(Company, company_id)
    live = sorted(
        pid
        for (pid,) in db.session.execute(
            db.select(Person.id).where(Person.company_id == company_id, Person.left_at.is_(None))
        )
    )
    chart = build_org_chart(company)
    assert sorted(n.person.id for n in chart_nodes(chart)) == live
    rows = csv.DictReader(io.StringIO(org_chart_to_csv(chart)))
    assert sorted(int(r["id"]) for r in rows) == live
    assert sorted(json_ids(org_chart_to_json(chart))) == live
    # The API streams the same tree a box at a time: the same JSON, whatever the shape.
    streamed = json.loads("".join(stream_org_chart_json({"company": {"id": company_id}}, chart)))
    assert streamed == {"company": {"id": company_id}, "roots": org_chart_to_json(chart)}
    page = client.get(f"/companies/{company_id}/org-chart").get_data(as_text=True)
    assert sorted(int(i) for i in re.findall(r'<li id="person-(\d+)"', page)) == live


moves = st.lists(st.tuples(st.integers(0, 5), st.one_of(st.none(), st.integers(0, 5))), max_size=12)


@SETTINGS
@given(size=st.integers(2, 6), sequence=moves)
def test_random_moves_never_make_a_cycle_and_everyone_stays_on_the_chart(logged_in, size, sequence):
    company_id, ids = make_company(size)
    model = {pid: None for pid in ids}
    for p, m in sequence:
        person_id = ids[p % size]
        manager_id = None if m is None else ids[m % size]
        try:
            move_person(db.session.get(Person, person_id), manager_id, None)
            refused = False
        except DomainError:
            db.session.rollback()
            refused = True
        # Refused exactly when the move would make someone their own boss.
        assert refused == would_cycle(model, person_id, manager_id)
        if not refused:
            model[person_id] = manager_id
        assert managers(db, company_id) == model
        assert not has_cycle(model)
    assert_everyone_shown_once(company_id, logged_in)


# A stored manager for each person: nobody, a colleague (cycles allowed), someone at another
# company; and whether they left. What a race or an old merge could have left behind.
stored = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 6), st.just("elsewhere")),
        st.booleans(),
    ),
    min_size=1,
    max_size=7,
)


@SETTINGS
@given(spec=stored)
def test_any_stored_tree_shows_everyone_once_and_the_repair_leaves_no_cycle(logged_in, spec):
    company_id, ids = make_company(len(spec))
    outsider = factories.PersonFactory(full_name="Out Sider").id
    for pid, (manager, left) in zip(ids, spec, strict=True):
        target = (
            outsider
            if manager == "elsewhere"
            else (None if manager is None else ids[manager % len(ids)])
        )
        db.session.execute(
            update(Person)
            .where(Person.id == pid)
            .values(reports_to_id=target, left_at=now_utc() if left else None)
        )
    db.session.commit()
    db.session.expire_all()
    assert_everyone_shown_once(company_id, logged_in)
    repair_reporting_cycles()
    assert not has_cycle(managers(db, company_id))
    chart = build_org_chart(db.session.get(Company, company_id))
    assert all(n.problem != "reporting_cycle" for n in chart.cannot_place)
    assert_everyone_shown_once(company_id, logged_in)
