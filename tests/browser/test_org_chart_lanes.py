"""The lanes of a big chart in a real browser: a department's first few, then all of it; a
manager with no known manager opens to reports fetched on demand."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.companies.chart_html import GROUP_SHOWN, LANE_BUDGET
from tests import factories
from tests.browser.conftest import needs_chromium, screenshot, sign_in

pytestmark = needs_chromium


@pytest.fixture
def crowded(db):
    company = factories.CompanyFactory(name="Crowded Co")
    ceo = factories.PersonFactory(company=company, full_name="Cleo Chief", reports_to=None)
    per_lead = LANE_BUDGET // 2 + 1  # two leads: more reports than the lane brings
    for i in range(per_lead + 5):  # the CEO's tree is the biggest: the top of the chart
        factories.PersonFactory(company=company, full_name=f"Vic VP {i:03d}", reports_to=ceo)
    loners = [factories.PersonFactory(company=company, full_name=f"Sam Sales {i:02d}",
                                      department="Sales", reports_to=None)
              for i in range(GROUP_SHOWN + 3)]
    # Leads nobody has placed, with more reports than the lane brings with the page.
    leads = [factories.PersonFactory(company=company, full_name=f"Lee Lead {n}", reports_to=None)
             for n in range(2)]
    reports = [factories.PersonFactory(company=company, full_name=f"Rae Report {n}-{i:03d}",
                                       reports_to=lead)
               for n, lead in enumerate(leads) for i in range(per_lead)]
    # Changed last: the page opens the way to the CEO only, not to the lead's last report.
    ceo.updated_at = datetime.now(UTC) + timedelta(days=1)
    db.session.commit()
    return {"company": company.id, "loners": [p.id for p in loners], "lead": leads[0].id,
            "report": reports[0].id}


def test_a_crowded_lane_shows_a_few_then_all_and_opens_a_lead_on_demand(
    sized_page, size, user, crowded
):
    page = sized_page
    sign_in(page)
    page.goto(f"/companies/{crowded['company']}/org-chart")
    lane = page.locator("section.lane")
    expect(page.locator("#chart[data-ready]")).to_have_count(1)  # the script has run
    expect(lane.locator("li[id^='person-']").filter(has_text="Sam Sales")).to_have_count(
        GROUP_SHOWN)
    # The lead's reports are not in the page; opening the lead fetches them.
    expect(page.locator(f"#person-{crowded['report']}")).to_have_count(0)
    page.locator(f"#person-{crowded['lead']} > details.branch > summary").click()
    expect(page.locator(f"#person-{crowded['lead']} #person-{crowded['report']}")).to_be_attached()
    screenshot(page, f"org-chart-lane-{size}")
    lane.get_by_role("link", name=f"Show all {GROUP_SHOWN + 3} in Sales").click()
    expect(page.locator("#chart[data-ready]")).to_have_count(1)
    for loner in crowded["loners"]:
        expect(page.locator(f"section.lane #person-{loner}")).to_be_attached()
    expect(lane.get_by_role("link", name="Show all")).to_have_count(0)
