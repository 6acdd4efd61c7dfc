"""The whole team's data as a ZIP of CSV files or one JSON document, streamed.

Nothing is held whole: each table is read in keyset batches of plain rows (no ORM objects, so
the session's identity map stays empty), each batch is written out and dropped. Follow-ups are
columns of calls.csv (follow_up_at, follow_up_note, follow_up_done_at): a follow-up is the next
step of the call that set it, not a record of its own.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, select

from app.api.serializers import (
    CALL_FIELDS,
    COMPANY_FIELDS,
    PERSON_FIELDS,
    TOUCHPOINT_FIELDS,
    _json_value,
)
from app.exports.cells import safe_cell
from app.extensions import db
from app.models import Call, Company, Person, ReportingLink, Touchpoint, call_person

BATCH = 2000
# Bytes gathered before the ZIP hands a piece to the server (as STREAM_CHUNK for the org chart).
ZIP_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Table:
    name: str  # the file is <name>.csv; the JSON key is <name>
    model: type
    fields: tuple[str, ...]

    def columns(self) -> list[ColumnElement[Any]]:
        return [getattr(self.model, f) for f in self.fields]


LINK_FIELDS = ("id", "person_id", "manager_id", "source_call_id", "told_by_id",
               "reported_by_id", "reported_at")
TABLES = (
    Table("companies", Company, (*COMPANY_FIELDS, "created_by_id")),
    # Provenance: the call that uncovered them, who logged them, when; and the email's source.
    Table("people", Person, (*PERSON_FIELDS, "created_by_id")),
    Table("reporting_links", ReportingLink, LINK_FIELDS),
    Table("calls", Call, CALL_FIELDS),
    Table("touchpoints", Touchpoint, TOUCHPOINT_FIELDS),
)
# calls.csv also lists who each call touched (uncovered or mentioned), as person ids.
CALL_PEOPLE = "people_ids"


def header(table: Table) -> list[str]:
    return [*table.fields, CALL_PEOPLE] if table.model is Call else list(table.fields)


def _people_of_calls(first: int, last: int) -> dict[int, list[int]]:
    rows = db.session.execute(
        select(call_person.c.call_id, call_person.c.person_id)
        .where(call_person.c.call_id.between(first, last))
        .order_by(call_person.c.call_id, call_person.c.person_id))
    out: dict[int, list[int]] = {}
    for call_id, person_id in rows:
        out.setdefault(call_id, []).append(person_id)
    return out


def batches(table: Table, size: int = BATCH) -> Iterator[list[list[Any]]]:
    """The table's rows in id order, `size` at a time (keyset: each query starts after the last
    id seen, so late batches cost the same as early ones)."""
    id_column = table.model.id
    after = 0
    while True:
        rows = [list(r) for r in db.session.execute(
            select(*table.columns()).where(id_column > after).order_by(id_column).limit(size))]
        if not rows:
            return
        if table.model is Call:
            people = _people_of_calls(rows[0][0], rows[-1][0])
            for row in rows:
                row.append(people.get(row[0], []))
        yield rows
        after = rows[-1][0]


def _csv_text(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(" ".join(map(str, v)) if isinstance(v, list) else v)
                         for v in row])
    return out.getvalue()


class _Pipe(io.RawIOBase):
    """A write-only, unseekable file whose bytes are taken out as they come: ZipFile then writes
    each entry's sizes in a data descriptor after it, instead of seeking back."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def take(self) -> bytes:
        data, self.parts, self.size = b"".join(self.parts), [], 0
        return data


def stream_zip(size: int = BATCH) -> Iterator[bytes]:
    """The ZIP of companies.csv, people.csv, reporting_links.csv, calls.csv, touchpoints.csv."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            with archive.open(f"{table.name}.csv", "w", force_zip64=True) as entry:
                # UTF-8 with a BOM: spreadsheets then read accented names right.
                entry.write(("\ufeff" + _csv_text([header(table)])).encode())
                for rows in batches(table, size):
                    entry.write(_csv_text(rows).encode())
                    if pipe.size >= ZIP_CHUNK:
                        yield pipe.take()
    yield pipe.take()


def stream_json(size: int = BATCH) -> Iterator[str]:
    """`{"exported_at", "companies": [...], "people": [...], ...}`, a batch at a time."""
    yield json.dumps({"exported_at": datetime.now(UTC).isoformat()})[:-1]
    for table in TABLES:
        yield f', "{table.name}": ['
        names, first = header(table), True
        for rows in batches(table, size):
            text = ",".join(json.dumps({k: _json_value(v) for k, v in zip(names, row,
                                                                          strict=True)})
                            for row in rows)
            yield text if first else "," + text
            first = False
        yield "]"
    yield "}"
