"""The team export reads one snapshot on PostgreSQL: rows committed while it streams stay out."""

import json

import pytest
from sqlalchemy import insert

from app.auth.service import issue_token
from app.extensions import db
from app.models import Company, Person
from tests import factories
from tests.conftest import TEST_DATABASE_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgresql"),
                       reason="snapshot isolation across connections needs PostgreSQL"),
]


def test_people_added_while_the_export_streams_are_not_half_in_it(client, admin):
    company = factories.CompanyFactory(name="Before")
    factories.PersonFactory(company=company, full_name="Ann Before")
    headers = {"Authorization": f"Bearer {issue_token(admin)}"}
    response = client.get("/api/v1/export?format=json", headers=headers, buffered=False)
    assert response.status_code == 200
    # Another recruiter adds a company and a person after the export was asked for.
    with db.engine.connect() as other:
        new_id = other.execute(insert(Company).values(name="After", country="US")
                               .returning(Company.id)).scalar_one()
        other.execute(insert(Person).values(company_id=new_id, full_name="Bo After",
                                            name_key="bo after"))
        other.commit()
    data = json.loads(b"".join(response.iter_encoded()))
    response.close()
    assert [c["name"] for c in data["companies"]] == ["Before"]
    assert [p["full_name"] for p in data["people"]] == ["Ann Before"]
