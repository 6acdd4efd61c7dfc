"""The call-log form: one submit writes the call and every name, or nothing at all."""

from sqlalchemy import func, select

from app.models import Call, Company, Person, PersonStatus
from tests import factories


def _form(company, **extra):
    data = {"company_id": str(company.id), "outcome": "gatekeeper", "to_number": "212-555-0100",
            "notes": "Spoke to Melinda at reception.", "duration": "4:35"}
    data.update(extra)
    return data


def _row(i, **fields):
    return {f"people-{i}-{k}": v for k, v in fields.items()}


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_logging_a_call_with_five_names_writes_them_all_in_one_go(logged_in, db):
    company = factories.CompanyFactory(name="Acme")
    data = _form(company)
    names = ["Ann Boss", "Bob Second", "Cat Third", "Dan Fourth", "Eve Fifth"]
    for i, name in enumerate(names):
        data |= _row(i, full_name=name, title="Engineer", direct_phone=f"(212) 555-01{i + 10:02d}")
    data |= _row(1, reports_to="row:0") | _row(2, reports_to="row:1")
    response = logged_in.post("/calls/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    call = db.session.scalars(select(Call)).one()
    assert call.duration_seconds == 275 and call.to_number == "+12125550100"
    people = {p.full_name: p for p in call.people}
    assert set(people) == set(names)
    assert people["Bob Second"].reports_to is people["Ann Boss"]
    assert people["Cat Third"].reports_to is people["Bob Second"]
    assert people["Ann Boss"].direct_phone == "+12125550110"
    assert all(p.source_call_id == call.id for p in people.values())
    assert all(p.status == PersonStatus.UNCOVERED for p in people.values())


def test_a_bad_fourth_row_leaves_nothing_written_and_keeps_what_was_typed(logged_in, db):
    company = factories.CompanyFactory(name="Acme")
    data = _form(company, notes="Important notes <script>alert(1)</script>")
    for i, name in enumerate(["Ann Boss", "Bob Second", "Cat Third", "Dan Fourth", "Eve Fifth"]):
        data |= _row(i, full_name=name)
    data |= _row(3, direct_phone="555-01")
    response = logged_in.post("/calls/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is not a valid number" in page
    assert "Eve Fifth" in page and "555-01" in page
    assert "Important notes &lt;script&gt;" in page and "<script>alert(1)" not in page
    assert _count(db, Call) == 0 and _count(db, Person) == 0


def test_a_name_already_on_file_is_offered_instead_of_duplicated(logged_in, db):
    existing = factories.PersonFactory(full_name="Jane Doe", title="VP Engineering")
    data = _form(existing.company) | _row(0, full_name="jane  doe", title="VP Eng")
    response = logged_in.post("/calls/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "already on file" in page and f'value="existing:{existing.id}"' in page
    data |= _row(0, resolve=f"existing:{existing.id}")
    response = logged_in.post("/calls/new", data=data)
    assert response.status_code == 302
    call = db.session.scalars(select(Call)).one()
    assert call.people == [existing]
    assert _count(db, Person) == 1


def test_a_new_company_and_gatekeeper_are_created_with_the_call(logged_in, db):
    data = {"new_company_name": "Globex", "new_company_phone": "+44 20 7946 0018",
            "outcome": "gatekeeper", "answered_by": "new", "gatekeeper_name": "Melinda Gate",
            "gatekeeper_title": "Receptionist"}
    response = logged_in.post("/calls/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    company = db.session.scalars(select(Company)).one()
    assert company.main_phone == "+442079460018"
    call = db.session.scalars(select(Call)).one()
    assert call.answered_by.full_name == "Melinda Gate"
    assert call.answered_by.role.value == "gatekeeper"


def test_reports_to_a_person_at_another_company_is_refused(logged_in, db):
    other = factories.PersonFactory(full_name="Outsider")
    company = factories.CompanyFactory(name="Acme")
    data = _form(company) | _row(0, full_name="Inside Person", reports_to=str(other.id))
    response = logged_in.post("/calls/new", data=data)
    assert response.status_code == 422
    assert "works at another company" in response.get_data(as_text=True)
    assert _count(db, Call) == 0


def test_rows_reporting_to_each_other_are_refused_as_a_cycle(logged_in, db):
    company = factories.CompanyFactory(name="Acme")
    data = _form(company) | _row(0, full_name="A", reports_to="row:1") | _row(
        1, full_name="B", reports_to="row:0")
    response = logged_in.post("/calls/new", data=data)
    assert response.status_code == 422
    assert "reporting cycle" in response.get_data(as_text=True)
    assert _count(db, Person) == 0


def test_a_row_number_in_other_digits_is_ignored_not_a_500(logged_in, db):
    company = factories.CompanyFactory(name="Acme")
    for key in ("people-²-full_name", "people-1²-title"):
        response = logged_in.post("/calls/new", data=_form(company) | {key: "Ann Boss"})
        assert response.status_code == 302, response.get_data(as_text=True)
    assert _count(db, Call) == 2 and _count(db, Person) == 0


def test_more_names_than_a_call_takes_are_refused_not_silently_cut(logged_in, db):
    company = factories.CompanyFactory(name="Acme")
    data = _form(company)
    for i in range(60):
        data |= _row(i, full_name=f"Person Number{i}")
    response = logged_in.post("/calls/new", data=data)
    assert response.status_code == 422
    assert "At most 50 names per call." in response.get_data(as_text=True)
    assert _count(db, Call) == 0 and _count(db, Person) == 0
