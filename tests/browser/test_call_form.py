"""The call form in a real browser: names and their managers, added rows, drafts, errors, keys."""

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from app.models import Call, Outcome, Person
from tests.browser.conftest import SAVED_CALL_URL, needs_chromium, sign_in

pytestmark = needs_chromium

def fresh(db):
    """The test's session, emptied, so reads see what the server thread committed."""
    db.session.remove()
    return db.session


def people_by_name(db, company_id):
    session = fresh(db)
    return {p.full_name: p for p in session.scalars(select(Person).where(
        Person.company_id == company_id))}


def row(page, n):
    """The n-th (1-based) "names uncovered" row."""
    return page.locator("#rows .person-row").nth(n - 1)


def open_form_from_company(page, company_id):
    page.goto(f"/companies/{company_id}")
    page.locator(".page-head").get_by_role("link", name="Log a call", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Log a call"))).to_be_visible()
    expect(page.locator("#add-row")).to_be_visible()  # call_form.js has run


def save(page):
    page.get_by_role("button", name="Save call").click()
    expect(page).to_have_url(SAVED_CALL_URL)
    # The URL changes before the saved page's scripts run (drafts.js forgets the draft then):
    # a test going on at once raced them on a busy machine.
    page.wait_for_load_state("load")


def test_three_names_with_their_managers_land_in_the_org_chart(page, user, acme, db):
    sign_in(page)
    open_form_from_company(page, acme["company"])
    page.get_by_label("Gatekeeper", exact=True).check()
    page.get_by_label("Notes").fill("Receptionist gave me the engineering leads.")

    row(page, 1).get_by_label("Name").fill("Alice Anchor")
    row(page, 1).get_by_label("Title").fill("VP Engineering")
    row(page, 2).get_by_label("Name").fill("Bob Builder")
    row(page, 2).get_by_label("Reports to").select_option(label="Row 1: Alice Anchor")
    row(page, 3).get_by_label("Name").fill("Cara Coder")
    row(page, 3).get_by_label("Direct dial").fill("(212) 555-0199")
    row(page, 3).get_by_label("Reports to").select_option(label="Pat Existing (CTO)")
    save(page)
    expect(page.get_by_role("status")).to_contain_text("Call logged with 3 people linked.")

    page.get_by_role("heading", name=re.compile("^Call to")).get_by_role("link").click()
    people = page.locator("#people tbody tr")
    expect(people).to_have_count(4)
    for name, manager in [("Alice Anchor", ""), ("Bob Builder", "Alice Anchor"),
                          ("Cara Coder", "Pat Existing"), ("Pat Existing", "")]:
        expect(page.locator(f'tr[data-person="{name}"] td.reports-to')).to_have_text(manager)

    people = people_by_name(db, acme["company"])
    assert set(people) == {"Pat Existing", "Alice Anchor", "Bob Builder", "Cara Coder"}
    assert people["Bob Builder"].reports_to is people["Alice Anchor"]
    assert people["Cara Coder"].reports_to is people["Pat Existing"]
    assert people["Alice Anchor"].reports_to is None
    assert people["Cara Coder"].direct_phone == "+12125550199"
    call = db.session.scalars(select(Call)).one()
    assert call.outcome == Outcome.GATEKEEPER and call.user.email == "rita@example.com"
    assert {p.full_name for p in call.people} == {"Alice Anchor", "Bob Builder", "Cara Coder"}


def test_rows_added_without_a_reload_are_offered_as_managers_and_saved(signed_in, acme, db):
    page = signed_in
    page.goto(f"/calls/new?company_id={acme['company']}")
    page.get_by_label("No answer", exact=True).check()
    for n, name in enumerate(["Ann One", "Ben Two", "Cy Three"], start=1):
        row(page, n).get_by_label("Name").fill(name)

    page.get_by_role("button", name="+ Add a name").click()
    expect(page.locator("#rows .person-row")).to_have_count(4)
    expect(row(page, 4).locator("legend")).to_have_text("Name 4")
    expect(row(page, 4).get_by_label("Name")).to_be_focused()
    page.keyboard.type("Dee Four")

    page.keyboard.press("Alt+r")
    expect(page.locator("#rows .person-row")).to_have_count(5)
    expect(row(page, 5).get_by_label("Name")).to_be_focused()
    page.keyboard.type("Eve Five")

    options = row(page, 5).get_by_label("Reports to").locator("option")
    expect(options).to_have_text(["— not known —", "Pat Existing (CTO)", "Row 1: Ann One",
                                  "Row 2: Ben Two", "Row 3: Cy Three", "Row 4: Dee Four"])
    row(page, 5).get_by_label("Reports to").select_option(label="Row 4: Dee Four")
    row(page, 4).get_by_label("Reports to").select_option(label="Row 1: Ann One")
    # Renaming a row relabels it everywhere without losing the choice.
    row(page, 4).get_by_label("Name").fill("Dee Fourth")
    expect(row(page, 5).get_by_label("Reports to").locator("option:checked")).to_have_text(
        "Row 4: Dee Fourth")
    save(page)
    expect(page.get_by_role("status")).to_contain_text("with 5 people linked")

    people = people_by_name(db, acme["company"])
    assert set(people) == {"Pat Existing", "Ann One", "Ben Two", "Cy Three", "Dee Fourth",
                           "Eve Five"}
    assert people["Eve Five"].reports_to is people["Dee Fourth"]
    assert people["Dee Fourth"].reports_to is people["Ann One"]


def test_an_added_row_can_be_removed_and_the_rest_renumbered(signed_in, acme, db):
    page = signed_in
    page.goto(f"/calls/new?company_id={acme['company']}")
    page.get_by_label("Voicemail", exact=True).check()
    page.get_by_role("button", name="+ Add a name").click()
    page.get_by_role("button", name="+ Add a name").click()
    row(page, 4).get_by_label("Name").fill("Gone Soon")
    row(page, 5).get_by_label("Name").fill("Fay Kept")
    row(page, 4).get_by_role("button", name="Remove").click()
    expect(page.locator("#rows .person-row")).to_have_count(4)
    expect(row(page, 4).locator("legend")).to_have_text("Name 4")
    expect(row(page, 4).get_by_label("Name")).to_have_value("Fay Kept")
    save(page)
    assert set(people_by_name(db, acme["company"])) == {"Pat Existing", "Fay Kept"}


def test_a_draft_survives_a_reload_and_is_cleared_by_saving(signed_in, acme, db):
    page = signed_in
    url = f"/calls/new?company_id={acme['company']}"
    page.goto(url)
    page.get_by_label("Notes").fill("Spoke to Dana, try the main line after 2pm.")
    row(page, 1).get_by_label("Name").fill("Dana Draft")
    page.reload()

    expect(page.locator("#draft-banner")).to_be_visible()
    expect(page.locator("#draft-banner")).to_contain_text("Restored your unsaved draft")
    expect(page.get_by_label("Notes")).to_have_value("Spoke to Dana, try the main line after 2pm.")
    expect(row(page, 1).get_by_label("Name")).to_have_value("Dana Draft")

    page.get_by_label("Call back later", exact=True).check()
    save(page)
    page.goto(url)
    expect(page.get_by_label("Notes")).to_have_value("")
    expect(row(page, 1).get_by_label("Name")).to_have_value("")
    expect(page.locator("#draft-banner")).to_be_hidden()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sb:draft:'))") == []
    assert fresh(db).scalars(select(Call.notes)).all() == [
        "Spoke to Dana, try the main line after 2pm."]


def test_a_bad_direct_dial_keeps_everything_typed_and_writes_nothing(signed_in, acme, db,
                                                                     browser_errors):
    page = signed_in
    page.goto(f"/calls/new?company_id={acme['company']}")
    page.get_by_label("Referral", exact=True).check()
    page.get_by_label("Duration").fill("4:35")
    page.get_by_label("Notes").fill("Two names from the switchboard.")
    row(page, 1).get_by_label("Name").fill("Gil Good")
    row(page, 1).get_by_label("Direct dial").fill("212-555-0123")
    row(page, 2).get_by_label("Name").fill("Hal Badnumber")
    row(page, 2).get_by_label("Title").fill("Staff Engineer")
    row(page, 2).get_by_label("Direct dial").fill("555-01")
    row(page, 2).get_by_label("Reports to").select_option(label="Row 1: Gil Good")
    # Chromium logs the refused POST as a failed load; that one is expected.
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")

    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Save call").click()
    assert posted.value.status == 422
    expect(page.get_by_role("alert").filter(has_text="Nothing was saved yet")).to_be_visible()
    expect(page.get_by_label("Referral", exact=True)).to_be_checked()
    expect(page.get_by_label("Duration")).to_have_value("4:35")
    expect(page.get_by_label("Notes")).to_have_value("Two names from the switchboard.")
    expect(row(page, 1).get_by_label("Name")).to_have_value("Gil Good")
    expect(row(page, 1).get_by_label("Direct dial")).to_have_value("212-555-0123")
    expect(row(page, 2).get_by_label("Name")).to_have_value("Hal Badnumber")
    expect(row(page, 2).get_by_label("Title")).to_have_value("Staff Engineer")
    expect(row(page, 2).get_by_label("Direct dial")).to_have_value("555-01")
    expect(row(page, 2).get_by_label("Reports to")).to_have_value("row:0")
    error = row(page, 2).locator(".f-direct_phone .error")
    expect(error).to_contain_text("is not a valid number")
    expect(row(page, 2)).to_have_class(re.compile(r"\bhas-error\b"))
    expect(row(page, 1).locator(".error")).to_have_count(0)
    expect(page.locator("#draft-banner")).to_be_hidden()  # the server's copy wins

    session = fresh(db)
    assert session.scalar(select(func.count()).select_from(Call)) == 0
    assert session.scalars(select(Person.full_name)).all() == ["Pat Existing"]

    # Fixing the number and saving again writes both.
    row(page, 2).get_by_label("Direct dial").fill("212-555-0124")
    save(page)
    people = people_by_name(db, acme["company"])
    assert people["Hal Badnumber"].reports_to is people["Gil Good"]


def test_a_call_can_be_logged_with_the_keyboard_alone(signed_in, acme, db):
    page = signed_in
    page.goto(f"/calls/new?company_id={acme['company']}")
    notes = page.get_by_label("Notes")
    expect(notes).to_be_focused()  # autofocus: the sourcer starts typing at once
    keys = page.keyboard
    keys.type("Got the name of the platform lead.")

    def focused(attr="name"):
        return page.evaluate(f"document.activeElement && document.activeElement.{attr}")

    def tab_to(name, key="Tab", limit=40):
        for _ in range(limit):
            if focused() == name:
                return
            keys.press(key)
        raise AssertionError(f"{key} never reached {name!r} (stuck on {focused()!r})")

    tab_to("outcome", key="Shift+Tab")
    keys.press("Space")  # checks the focused pill
    keys.press("ArrowRight")  # moves to, and checks, the next one
    checked = page.locator('input[name="outcome"]:checked')
    expect(checked).to_have_count(1)
    outcome = checked.get_attribute("value")

    tab_to("people-0-full_name")
    keys.type("Ivy Platform")
    keys.press("Tab")
    keys.type("Head of Platform")
    tab_to("people-1-full_name")
    keys.type("Jon Reports")
    tab_to("people-1-reports_to")
    keys.press("ArrowDown")  # "— not known —" → Pat Existing
    keys.press("ArrowDown")  # → Row 1: Ivy Platform
    expect(row(page, 2).get_by_label("Reports to")).to_have_value("row:0")
    keys.press("Control+Enter")
    expect(page).to_have_url(SAVED_CALL_URL)

    call = fresh(db).scalars(select(Call)).one()
    assert call.outcome.value == outcome
    assert call.notes == "Got the name of the platform lead."
    people = {p.full_name: p for p in call.people}
    assert people["Ivy Platform"].title == "Head of Platform"
    assert people["Jon Reports"].reports_to is people["Ivy Platform"]


def test_without_javascript_the_form_has_three_fixed_rows_and_still_saves(new_page, user, acme,
                                                                          db):
    page = new_page(java_script_enabled=False)
    sign_in(page)
    page.goto(f"/companies/{acme['company']}")
    page.locator(".page-head").get_by_role("link", name="Log a call", exact=True).click()
    expect(page.locator("#rows .person-row")).to_have_count(3)
    expect(page.get_by_role("button", name="+ Add a name")).to_be_hidden()
    expect(page.locator(".remove-row")).to_have_count(3)
    for n in range(3):
        expect(page.locator(".remove-row").nth(n)).to_be_hidden()

    page.get_by_label("Connected", exact=True).check()
    page.get_by_label("Notes").fill("No script needed.")
    row(page, 1).get_by_label("Name").fill("Kim Nojs")
    row(page, 2).get_by_label("Name").fill("Lou Nojs")
    row(page, 2).get_by_label("Reports to").select_option(label="Row 1")  # rendered by the server
    save(page)
    expect(page.get_by_role("status")).to_contain_text("with 2 people linked")

    people = people_by_name(db, acme["company"])
    assert set(people) == {"Pat Existing", "Kim Nojs", "Lou Nojs"}
    assert people["Lou Nojs"].reports_to is people["Kim Nojs"]


def test_html_in_notes_is_shown_as_text(signed_in, acme, db):
    page = signed_in
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    notes = '<script>alert("xss")</script><b>bold</b> <img src=x onerror="alert(2)">'
    page.goto(f"/calls/new?company_id={acme['company']}")
    page.get_by_label("Busy", exact=True).check()
    page.get_by_label("Notes").fill(notes)
    save(page)

    shown = page.locator(".notes .prewrap")
    expect(shown).to_have_text(notes)
    expect(page.locator(".notes script, .notes b, .notes img")).to_have_count(0)
    page.get_by_role("heading", name=re.compile("^Call to")).get_by_role("link").click()
    expect(page.locator("td.clip")).to_contain_text('<script>alert("xss")</script>')
    assert dialogs == []
    assert fresh(db).scalars(select(Call.notes)).one() == notes


def test_a_draft_brings_back_added_rows_and_who_they_report_to(signed_in, acme, db):
    page = signed_in
    page.goto(f"/calls/new?company_id={acme['company']}")
    row(page, 1).get_by_label("Name").fill("Mo Manager")
    page.keyboard.press("Alt+r")
    page.keyboard.press("Alt+r")
    row(page, 5).get_by_label("Name").fill("Nia Fifth")
    row(page, 5).get_by_label("Reports to").select_option(label="Row 1: Mo Manager")
    page.reload()

    expect(page.locator("#draft-banner")).to_be_visible()
    expect(page.locator("#rows .person-row")).to_have_count(5)
    expect(row(page, 5).get_by_label("Name")).to_have_value("Nia Fifth")
    reports_to = row(page, 5).get_by_label("Reports to")
    expect(reports_to).to_have_value("row:0")
    expect(reports_to.locator("option:checked")).to_have_text("Row 1: Mo Manager")

    page.get_by_label("Referral", exact=True).check()
    save(page)
    people = people_by_name(db, acme["company"])
    assert people["Nia Fifth"].reports_to is people["Mo Manager"]


def test_rows_added_in_the_browser_survive_a_refused_save(signed_in, acme, db, browser_errors):
    page = signed_in
    page.goto(f"/calls/new?company_id={acme['company']}")
    page.get_by_label("Gatekeeper", exact=True).check()
    row(page, 1).get_by_label("Name").fill("Oz First")
    page.get_by_role("button", name="+ Add a name").click()
    row(page, 4).get_by_label("Name").fill("Pia Fourth")
    row(page, 4).get_by_label("Direct dial").fill("12")
    row(page, 4).get_by_label("Reports to").select_option(label="Row 1: Oz First")
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Save call").click()
    assert posted.value.status == 422

    expect(page.locator("#rows .person-row")).to_have_count(4)
    expect(row(page, 4).get_by_label("Name")).to_have_value("Pia Fourth")
    expect(row(page, 4).locator(".f-direct_phone .error")).to_contain_text("not a valid number")
    expect(row(page, 4).get_by_label("Reports to")).to_have_value("row:0")
    # The script still works on the re-rendered page: a 5th row gets the next free index.
    page.get_by_role("button", name="+ Add a name").click()
    expect(row(page, 5).get_by_label("Name")).to_have_attribute("name", "people-4-full_name")
    row(page, 4).get_by_label("Direct dial").fill("212-555-0144")
    save(page)
    people = people_by_name(db, acme["company"])
    assert people["Pia Fourth"].reports_to is people["Oz First"]


def test_a_draft_keeps_picks_among_the_people_of_a_company_chosen_in_the_form(signed_in, acme):
    page = signed_in
    page.goto("/calls/new")
    page.locator("#company_id").select_option(label="Acme Widgets")
    expect(page.locator("#answered_by option")).to_have_count(3)  # the company's people arrived
    page.get_by_label("Who answered").select_option(label="Pat Existing (CTO)")
    row(page, 1).get_by_label("Name").fill("Quinn Draft")
    row(page, 1).get_by_label("Reports to").select_option(label="Pat Existing (CTO)")
    page.goto("/calls/new")  # a fresh navigation: only the draft can bring values back

    expect(page.locator("#draft-banner")).to_be_visible()
    expect(page.locator("#company_id")).to_have_value(str(acme["company"]))
    expect(row(page, 1).get_by_label("Name")).to_have_value("Quinn Draft")
    expect(page.get_by_label("Who answered")).to_have_value(str(acme["pat"]), timeout=1_500)
    expect(row(page, 1).get_by_label("Reports to")).to_have_value(str(acme["pat"]), timeout=500)
