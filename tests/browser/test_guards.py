"""Issue 11, points 4-6 in the browser at desktop and phone size, with screenshots: guards you
can see, empty boxes that are about finding the holder, the dialer without Twilio, and metrics
whose connects reached the target."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.demo import seed_demo
from app.models import Outcome, PersonRole, PersonStatus, now_utc
from tests import factories
from tests.browser.conftest import needs_chromium, screenshot, sign_in

pytestmark = needs_chromium


@pytest.fixture
def guarded(user):
    """People who must not be called and an off-limits company, and an empty box to find."""
    acme = factories.CompanyFactory(name="Acme Guarded", main_phone="+12125550100")
    banned = factories.CompanyFactory(name="Banned Guarded", main_phone="+12125550200",
                                      off_limits=True, off_limits_reason="client since 2024")
    ceo = factories.PersonFactory(company=acme, full_name="Carla Ceo", title="CEO",
                                  direct_phone="+12125550110")
    melinda = factories.PersonFactory(company=acme, full_name="Melinda Front",
                                      title="Receptionist", role=PersonRole.GATEKEEPER)
    people = {
        "dana": factories.PersonFactory(company=acme, full_name="Dana Guarded",
                                        status=PersonStatus.DO_NOT_CALL,
                                        direct_phone="+12125550111"),
        "lou": factories.PersonFactory(company=acme, full_name="Lou Guarded", left_at=now_utc(),
                                       direct_phone="+12125550112"),
        "olga": factories.PersonFactory(company=banned, full_name="Olga Guarded",
                                        direct_phone="+12125550211"),
        "box": factories.PersonFactory(company=acme, full_name=None, placeholder=True,
                                       title="VP Engineering", reports_to=ceo),
        "ceo": ceo,
    }
    factories.CallFactory(user=user, company=acme, person=people["dana"], answered_by=melinda,
                          outcome=Outcome.CALL_BACK, follow_up_at=now_utc() - timedelta(hours=1))
    return people


def test_markers_in_lists_and_pages_and_no_tel_link(sized_page, size, guarded):
    page = sized_page
    sign_in(page)
    page.goto("/people/")
    rows = page.locator("tbody tr")
    dana = rows.filter(has_text="Dana Guarded")
    expect(dana.locator(".guard-dnc")).to_have_text("✕ Do not call")
    expect(rows.filter(has_text="Lou Guarded").locator(".guard-left")).to_have_text("⇥ Left")
    expect(rows.filter(has_text="Olga Guarded").locator(".guard-off-limits")).to_have_text(
        "⊘ Off limits")
    # The symbol is decoration: the accessible name is the words.
    expect(dana.get_by_text("Do not call", exact=True)).to_be_visible()
    screenshot(page, f"guards-people-list-{size}", full_page=True)

    page.goto("/search/?q=guarded")
    expect(page.locator("#people-results .guard-dnc")).to_have_count(1)
    expect(page.locator("#people-results .guard-left")).to_have_count(1)
    screenshot(page, f"guards-search-{size}", full_page=True)

    page.goto("/")
    expect(page.locator(".follow-ups .guard-dnc")).to_be_visible()
    screenshot(page, f"guards-today-{size}")

    page.goto(f"/people/{guarded['dana'].id}")
    expect(page.locator("h1 .guard-dnc")).to_be_visible()
    expect(page.locator(".phone-blocked")).to_contain_text("not callable: do not call")
    assert page.locator('a[href^="tel:"]').count() == 0
    screenshot(page, f"guards-person-do-not-call-{size}")

    page.goto(f"/companies/{guarded['olga'].company_id}")
    expect(page.locator("h1 .guard-off-limits")).to_be_visible()
    assert page.locator('a[href^="tel:"]').count() == 0
    screenshot(page, f"guards-company-off-limits-{size}")


def test_an_empty_box_is_found_and_filled(sized_page, size, guarded):
    page = sized_page
    sign_in(page)
    page.goto(f"/people/{guarded['box'].id}")
    expect(page.locator("h1")).to_contain_text("VP Engineering")
    expect(page.locator("#who-to-ask")).to_contain_text("Carla Ceo")
    expect(page.locator("#who-to-ask")).to_contain_text("Melinda Front")
    for contact in (".ladder", "#left", "#log-touchpoint", 'dl.facts a[href^="tel:"]'):
        expect(page.locator(contact)).to_have_count(0)
    # The only number is the company's main line, to ask for the position's holder.
    expect(page.locator('a[href^="tel:"]')).to_have_count(1)
    main_line = page.locator('#who-to-ask a[href^="tel:"]')
    expect(main_line).to_have_attribute("href", "tel:+12125550100")
    screenshot(page, f"guards-empty-box-{size}", full_page=True)
    page.get_by_role("link", name="Fill this box").click()
    page.get_by_label("Their name").fill("Vera Vance")
    page.get_by_role("button", name="Fill this box").click()
    expect(page.locator("h1")).to_contain_text("Vera Vance")
    expect(page.locator(".flash-success")).to_contain_text("Vera Vance is the VP Engineering")
    expect(page.locator("dl.facts")).to_contain_text("Carla Ceo")  # the reporting line stayed
    expect(page.locator(".ladder")).to_be_visible()
    screenshot(page, f"guards-box-filled-{size}")


def test_the_dialer_without_twilio_says_what_to_do(sized_page, size, guarded):
    page = sized_page
    sign_in(page)
    page.goto(f"/calls/new?person_id={guarded['ceo'].id}&dial=1")
    panel = page.locator("#dialer")
    heading = panel.get_by_role("heading", name="Calling from the browser is not set up")
    expect(heading).to_be_visible()
    expect(panel.get_by_role("link", name="(212) 555-0110")).to_have_attribute(
        "href", "tel:+12125550110")
    expect(panel).to_contain_text("from your own phone")
    expect(panel).to_contain_text("ask an admin")
    for widget in ("#dial-state", "#dial-timer", "#keypad"):
        expect(page.locator(widget)).to_have_count(0)
    expect(panel).not_to_contain_text("TWILIO_")
    panel.scroll_into_view_if_needed()
    screenshot(page, f"guards-dialer-without-twilio-{size}")


def test_metrics_report_connects_apart_from_gatekeepers(sized_page, size, app, db):
    seed_demo()
    page = sized_page
    sign_in(page, "sam@switchboard.test", "switchboard-demo")
    page.goto("/metrics")
    connects = page.locator("#kpi-connects")
    expect(connects).to_be_visible()
    expect(page.locator("#kpi-gatekeeper-pickups")).to_be_visible()
    expect(page.locator(".kpis").first).to_contain_text("connect rate")
    page.locator("details.definitions summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.definitions")).to_contain_text("reached the target")
    screenshot(page, f"guards-metrics-{size}", full_page=True)
