"""Refused saves in a real browser, at desktop and phone size: every problem at once, the summary
focused, each error reachable from it and never under the sticky save bar; typed and quick dates;
the draft banner on the profile's clock."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from app.models import Call
from tests import factories
from tests.browser.conftest import SAVED_CALL_URL, needs_chromium, screenshot, sign_in

pytestmark = needs_chromium

def open_call_form(page, company_id):
    page.goto(f"/calls/new?company_id={company_id}")
    expect(page.locator("#add-row")).to_be_visible()  # call_form.js has run


def assert_clear_of_the_save_bar(page, locator):
    """The element is on screen and above the sticky save bar (their boxes do not overlap)."""
    box = locator.bounding_box()
    bar = page.locator(".submit-bar").bounding_box()
    viewport = page.viewport_size
    assert box is not None and bar is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
    assert box["y"] + box["height"] <= bar["y"] + 0.5, (box, bar)


def test_a_refused_call_shows_every_problem_at_once_each_reachable_from_the_summary(
    sized_page, size, user, acme, db, browser_errors
):
    page = sized_page
    browser_errors.allow("422")
    sign_in(page)
    open_call_form(page, acme["company"])
    page.fill("#people-0-full_name", "Pat Existing")
    page.keyboard.press("Escape")  # the names datalist's suggestions, open over the page
    page.fill("#people-1-full_name", "Bo New")
    page.fill("#people-1-direct_phone", "12")
    page.fill("#to_number", "555-01")
    page.fill("#duration", "four minutes")
    page.fill("#follow_up_at", "3 Dex 14:30")
    page.get_by_role("button", name="Save call").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There are 6 problems with this call")
    links = summary.get_by_role("link")
    expect(links).to_have_count(6)
    screenshot(page, f"form-errors-{size}")
    for i in range(6):
        link = links.nth(i)
        target = link.get_attribute("href")[1:]
        link.click()
        field = page.locator(f"#{target}")
        expect(field).to_be_focused()
        expect(field).to_have_attribute("aria-invalid", "true")
        error = page.locator(f"#{field.get_attribute('aria-describedby').split()[-1]}")
        expect(error).to_be_visible()
        assert_clear_of_the_save_bar(page, field)
        assert_clear_of_the_save_bar(page, error)
        summary.focus()
        summary.scroll_into_view_if_needed()
    expect(page.locator("#follow_up_at-error")).to_contain_text("“3 Dex 14:30”")
    page.locator('a[href="#people-1-direct_phone"]').click()
    screenshot(page, f"form-errors-field-{size}")
    with db.session.no_autoflush:
        db.session.remove()
        assert db.session.scalars(select(Call)).first() is None


def test_tabbing_through_a_long_form_never_leaves_the_focused_field_under_the_save_bar(
    sized_page, size, user, acme
):
    page = sized_page
    sign_in(page)
    open_call_form(page, acme["company"])
    page.locator("#notes").focus()
    for _ in range(25):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.evaluate("el => !!el.closest('.submit-bar')"):
            break
        if focused.evaluate("el => el.matches('input, select, textarea')"):
            assert_clear_of_the_save_bar(page, focused)


def test_quick_dates_fill_the_call_time_and_follow_up_fields(sized_page, size, user, acme, db):
    page = sized_page
    sign_in(page)
    open_call_form(page, acme["company"])
    follow_ups = page.get_by_role("group", name="Quick follow-up times")
    expect(follow_ups).to_be_visible()
    tomorrow = follow_ups.get_by_role("button").first
    value = tomorrow.get_attribute("data-value")
    tomorrow.click()
    expect(page.locator("#follow_up_at")).to_have_value(value.replace("T", " "))
    expect(tomorrow).to_have_attribute("aria-pressed", "true")
    page.locator("#follow_up_at").fill("")
    page.locator("#notes").focus()
    page.keyboard.press("Alt+1")  # the same choice from the keyboard
    expect(page.locator("#follow_up_at")).to_have_value(value.replace("T", " "))
    started = page.get_by_role("group", name="Quick call times")
    started.get_by_role("button", name="15 min ago").click()
    typed = page.locator("#started_at").input_value()
    new_york = ZoneInfo("America/New_York")
    shown = datetime.strptime(typed, "%Y-%m-%d %H:%M").replace(tzinfo=new_york)
    assert abs(shown - (datetime.now(new_york) - timedelta(minutes=15))) < timedelta(minutes=2)
    screenshot(page, f"form-quick-dates-{size}")
    page.get_by_label("Gatekeeper", exact=True).check()
    page.get_by_role("button", name="Save call").click()
    expect(page).to_have_url(SAVED_CALL_URL)
    db.session.remove()
    call = db.session.scalars(select(Call)).one()
    assert call.follow_up_at.astimezone(new_york).strftime("%Y-%m-%dT%H:%M") == value


def test_a_date_typed_in_words_is_read_and_an_unreadable_one_is_reported_not_dropped(
    sized_page, size, user, acme, db, browser_errors
):
    page = sized_page
    browser_errors.allow("422")
    sign_in(page)
    open_call_form(page, acme["company"])
    page.get_by_label("Gatekeeper", exact=True).check()
    page.fill("#follow_up_at", "3 Dec 14:")  # typed halfway, as a native input would drop it
    page.get_by_role("button", name="Save call").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#follow_up_at")).to_have_value("3 Dec 14:")
    expect(page.locator("#follow_up_at-error")).to_contain_text("“3 Dec 14:” is not a date")
    screenshot(page, f"form-date-unreadable-{size}")
    page.fill("#follow_up_at", "tomorrow 9am")
    page.get_by_role("button", name="Save call").click()
    expect(page).to_have_url(SAVED_CALL_URL)
    db.session.remove()
    call = db.session.scalars(select(Call)).one()
    local = call.follow_up_at.astimezone(ZoneInfo("America/New_York"))
    tomorrow = datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=1)
    assert (local.date(), local.hour, local.minute) == (tomorrow, 9, 0)


def test_the_draft_banner_shows_the_time_in_the_profiles_zone_not_the_browsers(
    new_page, size, user, acme, db
):
    user.timezone = "Asia/Tokyo"
    db.session.commit()
    viewport = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
    page = new_page(viewport=viewport[size], timezone_id="America/Los_Angeles")
    sign_in(page)
    open_call_form(page, acme["company"])
    page.fill("#notes", "Melinda says try after lunch.")
    page.locator("#duration").focus()  # a change event saves the draft at once
    drafts = "Object.keys(localStorage).filter(k => k.startsWith('sb:draft:')).length"
    for _ in range(50):  # bounded: the page's CSP refuses wait_for_function's eval
        if page.evaluate(drafts):
            break
        page.wait_for_timeout(100)
    page.reload()
    banner = page.locator("#draft-banner")
    expect(banner).to_be_visible()
    tokyo = datetime.now(ZoneInfo("Asia/Tokyo"))
    clocks = {(tokyo + timedelta(minutes=d)).strftime("%H:%M") for d in (-1, 0, 1)}
    text = banner.inner_text()
    assert "(Asia/Tokyo)" in text and any(c in text for c in clocks), text
    banner.scroll_into_view_if_needed()
    screenshot(page, f"form-draft-banner-{size}")


def test_a_refused_person_shows_every_problem_with_the_summary_focused(
    sized_page, size, user, acme, browser_errors
):
    page = sized_page
    browser_errors.allow("422")
    sign_in(page)
    page.goto(f"/people/new?company_id={acme['company']}")
    page.fill("#full_name", "pat existing")
    page.fill("#direct_phone", "12")
    page.fill("#email", "not-an-email")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There are 3 problems")
    summary.get_by_role("link", name=re.compile("^Email")).click()
    expect(page.locator("#email")).to_be_focused()
    expect(page.locator("#email-error")).to_be_visible()
    screenshot(page, f"form-errors-person-{size}")


def test_a_refused_company_shows_every_problem_with_the_summary_focused(sized_page, size, user,
                                                                        acme, browser_errors):
    page = sized_page
    browser_errors.allow("422")
    sign_in(page)
    page.goto("/companies/new")
    page.fill("#name", "acme widgets")
    page.fill("#main_phone", "12")
    page.fill("#country", "XX")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(3)
    screenshot(page, f"form-errors-company-{size}")


def test_a_half_filled_native_date_blocks_the_save_with_an_error_instead_of_being_dropped(
    sized_page, size, user, db
):
    from app.models import QueueItem, QueueStatus
    from app.queue.service import add_to_queue

    person = factories.PersonFactory(full_name="Target One", direct_phone="+12125550111")
    item_id = add_to_queue(user, person=person)[0].id
    db.session.remove()
    page = sized_page
    sign_in(page)
    page.goto("/queue")
    page.locator("#take-next").click()
    expect(page.locator("#target-card")).to_be_visible()
    page.locator("#snooze-panel summary").click()
    until = page.locator("#snooze-until")
    until.click()
    page.keyboard.type("12")  # the month only: the input's value is "" but it is not empty
    page.locator(".snooze-typed").click()
    expect(page.locator("#snooze-until-partial")).to_have_text(
        "This date is only partly filled in: finish it, or clear it.")
    expect(until).to_be_focused()
    expect(until).to_have_attribute("aria-invalid", "true")
    expect(until).to_have_attribute("aria-describedby", re.compile("snooze-until-partial"))
    screenshot(page, f"form-date-partial-{size}")
    db.session.remove()
    assert db.session.get(QueueItem, item_id).status != QueueStatus.SNOOZED
