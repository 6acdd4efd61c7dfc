"""A sourcer searches a name as it was heard: `~` for sound-alikes, accents ignored, and a
people-only query that lists people only, in the browser from the header."""

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import needs_chromium, sign_in

pytestmark = needs_chromium


def test_a_heard_name_is_found_from_the_header(page, app, db, user):
    acme = factories.CompanyFactory(name="Acme Analytics")
    for name in ("Kathryn Hale", "Catherine Wu", "Katrin Müller", "Mark Stone"):
        factories.PersonFactory(company=acme, full_name=name, title="Analyst")
    db.session.commit()
    sign_in(page)
    box = page.locator("#header-q")
    box.fill("kathryn~")
    box.press("Enter")
    hits = page.locator("#people-results article.hit")
    expect(hits).to_have_count(3)
    expect(hits.first).to_contain_text("Kathryn Hale")  # spelled as typed, first
    expect(page.locator("#company-results")).to_contain_text("No companies match.")

    box = page.locator("#header-q")
    box.fill("name:muller")
    box.press("Enter")
    expect(page.locator("#people-results mark")).to_have_text("Müller")

    box = page.locator("#header-q")
    box.fill("NOT title:intern")
    box.press("Enter")
    expect(page.locator("#people-results article.hit")).to_have_count(4)
    expect(page.locator("#company-results .count")).to_have_text("0")
