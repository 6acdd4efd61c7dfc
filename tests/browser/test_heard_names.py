"""A name heard differently on the phone: the call is saved, then the person on file is offered."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.models import Call, Person
from tests import factories
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import SAVED_CALL_URL, needs_chromium, sign_in

pytestmark = needs_chromium


@pytest.fixture
def procurement(db):
    """Katrin Müller in Procurement at Acme Widgets; ids only."""
    katrin = factories.PersonFactory(full_name="Katrin Müller", title="Buyer",
                                     department="Procurement",
                                     company=factories.CompanyFactory(name="Acme Widgets"))
    ids = {"company": katrin.company_id, "katrin": katrin.id}
    db.session.commit()
    return ids


def test_a_heard_spelling_is_saved_then_offered_and_merged_in_one_click(
    new_page, user, procurement, db
):
    page = new_page(bypass_csp=True)  # axe-core is injected as a script
    sign_in(page)
    page.goto(f"/calls/new?company_id={procurement['company']}")
    page.get_by_label("Gatekeeper", exact=True).check()
    row = page.locator("#rows .person-row").first
    row.get_by_label("Name").fill("Catherine Mueller")
    page.get_by_role("button", name="Save call").click()
    # Not blocked: the call and the new name are saved as typed.
    expect(page).to_have_url(SAVED_CALL_URL)
    offer = page.locator("#similar-offer")
    expect(offer).to_contain_text("Catherine Mueller: is this Katrin Müller, Procurement?")
    expect(offer).to_contain_text("sounds alike")
    expect(offer.get_by_role("link", name="Katrin Müller, Procurement")).to_have_attribute(
        "href", f"/people/{procurement['katrin']}")
    assert_no_serious_violations(page)

    offer.get_by_role("button", name="Same person: merge into Katrin Müller").click()
    expect(page).to_have_url(re.compile(f"/people/{procurement['katrin']}$"))
    expect(page.get_by_role("status")).to_contain_text(
        "Merged Catherine Mueller into Katrin Müller.")

    db.session.remove()
    names = set(db.session.scalars(select(Person.full_name)))
    assert names == {"Katrin Müller"}
    call = db.session.scalars(select(Call)).one()
    assert [p.full_name for p in call.people] == ["Katrin Müller"]


def test_a_spelling_added_on_the_person_form_is_offered_on_its_page(new_page, user, procurement):
    page = new_page()
    sign_in(page)
    page.goto(f"/people/new?company_id={procurement['company']}")
    page.get_by_label("Full name").fill("Kathryn Muller")
    page.get_by_role("button", name=re.compile("^(Add|Save)")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kathryn Muller")
    offer = page.locator("#similar-offer")
    expect(offer).to_contain_text("is this Katrin Müller, Procurement?")
    # The merge screen lists her too, first.
    expect(page.locator("#duplicate_id option").first).to_contain_text("Katrin Müller")
