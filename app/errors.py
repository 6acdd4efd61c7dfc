"""Domain errors raised by services; views turn them into form errors or JSON."""


class DomainError(ValueError):
    """A request the domain refuses. `fields` maps a field path to a message for the user."""

    status = 422

    def __init__(self, fields: dict[str, str] | str):
        if isinstance(fields, str):
            fields = {"_": fields}
        self.fields = fields
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))


class DuplicatePersonError(DomainError):
    """The same name already exists at the company; the caller may offer the existing person."""

    status = 409

    def __init__(self, fields: dict[str, str], matches: dict[str, list[int]]):
        super().__init__(fields)
        self.matches = matches


class ReportsToCycleError(DomainError):
    """Setting this manager would make someone their own boss, directly or through others."""


class PermissionDenied(Exception):
    """The signed-in user may not change this record."""
