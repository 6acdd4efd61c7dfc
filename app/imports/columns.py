"""What a CSV column can hold, and the headers people actually use for each."""

import csv
import re
from dataclasses import dataclass

KINDS = ("companies", "people")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    headers: tuple[str, ...]  # recognised headers, compared as `header_key` forms


PEOPLE_FIELDS = (
    Field("company", "Company", ("company", "company name", "companyname", "organisation",
                                 "organization", "employer", "account", "account name")),
    Field("full_name", "Full name", ("name", "full name", "fullname", "person", "contact",
                                     "contact name")),
    Field("first_name", "First name", ("first name", "firstname", "first", "given name")),
    Field("last_name", "Last name", ("last name", "lastname", "last", "surname",
                                     "family name")),
    Field("title", "Title", ("title", "job title", "jobtitle", "position")),
    Field("department", "Department", ("department", "dept", "team", "group")),
    Field("direct_phone", "Direct dial", ("phone", "direct dial", "direct", "direct phone",
                                          "did", "work phone", "office phone", "phone number",
                                          "telephone")),
    Field("extension", "Extension", ("extension", "ext")),
    Field("mobile_phone", "Mobile", ("mobile", "mobile phone", "cell", "cell phone")),
    Field("email", "Email", ("email", "email address", "e mail", "work email")),
    Field("linkedin_url", "LinkedIn", ("linkedin", "linkedin url", "linkedin profile")),
    Field("status", "Status", ("status",)),
    Field("reports_to", "Reports to", ("reports to", "manager", "manager name",
                                       "manager email", "boss", "supervisor")),
    Field("notes", "Notes", ("notes", "note", "comments")),
)
COMPANY_FIELDS = (
    Field("name", "Company name", ("company", "company name", "companyname", "name",
                                   "organisation", "organization", "account", "account name")),
    Field("domain", "Domain", ("domain", "website", "web site", "url", "web")),
    Field("main_phone", "Main line", ("main line", "main phone", "phone", "switchboard",
                                      "telephone", "phone number")),
    Field("country", "Country", ("country", "country code")),
    Field("location", "Location", ("location", "address", "city", "hq", "headquarters")),
    Field("timezone", "Time zone", ("time zone", "timezone", "tz")),
    Field("industry", "Industry", ("industry", "sector")),
    Field("notes", "Notes", ("notes", "note", "comments")),
)
FIELDS = {"people": PEOPLE_FIELDS, "companies": COMPANY_FIELDS}
REQUIRED = {"people": ("company",), "companies": ("name",)}


def fields_of(kind: str) -> dict[str, Field]:
    return {field.key: field for field in FIELDS[kind]}


def header_key(header: str) -> str:
    """'E-mail Address ' -> 'e mail address': case, punctuation and spacing do not matter."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.casefold()).split())


def guess_mapping(kind: str, headers: list[str]) -> list[str | None]:
    """The field each column holds (None: not imported); each field taken by one column."""
    taken: set[str] = set()
    mapping: list[str | None] = []
    for header in headers:
        key = header_key(header)
        match = next((field.key for field in FIELDS[kind]
                      if key in field.headers and field.key not in taken), None)
        if match:
            taken.add(match)
        mapping.append(match)
    return mapping


def mapping_problem(kind: str, mapping: list[str | None]) -> str | None:
    """Why a mapping cannot be imported, or None."""
    chosen = [key for key in mapping if key]
    known = fields_of(kind)
    if unknown := [key for key in chosen if key not in known]:
        return f"Unknown field: {unknown[0]}."
    if len(chosen) != len(set(chosen)):
        twice = next(key for key in chosen if chosen.count(key) > 1)
        return f"Two columns are mapped to {known[twice].label}; pick one."
    for key in REQUIRED[kind]:
        if key not in chosen:
            return f"No column is mapped to {known[key].label}."
    if kind == "people" and not {"full_name", "first_name", "last_name"} & set(chosen):
        return "No column is mapped to a name (Full name, or First name and Last name)."
    return None


def pick_delimiter(first_line: str) -> str:
    """The separator of a header line: Excel writes ';' where ',' is the decimal mark."""
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def reader(text, delimiter: str):
    """csv rows of a text stream (quoted separators and line breaks kept inside fields)."""
    return csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True,
                      skipinitialspace=False, strict=False)
