"""The org chart through the JSON API: the tree contract, empty boxes, refusals, provenance."""

import json

import pytest
from sqlalchemy import func, select

from app.auth.service import issue_token
from app.companies.export import STREAM_CHUNK
from app.companies.orgchart import build_org_chart, chart_nodes
from app.models import Company, Person, ReportingLink
from tests import factories

NODE_KEYS = {"id", "full_name", "title", "department", "status", "placeholder", "reports"}


class Api:
    """JSON requests with the default recruiter's bearer token."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url: str):
        return self.client.get(url, headers=self.headers)

    def post(self, url: str, body):
        return self.client.post(url, json=body, headers=self.headers)

    def patch(self, url: str, body):
        return self.client.patch(url, json=body, headers=self.headers)


@pytest.fixture
def api(client, user):
    return Api(client, issue_token(user))


@pytest.fixture
def acme(app):
    """CEO → VP → Director → Engineer, a second root with a report, and a loner. Ids by key."""
    company = factories.CompanyFactory(name="Acme")

    def add(name, manager=None, **fields):
        return factories.PersonFactory(company=company, full_name=name, reports_to=manager,
                                       **fields)

    ceo = add("Carla Chief", title="CEO", department="Executive")
    vp = add("Victor Eng", ceo, title="VP Engineering", department="Engineering")
    director = add("Dora Platform", vp, title="Director", department="Engineering")
    engineer = add("Devi Coder", director, title="Engineer", department="Engineering")
    chair = add("Bart Board", title="Chair", department="Board")
    secretary = add("Sid Secretary", chair, title="Secretary", department="Board")
    loner = add("Lena Loner", title="SRE", department="Engineering")
    outsider = factories.PersonFactory(full_name="Otto Outside")
    return {key: p.id for key, p in locals().items() if isinstance(p, Person)} | {
        "company": company.id}


def chart_json(api, company_id):
    response = api.get(f"/api/v1/companies/{company_id}/org-chart")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def walk(nodes, parent=None):
    """(node, parent id) for every node of a JSON tree, depth first."""
    for node in nodes:
        yield node, parent
        yield from walk(node["reports"], node["id"])


def snapshot(db, company_id):
    db.session.expire_all()
    people = db.session.scalars(select(Person).where(Person.company_id == company_id)).all()
    links = db.session.scalar(select(func.count(ReportingLink.id)))
    return {p.id: (p.reports_to_id, p.full_name, p.placeholder) for p in people}, links


# The tree as JSON


def test_the_org_chart_json_follows_the_contract(api, acme, db):
    body = chart_json(api, acme["company"])
    assert set(body) == {"company", "roots"}
    assert body["company"]["id"] == acme["company"] and body["company"]["name"] == "Acme"
    for node, _ in walk(body["roots"]):
        assert set(node) == NODE_KEYS, node
        assert isinstance(node["reports"], list) and isinstance(node["placeholder"], bool)
    ceo = body["roots"][0]
    assert ceo == {
        "id": acme["ceo"], "full_name": "Carla Chief", "title": "CEO", "department": "Executive",
        "status": "uncovered", "placeholder": False, "reports": [{
            "id": acme["vp"], "full_name": "Victor Eng", "title": "VP Engineering",
            "department": "Engineering", "status": "uncovered", "placeholder": False,
            "reports": [{
                "id": acme["director"], "full_name": "Dora Platform", "title": "Director",
                "department": "Engineering", "status": "uncovered", "placeholder": False,
                "reports": [{
                    "id": acme["engineer"], "full_name": "Devi Coder", "title": "Engineer",
                    "department": "Engineering", "status": "uncovered", "placeholder": False,
                    "reports": []}]}]}]}
    # People with no manager are roots: the two trees, then the loner.
    assert [root["id"] for root in body["roots"]] == [acme["ceo"], acme["chair"], acme["loner"]]


def test_the_json_tree_matches_the_chart_and_the_stored_managers(api, acme, db):
    body = chart_json(api, acme["company"])
    pairs = {node["id"]: parent for node, parent in walk(body["roots"])}
    db.session.expire_all()
    people = db.session.scalars(select(Person).where(Person.company_id == acme["company"])).all()
    assert pairs == {p.id: p.reports_to_id for p in people}
    chart = build_org_chart(db.session.get(Company, acme["company"]))
    assert sorted(pairs) == sorted(node.person.id for node in chart_nodes(chart))


def test_left_people_are_not_in_the_json_and_their_reports_move_up(api, acme, logged_in, db):
    logged_in.post(f"/people/{acme['vp']}/left", data={"left": "1"})
    pairs = {node["id"]: parent for node, parent in walk(chart_json(api, acme["company"])["roots"])}
    assert acme["vp"] not in pairs
    assert pairs[acme["director"]] == acme["ceo"]
    logged_in.post(f"/people/{acme['vp']}/left", data={"left": "0"})
    pairs = {node["id"]: parent for node, parent in walk(chart_json(api, acme["company"])["roots"])}
    assert pairs[acme["vp"]] == acme["ceo"] and pairs[acme["director"]] == acme["vp"]


def test_the_org_chart_api_needs_a_token(client, acme):
    url = f"/api/v1/companies/{acme['company']}/org-chart"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer sb_wrong"}).status_code == 401


def test_an_unknown_company_has_no_chart(api, app):
    assert api.get("/api/v1/companies/999999/org-chart").status_code == 404
    assert api.get("/api/v1/companies/99999999999999999999/org-chart").status_code == 404


# Empty boxes


def test_a_placeholder_is_created_and_filled_keeping_its_place(api, acme, db):
    response = api.post("/api/v1/people", {
        "company_id": acme["company"], "placeholder": True, "title": "VP Sales",
        "department": "Sales", "reports_to_id": acme["ceo"]})
    assert response.status_code == 201, response.get_json()
    box = response.get_json()
    assert (box["placeholder"], box["full_name"], box["title"]) == (True, None, "VP Sales")
    assert box["reports_to_id"] == acme["ceo"]
    # A rep is learned before the VP's name: it hangs under the empty box.
    rep = api.post("/api/v1/people", {"company_id": acme["company"], "full_name": "Rita Rep",
                                       "reports_to_id": box["id"]}).get_json()
    node = next(n for n, _ in walk(chart_json(api, acme["company"])["roots"])
                if n["id"] == box["id"])
    assert (node["placeholder"], node["full_name"]) == (True, None)
    assert [r["id"] for r in node["reports"]] == [rep["id"]]

    response = api.patch(f"/api/v1/people/{box['id']}", {"full_name": "Vince Sales"})
    assert response.status_code == 200, response.get_json()
    filled = response.get_json()
    assert (filled["id"], filled["full_name"], filled["placeholder"]) == (
        box["id"], "Vince Sales", False)
    assert (filled["reports_to_id"], filled["title"]) == (acme["ceo"], "VP Sales")
    pairs = {n["id"]: (parent, n["full_name"], n["placeholder"])
             for n, parent in walk(chart_json(api, acme["company"])["roots"])}
    assert pairs[box["id"]] == (acme["ceo"], "Vince Sales", False)
    assert pairs[rep["id"]][0] == box["id"]


def test_a_placeholder_needs_a_title_and_no_name(api, acme, db):
    response = api.post("/api/v1/people", {"company_id": acme["company"], "placeholder": True})
    assert response.status_code == 422
    assert "title" in response.get_json()["fields"]
    response = api.post("/api/v1/people", {"company_id": acme["company"], "placeholder": True,
                                           "title": "CFO", "full_name": "Fiona Finance"})
    assert response.status_code == 422 and "full_name" in response.get_json()["fields"]
    # A named person still needs a name when not a placeholder.
    response = api.post("/api/v1/people", {"company_id": acme["company"], "title": "CTO"})
    assert response.status_code == 422 and "full_name" in response.get_json()["fields"]


# Refusals


def test_a_cycle_through_the_api_is_refused_and_changes_nothing(api, acme, db):
    before = snapshot(db, acme["company"])
    response = api.patch(f"/api/v1/people/{acme['vp']}", {"reports_to_id": acme["engineer"]})
    assert response.status_code in (409, 422)
    body = response.get_json()
    assert body["message"] and "cycle" in body["fields"]["reports_to_id"]
    # Other fields in the same request are not saved either.
    response = api.patch(f"/api/v1/people/{acme['ceo']}",
                         {"reports_to_id": acme["director"], "title": "Changed"})
    assert response.status_code in (409, 422)
    response = api.patch(f"/api/v1/people/{acme['ceo']}", {"reports_to_id": acme["ceo"]})
    assert response.status_code in (409, 422)
    assert snapshot(db, acme["company"]) == before


def test_a_manager_at_another_company_is_refused_both_ways(api, acme, db):
    before = snapshot(db, acme["company"])
    response = api.patch(f"/api/v1/people/{acme['engineer']}",
                         {"reports_to_id": acme["outsider"]})
    assert response.status_code in (409, 422)
    assert "another company" in response.get_json()["fields"]["reports_to_id"]
    response = api.patch(f"/api/v1/people/{acme['outsider']}", {"reports_to_id": acme["ceo"]})
    assert response.status_code in (409, 422)
    response = api.post("/api/v1/people", {"company_id": acme["company"], "full_name": "New",
                                           "placeholder": False,
                                           "reports_to_id": acme["outsider"]})
    assert response.status_code == 422
    assert snapshot(db, acme["company"]) == before
    assert db.session.get(Person, acme["outsider"]).reports_to_id is None


def test_a_legal_move_through_the_api_moves_the_subtree(api, acme, db):
    response = api.patch(f"/api/v1/people/{acme['director']}", {"reports_to_id": acme["chair"]})
    assert response.status_code == 200
    pairs = {n["id"]: parent for n, parent in walk(chart_json(api, acme["company"])["roots"])}
    assert pairs[acme["director"]] == acme["chair"]
    assert pairs[acme["engineer"]] == acme["director"]


# Provenance


def log_call(api, company_id, answered_by, rows, started_at):
    response = api.post("/api/v1/calls", {
        "company_id": company_id, "outcome": "gatekeeper", "answered_by_id": answered_by,
        "started_at": started_at, "people": rows})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_call_records_where_a_reporting_link_came_from(api, acme, db, user):
    call = log_call(api, acme["company"], acme["secretary"], [
        {"id": acme["loner"], "reports_to": acme["director"]},
        {"full_name": "Nina New", "title": "Engineer", "reports_to": {"row": 0}},
    ], "2024-05-01T09:30:00-04:00")
    db.session.expire_all()
    links = db.session.scalars(select(ReportingLink).join(
        Person, ReportingLink.person_id == Person.id).where(
        Person.company_id == acme["company"], ReportingLink.source_call_id == call["id"])
        .order_by(ReportingLink.id)).all()
    nina = next(p["id"] for p in call["people"] if p["full_name"] == "Nina New")
    assert [(link.person_id, link.manager_id) for link in links] == [
        (acme["loner"], acme["director"]), (nina, acme["loner"])]
    for link in links:
        assert (link.told_by_id, link.reported_by_id) == (acme["secretary"], user.id)
        assert link.reported_at is not None


def test_a_conflicting_report_keeps_both_links_and_the_chart_shows_both(
        api, acme, db, logged_in):
    first = log_call(api, acme["company"], acme["secretary"],
                     [{"id": acme["loner"], "reports_to": acme["director"]}],
                     "2024-05-01T09:30:00-04:00")
    second = log_call(api, acme["company"], acme["ceo"],
                      [{"id": acme["loner"], "reports_to": acme["chair"]}],
                      "2024-05-03T11:00:00-04:00")
    db.session.expire_all()
    links = db.session.scalars(select(ReportingLink).where(
        ReportingLink.person_id == acme["loner"]).order_by(ReportingLink.id)).all()
    assert [(link.manager_id, link.source_call_id, link.told_by_id) for link in links] == [
        (acme["director"], first["id"], acme["secretary"]),
        (acme["chair"], second["id"], acme["ceo"])]
    assert db.session.get(Person, acme["loner"]).reports_to_id == acme["chair"]

    page = logged_in.get(f"/companies/{acme['company']}/org-chart").get_data(as_text=True)
    box = page[page.index(f'id="person-{acme["loner"]}"'):]
    box = box[:box.index("</li>")]
    assert "Also reported under Dora Platform (call of 01 May)" in box
    # The current manager is not listed as a conflict, and nobody else has one.
    assert "Also reported under Bart Board" not in page
    assert page.count("Also reported under") == 1
    # The API's tree follows the latest report.
    pairs = {n["id"]: parent for n, parent in walk(chart_json(api, acme["company"])["roots"])}
    assert pairs[acme["loner"]] == acme["chair"]


def test_a_move_by_hand_settles_earlier_disagreeing_reports(api, acme, db, logged_in):
    log_call(api, acme["company"], acme["secretary"],
             [{"id": acme["loner"], "reports_to": acme["director"]}], "2024-05-01T09:30:00-04:00")
    log_call(api, acme["company"], acme["ceo"],
             [{"id": acme["loner"], "reports_to": acme["chair"]}], "2024-05-03T11:00:00-04:00")
    moved = logged_in.post(f"/people/{acme['loner']}/move",
                           data={"reports_to_id": acme["director"]},
                           headers={"Accept": "application/json"})
    assert moved.status_code == 200
    page = logged_in.get(f"/companies/{acme['company']}/org-chart").get_data(as_text=True)
    assert "Also reported under" not in page


def test_the_org_chart_json_is_streamed_in_chunks_and_parses_whole(client, db, user):
    """A big chart goes out in pieces of about STREAM_CHUNK, not as one string."""
    company = factories.CompanyFactory(name="Bigco")
    ceo = factories.PersonFactory(company=company, full_name="Chief", title="CEO")
    for i in range(600):
        factories.PersonFactory(company=company, full_name=f"Person {i:04d}",
                                title="Engineer " + "x" * 100, reports_to=ceo)
    token = issue_token(user, "stream")
    response = client.get(f"/api/v1/companies/{company.id}/org-chart",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/json"
    chunks = list(response.response)
    assert len(chunks) >= 2 and all(len(c) < 2 * STREAM_CHUNK for c in chunks)
    body = json.loads(b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks))
    assert body["company"]["name"] == "Bigco"
    (root,) = body["roots"]
    assert root["full_name"] == "Chief" and len(root["reports"]) == 600
