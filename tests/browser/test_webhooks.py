"""The Webhooks admin page in Chromium at desktop and phone size: register (refused, then with
the secret shown once), see a failed attempt and its answer, retry now, delete; with screenshots
and axe."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.jobs.runner import run_pending
from app.models import Person, WebhookEndpoint
from tests import factories
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import SIZES, needs_chromium, screenshot, sign_in
from tests.test_webhooks import Receiver

pytestmark = needs_chromium


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def admin_page(new_page, size, admin):
    """An admin's page at the test's size, CSP bypassed so axe can be injected."""
    options = {"viewport": SIZES[size], "bypass_csp": True}
    if size == "phone":
        options.update(device_scale_factor=1, is_mobile=True, has_touch=True)
    page = new_page(**options)
    sign_in(page, "ada@example.com")
    return page


def test_register_see_deliveries_retry_and_delete(app, admin_page, size, receiver,
                                                  browser_errors):
    page = admin_page
    browser_errors.allow(r"status of 422")  # the refused registration, on purpose
    app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = False
    page.goto("/admin/webhooks")
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    page.get_by_label("Endpoint URL").fill("https://127.0.0.1/hooks")
    page.get_by_role("button", name="Add endpoint").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("There are 2 problems")
    expect(summary).to_contain_text("loopback address")
    expect(summary).to_contain_text("Pick at least one event")
    expect(page.get_by_label("Endpoint URL")).to_have_value("https://127.0.0.1/hooks")
    screenshot(page, f"webhooks-refused-{size}", full_page=True)
    assert_no_serious_violations(page)

    app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = True  # the receiver listens on this machine
    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_label("person.created").check()
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.get_by_role("textbox", name="Secret")
    expect(secret).to_have_value(db.session.scalars(select(WebhookEndpoint.secret)).one())
    assert secret.input_value().startswith("whsec_")
    expect(page.get_by_role("status")).to_contain_text("not shown again")
    screenshot(page, f"webhooks-secret-once-{size}", full_page=True)

    receiver.statuses = [500]
    db.session.add(Person(company=factories.CompanyFactory(), full_name="Ann Bell"))
    db.session.commit()
    assert run_pending("browser-test") == 1
    page.get_by_role("link", name="← Webhooks").click()
    page.get_by_role("link", name=f"Deliveries to {receiver.url}").click()
    expect(page.get_by_role("textbox", name="Secret")).to_have_count(0)  # shown once only
    row = page.locator("ul.deliveries > li").first
    expect(row).to_contain_text("person.created")
    expect(row).to_contain_text("Pending")
    expect(row).to_contain_text("1 of 6 attempts")
    row.get_by_text("Attempts and answers").click()
    expect(row.locator(".attempts")).to_contain_text("Attempt 1")
    expect(row.locator(".attempts")).to_contain_text("HTTP 500")
    expect(row.locator("pre")).to_contain_text("upstream exploded")
    screenshot(page, f"webhooks-deliveries-{size}", full_page=True)
    assert_no_serious_violations(page)

    row.get_by_role("button", name="Retry now").click()
    expect(page.get_by_role("status")).to_contain_text("will be sent again")
    assert run_pending("browser-test") == 1
    page.reload()
    expect(page.locator("ul.deliveries > li").first).to_contain_text("Delivered")
    assert len(receiver.requests) == 2

    page.get_by_role("button", name="Delete this endpoint").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted the endpoint")
    expect(page.get_by_text("No endpoints yet")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
