"""Exports in the browser: an admin downloads everything from the admin page, and one person's
record from beside the erase action."""

import json
import zipfile

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import needs_chromium, screenshot, sign_in

pytestmark = needs_chromium


def test_an_admin_downloads_everything_and_one_persons_record(page, admin):
    acme = factories.CompanyFactory(name="Acme Export")
    zoe = factories.PersonFactory(company=acme, full_name="Zoë Export")
    sign_in(page, email=admin.email)
    page.goto("/admin/users")
    expect(page.locator("#export-all")).to_be_visible()
    screenshot(page, "export-admin-desktop", full_page=True)
    with page.expect_download() as info:
        page.get_by_role("link", name="Export all data (ZIP of CSV files)").click()
    with zipfile.ZipFile(info.value.path()) as archive:
        assert archive.namelist() == ["companies.csv", "people.csv", "reporting_links.csv",
                                      "calls.csv", "touchpoints.csv"]
        assert "Zoë Export" in archive.read("people.csv").decode("utf-8-sig")

    page.goto(f"/people/{zoe.id}")
    page.locator("#erase summary").click()
    with page.expect_download() as info:
        page.locator("#subject-export").click()
    record = json.loads(info.value.path().read_text(encoding="utf-8"))
    assert record["person"]["full_name"] == "Zoë Export"
    screenshot(page, "export-subject-desktop")
