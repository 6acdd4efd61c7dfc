"""A target with hundreds of people: the call form's pickers are filled by the script."""

from playwright.sync_api import expect
from sqlalchemy import insert

from app.calls.prefill import SERVER_OPTIONS
from app.models import Call, Person
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


def test_with_thousands_of_targets_the_form_finds_a_company_by_name(signed_in, db):
    from app.calls.prefill import SERVER_COMPANIES
    from app.models import Company

    db.session.execute(insert(Company), [{"name": f"Target {i:04d}", "country": "US"}
                                         for i in range(SERVER_COMPANIES + 1)])
    wanted = factories.CompanyFactory(name="Zebra Holdings")
    factories.PersonFactory(company=wanted, full_name="Zed Zebra", title="CFO")
    db.session.commit()
    page = signed_in
    response = page.goto("/calls/new")
    assert response.text().count("<option") < 50  # not 500 companies in the select
    page.locator("#company-lookup").press_sequentially("Zebra", delay=30)
    expect(page.locator("#company-matches option")).to_have_count(1)
    page.locator("#company-lookup").fill("Zebra Holdings")
    expect(page.locator("#company_id")).to_have_value(str(wanted.id))
    expect(page.locator("#person_id option")).to_have_count(2)  # its people arrived
    page.get_by_role("radio", name="Voicemail").check()
    page.get_by_role("button", name="Save call").click()
    expect(page.get_by_text("Call logged")).to_be_visible()
    assert db.session.scalars(db.select(Call)).one().company_id == wanted.id
