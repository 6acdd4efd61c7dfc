"""A big org chart: the page brings the top levels, deeper branches come from the branch route."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from app.companies.chart_html import BOX_BUDGET
from app.models import Company, Person
from tests import factories

BOX = re.compile(r'<li id="person-(\d+)"')
MORE = re.compile(r'data-branch="(\d+)"')
VPS, PER_VP = 10, 499  # 1 + 10 + 4,990 = 5,001 people
# Explicit ids (so managers can be named before insert) far above the id sequence, which a bulk
# insert does not advance on PostgreSQL: people added later by factories must not collide.
BASE = 1_000_000


@pytest.fixture
def big(app, db):
    """A 5,001-person company: the CEO, ten VPs, and 499 people under each VP."""
    company = factories.CompanyFactory(name="Megacorp")
    rows = [chief(BASE + 1)]
    rows += [{"id": BASE + 1 + v, "full_name": f"Vic VP {v:02d}", "reports_to_id": BASE + 1}
             for v in range(1, VPS + 1)]
    rows += [{"id": BASE + 100 + v * 1000 + i, "full_name": f"Person {v:02d}-{i:03d}",
              "reports_to_id": BASE + 1 + v} for v in range(1, VPS + 1) for i in range(PER_VP)]
    insert_people(db, company, rows)
    return {"company": company.id, "ids": {row["id"] for row in rows}}


def chief(person_id: int) -> dict:
    """The CEO, changed last: the page opens the way to them (and no deeper) by default."""
    return {"id": person_id, "full_name": "Cleo Chief", "reports_to_id": None,
            "updated_at": datetime(2026, 2, 1, tzinfo=UTC)}


def insert_people(db, company, rows: list[dict]) -> None:
    """People in one statement, with explicit ids (so managers are named before insert)."""
    now = datetime(2026, 1, 5, tzinfo=UTC)
    db.session.execute(insert(Person), [
        {"company_id": company.id, "title": "Staff", "created_at": now, "updated_at": now} | row
        for row in rows])
    db.session.commit()


def test_the_first_screen_of_5000_people_is_the_top_and_the_branch_route_brings_the_rest(
    big, logged_in
):
    url = f"/companies/{big['company']}/org-chart"
    page = logged_in.get(url).get_data(as_text=True)
    shown = {int(i) for i in BOX.findall(page)}
    assert BASE + 1 in shown and len(shown) <= BOX_BUDGET < len(big["ids"])  # not everyone
    assert "Person 01-000" not in page
    waiting = [int(i) for i in MORE.findall(page)]
    assert sorted(waiting) == list(range(BASE + 2, BASE + VPS + 2))  # each VP's people wait
    for vp in waiting:
        response = logged_in.get(f"{url}/branch/{vp}")
        assert response.status_code == 200 and response.mimetype == "text/html"
        fragment = response.get_data(as_text=True)
        assert fragment.startswith("<ul>") and "<html" not in fragment
        shown |= {int(i) for i in BOX.findall(fragment)}
    assert shown == big["ids"]  # nobody lost between the page and its branches


def test_focus_opens_the_way_to_someone_deep_in_a_branch_not_sent_otherwise(big, logged_in):
    url = f"/companies/{big['company']}/org-chart"
    deep = BASE + 100 + 7 * 1000 + 123
    assert f'id="person-{deep}"' not in logged_in.get(url).get_data(as_text=True)
    page = logged_in.get(f"{url}?focus={deep}").get_data(as_text=True)
    assert f'id="person-{deep}"' in page and "recent" in re.search(
        rf'<li id="person-{deep}" class="([^"]+)"', page)[1]
    vp = re.search(rf'<li id="person-{BASE + 8}".*?<details class="branch"( open)?>', page)
    assert vp[1] == " open"  # the VP above them is open
    assert len(BOX.findall(page)) < 1000  # the other VPs' people still wait
    # Without the script, a branch's "Show the 499 below" link is the same chart, focused.
    assert f'href="{url}?focus={BASE + 2}#person-{BASE + 2}">Show the 499 below</a>' in page


def test_a_branch_of_someone_not_on_the_chart_is_a_404(big, logged_in, db):
    url = f"/companies/{big['company']}/org-chart"
    other = factories.PersonFactory(company=factories.CompanyFactory(name="Other"))
    left = factories.PersonFactory(company=db.session.get(Company, big["company"]),
                                   full_name="Gone Away", left_at=datetime(2026, 1, 1, tzinfo=UTC))
    for person_id in (999_999, other.id, left.id):
        response = logged_in.get(f"{url}/branch/{person_id}")
        assert response.status_code == 404, person_id
    assert logged_in.get("/companies/999999/org-chart/branch/1").status_code == 404
    leaf = logged_in.get(f"{url}/branch/{BASE + 100 + 1000}")  # someone with nobody below
    assert (leaf.status_code, leaf.get_data(as_text=True)) == (200, "<ul></ul>")


def test_the_people_list_for_find_and_move_has_everyone_live(big, logged_in):
    people = logged_in.get(f"/companies/{big['company']}/org-chart/people").get_json()["people"]
    assert {p["id"] for p in people} == big["ids"]
    assert {"id": BASE + 1, "name": "Cleo Chief", "title": "Staff"} in people


def test_the_branch_and_people_routes_need_a_sign_in(big, client):
    url = f"/companies/{big['company']}/org-chart"
    for path in (f"{url}/branch/{BASE + 2}", f"{url}/people"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_names_in_a_branch_are_escaped(app, db, logged_in):
    company = factories.CompanyFactory(name="Evil")
    boss = factories.PersonFactory(company=company, full_name="Boss")
    factories.PersonFactory(company=company, full_name="<script>alert(1)</script>",
                            title="<img src=x>", reports_to=boss)
    db.session.commit()
    fragment = logged_in.get(f"/companies/{company.id}/org-chart/branch/{boss.id}").get_data(
        as_text=True)
    assert "<script>" not in fragment and "<img" not in fragment
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment


def test_boxes_sent_later_carry_their_last_call_and_disagreeing_managers(big, logged_in, db):
    from app.models import Outcome, ReportingLink

    company = db.session.get(Company, big["company"])
    deep, other_vp = BASE + 100 + 3 * 1000 + 7, BASE + 5
    call = factories.CallFactory(company=company, person_id=deep, outcome=Outcome.VOICEMAIL,
                                 started_at=datetime(2026, 3, 4, 15, tzinfo=UTC))
    db.session.add(ReportingLink(person_id=deep, manager_id=other_vp, source_call_id=call.id,
                                 reported_by_id=call.user_id,
                                 reported_at=datetime(2026, 3, 4, 15, tzinfo=UTC)))
    db.session.commit()
    url = f"/companies/{big['company']}/org-chart"
    assert "Last called 04 Mar" not in logged_in.get(url).get_data(as_text=True)
    fragment = logged_in.get(f"{url}/branch/{BASE + 4}").get_data(as_text=True)
    box = fragment[fragment.index(f'id="person-{deep}"'):]
    box = box[:box.index("</li>")]
    assert "Last called 04 Mar · Voicemail" in box
    assert "Also reported under Vic VP 04 (call of 04 Mar)" in box
    # The same box, when the page is opened the way to it.
    page = logged_in.get(f"{url}?focus={deep}").get_data(as_text=True)
    assert "Also reported under Vic VP 04 (call of 04 Mar)" in page
