"""A sourcer searches from the header, opens a result, then looks at the team's metrics."""

from pathlib import Path

from playwright.sync_api import expect

from app.demo import seed_demo
from tests.browser.conftest import needs_chromium, sign_in

pytestmark = needs_chromium


def test_boolean_search_from_the_header_then_the_metrics_page(page, app, db, browser_errors):
    browser_errors.allow(r"status of 400")  # the malformed query is answered with a 400
    seed_demo()
    sign_in(page, "sam@switchboard.test", "switchboard-demo")
    box = page.locator("#header-q")
    box.fill('title:(director OR "vice president") NOT intern')
    box.press("Enter")
    expect(page.locator("#result-count")).to_contain_text("result")
    people = page.locator("#people-results article.hit")
    expect(people.first).to_be_visible()
    expect(page.locator("#people-results mark").first).to_be_visible()
    name = people.first.locator("a").first.inner_text()
    people.first.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text(name.split(" — ")[0])

    box = page.locator("#header-q")
    box.fill("title:(director")
    box.press("Enter")
    expect(page.locator("#query-error")).to_contain_text("never closed")

    page.goto("/metrics?period=90")
    charts = page.locator("svg.chart-svg")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 2
    results = Path("test-results")
    results.mkdir(exist_ok=True)
    page.screenshot(path=str(results / "metrics.png"), full_page=True)
