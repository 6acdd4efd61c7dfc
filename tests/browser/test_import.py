"""Importing a CSV in Chromium: upload, map, dry run, confirm, progress across a reload, report."""

import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.jobs.runner import work_forever
from app.models import Person
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import SIZES, needs_chromium, screenshot, sign_in

pytestmark = needs_chromium

CSV = ("\ufeffCompany;Full name;Job title;Direct dial;Manager\n"
       "Acme;Ann Boss;CEO;+1 212 555 0100;\n"
       "Acme;Bob Sub;CTO;212-555-0101;Ann Boss\n"
       "Acme;Bob Sub;CTO;212-555-0101;Ann Boss\n"
       "Acme;Cy Loop;VP;not a phone;Ann Boss\n"
       "Acme;Dee Ghost;Director;;Nobody Known\n")


@pytest.fixture
def jobs_runner(app):
    """The in-process runner the app starts when served (tests start it when they ask)."""
    stop = threading.Event()

    def start() -> None:
        threading.Thread(target=work_forever, args=(app, 0.1, stop), daemon=True).start()

    yield start
    stop.set()


@pytest.fixture
def import_page(new_page, size):
    options = {"viewport": SIZES[size], "bypass_csp": True}  # bypass: axe is injected
    if size == "phone":
        options |= {"is_mobile": True, "has_touch": True, "device_scale_factor": 1}
    return new_page(**options)


def test_import_with_dry_run_confirm_and_progress(import_page, size, user, db, jobs_runner,
                                                  tmp_path):
    page = import_page
    path = tmp_path / "research.csv"
    path.write_text(CSV, encoding="utf-8")
    sign_in(page)
    page.goto("/people")
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", name="Import your research")).to_be_visible()
    assert_no_serious_violations(page)
    page.get_by_label("CSV file", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_role("heading", name="2. Map the columns")).to_be_visible()
    expect(page.get_by_label("Manager")).to_have_value("reports_to")
    expect(page.get_by_label("Direct dial")).to_have_value("direct_phone")
    assert_no_serious_violations(page)
    screenshot(page, f"import-mapping-{size}", full_page=True)
    page.get_by_role("button", name="3. Dry run").click()
    # No runner yet: the job waits, and the page says so across a reload.
    expect(page.locator("#import-progress")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Waiting to start")).to_be_visible()
    assert_no_serious_violations(page)
    jobs_runner()
    summary = page.locator("#summary-heading")
    expect(summary).to_have_text("Would be 3 created, 0 updated, 1 skipped, 2 errors",
                                 timeout=15_000)
    expect(page.locator("#import-errors")).to_contain_text("not a phone")
    expect(page.locator("#import-rows")).to_contain_text("Same person as row 2.")
    assert_no_serious_violations(page)
    screenshot(page, f"import-dry-run-{size}", full_page=True)
    assert db.session.scalars(select(Person)).all() == []
    page.get_by_role("button", name="Import 3 rows").click()
    expect(page.locator("#summary-heading")).to_have_text(
        "Done: 3 created, 0 updated, 1 skipped, 2 errors", timeout=15_000)
    screenshot(page, f"import-report-{size}", full_page=True)
    db.session.rollback()
    bob = db.session.scalars(select(Person).where(Person.full_name == "Bob Sub")).one()
    assert bob.reports_to.full_name == "Ann Boss"
    page.goto(f"/people/{bob.id}")
    expect(page.get_by_text("imported from research.csv by Rita Recruiter")).to_be_visible()
