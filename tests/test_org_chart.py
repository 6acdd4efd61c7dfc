"""The org chart page and its web edits: tree, departments, empty boxes, leavers, refusals, CSV."""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from app.companies.orgchart import UNPLACED, build_org_chart, chart_nodes
from app.models import Company, Person, PersonStatus, ReportingLink
from tests import factories

JSON = {"Accept": "application/json"}


def shape(node):
    """A node as (display name, [children...]), for comparing whole trees at a glance."""
    return (node.person.display_name, [shape(child) for child in node.reports])


def names(nodes):
    return [node.person.display_name for node in nodes]


def chart_of(db, company_id):
    """The chart as the next request would build it (nothing cached in the session)."""
    db.session.expire_all()
    return build_org_chart(db.session.get(Company, company_id))


def snapshot(db, company_id):
    """Everyone's manager, placeholder flag and departure, plus the count of reporting links."""
    db.session.expire_all()
    people = db.session.scalars(select(Person).where(Person.company_id == company_id)).all()
    links = db.session.scalar(select(func.count(ReportingLink.id)))
    return {p.id: (p.reports_to_id, p.placeholder, p.left_at) for p in people}, links


@pytest.fixture
def acme(app):
    """Two trees (the CEO's, five levels deep, and the board's), loners, and an empty box.

    Returns the ids by short key so tests can re-read rows after requests.
    """
    company = factories.CompanyFactory(name="Acme")

    def add(name, manager=None, department=None, **fields):
        return factories.PersonFactory(company=company, full_name=name, reports_to=manager,
                                       department=department, **fields)

    ceo = add("Carla Chief", department="Executive", title="CEO",
              status=PersonStatus.CONTACTED)
    vp_eng = add("Victor Eng", ceo, "Engineering", title="VP Engineering",
                 status=PersonStatus.VERIFIED)
    director = add("Dora Platform", vp_eng, "Engineering", title="Director of Platform")
    manager = add("Manny Routing", director, "Engineering", title="EM Routing",
                  status=PersonStatus.CANDIDATE)
    dev = add("Devi Coder", manager, "Engineering", title="Engineer")
    vp_sales = add("Vera Sales", ceo, "Sales", title="VP Sales",
                   status=PersonStatus.NOT_INTERESTED)
    box = add(None, vp_sales, "Sales", title="Director of Sales EMEA", placeholder=True)
    chair = add("Bart Board", department="Board", title="Chair")
    secretary = add("Sid Secretary", chair, "Board", title="Board Secretary")
    lone_eng = add("Lena Loner", department="Engineering", title="SRE")
    lone_sales = add("Sam Single", department="Sales", title="AE")
    nowhere = add("Nia Nowhere", title="Analyst")
    outsider = factories.PersonFactory(full_name="Otto Outside", company=factories.CompanyFactory(
        name="Other Co"))
    return {key: person.id for key, person in locals().items() if isinstance(person, Person)} | {
        "company": company.id, "other_company": outsider.company_id}


# The tree


def test_several_roots_biggest_first_with_reports_nested(acme, db):
    chart = chart_of(db, acme["company"])
    assert [shape(root) for root in chart.roots] == [
        ("Carla Chief", [
            ("Vera Sales", [("Director of Sales EMEA — name unknown", [])]),
            ("Victor Eng", [
                ("Dora Platform", [("Manny Routing", [("Devi Coder", [])])]),
            ]),
        ]),
        ("Bart Board", [("Sid Secretary", [])]),
    ]
    depths = {node.person.full_name: node.depth for node in chart_nodes(chart)}
    assert depths["Carla Chief"] == 0 and depths["Victor Eng"] == 1
    assert depths["Devi Coder"] == 4 and depths["Sid Secretary"] == 1
    assert chart.roots[0].size == 7


def test_people_with_no_manager_and_no_reports_are_grouped_by_department(acme, db, logged_in):
    chart = chart_of(db, acme["company"])
    assert {dept: names(nodes) for dept, nodes in chart.unplaced.items()} == {
        "Engineering": ["Lena Loner"], "Sales": ["Sam Single"], UNPLACED: ["Nia Nowhere"]}
    # Departments alphabetically, "Not yet placed" last.
    assert list(chart.unplaced) == ["Engineering", "Sales", UNPLACED]
    assert "Lena Loner" not in names(chart.roots)

    page = logged_in.get(f"/companies/{acme['company']}/org-chart").get_data(as_text=True)
    # In the labelled "Manager not known yet" lane, not at the top of the chart.
    lane = page[page.index('<section class="lane"'):]
    assert "Manager not known yet" in lane
    headings = re.findall(r'<section class="dept-group">\s*<h3>([^<]+)<', lane)
    assert [h.strip() for h in headings] == ["Engineering", "Sales", UNPLACED]


def test_a_child_sorts_named_people_before_empty_boxes(acme, db):
    factories.PersonFactory(company=db.session.get(Company, acme["company"]), full_name="Zed Last",
                            reports_to_id=acme["vp_sales"])
    chart = chart_of(db, acme["company"])
    vp_sales = next(n for n in chart_nodes(chart) if n.person.id == acme["vp_sales"])
    assert names(vp_sales.reports) == ["Zed Last", "Director of Sales EMEA — name unknown"]


# Empty boxes


def test_a_placeholder_added_on_the_chart_is_filled_by_the_edit_form(acme, db, logged_in):
    response = logged_in.post(f"/people/{acme['vp_eng']}/reports", headers=JSON, data={
        "placeholder": "1", "title": "Director of Data", "department": "Engineering"})
    assert response.status_code == 200, response.get_json()
    box_id = response.get_json()["id"]
    box = db.session.get(Person, box_id)
    assert (box.placeholder, box.full_name, box.title) == (True, None, "Director of Data")
    assert box.reports_to_id == acme["vp_eng"]
    # Someone is found under the empty box before its holder is known.
    response = logged_in.post(f"/people/{box_id}/reports", headers=JSON,
                              data={"full_name": "Dana Data", "title": "Data Engineer"})
    analyst_id = response.get_json()["id"]

    page = logged_in.get(f"/companies/{acme['company']}/org-chart").get_data(as_text=True)
    assert "Director of Data — name unknown" in page
    assert re.search(r'class="node st-\w+ placeholder', page)

    response = logged_in.post(f"/people/{box_id}/edit", data={
        "full_name": "Greta Data", "title": "Director of Data", "department": "Engineering",
        "reports_to": str(acme["vp_eng"]), "role": "other", "status": "uncovered"})
    assert response.status_code == 302
    db.session.expire_all()
    filled = db.session.get(Person, box_id)
    assert (filled.full_name, filled.placeholder) == ("Greta Data", False)
    assert filled.reports_to_id == acme["vp_eng"]
    assert [p.id for p in filled.direct_reports] == [analyst_id]
    chart = chart_of(db, acme["company"])
    node = next(n for n in chart_nodes(chart) if n.person.id == box_id)
    assert names(node.reports) == ["Dana Data"]


def test_a_placeholder_needs_a_title(acme, db, logged_in):
    before = snapshot(db, acme["company"])
    response = logged_in.post(f"/people/{acme['ceo']}/reports", headers=JSON,
                              data={"placeholder": "1", "title": ""})
    assert response.status_code == 422
    assert "title" in response.get_json()["message"]
    assert snapshot(db, acme["company"]) == before


def test_adding_a_named_report_without_javascript_flashes_and_returns_to_the_chart(
        acme, db, logged_in):
    response = logged_in.post(f"/people/{acme['ceo']}/reports",
                              data={"full_name": "Cora Finance", "title": "CFO"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/companies/{acme['company']}/org-chart")
    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Added Cora Finance under Carla Chief." in page
    cora = db.session.scalar(select(Person).where(Person.full_name == "Cora Finance"))
    assert cora.reports_to_id == acme["ceo"] and not cora.placeholder


# Leavers


def test_left_people_are_off_the_live_chart_and_their_reports_move_up(acme, db, logged_in):
    for key in ("vp_eng", "director"):
        response = logged_in.post(f"/people/{acme[key]}/left", data={"left": "1"}, headers=JSON)
        assert response.status_code == 200
    chart = chart_of(db, acme["company"])
    live = {node.person.id for node in chart_nodes(chart)}
    assert acme["vp_eng"] not in live and acme["director"] not in live
    assert sorted(p.full_name for p in chart.left) == ["Dora Platform", "Victor Eng"]
    # The manager hangs under the nearest manager still there; the stored link is unchanged.
    assert shape(chart.roots[0]) == ("Carla Chief", [
        ("Manny Routing", [("Devi Coder", [])]),
        ("Vera Sales", [("Director of Sales EMEA — name unknown", [])]),
    ])
    assert db.session.get(Person, acme["manager"]).reports_to_id == acme["director"]
    assert chart.coverage.boxes == 10

    page = logged_in.get(f"/companies/{acme['company']}/org-chart").get_data(as_text=True)
    assert f'id="person-{acme["vp_eng"]}"' not in page
    assert "Left the company (2)" in page

    response = logged_in.post(f"/people/{acme['vp_eng']}/left", data={"left": "0"})
    assert response.status_code == 302
    chart = chart_of(db, acme["company"])
    vp = next(n for n in chart_nodes(chart) if n.person.id == acme["vp_eng"])
    assert names(vp.reports) == ["Manny Routing"]  # its director is still gone
    assert [p.full_name for p in chart.left] == ["Dora Platform"]


def test_a_root_that_left_leaves_its_reports_as_roots(acme, db, logged_in):
    logged_in.post(f"/people/{acme['chair']}/left", data={"left": "1"})
    chart = chart_of(db, acme["company"])
    assert "Bart Board" not in names(chart_nodes(chart))
    # Sid has no manager left and no reports: he joins his department's group.
    assert names(chart.unplaced["Board"]) == ["Sid Secretary"]


# Refusals: cycles and other companies


def test_a_cycle_is_refused_by_the_move_form_as_json(acme, db, logged_in):
    before = snapshot(db, acme["company"])
    response = logged_in.post(f"/people/{acme['vp_eng']}/move", headers=JSON,
                              data={"reports_to_id": str(acme["manager"])})
    assert response.status_code == 422
    body = response.get_json()
    assert "cycle" in body["message"]
    assert "cycle" in body["fields"]["reports_to_id"]
    assert snapshot(db, acme["company"]) == before


def test_a_cycle_is_refused_by_the_move_form_with_a_flash(acme, db, logged_in):
    before = snapshot(db, acme["company"])
    response = logged_in.post(f"/people/{acme['ceo']}/move",
                              data={"reports_to_id": str(acme["vp_sales"])})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/companies/{acme['company']}/org-chart")
    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "That would make a reporting cycle" in page
    assert snapshot(db, acme["company"]) == before


def test_moving_someone_under_themselves_is_refused(acme, db, logged_in):
    before = snapshot(db, acme["company"])
    response = logged_in.post(f"/people/{acme['dev']}/move", headers=JSON,
                              data={"reports_to_id": str(acme["dev"])})
    assert response.status_code == 422
    assert snapshot(db, acme["company"]) == before


def test_a_manager_at_another_company_is_refused_by_the_move_form(acme, db, logged_in):
    before = snapshot(db, acme["company"])
    response = logged_in.post(f"/people/{acme['dev']}/move", headers=JSON,
                              data={"reports_to_id": str(acme["outsider"])})
    assert response.status_code == 422
    assert "another company" in response.get_json()["message"]
    response = logged_in.post(f"/people/{acme['dev']}/move",
                              data={"reports_to_id": str(acme["outsider"])},
                              follow_redirects=True)
    assert "works at another company" in response.get_data(as_text=True)
    # The other way round: someone from elsewhere cannot be put under one of ours either.
    response = logged_in.post(f"/people/{acme['outsider']}/move", headers=JSON,
                              data={"reports_to_id": str(acme["ceo"])})
    assert response.status_code == 422
    assert snapshot(db, acme["company"]) == before
    assert db.session.get(Person, acme["outsider"]).reports_to_id is None


def test_a_legal_move_records_who_made_it_and_answers_json(acme, db, logged_in, user):
    response = logged_in.post(f"/people/{acme['manager']}/move", headers=JSON,
                              data={"reports_to_id": str(acme["vp_eng"])})
    assert response.status_code == 200
    assert response.get_json() == {
        "id": acme["manager"], "message": "Manny Routing now reports to Victor Eng."}
    db.session.expire_all()
    link = db.session.scalars(select(ReportingLink).where(
        ReportingLink.person_id == acme["manager"]).order_by(ReportingLink.id.desc())).first()
    assert (link.manager_id, link.reported_by_id, link.source_call_id) == (
        acme["vp_eng"], user.id, None)
    # To the top of the chart: an empty reports_to_id.
    response = logged_in.post(f"/people/{acme['manager']}/move", headers=JSON,
                              data={"reports_to_id": ""})
    assert response.get_json()["message"] == "Manny Routing now reports to the top of the chart."
    assert db.session.get(Person, acme["manager"]).reports_to_id is None


# Coverage


def test_coverage_counts_named_boxes_and_contacted_people(acme, db, logged_in):
    chart = chart_of(db, acme["company"])
    # 12 live boxes, one empty; contacted: CEO, candidate manager, not-interested VP Sales.
    assert (chart.coverage.boxes, chart.coverage.named, chart.coverage.contacted) == (12, 11, 3)
    by_dept = {d: (c.boxes, c.named, c.contacted) for d, c in chart.by_department.items()}
    assert by_dept == {
        "Board": (2, 2, 0), "Engineering": (5, 5, 1), "Executive": (1, 1, 1),
        UNPLACED: (1, 1, 0), "Sales": (3, 2, 1)}
    assert chart.departments == ["Board", "Engineering", "Executive", "Sales"]

    page = logged_in.get(f"/companies/{acme['company']}/org-chart").get_data(as_text=True)
    assert re.search(r"<strong>11/12</strong> boxes named <span class=\"muted\">\(92%\)", page)
    assert re.search(r"<strong>3/11</strong> named people contacted <span class=\"muted\">"
                     r"\(27%\)", page)
    assert '<tr><td>Sales</td><td class="num">2/3</td><td class="num">1/2</td></tr>' in page


def test_an_empty_company_has_an_empty_chart(app, logged_in):
    company = factories.CompanyFactory(name="Empty Inc")
    response = logged_in.get(f"/companies/{company.id}/org-chart")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No one on the chart yet." in page
    assert "<strong>0/0</strong> boxes named" in page


def test_an_unknown_company_is_a_404(app, logged_in):
    assert logged_in.get("/companies/999999/org-chart").status_code == 404
    assert logged_in.get("/companies/999999/org-chart.csv").status_code == 404


# CSV


def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def tree_parents(chart):
    """Each live person's manager *on the chart* (None for roots and the unplaced)."""
    parents = {}
    for node in chart_nodes(chart):
        parents.setdefault(node.person.id, None)
        for child in node.reports:
            parents[child.person.id] = node.person
    return parents


def test_the_csv_has_one_row_per_live_person_with_the_chart_manager(acme, db, logged_in):
    logged_in.post(f"/people/{acme['director']}/left", data={"left": "1"})
    rows = read_csv(logged_in.get(f"/companies/{acme['company']}/org-chart.csv"))
    chart = chart_of(db, acme["company"])
    nodes = list(chart_nodes(chart))
    assert [int(row["id"]) for row in rows] == [node.person.id for node in nodes]
    assert len(rows) == 11 and str(acme["director"]) not in {row["id"] for row in rows}
    parents = tree_parents(chart)
    for row, node in zip(rows, nodes, strict=True):
        manager = parents[node.person.id]
        assert row["manager_id"] == (str(manager.id) if manager else ""), row
        assert row["manager_name"] == (manager.display_name if manager else ""), row
        assert row["depth"] == str(node.depth)
        assert row["placeholder"] == ("yes" if node.person.placeholder else "no")
        assert row["status"] == node.person.status.value
    box = next(row for row in rows if row["id"] == str(acme["box"]))
    assert (box["full_name"], box["title"]) == ("", "Director of Sales EMEA")
    manny = next(row for row in rows if row["id"] == str(acme["manager"]))
    assert manny["manager_name"] == "Victor Eng"  # Dora left: the chart shows him under Victor


def test_csv_cells_that_look_like_formulas_are_neutralised(app, db, logged_in):
    company = factories.CompanyFactory(name="=Evil Corp")
    boss = factories.PersonFactory(company=company, full_name="=HYPERLINK(\"http://x\")",
                                   title="+CEO", department="@Ops")
    factories.PersonFactory(company=company, full_name="Plain Person", title="-1+2",
                            reports_to=boss, email="plain@example.com")
    response = logged_in.get(f"/companies/{company.id}/org-chart.csv")
    rows = read_csv(response)
    assert rows[0]["full_name"] == "'=HYPERLINK(\"http://x\")"
    assert (rows[0]["title"], rows[0]["department"]) == ("'+CEO", "'@Ops")
    assert rows[1]["title"] == "'-1+2"
    assert rows[1]["manager_name"] == "'=HYPERLINK(\"http://x\")"
    assert rows[1]["email"] == "plain@example.com"
    assert "Evil" in response.headers["Content-Disposition"]


# The page: escaping, sign-in, print view, collapsed depths


def test_names_on_the_chart_are_escaped(app, db, logged_in):
    company = factories.CompanyFactory(name="<b>Bold</b> Co")
    boss = factories.PersonFactory(company=company, full_name="<script>alert(1)</script>",
                                   title="<img src=x onerror=alert(2)>", department="<i>R&D</i>")
    factories.PersonFactory(company=company, full_name="Ann Report", reports_to=boss)
    page = logged_in.get(f"/companies/{company.id}/org-chart").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<i>R&D" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Co" in page


def test_signed_out_visitors_are_sent_to_sign_in(acme, client):
    for url in (f"/companies/{acme['company']}/org-chart",
                f"/companies/{acme['company']}/org-chart.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url in (f"/people/{acme['dev']}/move", f"/people/{acme['dev']}/reports",
                f"/people/{acme['dev']}/left"):
        response = client.post(url, data={"reports_to_id": "", "full_name": "X", "left": "1"})
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def details_tags(page):
    """The page's own <details> (the header's phone menu is one too, outside <main>)."""
    return re.findall(r"<details[^>]*>", page.split('<main id="main">', 1)[1])


def test_the_print_view_has_no_edit_actions_and_everything_open(acme, logged_in):
    page = logged_in.get(f"/companies/{acme['company']}/org-chart?print=1").get_data(
        as_text=True)
    tags = details_tags(page)
    # The coverage by department and the six boxes with reports: all open, so all printed.
    assert len(tags) == 7
    assert all(" open" in tag for tag in tags), tags
    for marker in ("chart-action", "draggable", "<dialog", "chart-tools", "org_chart.js",
                   "Print view"):
        assert marker not in page, marker
    assert "Devi Coder" in page  # the deepest level is there, and visible


def test_deep_levels_start_collapsed(acme, logged_in):
    page = logged_in.get(f"/companies/{acme['company']}/org-chart").get_data(as_text=True)
    opened = {}
    # The "N reports" toggle follows the box, before the next box starts.
    for match in re.finditer(r'<li id="person-(\d+)"[^>]*data-depth="(\d+)">'
                             r'(?:(?!<li ).)*?<details class="branch"( open)?', page):
        opened[int(match[1])] = (int(match[2]), bool(match[3]))
    assert opened == {
        acme["ceo"]: (0, True), acme["vp_eng"]: (1, True), acme["vp_sales"]: (1, True),
        acme["director"]: (2, False), acme["manager"]: (3, False), acme["chair"]: (0, True)}
    # Without JavaScript each box still links to the same edits as forms.
    assert f'href="/people/{acme["dev"]}/edit"' in page
    assert f'href="/people/new?company_id={acme["company"]}&amp;reports_to={acme["dev"]}"' in page
