"""factory_boy factories writing through the app's session (flushed, not committed)."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.extensions import db
from app.models import Call, Company, Outcome, Person, Role, User


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    role = Role.RECRUITER
    timezone = "America/New_York"
    password_hash = factory.LazyFunction(
        lambda: __import__("werkzeug.security").security.generate_password_hash(
            "correct-horse-battery", method="pbkdf2:sha256:1000")
    )


class CompanyFactory(Base):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Acme {n} Corp")
    domain = factory.Sequence(lambda n: f"acme{n}.example")
    main_phone = "+12125550100"
    country = "US"
    timezone = "America/New_York"


class PersonFactory(Base):
    class Meta:
        model = Person

    company = factory.SubFactory(CompanyFactory)
    full_name = factory.Sequence(lambda n: f"Person Number{n}")
    title = "Engineer"


class CallFactory(Base):
    class Meta:
        model = Call

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    outcome = Outcome.GATEKEEPER
