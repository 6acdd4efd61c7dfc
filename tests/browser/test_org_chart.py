"""The org chart in a real browser: collapse, find, move with the keyboard, add an empty box."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.models import Person, PersonStatus
from tests import factories
from tests.browser.conftest import SIZES, needs_chromium, page_width, screenshot, sign_in

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
    data_box = add(None, "Director of Data", "Engineering", dana, placeholder=True)
    # A VP nobody has placed yet: in the "Manager not known yet" lane, not beside the CEO.
    vera = add("Vera Vance", "VP Sales", "Sales", status=PersonStatus.DO_NOT_CALL)
    sam = add("Sam Seller", "Account Executive", "Sales", vera)
    ian = add("Ian McAllister", "Director of Talent", "People")
    ids = {key: p.id for key, p in locals().items() if isinstance(p, Person)}
    ids["company"] = company.id
    db.session.rollback()
    return ids


def node(page, person_id):
    return page.locator(f"#person-{person_id}")


def box(page, person_id):
    """The person's own box (not those of their reports)."""
    return page.locator(f"#person-{person_id} > .box")


def summary(page, person_id):
    """The "N reports" toggle under a box."""
    return page.locator(f"#person-{person_id} > details > summary")


def act(page, person_id, action):
    """Open the box's one actions menu and choose `action`."""
    box(page, person_id).locator(".box-menu-button").click()
    page.get_by_role("menu").get_by_role("menuitem", name=action).click()


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
    expect(page.locator("#chart details.branch:not([open])")).to_have_count(2)  # Aaron's, Tom's

    # Collapse Dana's subtree with the toggle under her box, then expand it again.
    summary(page, kestrel["dana"]).click()
    expect(box(page, kestrel["aaron"])).to_be_hidden()
    summary(page, kestrel["dana"]).click()
    expect(box(page, kestrel["aaron"])).to_be_visible()
    summary(page, kestrel["aaron"]).click()
    expect(box(page, kestrel["tom"])).to_be_visible()

    # Move Priya under Dana with the keyboard only: her box, M for the menu, Enter on "Move".
    box(page, kestrel["priya"]).get_by_role("link", name="Priya Raman").focus()
    page.keyboard.press("m")
    expect(page.get_by_role("menuitem", name="Move")).to_be_focused()
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
    act(page, kestrel["aaron"], "+ Report")
    expect(page.get_by_role("heading", name="Add under Aaron Patel")).to_be_visible()
    page.get_by_label("Empty box").check()
    page.get_by_label("Title").fill("Staff Engineer, Data")
    page.get_by_role("button", name="Save").click()
    empty = page.locator("li.node.placeholder", has_text="Staff Engineer, Data — name unknown")
    expect(empty).to_be_visible()  # the chart came back opened the way to the new box

    # Both changes survive a reload and are in the database.
    page.reload()
    expect(page.locator(f"#person-{kestrel['dana']} #person-{kestrel['priya']}")).to_have_count(1)
    expect(page.locator(f"#person-{kestrel['marcus']} li.node")).to_have_count(0)
    under_aaron = page.locator(f"#person-{kestrel['aaron']} > details > ul > li.placeholder",
                               has_text="Staff Engineer")
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
    act(page, kestrel["dana"], "Move")
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
    act(page, kestrel["ceo"], "Move")
    page.get_by_label("Reports to").select_option("")
    page.get_by_role("button", name="Save").click()  # the script reloads the chart
    expect(page.locator("section.cannot-place")).to_have_count(0)
    expect(page.locator(f"#person-{kestrel['ceo']} #person-{kestrel['sara']}")).to_have_count(1)
    assert fresh_person(db, kestrel["ceo"]).reports_to_id is None


# The visual chart (issue 11), at desktop and phone size


def rect(locator):
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def test_boxes_sit_under_their_managers_with_lines_lanes_and_dashed_empty_boxes(
    sized_page, size, user, kestrel
):
    page = sized_page
    sign_in(page)
    page.goto(f"/companies/{kestrel['company']}/org-chart")
    expect(page.locator("#chart[data-ready]")).to_have_count(1)
    # A report's box is below its manager's and within the span of the manager's subtree.
    for manager, report in [("ceo", "dana"), ("ceo", "marcus"), ("dana", "aaron"),
                            ("dana", "data_box"), ("marcus", "priya"), ("vera", "sam")]:
        top, below = rect(box(page, kestrel[manager])), rect(box(page, kestrel[report]))
        span = rect(node(page, kestrel[manager]))
        assert below["y"] >= top["y"] + top["height"], (manager, report)
        assert span["x"] <= below["x"] and below["x"] + below["width"] <= span["x"] + span["width"]
    dana, marcus = rect(box(page, kestrel["dana"])), rect(box(page, kestrel["marcus"]))
    assert dana["y"] == marcus["y"] and dana["x"] + dana["width"] <= marcus["x"]  # side by side
    # Lines: the drop into each report and the bar over siblings are drawn borders.
    drop = page.evaluate("""id => {
        const style = getComputedStyle(document.getElementById(id), "::after");
        return [style.borderLeftWidth, style.borderTopWidth, style.borderLeftStyle];
    }""", f"person-{kestrel['dana']}")
    assert drop == ["2px", "2px", "solid"]
    # The VP whose manager is unknown is in a labelled lane, not at the CEO's level.
    lane = page.locator("section.lane")
    expect(lane.get_by_role("heading", name=re.compile("Manager not known yet"))).to_be_visible()
    expect(lane.locator(f"#person-{kestrel['vera']} #person-{kestrel['sam']}")).to_have_count(1)
    expect(page.locator(f"#chart-canvas #person-{kestrel['vera']}")).to_have_count(0)
    # An empty box is dashed and says "to find"; statuses carry a word, not colour alone.
    empty = box(page, kestrel["data_box"])
    expect(empty).to_have_css("border-top-style", "dashed")
    expect(empty).to_contain_text("to find")
    expect(box(page, kestrel["vera"])).to_contain_text("Do not call")
    expect(page.get_by_role("list", name="Legend")).to_contain_text("Candidate")
    # Only the chart's own pan area scrolls sideways, never the page.
    assert page_width(page) <= SIZES[size]["width"]
    page.locator("#chart-viewport").scroll_into_view_if_needed()
    screenshot(page, f"org-chart-{size}")


def test_the_actions_menu_works_by_keyboard_alone_and_a_new_name_is_shown(
    sized_page, size, user, kestrel
):
    page = sized_page
    sign_in(page)
    page.goto(f"/companies/{kestrel['company']}/org-chart")
    expect(page.locator("#chart[data-ready]")).to_have_count(1)
    page.get_by_label("Find").focus()
    for _ in range(30):  # Tab past the tools into the chart: one stop, the top box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('box-name')"):
            break
    expect(box(page, kestrel["ceo"]).get_by_role("link", name="Robert Kessler")).to_be_focused()
    for key in ("ArrowDown", "ArrowRight", "ArrowDown"):  # Dana, then Marcus, then Priya
        page.keyboard.press(key)
    expect(box(page, kestrel["priya"]).get_by_role("link", name="Priya Raman")).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(box(page, kestrel["marcus"]).get_by_role("link", name="Marcus Bell")).to_be_focused()
    page.keyboard.press("ArrowDown")

    # Space opens the one menu of the box; Escape closes it and gives the focus back.
    page.keyboard.press(" ")
    menu = page.get_by_role("menu", name="Actions for Priya Raman")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("menuitem")).to_have_text(
        ["Move", "+ Report", "Mark as left", "Log a call", "Open"])
    expect(menu.get_by_role("menuitem", name="Move")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(box(page, kestrel["priya"]).get_by_role("link", name="Priya Raman")).to_be_focused()
    assert page.locator(".box a, .box button").evaluate_all(  # nothing interactive nested
        "els => els.filter(el => el.parentElement.closest('a, button, summary')).length") == 0

    # M, then down to "+ Report", Enter: the dialog; type a name, Enter saves.
    page.keyboard.press("m")
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem", name="+ Report")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Add under Priya Raman")).to_be_visible()
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_be_focused()
    page.keyboard.type("Nina Newman")
    page.keyboard.press("Enter")
    # The chart comes back opened the way to the name just added, which has the focus.
    added = page.locator("li.node[data-name='Nina Newman']")
    expect(added).to_have_class(re.compile(r"\bfound\b"))
    expect(added.locator("> .box")).to_be_in_viewport()
    expect(added.get_by_role("link", name="Nina Newman")).to_be_focused()
    assert page_width(page) <= SIZES[size]["width"]
    screenshot(page, f"org-chart-added-{size}")


def test_zoom_buttons_keys_and_fit(sized_page, size, user, kestrel):
    page = sized_page
    sign_in(page)
    page.goto(f"/companies/{kestrel['company']}/org-chart")
    viewport = page.locator("#chart-viewport")
    expect(page.locator("#chart[data-ready]")).to_have_count(1)
    canvas_width = page.locator("#chart-canvas").evaluate("c => c.getBoundingClientRect().width")
    page.get_by_role("button", name="Zoom in").click()
    expect(viewport).to_have_attribute("data-zoom", "1.25")
    box(page, kestrel["ceo"]).get_by_role("link", name="Robert Kessler").focus()
    page.keyboard.press("-")
    page.keyboard.press("-")
    expect(viewport).to_have_attribute("data-zoom", "0.80")
    page.get_by_role("button", name="Fit").click()
    fitted = page.locator("#chart-canvas").evaluate("c => c.getBoundingClientRect().width")
    room = viewport.evaluate("v => v.clientWidth")
    assert fitted <= room  # the whole chart in view
    if size == "phone":
        assert canvas_width > room and float(viewport.get_attribute("data-zoom")) < 1
    viewport.scroll_into_view_if_needed()
    screenshot(page, f"org-chart-fit-{size}")
    page.keyboard.press("0")  # back to 100% (the focus is on the page, not in a field)
    expect(viewport).to_have_attribute("data-zoom", "1.00")


@pytest.fixture
def deep(db):
    """CEO → 3 VPs → 9 directors → 40 people each: 373 boxes, more than the page brings."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    company = factories.CompanyFactory(name="Deepwater Corp")
    # The CEO was changed last: the page opens the way to them, and no deeper, by default.
    rows = [{"id": 1, "full_name": "Cleo Chief", "reports_to_id": None,
             "updated_at": datetime(2026, 2, 1, tzinfo=UTC)}]
    rows += [{"id": 10 + v, "full_name": f"Vic VP {v}", "reports_to_id": 1} for v in range(3)]
    rows += [{"id": 100 + d, "full_name": f"Dora Director {d}", "reports_to_id": 10 + d // 3}
             for d in range(9)]
    rows += [{"id": 1000 + d * 100 + i, "full_name": f"Pat Person {d}-{i:02d}",
              "reports_to_id": 100 + d} for d in range(9) for i in range(40)]
    now = datetime(2026, 1, 5, tzinfo=UTC)
    db.session.execute(insert(Person), [
        {"company_id": company.id, "title": "Staff", "created_at": now, "updated_at": now} | row
        for row in rows])
    db.session.commit()
    return company.id


def test_a_deep_branch_loads_when_opened_by_click_or_keyboard(sized_page, size, user, deep):
    page = sized_page
    sign_in(page)
    response = page.goto(f"/companies/{deep}/org-chart")
    assert "Pat Person 0-00" not in response.text()  # not sent with the page
    expect(page.locator("#chart[data-ready]")).to_have_count(1)
    # The directors' people arrive when their toggle is clicked.
    summary(page, 100).click()
    expect(page.locator("#person-100 > details > ul > li.node")).to_have_count(40)
    expect(box(page, 1000)).to_be_visible()
    below, top = rect(box(page, 1000)), rect(box(page, 100))
    assert below["y"] > top["y"] + top["height"]
    # ... or when the keyboard goes down into them.
    box(page, 103).get_by_role("link", name="Dora Director 3").focus()
    page.keyboard.press("ArrowDown")
    expect(box(page, 1300).get_by_role("link", name="Pat Person 3-00")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(box(page, 1301).get_by_role("link", name="Pat Person 3-01")).to_be_focused()
    # Find someone in a branch not loaded yet: the chart opens the way to them.
    assert page.locator("#person-1839").count() == 0
    page.get_by_label("Find").fill("Pat Person 8-39")
    page.get_by_label("Find").press("Enter")
    expect(page).to_have_url(re.compile(r"\?focus=1839#person-1839$"))
    expect(box(page, 1839)).to_be_in_viewport()
    expect(node(page, 1839)).to_have_class(re.compile(r"\bfound\b"))
    assert page_width(page) <= SIZES[size]["width"]
    screenshot(page, f"org-chart-branch-{size}")
    # A link from elsewhere (a person's page) to a box not sent with the page still finds it.
    page.goto(f"/companies/{deep}/org-chart#person-1517")
    expect(page).to_have_url(re.compile(r"\?focus=1517#person-1517$"))
    expect(box(page, 1517)).to_be_in_viewport()


def test_mark_as_left_from_the_menu_moves_them_to_the_left_list(sized_page, size, user, kestrel,
                                                                 db):
    page = sized_page
    sign_in(page)
    page.goto(f"/companies/{kestrel['company']}/org-chart")
    act(page, kestrel["priya"], "Mark as left")
    expect(page.get_by_role("heading", name="Mark Priya Raman as left")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    # Back on the chart, opened at her manager; she is in the list of leavers, marked so.
    expect(page).to_have_url(re.compile(rf"\?focus={kestrel['marcus']}#person-{kestrel['marcus']}$"))
    expect(node(page, kestrel["priya"])).to_have_count(0)
    leavers = page.locator("details.left-company")
    leavers.locator("summary").click()
    expect(leavers.get_by_role("listitem").filter(has_text="Priya Raman")).to_contain_text("Left")
    assert fresh_person(db, kestrel["priya"]).left_at is not None
    # An empty box's menu is about finding someone, not contacting them.
    box(page, kestrel["data_box"]).locator(".box-menu-button").click()
    expect(page.get_by_role("menu").get_by_role("menuitem")).to_have_text(
        ["Move", "+ Report", "Fill this box", "Open"])
