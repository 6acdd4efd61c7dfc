"""A target with hundreds of people: the call form's pickers are filled by the script."""

from playwright.sync_api import expect
from sqlalchemy import insert

from app.calls.prefill import SERVER_OPTIONS
from app.models import Person
from tests import factories
from tests.browser.conftest import needs_chromium

pytestmark = needs_chromium


def test_pickers_of_a_big_company_list_everyone_without_sending_them_six_times(signed_in, db):
    company = factories.CompanyFactory(name="Megacorp")
    db.session.execute(insert(Person), [
        {"company_id": company.id, "full_name": f"Person {i:04d}", "title": "Engineer"}
        for i in range(SERVER_OPTIONS + 20)])
    db.session.commit()
    page = signed_in
    response = page.goto(f"/calls/new?company_id={company.id}")
    assert response.text().count("Person 0001 (Engineer)</option>") == 0  # not server-rendered
    expect(page.locator("#person_id option")).to_have_count(SERVER_OPTIONS + 21)
    expect(page.locator("#people-0-reports_to option")).to_have_count(SERVER_OPTIONS + 23)
    page.locator("#person_id").select_option(label="Person 0007 (Engineer)")
    page.locator("#people-0-full_name").fill("New Hire")
    page.locator("#people-0-reports_to").select_option(label="Person 0007 (Engineer)")
    page.get_by_role("radio", name="Gatekeeper").check()
    page.get_by_role("button", name="Save call").click()
    expect(page.get_by_text("Call logged")).to_be_visible()
