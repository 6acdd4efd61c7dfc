"""The guessed email in the browser: shown as a guess, applied in one click (a real form with its
CSRF token), then shown with its source; the company page shows the pattern and its support.
Desktop and phone, with screenshots and axe."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Person
from tests import factories
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import SIZES, needs_chromium, page_width, screenshot, sign_in

pytestmark = needs_chromium


@pytest.fixture
def zoe(user):
    """Three colleagues at first.last@, and Zoë without an address."""
    acme = factories.CompanyFactory(name="Acme Patterns", domain="acme.example")
    for first, last in (("Ann", "Lee"), ("Bob", "Stone"), ("Cy", "Young")):
        factories.PersonFactory(company=acme, full_name=f"{first} {last}",
                                email=f"{first.lower()}.{last.lower()}@acme.example")
    return factories.PersonFactory(company=acme, full_name="Zoë Ångström", title="VP Engineering")


def test_apply_the_guessed_email_in_one_click(new_page, size, zoe):
    # bypass_csp in this test's browser only, so axe's script can be added to the page.
    phone = {"device_scale_factor": 1, "is_mobile": True, "has_touch": True}
    page = new_page(viewport=SIZES[size], bypass_csp=True, **(phone if size == "phone" else {}))
    sign_in(page)
    page.goto(f"/companies/{zoe.company_id}")
    expect(page.locator("#email-pattern")).to_contain_text("first.last@acme.example")
    expect(page.locator("#email-pattern")).to_contain_text("fits 3 addresses on file")
    screenshot(page, f"email-pattern-company-{size}")

    page.goto(f"/people/{zoe.id}")
    guess = page.locator("#email-guess")
    expect(guess).to_contain_text("zoe.angstrom@acme.example")
    expect(guess.locator(".badge")).to_have_text("guess")
    assert page_width(page) <= page.viewport_size["width"]
    assert_no_serious_violations(page)
    screenshot(page, f"email-guess-before-{size}", full_page=True)

    page.get_by_role("button", name="Use this email").click()
    expect(page.locator(".flash-success")).to_contain_text("Email set to zoe.angstrom@acme.example")
    expect(page.get_by_role("link", name="zoe.angstrom@acme.example")).to_be_visible()
    expect(page.locator("#email-source")).to_have_text(
        "from the company's email pattern (first.last)")
    expect(page.locator("#email-guess")).to_have_count(0)
    screenshot(page, f"email-guess-applied-{size}", full_page=True)
    db.session.expire_all()
    assert db.session.get(Person, zoe.id).email == "zoe.angstrom@acme.example"
