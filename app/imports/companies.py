"""Planning and applying a companies import: matched by name or domain, never duplicated."""

from typing import Any

from sqlalchemy import select

from app.companies.service import clean_company, default_country, find_company_by_name
from app.extensions import db
from app.imports.report import Report
from app.models import Company, User
from app.validation import FieldErrors

COMPANY_KEYS = ("name", "domain", "main_phone", "country", "location", "timezone", "industry",
                "notes")


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


class CompaniesImport:
    def __init__(self, report: Report, dry_run: bool, author: User | None, job_id: int | None):
        self.report, self.dry_run, self.author, self.job_id = report, dry_run, author, job_id
        # Companies this file already named: by name and by domain -> (company id or None, row).
        self.by_name: dict[str, tuple[int | None, int]] = {}
        self.by_domain: dict[str, tuple[int | None, int]] = {}

    def row(self, number: int, cells: list[str]) -> None:
        data: dict[str, Any] = {}
        for index, key in enumerate(self.report.mapping):
            if key and index < len(cells) and cells[index].strip():
                data[key] = cells[index].strip()
        data.setdefault("name", "")
        errors = FieldErrors()
        values = clean_company(data, errors, partial=True)
        label = values.get("name") or "(no name)"
        if errors:
            for key, message in errors.items():
                self.report.error(number, key, message)
            self.report.set(number, "error", label, next(iter(errors.values())))
            return
        seen = self.by_name.get(_name_key(values["name"])) or (
            self.by_domain.get(values["domain"]) if values.get("domain") else None)
        if seen is not None:
            self.report.set(number, "skipped", label, f"Same company as row {seen[1]}.")
            return
        company = find_company_by_name(values["name"]) or self._by_domain(values.get("domain"))
        if company is None:
            self.report.set(number, "created", label)
            company_id = self._create(values)
        else:
            company_id = company.id
            stored = {key: getattr(company, key) for key in values}
            changes = self.report.update_or_skip(number, label, stored, values, "name")
            if not self.dry_run:
                for key, value in changes.items():
                    setattr(company, key, value)
        self.by_name[_name_key(values["name"])] = (company_id, number)
        if values.get("domain"):
            self.by_domain[values["domain"]] = (company_id, number)

    @staticmethod
    def _by_domain(domain: str | None) -> Company | None:
        if not domain:
            return None
        return db.session.scalars(select(Company).where(Company.domain == domain).limit(1)).first()

    def _create(self, values: dict[str, Any]) -> int | None:
        if self.dry_run:
            return None
        values = {"country": default_country(), **values}
        company = Company(created_by=self.author, source_import_id=self.job_id, **values)
        db.session.add(company)
        db.session.flush()
        return company.id

    def save(self) -> None:
        """Companies are written as they are read (a flush each: few, and no second pass)."""

    def reporting_lines(self, commit) -> None:
        """Companies have no reporting lines."""
