"""The org chart in a real browser: collapse, find, move with the keyboard, add an empty box."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.models import Person, PersonStatus
from tests import factories
from tests.browser.conftest import needs_chromium, sign_in

pytestmark = needs_chromium

SCREENSHOT = Path(__file__).resolve().parents[2] / "test-results" / "org-chart.png"


@pytest.fixture
def kestrel(db):
    """A five-level chart (CEO → VP → director → manager → engineer), a second VP, a loner."""
    company = factories.CompanyFactory(name="Kestrel Logistics")

    def add(name, title, department, manager=None, **fields):
        return factories.PersonFactory(company=company, full_name=name, title=title,
                                       department=department, reports_to=manager, **fields)

    ceo = add("Robert Kessler", "CEO", "Executive", status=PersonStatus.CONTACTED)
    dana = add("Dana Whitfield", "VP Engineering", "Engineering", ceo, extension="4410")
    aaron = add("Aaron Patel", "Director of Platform", "Engineering", dana,
                direct_phone="+12125550131", status=PersonStatus.CANDIDATE)
    tom = add("Tom Brennan", "EM Routing", "Engineering", aaron, email="tom@kestrel.example")
    sara = add("Sara Quist", "Senior Engineer", "Engineering", tom)
    marcus = add("Marcus Bell", "VP Product", "Product", ceo, status=PersonStatus.VERIFIED)
    priya = add("Priya Raman", "Product Manager", "Product", marcus)
    ian = add("Ian McAllister", "Director of Talent", "People")
    ids = {key: p.id for key, p in locals().items() if isinstance(p, Person)}
    ids["company"] = company.id
    db.session.rollback()
    return ids


def node(page, person_id):
    return page.locator(f"#person-{person_id}")


def box(page, person_id):
    """The person's own box (not those of their reports)."""
    li = f"#person-{person_id}"
    return page.locator(f"{li} > .box, {li} > details > summary > .box")


def fresh_person(db, person_id):
    db.session.remove()
    return db.session.get(Person, person_id)


def test_the_chart_collapses_moves_adds_and_finds(page, user, kestrel, db):
    sign_in(page)
    page.goto(f"/companies/{kestrel['company']}/org-chart")
    expect(page.get_by_role("heading", name="Kestrel Logistics org chart")).to_be_visible()

    # Levels 0 and 1 are open; the director (level 2) starts collapsed.
    expect(box(page, kestrel["aaron"])).to_be_visible()
    expect(box(page, kestrel["tom"])).to_be_hidden()
    expect(page.locator("#chart details:not([open])")).to_have_count(2)  # Aaron's and Tom's

    # Collapse Dana's subtree by clicking her summary, then expand it again.
    dana_summary = page.locator(f"#person-{kestrel['dana']} > details > summary")
    dana_summary.locator(".box-last").click()
    expect(box(page, kestrel["aaron"])).to_be_hidden()
    dana_summary.locator(".box-last").click()
    expect(box(page, kestrel["aaron"])).to_be_visible()
    page.locator(f"#person-{kestrel['aaron']} > details > summary .box-last").click()
    expect(box(page, kestrel["tom"])).to_be_visible()

    # Move Priya under Dana with the keyboard only: focus "Move", Enter, arrows, Enter.
    box(page, kestrel["priya"]).get_by_role("link", name="Move").focus()
    page.keyboard.press("Enter")
    picker = page.get_by_label("Reports to")
    expect(picker).to_be_focused()
    expect(picker).to_have_value(str(kestrel["marcus"]))  # starts at the current manager
    for _ in range(20):
        if picker.input_value() == str(kestrel["dana"]):
            break
        page.keyboard.press("ArrowUp")  # "Dana Whitfield" sorts before "Marcus Bell"
    expect(picker).to_have_value(str(kestrel["dana"]))
    page.keyboard.press("Tab")  # to Save
    expect(page.get_by_role("button", name="Save")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#person-{kestrel['dana']} #person-{kestrel['priya']}")).to_have_count(1)
    assert fresh_person(db, kestrel["priya"]).reports_to_id == kestrel["dana"]

    # Add an empty box under Aaron from his "+ Report" action.
    box(page, kestrel["aaron"]).get_by_role("link", name="+ Report").click()
    expect(page.get_by_role("heading", name="Add under Aaron Patel")).to_be_visible()
    page.get_by_label("Empty box").check()
    page.get_by_label("Title").fill("Staff Engineer, Data")
    page.get_by_role("button", name="Save").click()
    empty = page.locator("li.node.placeholder", has_text="Staff Engineer, Data — name unknown")
    expect(empty).to_be_visible()

    # Both changes survive a reload and are in the database.
    page.reload()
    expect(page.locator(f"#person-{kestrel['dana']} #person-{kestrel['priya']}")).to_have_count(1)
    expect(page.locator(f"#person-{kestrel['marcus']} li.node")).to_have_count(0)
    under_aaron = page.locator(f"#person-{kestrel['aaron']} > details > ul > li.placeholder")
    expect(under_aaron).to_have_count(1)
    db.session.remove()
    placeholder = db.session.scalar(select(Person).where(Person.title == "Staff Engineer, Data"))
    assert (placeholder.placeholder, placeholder.full_name) == (True, None)
    assert placeholder.reports_to_id == kestrel["aaron"]
    assert fresh_person(db, kestrel["priya"]).reports_to_id == kestrel["dana"]

    # Find reveals someone deep in a collapsed subtree, by part of their name.
    page.get_by_role("button", name="Collapse all").click()
    expect(box(page, kestrel["sara"])).to_be_hidden()
    find = page.get_by_label("Find")
    find.fill("quist")
    find.press("Enter")
    expect(box(page, kestrel["sara"])).to_be_visible()
    expect(node(page, kestrel["sara"])).to_have_class(re.compile(r"\bfound\b"))
    expect(page.locator("li.found")).to_have_count(1)
    expect(box(page, kestrel["sara"]).get_by_role("link", name="Sara Quist")).to_be_focused()

    page.get_by_role("button", name="Expand all").click()
    page.get_by_label("Highlight not contacted").check()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_a_refused_move_shows_the_message_in_the_dialog(page, user, kestrel, db,
                                                         browser_errors):
    browser_errors.allow(r"status of 422")  # the refused POST, logged by Chromium
    sign_in(page)
    page.goto(f"/companies/{kestrel['company']}/org-chart")
    box(page, kestrel["dana"]).get_by_role("link", name="Move").click()
    page.get_by_label("Reports to").select_option(str(kestrel["aaron"]))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("reporting cycle")
    assert fresh_person(db, kestrel["dana"]).reports_to_id == kestrel["ceo"]


def test_without_javascript_the_chart_is_a_readable_nested_list(new_page, user, kestrel):
    page = new_page(java_script_enabled=False)
    sign_in(page)
    page.goto(f"/companies/{kestrel['company']}/org-chart")
    expect(page.locator(f"#person-{kestrel['ceo']} #person-{kestrel['sara']}")).to_have_count(1)
    # The actions are plain links to the same edits as forms.
    box(page, kestrel["priya"]).get_by_role("link", name="Move").click()
    expect(page).to_have_url(re.compile(rf"/people/{kestrel['priya']}/edit$"))


def test_people_in_a_stored_cycle_show_under_could_not_place_and_one_move_fixes_it(
    page, user, kestrel, db
):
    from sqlalchemy import update

    # An old race left the CEO reporting to the engineer at the bottom of his own line.
    db.session.execute(update(Person).where(Person.id == kestrel["ceo"])
                       .values(reports_to_id=kestrel["sara"]))
    db.session.commit()
    sign_in(page)
    page.goto(f"/companies/{kestrel['company']}/org-chart")
    stuck = page.locator("section.cannot-place")
    expect(stuck.get_by_role("heading", name=re.compile("Could not place"))).to_be_visible()
    for key in ("ceo", "dana", "aaron", "tom", "sara", "marcus", "priya"):
        expect(stuck.locator(f"#person-{kestrel[key]}")).to_have_count(1)
    expect(box(page, kestrel["ceo"])).to_contain_text("In a reporting cycle")
    box(page, kestrel["ceo"]).get_by_role("link", name="Move").click()
    page.get_by_label("Reports to").select_option("")
    page.get_by_role("button", name="Save").click()  # the script reloads the chart
    expect(page.locator("section.cannot-place")).to_have_count(0)
    expect(page.locator(f"#person-{kestrel['ceo']} #person-{kestrel['sara']}")).to_have_count(1)
    assert fresh_person(db, kestrel["ceo"]).reports_to_id is None
