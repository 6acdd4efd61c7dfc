"""CSV import: messy real-world files, matching records on file, reporting lines, dry runs."""

from sqlalchemy import func, select

from app.extensions import db
from app.imports.columns import guess_mapping
from app.models import Company, Person, ReportingLink
from app.people.reporting import CYCLE_MESSAGE
from tests import factories
from tests.import_helpers import counts, run_csv

# A BOM, semicolons, a quoted line break and separator, a repeated row, an unknown manager, a
# manager further down the file, a cycle within the file, a bad phone, a phone with extension.
MESSY = (
    "\ufeffCompany;First name;Last name;Job title;Direct dial;E-mail;Manager\r\n"
    "Acme;Ann;Boss;CEO;+1 212 555 0100;ann@acme.example;\r\n"
    "Acme;Bob;Sub;CTO;212-555-0101 x12;bob@acme.example;ann@acme.example\r\n"
    "Acme;Bob;Sub;CTO;212-555-0101 x12;bob@acme.example;ann@acme.example\r\n"
    "Acme;Cy;Loop;VP;not a number;cy@acme.example;Ann Boss\r\n"
    "Acme;Dee;Ghost;Director;;dee@acme.example;Nobody Known\r\n"
    "\"Beta; Inc\";\"Eve\nMarie\";Early;Head of Ops;;;Fay Late\r\n"
    "\"Beta; Inc\";Fay;Late;COO;;fay@beta.example;Eve Marie Early\r\n"
)


def test_a_messy_file_is_read_with_every_problem_on_its_row_and_column(app, user):
    result = run_csv(MESSY, author=user)
    assert counts(result) == (5, 0, 1, 3)
    errors = {(e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert "not a phone number" in errors[(4, "Direct dial")]
    assert "Nobody Known" in errors[(5, "Manager")]
    assert errors[(7, "Manager")] == CYCLE_MESSAGE
    rows = {row: (action, reason) for row, action, _label, reason in result["rows"]}
    assert rows[3] == ("skipped", "Same person as row 2.")
    assert rows[4][0] == "error"
    bob = db.session.scalars(select(Person).where(Person.full_name == "Bob Sub")).one()
    assert (bob.direct_phone, bob.extension, bob.reports_to.full_name) == (
        "+12125550101", "12", "Ann Boss")
    eve = db.session.scalars(select(Person).where(Person.name_key == "eve marie early")).one()
    assert eve.company.name == "Beta; Inc" and eve.reports_to.full_name == "Fay Late"
    fay = db.session.scalars(select(Person).where(Person.full_name == "Fay Late")).one()
    assert fay.reports_to is None  # the second half of the cycle was refused
    assert bob.source_import_id is None  # no job: run directly in the test
    assert db.session.scalar(select(func.count(ReportingLink.id))) == 2


def test_the_dry_run_writes_nothing_and_counts_what_the_import_then_does(app, user):
    dry = run_csv(MESSY, dry_run=True, author=user)
    assert db.session.scalar(select(func.count(Person.id))) == 0
    assert db.session.scalar(select(func.count(Company.id))) == 0
    real = run_csv(MESSY, author=user)
    assert counts(dry) == counts(real)
    assert dry["errors"] == real["errors"]
    assert [r[:2] for r in dry["rows"]] == [r[:2] for r in real["rows"]]


def test_importing_the_same_file_again_changes_nothing(app, user):
    run_csv(MESSY, author=user)
    people = db.session.scalar(select(func.count(Person.id)))
    again = run_csv(MESSY, author=user)
    assert again["created"] == 0 and again["updated"] == 0
    assert db.session.scalar(select(func.count(Person.id))) == people


def test_rows_match_people_on_file_by_name_email_or_phone_instead_of_duplicating(app, user):
    acme = factories.CompanyFactory(name="Acme")
    factories.PersonFactory(company=acme, full_name="Émile Zola", title=None)
    factories.PersonFactory(company=acme, full_name="Jo Mail", email="jo@acme.example")
    factories.PersonFactory(company=acme, full_name="Pat Phone", direct_phone="+12125550199")
    text = ("Company,Name,Title,Email,Phone\n"
            "ACME,  émile   ZOLA ,Writer,,\n"            # name: case, accents, spaces
            "acme,Josephine Mail,Boss,jo@acme.example,\n"  # email
            "Acme,P. Phone,,,(212) 555-0199\n")             # phone, nothing new
    result = run_csv(text, author=user)
    assert counts(result) == (0, 2, 1, 0)
    assert db.session.scalar(select(func.count(Person.id))) == 3
    assert db.session.scalars(select(Person.title).where(Person.full_name == "Émile Zola")).one(
        ) == "Writer"


def test_a_manager_change_that_closes_a_loop_with_the_tree_on_file_is_refused(app, user):
    acme = factories.CompanyFactory(name="Acme")
    boss = factories.PersonFactory(company=acme, full_name="Big Boss")
    factories.PersonFactory(company=acme, full_name="Little One", reports_to=boss)
    result = run_csv("Company,Name,Reports to\nAcme,Big Boss,Little One\n", author=user)
    assert result["errors"] == [{"row": 1, "column": "Reports to", "message": CYCLE_MESSAGE}]
    assert db.session.get(type(boss), boss.id).reports_to_id is None


def test_a_new_manager_for_someone_on_file_counts_as_an_update(app, user):
    acme = factories.CompanyFactory(name="Acme")
    factories.PersonFactory(company=acme, full_name="Big Boss")
    factories.PersonFactory(company=acme, full_name="Little One")
    result = run_csv("Company,Name,Reports to\nAcme,Little One,Big Boss\n", author=user)
    assert counts(result) == (0, 1, 0, 0)


def test_excel_files_in_windows_1252_and_tabs_are_read(app, user):
    text = "Company\tName\tTitle\nCafé Ltd\tRenée Noël\tChef\n".encode("cp1252")
    result = run_csv(text, author=user)
    assert counts(result) == (1, 0, 0, 0)
    assert db.session.scalars(select(Person.full_name)).one() == "Renée Noël"


def test_a_row_without_company_or_name_is_an_error_on_that_column(app, user):
    result = run_csv("Company,Name\n,Ann\nAcme,\n", author=user)
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(1, "Company"), (2, "Name")]


def test_status_is_read_as_people_write_it(app, user):
    run_csv("Company,Name,Status\nAcme,Ann,Do not call\n", author=user)
    assert db.session.scalars(select(Person.status)).one().value == "do_not_call"


def test_common_headers_are_recognised(app):
    assert guess_mapping("people", ["Company name", "Full name", "Job title", "Mobile",
                                    "LinkedIn", "Reports to", "Whatever"]) == [
        "company", "full_name", "title", "mobile_phone", "linkedin_url", "reports_to", None]
    assert guess_mapping("companies", ["Company", "Website", "Phone"]) == [
        "name", "domain", "main_phone"]


def test_companies_import_matches_by_name_or_domain_and_skips_repeats(app, user):
    factories.CompanyFactory(name="Acme", domain="acme.example", industry=None)
    text = ("Company,Website,Phone,Industry\n"
            "acme,,,Rockets\n"
            "Other Name,https://www.acme.example/,,\n"
            "Newco,newco.example,+44 20 7946 0000,\n"
            "Newco,,,\n"
            "Badphone,,12,\n")
    dry = run_csv(text, kind="companies", dry_run=True, author=user)
    result = run_csv(text, kind="companies", author=user)
    assert counts(dry) == counts(result) == (1, 1, 2, 1)
    assert result["errors"][0]["column"] == "Phone"
    assert db.session.scalar(select(func.count(Company.id))) == 2
    assert db.session.scalars(select(Company.industry).where(Company.name == "Acme")).one() == (
        "Rockets")
