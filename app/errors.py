"""Domain errors raised by services; views turn them into form errors or JSON."""


class DomainError(ValueError):
    """A request the domain refuses.

    `fields` maps a field path to a message for the user; `matches` maps the path of a name that
    is already on file to the ids of those records, so a form can offer them instead.
    """

    status = 422

    def __init__(self, fields: dict[str, str] | str,
                 matches: dict[str, list[int]] | None = None):
        if isinstance(fields, str):
            fields = {"_": fields}
        self.fields = fields
        self.matches = matches or {}
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))


class AlreadyOnFileError(DomainError):
    """A person (at that company) or a company of that name exists; offer it instead."""

    status = 409


class ReportsToCycleError(DomainError):
    """Setting this manager would make someone their own boss, directly or through others."""


class PermissionDenied(Exception):
    """The signed-in user may not change this record."""
