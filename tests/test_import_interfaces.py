"""The import's three doors: `flask import-csv`, the JSON API and the browser pages."""

import io

from flask.testing import EnvironBuilder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.auth.service import issue_token
from app.extensions import db
from app.jobs.runner import run_pending
from app.models import Company, Job, Person
from tests.import_helpers import counts, run_csv

PEOPLE = "Company,Name,Email,Reports to\nAcme,Ann Boss,ann@acme.example,\nAcme,Bob Sub,,Ann Boss\n"


def _file(tmp_path, text: str):
    path = tmp_path / "team.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_prints_the_summary_and_dry_run_matches_the_import(app, runner, user, tmp_path):
    path = _file(tmp_path, PEOPLE + "Acme,Cy,,Nobody\n")
    dry = runner.invoke(args=["import-csv", "--kind", "people", "--file", path, "--dry-run",
                              "--as", user.email])
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines()[0] == "created 3, updated 0, skipped 0, errors 1"
    assert "row 3, Reports to: No one called “Nobody”" in dry.output
    assert db.session.scalar(select(func.count(Person.id))) == 0
    real = runner.invoke(args=["import-csv", "--kind", "people", "--file", path, "--as",
                               user.email])
    assert real.exit_code == 0  # errors, but something was imported
    assert real.output.splitlines()[0] == dry.output.splitlines()[0]
    ann = db.session.scalars(select(Person).where(Person.full_name == "Ann Boss")).one()
    assert ann.source_import.provenance == "imported from team.csv by Rita Recruiter"


def test_cli_exits_non_zero_when_errors_left_nothing_to_import(app, runner, tmp_path):
    path = _file(tmp_path, "Company,Name,Phone\nAcme,Ann,nonsense\n")
    real = runner.invoke(args=["import-csv", "--kind", "people", "--file", path])
    assert real.exit_code == 1 and real.output.startswith("created 0, updated 0, skipped 0, "
                                                          "errors 1")
    dry = runner.invoke(args=["import-csv", "--kind", "people", "--file", path, "--dry-run"])
    assert dry.exit_code == 0


def test_cli_refuses_a_file_without_the_needed_columns(app, runner, tmp_path):
    result = runner.invoke(args=["import-csv", "--kind", "people", "--file",
                                 _file(tmp_path, "Name\nAnn\n")])
    assert result.exit_code == 1 and "No column is mapped to Company" in result.output


def _post(client, token, data):
    return client.post("/api/v1/imports", data=data, content_type="multipart/form-data",
                       headers={"Authorization": f"Bearer {token}"})


def test_api_queues_the_import_and_reports_it_once_a_runner_ran_it(app, client, user):
    token = issue_token(user)
    response = _post(client, token, {"kind": "people", "dry_run": "true",
                                     "file": (io.BytesIO(PEOPLE.encode()), "team.csv")})
    assert response.status_code == 202
    assert response.json["status"] == "queued"
    url = response.headers["Location"]
    assert run_pending() == 1
    body = client.get(url, headers={"Authorization": f"Bearer {token}"}).json
    assert body == {"id": response.json["id"], "status": "done", "dry_run": True,
                    "processed": 2, "total": 2, "created": 2, "updated": 0, "skipped": 0,
                    "errors": []}
    assert db.session.scalar(select(func.count(Person.id))) == 0


def test_api_refuses_what_cannot_be_imported_with_422(app, client, user):
    token = issue_token(user)
    empty = _post(client, token, {"kind": "people", "file": (io.BytesIO(b""), "e.csv")})
    assert empty.status_code == 422 and "file" in empty.json["fields"]
    kind = _post(client, token, {"kind": "cats", "file": (io.BytesIO(b"a\n1\n"), "e.csv")})
    assert kind.status_code == 422 and "kind" in kind.json["fields"]
    flag = _post(client, token, {"kind": "people", "dry_run": "maybe",
                                 "file": (io.BytesIO(PEOPLE.encode()), "e.csv")})
    assert flag.status_code == 422
    assert client.get("/api/v1/imports/999",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 404
    assert client.get("/api/v1/imports/1").status_code == 401
    assert db.session.scalar(select(func.count(Job.id))) == 0


def test_api_takes_files_larger_than_other_bodies(app, client, user):
    token = issue_token(user)
    rows = "".join(f"Acme,Person {i},{'x' * 40}\n" for i in range(60_000))  # ~3.5 MB
    builder = EnvironBuilder(app=app, path="/api/v1/imports", method="POST", data={
        "kind": "people", "dry_run": "true",
        "file": (io.BytesIO(("Company,Name,Notes\n" + rows).encode()), "big.csv")},
        headers={"Authorization": f"Bearer {token}"})
    environ = builder.get_environ()
    try:  # the test client spools a body this big to a temporary file: closed here
        response = client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert response.status_code == 202


def test_browser_flow_upload_map_dry_run_confirm_and_report(app, logged_in):
    client = logged_in
    page = client.post("/imports", data={"kind": "people", "file": (
        io.BytesIO(b"Org;Person;Boss\nAcme;Ann Boss;\nAcme;Bob Sub;Ann Boss\n"), "t.csv")},
        content_type="multipart/form-data")
    assert page.status_code == 302
    mapping = client.get(page.headers["Location"])
    assert b"Don&#39;t import" in mapping.data or b"Don't import" in mapping.data
    file_id = page.headers["Location"].split("/")[-1].split("?")[0]
    refused = client.post(f"/imports/files/{file_id}",
                          data={"kind": "people", "col-1": "full_name"})
    assert refused.status_code == 422 and b"No column is mapped to Company" in refused.data
    queued = client.post(f"/imports/files/{file_id}", data={
        "kind": "people", "col-0": "company", "col-1": "full_name", "col-2": "reports_to"})
    detail_url = queued.headers["Location"]
    waiting = client.get(detail_url)
    assert b"import-progress" in waiting.data and b"check again" in waiting.data
    run_pending()
    report = client.get(detail_url)
    assert b"2 created, 0 updated, 0 skipped, 0 errors" in report.data
    assert db.session.scalar(select(func.count(Person.id))) == 0
    job_id = detail_url.rstrip("/").split("/")[-1]
    confirmed = client.post(f"/imports/{job_id}/confirm")
    run_pending()
    final = client.get(confirmed.headers["Location"])
    assert b"Done: 2 created" in final.data
    bob = db.session.scalars(select(Person).where(Person.full_name == "Bob Sub")).one()
    assert bob.reports_to.full_name == "Ann Boss"
    assert b"imported from t.csv by Rita Recruiter" in client.get(f"/people/{bob.id}").data
    again = client.post(f"/imports/{job_id}/confirm", follow_redirects=True)
    assert b"cannot be imported" in again.data


NAMES = st.sampled_from(["Ann Boss", "ann boss", "Bob Sub", "Cy Loop", "Dee", "Eve", ""])
ROWS = st.lists(st.tuples(
    st.sampled_from(["Acme", "acme ", "Beta"]), NAMES,
    st.sampled_from(["", "ann@x.example", "bob@x.example"]),
    st.sampled_from(["", "212 555 0100", "bad", "+44 20 7946 0000"]),
    st.sampled_from(["", "Ann Boss", "Bob Sub", "Cy Loop", "bob@x.example", "Zed"]),
), max_size=12)
_ROUND = iter(range(10**6))


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, on_file=st.booleans())
def test_a_dry_run_counts_exactly_what_the_import_then_does(app, user, rows, on_file):
    """Over generated files (repeats, cycles, unknown managers, bad phones), on a fresh company
    or one the previous example filled."""
    suffix = "" if on_file else f" {next(_ROUND)}"
    text = "Company,Name,Email,Phone,Manager\n" + "".join(
        f"{company}{suffix},{name},{email},{phone},{manager}\n"
        for company, name, email, phone, manager in rows)
    dry = run_csv(text, dry_run=True, author=user)
    people = db.session.scalar(select(func.count(Person.id)))
    companies = db.session.scalar(select(func.count(Company.id)))
    real = run_csv(text, author=user)
    assert counts(dry) == counts(real)
    assert dry["errors"] == real["errors"]
    assert db.session.scalar(select(func.count(Person.id))) == people + real["created"]
    assert companies <= db.session.scalar(select(func.count(Company.id)))
