"""Phone trees in the browser: edited on the company page, sent step by step from the dialer.

The Voice SDK is the stand-in Device of test_dialer.py, swapped in through Playwright's routing;
it records the digits the page asks it to send.
"""

import re

import pytest
from playwright.sync_api import expect

from app.companies.phone_tree import save_steps, step_dict, steps_of
from app.extensions import db as _db
from app.models import Company
from tests import factories
from tests.browser.conftest import needs_chromium, sign_in
from tests.browser.test_dialer import FAKE_SDK, calling, wait_until  # noqa: F401 (fixture)

pytestmark = needs_chromium
SDK = re.compile(r".*/static/vendor/twilio-voice-sdk-[^/]+/twilio\.min\.js$")


def _stored(company_id: int) -> list[dict]:
    _db.session.rollback()
    return [step_dict(s) for s in steps_of(_db.session.get(Company, company_id))]


@pytest.fixture
def initech(db):
    return factories.CompanyFactory(name="Initech", main_phone="+14155550199", timezone=None)


def test_the_company_page_edits_a_path_adding_and_removing_rows(signed_in, initech,
                                                                browser_errors):
    browser_errors.allow(r"status of 422")  # the browser logs the deliberate 422
    page = signed_in
    page.goto(f"/companies/{initech.id}")
    page.get_by_role("link", name="Add a path").click()
    page.get_by_label("Keys, step 1").fill("2")
    page.get_by_label("Wait (s), step 1").fill("3")
    page.get_by_label("What it is, step 1").fill("Main menu: press 2 for sales")
    page.get_by_label("What it is, step 2").fill("skipped")
    page.get_by_role("button", name="+ Add a step").click()
    expect(page.get_by_label("Keys, step 4")).to_be_focused()
    page.keyboard.type("{ext}#")
    page.get_by_role("button", name="Remove step 2").click()  # the rows after it move up
    expect(page.get_by_label("Keys, step 3")).to_have_value("{ext}#")
    page.keyboard.press("Control+Enter")

    expect(page.get_by_text("Saved the phone tree (2 steps).")).to_be_visible()
    steps = page.locator("#phone-tree li")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("Main menu: press 2 for sales")
    expect(steps.nth(0)).to_contain_text("then wait 3 s")
    expect(steps.nth(1)).to_contain_text("the extension")
    assert _stored(initech.id) == [
        {"digits": "2", "wait_seconds": 3, "label": "Main menu: press 2 for sales"},
        {"digits": "{ext}#", "wait_seconds": 0, "label": None}]

    page.locator("#phone-tree").get_by_role("link", name="Edit").click()
    page.get_by_label("Keys, step 1").fill("2x")
    page.get_by_role("button", name="Save the phone tree").click()
    expect(page.locator("#steps-0-digits-error")).to_contain_text("Use 0-9")
    assert len(_stored(initech.id)) == 2


def test_without_javascript_the_editor_saves_its_blank_rows(new_page, user, initech):
    page = new_page(java_script_enabled=False)
    sign_in(page)
    page.goto(f"/companies/{initech.id}/phone-tree")
    expect(page.get_by_role("button", name="+ Add a step")).to_be_hidden()
    page.get_by_label("Keys, step 1").fill("9")
    page.get_by_label("What it is, step 3").fill("Ask the operator")
    page.get_by_role("button", name="Save the phone tree").click()
    expect(page.locator("#phone-tree li")).to_have_count(2)
    assert [s["digits"] for s in _stored(initech.id)] == ["9", ""]


@pytest.mark.usefixtures("calling")  # browser calling configured (test_dialer's fixture)
def test_the_dialer_sends_the_steps_and_saves_the_keys_sent_as_the_path(page, user, initech, db):
    save_steps(initech, [
        {"digits": "1", "wait_seconds": 2, "label": "English"},
        {"digits": "", "label": "Dial-by-name: the first letters of the surname"},
        {"digits": "{ext}", "label": "The extension"},
    ])
    person = factories.PersonFactory(company=initech, full_name="Bill Lumbergh", extension="123")
    page.route(SDK, lambda route: route.fulfill(body=FAKE_SDK, content_type="text/javascript"))
    sign_in(page)
    page.goto(f"/calls/new?person_id={person.id}&dial=1")
    tree = page.locator("#dial-tree")
    expect(tree.locator("li")).to_have_count(3)
    send_first = tree.get_by_role("button", name="Send step 1")
    expect(send_first).to_be_disabled()  # no call yet

    page.get_by_role("button", name="Call from browser").click()
    wait_until(page, "window.__sb.connects.length === 1")
    assert page.evaluate("window.__sb.connects[0].To") == "+14155550199"
    page.evaluate("window.__sb.call.emit('accept', window.__sb.call)")
    expect(page.locator("#dial-state")).to_have_text("In call")

    send_first.click()
    assert page.evaluate("window.__sb.digits") == "1"
    expect(tree.locator("li").nth(0)).to_have_class(re.compile(r"\bsent\b"))
    page.evaluate("document.activeElement.blur()")  # keys go to the dialer, not a field
    page.wait_for_timeout(1600)  # the menu talks: the next keys are a step of their own
    page.keyboard.press("]")  # step 2 is done by hand: nothing is sent
    expect(page.locator("#dial-log")).to_contain_text("Dial-by-name")
    page.keyboard.press("]")
    assert page.evaluate("window.__sb.digits") == "1123"  # {ext} is Bill's extension
    expect(tree.locator("li").nth(2)).to_have_attribute("aria-current", "step")
    page.wait_for_timeout(1600)
    page.keyboard.press("9")
    assert page.evaluate("window.__sb.digits") == "11239"
    page.keyboard.press("]")
    expect(page.locator("#dial-log")).to_have_text("That was the last phone-tree step.")

    page.get_by_role("button", name="Hang up").click()
    expect(page.locator("#dial-state")).to_have_text("Ended")
    page.once("dialog", lambda dialog: dialog.accept())  # "Replace the saved phone tree?"
    page.get_by_role("button", name="Save these keys as the phone tree").click()
    expect(page.locator("#dial-log")).to_have_text("Saved as the phone tree: 3 steps.")
    stored = _stored(initech.id)
    assert [s["digits"] for s in stored] == ["1", "{ext}", "9"]
    assert stored[0]["wait_seconds"] >= 2 and stored[1]["wait_seconds"] >= 1
