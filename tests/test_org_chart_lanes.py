"""The lanes of a big chart: people with no manager known come a department's first few at a
time, and managers whose own manager is unknown come without their reports (opened on demand)."""

import re

import pytest

from app.companies.chart_html import GROUP_SHOWN, LANE_BUDGET
from tests import factories
from tests.test_org_chart_on_demand import chief, insert_people

BOX = re.compile(r'<li id="person-(\d+)"')
MORE = re.compile(r'data-branch="(\d+)"')
BASE = 2_000_000  # explicit ids far above the sequence (see test_org_chart_on_demand)
LONERS = GROUP_SHOWN + 8  # in Sales, with no manager and no reports
LEADS, PER_LEAD = 20, 10  # managers nobody has placed: 200 reports, over the lane's budget


@pytest.fixture
def lanes(app, db):
    company = factories.CompanyFactory(name="Lanecorp")
    rows = [chief(BASE + 1)]
    # The biggest tree is the top of the chart: bigger than any lead's.
    rows += [{"id": BASE + 2 + v, "full_name": f"Vic VP {v:02d}", "reports_to_id": BASE + 1}
             for v in range(PER_LEAD + 5)]
    rows += [{"id": BASE + 100 + i, "full_name": f"Sam Sales {i:03d}", "department": "Sales",
              "reports_to_id": None} for i in range(LONERS)]
    rows += [{"id": BASE + 1000 + lead, "full_name": f"Lee Lead {lead:02d}",
              "reports_to_id": None} for lead in range(LEADS)]
    rows += [{"id": BASE + 10_000 + lead * 100 + i, "full_name": f"Rae Report {lead:02d}-{i}",
              "reports_to_id": BASE + 1000 + lead}
             for lead in range(LEADS) for i in range(PER_LEAD)]
    insert_people(db, company, rows)
    return company.id


def _lane(page: str) -> str:
    return page[page.index('<section class="lane"'):page.index('id="chart-dialog"')]


def test_a_department_without_managers_shows_its_first_few_and_links_to_all(lanes, logged_in):
    url = f"/companies/{lanes}/org-chart"
    lane = _lane(logged_in.get(url).get_data(as_text=True))
    sales = [int(i) for i in BOX.findall(lane) if BASE + 100 <= int(i) < BASE + 1000]
    assert sales == [BASE + 100 + i for i in range(GROUP_SHOWN)]
    assert f'href="{url}?group=Sales#lane-title">Show all {LONERS} in Sales</a>' in lane
    # The link (no script needed) brings the whole department.
    whole = _lane(logged_in.get(f"{url}?group=Sales").get_data(as_text=True))
    assert {int(i) for i in BOX.findall(whole)} >= {BASE + 100 + i for i in range(LONERS)}
    assert "Show all" not in whole
    # Someone found by name (Find goes to ?focus=) shows even past the first few.
    last = BASE + 100 + LONERS - 1
    focused = _lane(logged_in.get(f"{url}?focus={last}").get_data(as_text=True))
    assert f'id="person-{last}"' in focused and f'id="person-{last - 1}"' not in focused


def test_unplaced_managers_come_without_their_reports_over_the_lane_budget(lanes, logged_in):
    assert LEADS * PER_LEAD > LANE_BUDGET
    url = f"/companies/{lanes}/org-chart"
    lane = _lane(logged_in.get(url).get_data(as_text=True))
    leads = [BASE + 1000 + lead for lead in range(LEADS)]
    assert [int(i) for i in MORE.findall(lane)] == leads  # each waits to be opened
    assert "Rae Report" not in lane
    shown = set()
    for lead in leads:
        shown |= {int(i) for i in BOX.findall(logged_in.get(f"{url}/branch/{lead}").get_data(
            as_text=True))}
    assert len(shown) == LEADS * PER_LEAD
