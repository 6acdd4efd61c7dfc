"""A calling block in a real browser, worked with the keyboard alone: take, log, save and next."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.models import Call, Outcome, QueueItem, QueueStatus
from app.queue.service import add_to_queue
from tests import factories
from tests.browser.conftest import needs_chromium, sign_in

pytestmark = needs_chromium

TARGETS = 5


@pytest.fixture
def block(db, user):
    """Five people at two companies queued for the signed-in recruiter; ids only."""
    companies = [factories.CompanyFactory(name="Acme Widgets", main_phone="+12125550100"),
                 factories.CompanyFactory(name="Globex Corp", main_phone="+13125550100")]
    ids = []
    for n in range(TARGETS):
        person = factories.PersonFactory(company=companies[n % 2], full_name=f"Target {n}",
                                         title="Director", direct_phone=f"+1212555011{n}")
        ids.append(add_to_queue(user, person=person)[0].id)
    db.session.remove()
    return ids


def loaded(page) -> int:
    return int(page.locator("#queue-page").get_attribute("data-loaded") or 0)


def wait_for_swap(page, before: int) -> None:
    """The working area was replaced (not the page) and the new target is ready to type."""
    # An attribute the screen's script counts up per swap (the CSP allows no evaluated strings).
    expect(page.locator("#queue-page")).to_have_attribute("data-loaded", str(before + 1))


def test_a_block_of_five_is_worked_with_the_keyboard_alone(page, user, block, db):
    sign_in(page)
    page.goto("/queue")
    expect(page.locator("#empty-target")).to_contain_text("5 targets waiting")
    page.evaluate("window.__marker = 'same page'")

    before = loaded(page)
    page.locator("body").press("n")
    wait_for_swap(page, before)
    seen = []
    for n in range(TARGETS):
        expect(page.locator("#target-card")).to_be_visible()
        expect(page.locator("#notes")).to_be_focused()
        title = page.locator("#target-title").inner_text()
        seen.append(title)
        expect(page.locator("#announce")).to_contain_text(f"Now calling {title}")
        page.keyboard.type(f"Reception put me through to {title}'s team.")
        if n == 0:  # a quick follow-up time by key fills "Follow up on"
            page.keyboard.press("Alt+1")
            expect(page.locator("#follow_up_at")).to_have_value(
                page.locator('.quick-time[data-key="1"]').get_attribute("data-value")
                .replace("T", " "))  # shown as typed: 2026-12-02 09:00
            expect(page.locator("#notes")).to_be_focused()
        page.keyboard.press("Alt+o")  # to the outcome; the arrow picks "Gatekeeper"
        expect(page.locator('input[name="outcome"]').first).to_be_focused()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Alt+r")  # a new "names uncovered" row, its name focused
        page.keyboard.type(f"Nina Name {n}")
        page.keyboard.press("Tab")
        page.keyboard.type("VP Engineering")
        before = loaded(page)
        page.keyboard.press("Control+Enter")
        wait_for_swap(page, before)
        expect(page.locator("#screen-message")).to_contain_text("Call to")

    expect(page.locator("#empty-target")).to_contain_text("Nothing to call right now")
    expect(page.locator("#take-next")).to_be_focused()
    assert page.evaluate("window.__marker") == "same page"  # never a full page load
    assert sorted(seen) == [f"Target {n}" for n in range(TARGETS)]
    expect(page.locator("#stat-dials")).to_have_text(str(TARGETS))
    expect(page.locator("#stat-names")).to_have_text(str(TARGETS))

    db.session.remove()
    items = db.session.scalars(select(QueueItem).order_by(QueueItem.id)).all()
    assert [i.status for i in items] == [QueueStatus.DONE] * TARGETS
    for item in items:
        call = db.session.get(Call, item.call_id)
        names = {p.full_name for p in call.people}
        target = item.person.full_name
        assert call.person_id == item.person_id and call.outcome == Outcome.GATEKEEPER
        assert call.notes == f"Reception put me through to {target}'s team."
        # Only the first target's call got the Alt+1 follow-up.
        assert (call.follow_up_at is not None) == (target == seen[0])
        assert len(names) == 2 and target in names
        (found,) = names - {target}
        assert re.fullmatch(r"Nina Name \d", found)
    # Each name was typed on its own target's call.
    assert len({n for i in items for n in (p.full_name for p in i.call.people)}) == 2 * TARGETS


def test_skip_and_snooze_by_key_with_one_key_choices(page, user, block, db):
    sign_in(page)
    page.goto("/queue")
    before = loaded(page)
    page.locator("body").press("j")
    wait_for_swap(page, before)
    first = page.locator(".workspace").get_attribute("data-item-id")
    page.keyboard.press("Alt+s")
    expect(page.locator("#skip-panel")).to_have_attribute("open", "")
    before = loaded(page)
    page.keyboard.press("2")
    wait_for_swap(page, before)
    expect(page.locator("#screen-message")).to_contain_text("Skipped. Next:")
    second = page.locator(".workspace").get_attribute("data-item-id")
    assert second != first
    expect(page.locator("#notes")).to_be_focused()

    page.keyboard.press("Alt+z")
    expect(page.locator("#snooze-panel")).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(page.locator("#snooze-panel")).not_to_have_attribute("open", "")
    page.keyboard.press("Alt+z")
    before = loaded(page)
    page.keyboard.press("1")
    wait_for_swap(page, before)
    expect(page.locator("#screen-message")).to_contain_text("Snoozed until")

    db.session.remove()
    skipped = db.session.get(QueueItem, int(first))
    snoozed = db.session.get(QueueItem, int(second))
    assert skipped.status == QueueStatus.SKIPPED
    assert skipped.skip_reason == "Already spoken to recently"
    assert snoozed.status == QueueStatus.SNOOZED


def test_a_refused_save_keeps_everything_typed_and_says_why(page, user, block, db,
                                                            browser_errors):
    browser_errors.allow(r"status of 422")  # the refused save itself, logged by Chromium
    sign_in(page)
    page.goto("/queue")
    before = loaded(page)
    page.locator("body").press("n")
    wait_for_swap(page, before)
    item = page.locator(".workspace").get_attribute("data-item-id")
    page.keyboard.type("Notes typed during the call")
    before = loaded(page)
    page.keyboard.press("Control+Enter")  # no outcome picked
    wait_for_swap(page, before)
    expect(page.locator(".workspace")).to_have_attribute("data-item-id", item)
    expect(page.locator("#notes")).to_have_value("Notes typed during the call")
    expect(page.locator(".outcomes .error")).to_have_text("Pick how the call went.")
    db.session.remove()
    assert db.session.scalar(select(Call.id)) is None


def test_the_screen_fits_a_phone_and_a_desktop(new_page, user, block):
    for width, height in [(390, 844), (1280, 800)]:
        page = new_page(viewport={"width": width, "height": height})
        sign_in(page)
        page.goto("/queue")
        if not page.locator("#target-card").count():  # the second size finds it still held
            before = loaded(page)
            page.locator("body").press("n")
            wait_for_swap(page, before)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        card = page.locator("#target-card").bounding_box()
        form = page.locator("#call-form").bounding_box()
        if width < 800:  # stacked: the card above the form
            assert card["y"] + card["height"] <= form["y"]
        else:  # side by side
            assert card["x"] + card["width"] <= form["x"]


def test_the_dialer_follows_each_new_target(page, user, block, db, app):
    """With browser calling on, each swapped-in dialer dials its own target, once."""
    from tests.browser.test_dialer import FAKE_SDK, SID, TOKEN, wait_until

    app.config.update(
        TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_API_KEY_SID="SK" + "4" * 32,
        TWILIO_API_KEY_SECRET="s" * 32, TWILIO_TWIML_APP_SID="AP" + "5" * 32,
        TWILIO_CALLER_ID="+14155550100", PUBLIC_BASE_URL="https://switchboard.example.com")
    page.route(re.compile(r".*/static/vendor/twilio-voice-sdk-[^/]+/twilio\.min\.js$"),
               lambda route: route.fulfill(body=FAKE_SDK, content_type="text/javascript"))
    sign_in(page)
    page.goto("/queue")
    numbers = []
    for n in range(2):
        before = loaded(page)
        if n == 0:
            page.locator("body").press("n")
        else:
            page.keyboard.press("Control+Enter")
        wait_for_swap(page, before)
        dialer = page.locator("#dialer")
        expect(dialer).to_have_attribute("data-phase", "ready")  # the new panel is wired
        numbers.append(dialer.get_attribute("data-number"))
        page.get_by_role("button", name="Call from browser").click()
        wait_until(page, f"window.__sb.connects.length === {n + 1}")
        assert page.evaluate(f"window.__sb.connects[{n}].To") == numbers[n]
        page.evaluate("window.__sb.call.emit('accept', window.__sb.call)")
        expect(page.locator("#dial-state")).to_have_text("In call")
        page.locator("#dial-hangup").focus()
        page.keyboard.press("5")  # one tone from the keypad listener of this panel only
        assert page.evaluate("window.__sb.digits") == "5" * (n + 1)
        page.locator("#dial-hangup").click()
        expect(page.locator("#dial-state")).to_have_text("Ended")
        expect(page.locator("#notes")).to_be_focused()
        page.keyboard.press("Alt+o")
        page.keyboard.press("ArrowRight")
    assert numbers[0] != numbers[1]


def test_a_big_company_s_pickers_fill_after_the_target_shows(page, user, db):
    """Above SERVER_OPTIONS people the form comes without them and its script fetches them."""
    from app.calls.prefill import SERVER_OPTIONS
    from app.models import Person

    company = factories.CompanyFactory(name="Big Corp", main_phone="+12125550100")
    target = factories.PersonFactory(company=company, full_name="Target Big",
                                     direct_phone="+12125550111")
    db.session.add_all(Person(company_id=company.id, full_name=f"Staff {n:03d}")
                       for n in range(SERVER_OPTIONS))
    db.session.commit()
    add_to_queue(user, person=target)
    target_id = target.id
    db.session.remove()
    sign_in(page)
    page.goto("/queue")
    before = loaded(page)
    page.locator("body").press("n")
    wait_for_swap(page, before)
    picker = page.locator("#person_id option")
    expect(picker).to_have_count(SERVER_OPTIONS + 2)  # everyone, and "nobody in particular"
    expect(page.locator("#person_id")).to_have_value(str(target_id))
