"""Planning and applying a people import, one row at a time, the same way in a dry run.

Every decision (create, update, skip, error) is made from what is on file plus the rows read
before, never from this import's own writes, so a dry run's counts are what the real run does.
Reporting lines wait until every row is read: a manager may appear further down the file.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.companies.service import clean_company, default_country, find_company_by_name
from app.extensions import db
from app.imports.report import Report
from app.models import Company, Person, User
from app.models.person import person_name_key
from app.people.identity import capture_person
from app.people.reporting import CYCLE_MESSAGE, lock_reporting_lines, stored_tree
from app.people.service import clean_person, set_manager
from app.phones import split_extension
from app.validation import FieldErrors, clean_text

Ref = tuple[str, int]  # ("db", person id) or ("row", the row that adds the person)
BATCH = 500  # rows per transaction
# The fields a row is compared with, for people on file (the name is how they were found).
COMPARED = ("title", "department", "direct_phone", "extension", "mobile_phone", "email",
            "linkedin_url", "status", "notes")
PERSON_KEYS = ("full_name", "title", "department", "direct_phone", "extension",
               "mobile_phone", "email", "linkedin_url", "status", "notes")


@dataclass
class CompanyPeople:
    """One company's people as this import sees them: on file, plus rows read so far."""

    name: str
    company_id: int | None
    country: str
    by_name: dict[str, Ref] = field(default_factory=dict)
    by_email: dict[str, Ref] = field(default_factory=dict)
    by_phone: dict[str, Ref] = field(default_factory=dict)
    announced: bool = False  # a row already said the import adds this company
    stored: dict[int, tuple] = field(default_factory=dict)  # person id -> COMPARED values

    def add(self, ref: Ref, name_key: str | None, email: str | None, phones: list) -> None:
        if name_key:
            self.by_name.setdefault(name_key, ref)
        if email:
            self.by_email.setdefault(email.lower(), ref)
        for phone in phones:
            if phone:
                self.by_phone.setdefault(phone, ref)

    def match(self, values: dict[str, Any]) -> Ref | None:
        """The same person: by name, else email, else a phone."""
        if (key := person_name_key(values.get("full_name"))) and key in self.by_name:
            return self.by_name[key]
        if (email := values.get("email")) and email.lower() in self.by_email:
            return self.by_email[email.lower()]
        for phone in (values.get("direct_phone"), values.get("mobile_phone")):
            if phone and phone in self.by_phone:
                return self.by_phone[phone]
        return None

    def manager(self, text: str) -> Ref | None:
        """A manager named in the file: by email when it looks like one, else by name."""
        if "@" in text:
            return self.by_email.get(text.strip().lower())
        return self.by_name.get(person_name_key(text) or "")


def _load_company(name: str) -> CompanyPeople:
    company = find_company_by_name(name)
    if company is None:
        return CompanyPeople(name=name, company_id=None, country=default_country())
    people = CompanyPeople(name=company.name, company_id=company.id, country=company.country)
    # One query per company: who is on file, every way a row could name them, and the values
    # a row is compared with (no query per matched row).
    columns = [getattr(Person, key) for key in COMPARED]
    rows = db.session.execute(
        select(Person.id, Person.name_key, *columns).where(Person.company_id == company.id)
        .order_by(Person.namesake, Person.id))
    for pid, key, *stored in rows:
        compared = dict(zip(COMPARED, stored, strict=True))
        people.add(("db", pid), key, compared["email"],
                   [compared["direct_phone"], compared["mobile_phone"]])
        people.stored[pid] = tuple(stored)
    return people


def _raw(headers_mapping: list[str | None], cells: list[str]) -> dict[str, str]:
    raw: dict[str, str] = {}
    for index, key in enumerate(headers_mapping):
        if key and index < len(cells) and cells[index].strip():
            raw[key] = cells[index].strip()
    return raw


def _person_data(raw: dict[str, str]) -> dict[str, Any]:
    """The row's values in the shape the person service cleans (only the cells given)."""
    data: dict[str, Any] = {key: raw[key] for key in PERSON_KEYS if key in raw}
    if "full_name" not in data:
        data["full_name"] = " ".join(filter(None, (raw.get("first_name"), raw.get("last_name"))))
    if "extension" not in data and data.get("direct_phone"):
        data["direct_phone"], extension = split_extension(data["direct_phone"])
        if extension:
            data["extension"] = extension
    if "status" in data:  # "Do not call" as people write it -> do_not_call
        data["status"] = "_".join(data["status"].casefold().replace("-", " ").split())
    return data


class PeopleImport:
    """Reads rows, decides each one, and (unless a dry run) writes it."""

    def __init__(self, report: Report, dry_run: bool, author: User | None, job_id: int | None):
        self.report, self.dry_run, self.author, self.job_id = report, dry_run, author, job_id
        self.companies: dict[str, CompanyPeople] = {}
        self.touched: dict[Ref, int] = {}  # person -> the first row that matched or added them
        self.ids: dict[int, int] = {}  # row -> id of the person it added (real run)
        self.pending: list[tuple[int, CompanyPeople, Ref, str, str]] = []
        self.new_people: list[tuple[int, Person, dict[str, Any]]] = []

    def company(self, name: str) -> CompanyPeople:
        key = " ".join(name.casefold().split())
        if key not in self.companies:
            self.companies[key] = _load_company(name)
        return self.companies[key]

    def row(self, number: int, cells: list[str]) -> None:
        raw = _raw(self.report.mapping, cells)
        data = _person_data(raw)
        label = data.get("full_name") or "(no name)"
        errors = FieldErrors()
        company_name = clean_text(Company, "name", raw.get("company"), errors, "company",
                                  required=True)
        people = self.company(company_name) if company_name else None
        country = people.country if people else default_country()
        values = clean_person(data, Company(country=country), errors, partial=True)
        if errors:
            for key, message in errors.items():
                self.report.error(number, key, message)
            self.report.set(number, "error", label, next(iter(errors.values())))
            return
        assert people is not None
        label = f"{values['full_name']} at {people.name}"
        ref = people.match(values)
        if ref is not None and ref in self.touched:
            self.report.set(number, "skipped", label, f"Same person as row {self.touched[ref]}.")
            return
        if ref is None:
            ref = ("row", number)
            reason = ""
            if people.company_id is None and not people.announced:
                reason, people.announced = f"Adds the company {people.name}.", True
            self.report.set(number, "created", label, reason)
            self._create(number, people, values)
        else:
            stored = dict(zip(COMPARED, people.stored[ref[1]], strict=True))
            changes = self.report.update_or_skip(number, label, stored, values, "full_name")
            if changes and not self.dry_run:
                with db.session.no_autoflush:  # new people wait for save(); updates can too
                    person = db.session.get(Person, ref[1])
                for key, value in changes.items():
                    setattr(person, key, value)
        self.touched[ref] = number
        people.add(ref, person_name_key(values["full_name"]), values.get("email"),
                   [values.get("direct_phone"), values.get("mobile_phone")])
        if raw.get("reports_to"):
            self.pending.append((number, people, ref, raw["reports_to"], label))

    def _create(self, number: int, people: CompanyPeople, values: dict[str, Any]) -> None:
        if self.dry_run:
            return
        if people.company_id is None:
            errors = FieldErrors()
            company = Company(created_by=self.author, source_import_id=self.job_id,
                              **clean_company({"name": people.name}, errors))
            db.session.add(company)
            db.session.flush()
            people.company_id = company.id
        # Kept out of the session until save(): written a batch at a time.
        self.new_people.append((number, Person(
            company_id=people.company_id, created_by=self.author,
            source_import_id=self.job_id, **values), values))

    def save(self) -> None:
        """Write the batch of new people: one flush, in a SAVEPOINT.

        Names were checked against the company as read; if a colleague added one of them
        since, the unique index refuses the batch, and each person is then written on its own
        the way a call's capture is (a lost race links to the colleague's record).
        """
        batch, self.new_people = self.new_people, []
        if not batch:
            return
        db.session.flush()  # this batch's updates, outside the savepoint
        try:
            with db.session.begin_nested():
                db.session.add_all([person for _number, person, _values in batch])
                db.session.flush()
        except IntegrityError:
            for number, person, values in batch:
                company = db.session.get(Company, person.company_id)
                person, _new = capture_person(company, values, created_by=self.author,
                                              source_import_id=self.job_id)
                db.session.flush()
                self.ids[number] = person.id
            return
        for number, person, _values in batch:
            self.ids[number] = person.id

    def node(self, ref: Ref) -> Ref:
        """A person as the tree knows them: by id once written, else by the row adding them."""
        if ref[0] == "row" and ref[1] in self.ids:
            return ("db", self.ids[ref[1]])
        return ref

    def reporting_lines(self, commit: Callable[[], None]) -> None:
        """Second pass: managers named by name or email, cycles refused per row.

        Company by company (rows keep their file order within it): the company's reporting
        lines are locked, its tree read afresh under the lock, each line checked against it and
        written, and the transaction ends only between companies, so no check relies on a tree
        another writer changed meanwhile.
        """
        self.save()
        groups: dict[int, list[tuple[int, CompanyPeople, Ref, str, str]]] = {}
        for pending in self.pending:
            groups.setdefault(id(pending[1]), []).append(pending)
        since_commit = 0
        for rows in groups.values():
            people = rows[0][1]
            if not self.dry_run:
                lock_reporting_lines(people.company_id, forget_stale=False)
            tree = self._tree(people)
            loaded = {} if self.dry_run else {
                person.id: person for person in db.session.scalars(
                    select(Person).where(Person.company_id == people.company_id))}
            for number, _people, ref, text, label in rows:
                self._reporting_line(number, people, tree, loaded, ref, text, label)
            since_commit += len(rows)
            if since_commit >= BATCH:
                commit()
                since_commit = 0

    def _reporting_line(self, number: int, people: CompanyPeople, tree: dict[Ref, Ref | None],
                        loaded: dict[int, Person], ref: Ref, text: str, label: str) -> None:
        manager = people.manager(text)
        if manager is None:
            self.report.error(number, "reports_to",
                              f"No one called “{text}” at {people.name}, in this file or "
                              "on file.")
            return
        ref, manager = self.node(ref), self.node(manager)
        if tree.get(ref) == manager:
            return
        if reaches(tree, manager, ref):
            self.report.error(number, "reports_to", CYCLE_MESSAGE)
            return
        tree[ref] = manager
        if not self.dry_run:
            # Checked above against the tree read under the company's lock.
            set_manager(loaded[ref[1]], loaded[manager[1]], self.author, checked=True)
        if self.report.rows[number][0] == "skipped":
            self.report.set(number, "updated", label, f"New manager: {text}.")

    def _tree(self, people: CompanyPeople) -> dict[Ref, Ref | None]:
        """The company's reporting lines as stored now (call after the lock)."""
        stored = stored_tree(people.company_id) if people.company_id else {}
        return {("db", pid): (("db", mid) if mid else None) for pid, mid in stored.items()}


def reaches(tree: dict[Ref, Ref | None], start: Ref, target: Ref) -> bool:
    """Whether following managers up from start (itself included) reaches target.

    `chain_reaches` asks the database the same question; an import asks it of the tree it
    holds in memory (stored lines plus the file's), once per row.
    """
    seen: set[Ref] = set()
    node: Ref | None = start
    while node is not None and node not in seen:
        if node == target:
            return True
        seen.add(node)
        node = tree.get(node)
    return False
