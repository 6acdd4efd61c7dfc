"""What an import did (or, in a dry run, would do), row by row, and its one-line summary."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.imports.columns import fields_of

ACTIONS = ("created", "updated", "skipped", "error")
# Rows kept for the dry-run table; beyond this only counts and errors are kept.
MAX_ROWS_KEPT = 100_000


@dataclass
class Report:
    kind: str
    headers: list[str]
    mapping: list[str | None]
    rows: dict[int, list[Any]] = field(default_factory=dict)  # row -> [action, label, reason]
    errors: list[dict[str, Any]] = field(default_factory=list)

    def column(self, key: str) -> str:
        """The header of the column mapped to a field (a name built from first+last: first)."""
        for header, mapped in zip(self.headers, self.mapping, strict=False):
            if mapped == key:
                return header
        if key == "full_name":
            return self.column("first_name") if "first_name" in self.mapping else (
                self.column("last_name"))
        return fields_of(self.kind)[key].label if key in fields_of(self.kind) else key

    def set(self, row: int, action: str, label: str, reason: str = "") -> None:
        self.rows[row] = [action, label, reason]

    def update_or_skip(self, row: int, label: str, stored: Mapping[str, Any],
                       values: dict[str, Any], kept: str) -> dict[str, Any]:
        """A row matching a record on file (`stored`: its values): updated with what differs,
        else skipped. Returns the changes for the caller to write (none in a dry run).

        `kept` (the name) stays as on file: the row may have matched by email, phone or domain.
        """
        changes = {key: value for key, value in values.items()
                   if key != kept and value is not None and stored.get(key) != value}
        if not changes:
            self.set(row, "skipped", label, "Already on file; nothing new.")
        else:
            self.set(row, "updated", label,
                     "New " + ", ".join(self.column(key) for key in changes) + ".")
        return changes

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append({"row": row, "column": self.column(key), "message": message})

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(ACTIONS, 0)
        for action, _label, _reason in self.rows.values():
            totals[action] += 1
        return {"created": totals["created"], "updated": totals["updated"],
                "skipped": totals["skipped"], "errors": len(self.errors)}

    def as_result(self, total: int, **extra: Any) -> dict[str, Any]:
        rows = [[row, *outcome] for row, outcome in sorted(self.rows.items())[:MAX_ROWS_KEPT]]
        errors = sorted(self.errors, key=lambda e: e["row"])
        return {**self.counts(), "total": total, "errors": errors, "rows": rows,
                "headers": self.headers, "mapping": self.mapping, **extra}


def summary_line(result: dict[str, Any]) -> str:
    """The contract's one line: `created N, updated N, skipped N, errors N`."""
    return (f"created {result['created']}, updated {result['updated']}, "
            f"skipped {result['skipped']}, errors {len(result['errors'])}")
