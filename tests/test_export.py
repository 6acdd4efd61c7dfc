"""Export everything (ZIP of CSVs, JSON) and the subject access export of one person."""

import csv
import io
import json
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from app.auth.service import issue_token
from app.exports.team import stream_zip
from app.extensions import db as _db
from app.models import Call, Outcome, Person, ReportingLink, Touchpoint, TouchpointKind
from tests import factories
from tests.test_api import Api

FILES = ["companies.csv", "people.csv", "reporting_links.csv", "calls.csv", "touchpoints.csv"]
WHEN = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def team(app, admin, user):
    """Two companies: a call that uncovered a gatekeeper and a VP, who reports to the CEO."""
    acme = factories.CompanyFactory(name="Acme", domain="acme.example", main_phone="+12125550100")
    factories.CompanyFactory(name="=HYPERLINK(\"http://x\")", domain="evil.example")
    ceo = factories.PersonFactory(company=acme, full_name="Ada Chief", title="CEO")
    call = factories.CallFactory(user=user, company=acme, outcome=Outcome.REFERRAL,
                                 started_at=WHEN, notes="Gatekeeper Mel gave us the VP",
                                 follow_up_at=WHEN + timedelta(days=2),
                                 follow_up_note="Ask for Zoë directly")
    mel = factories.PersonFactory(company=acme, full_name="Mel Front", title="Receptionist",
                                  source_call=call, created_by=user)
    zoe = factories.PersonFactory(company=acme, full_name="Zoë Ångström", title="VP Eng",
                                  reports_to=ceo, source_call=call, created_by=user,
                                  direct_phone="+12125550123", email="zoe@acme.example")
    call.answered_by, call.people = mel, [mel, zoe]
    _db.session.add_all([
        ReportingLink(person=zoe, manager=ceo, source_call=call, told_by=mel,
                      reported_by=user, reported_at=WHEN),
        Touchpoint(person=zoe, user=user, kind=TouchpointKind.EMAIL, happened_at=WHEN,
                   note="-sent the JD"),
    ])
    _db.session.commit()
    return {"acme": acme, "ceo": ceo, "mel": mel, "zoe": zoe, "call": call}


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_the_zip_holds_every_row_with_reporting_lines_and_provenance(client, admin, team):
    response = Api(client, issue_token(admin)).get("/api/v1/export", format="zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist() == FILES
    companies = _rows(archive, "companies.csv")
    assert [c["name"] for c in companies] == ["Acme", "'=HYPERLINK(\"http://x\")"]
    people = {int(p["id"]): p for p in _rows(archive, "people.csv")}
    assert set(people) == {p.id for p in _db.session.query(Person)}
    zoe, call = people[team["zoe"].id], team["call"]
    assert zoe["full_name"] == "Zoë Ångström"
    assert zoe["reports_to_id"] == str(team["ceo"].id)
    assert (zoe["source_call_id"], zoe["created_by_id"]) == (str(call.id), str(call.user_id))
    assert zoe["direct_phone"] == "'+12125550123"  # spreadsheet-safe, like every CSV here
    [link] = _rows(archive, "reporting_links.csv")
    assert (link["person_id"], link["manager_id"], link["told_by_id"], link["source_call_id"]) == (
        str(team["zoe"].id), str(team["ceo"].id), str(team["mel"].id), str(call.id))
    [row] = _rows(archive, "calls.csv")
    assert row["follow_up_note"] == "Ask for Zoë directly"
    assert row["follow_up_at"] == (WHEN + timedelta(days=2)).isoformat()
    assert row["people_ids"] == f"{team['mel'].id} {team['zoe'].id}"
    assert row["answered_by_id"] == str(team["mel"].id)
    [touch] = _rows(archive, "touchpoints.csv")
    assert (touch["kind"], touch["note"]) == ("email", "'-sent the JD")


def test_the_json_export_round_trips_exact_values(client, admin, team):
    response = Api(client, issue_token(admin)).get("/api/v1/export", format="json")
    assert response.mimetype == "application/json"
    data = json.loads(response.data)
    assert [len(data[k]) for k in ("companies", "people", "reporting_links", "calls",
                                   "touchpoints")] == [2, 3, 1, 1, 1]
    zoe = next(p for p in data["people"] if p["id"] == team["zoe"].id)
    assert zoe["direct_phone"] == "+12125550123" and zoe["source_call_id"] == team["call"].id
    assert data["calls"][0]["people_ids"] == [team["mel"].id, team["zoe"].id]
    assert data["companies"][1]["name"].startswith("=HYPERLINK")


def test_only_admins_export_everything(client, user, admin, team, logged_in):
    refused = Api(client, issue_token(user)).get("/api/v1/export")
    assert refused.status_code == 403 and refused.get_json()["error"]
    assert Api(client, issue_token(user)).get("/api/v1/export", format="xml").status_code == 422
    assert logged_in.get("/admin/export.zip").status_code == 403
    assert "export-zip" not in logged_in.get("/").get_data(as_text=True)


def test_an_admin_downloads_from_the_admin_page(client, admin, team):
    client.post("/login", data={"email": admin.email, "password": "correct-horse-battery"})
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/export.zip"' in page and 'href="/admin/export.json"' in page
    response = client.get("/admin/export.zip")
    assert zipfile.ZipFile(io.BytesIO(response.data)).namelist() == FILES
    assert json.loads(client.get("/admin/export.json").data)["people"]


def test_the_subject_export_says_where_each_fact_came_from(client, user, team):
    zoe, call = team["zoe"], team["call"]
    body = Api(client, issue_token(user)).get(f"/api/v1/people/{zoe.id}/export").get_json()
    assert body["person"]["full_name"] == "Zoë Ångström"
    assert body["provenance"]["uncovered_by_call"]["id"] == call.id
    assert body["provenance"]["added_by"]["email"] == user.email
    [reported] = body["reporting_lines"]["reported"]
    assert reported["manager"]["id"] == team["ceo"].id
    assert reported["told_by"]["name"] == "Mel Front"
    assert reported["from_call"]["logged_by"]["email"] == user.email
    [on_call] = body["calls"]
    assert on_call["id"] == call.id and on_call["their_part"] == ["uncovered"]
    assert body["touchpoints"][0]["note"] == "-sent the JD"
    mel = Api(client, issue_token(user)).get(f"/api/v1/people/{team['mel'].id}/export").get_json()
    assert mel["calls"][0]["their_part"] == ["answered", "uncovered"]
    assert mel["reporting_lines"]["told_us"][0]["person"]["id"] == zoe.id


def test_the_subject_export_sits_beside_erase(client, admin, team):
    client.post("/login", data={"email": admin.email, "password": "correct-horse-battery"})
    zoe = team["zoe"]
    page = client.get(f"/people/{zoe.id}").get_data(as_text=True)
    erase = page.index('id="erase"')
    assert page.index(f'href="/people/{zoe.id}/export.json"') > erase
    response = client.get(f"/people/{zoe.id}/export.json")
    assert "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.data)["person"]["id"] == zoe.id


def _peak_of_export(size: int) -> tuple[int, int]:
    """(peak bytes traced, bytes of ZIP) while streaming the whole export in batches of size."""
    tracemalloc.start()
    total = sum(len(chunk) for chunk in stream_zip(size))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, total


def test_memory_stays_flat_as_the_data_grows(app, user):
    """The export streams: four times the rows must not need four times the memory."""
    company = factories.CompanyFactory()

    def add(n: int) -> None:
        _db.session.add_all(Person(company=company, full_name=f"Someone Number{i}-{n}",
                                   notes="x" * 200) for i in range(n))
        _db.session.add_all(Call(user=user, company=company, outcome=Outcome.VOICEMAIL,
                                 notes="y" * 200) for _ in range(n))
        _db.session.commit()

    add(1000)
    _peak_of_export(100)  # warm caches (compiled statements) before measuring
    small, small_bytes = _peak_of_export(100)
    add(3000)
    big, big_bytes = _peak_of_export(100)
    assert big_bytes > 3 * small_bytes
    assert big < small * 1.5, (small, big)
