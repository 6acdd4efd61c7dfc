"""Case-insensitive text filters that read what was typed literally: % and _ are not wildcards."""

from typing import Any

from sqlalchemy import func, or_


def _escaped(text: str) -> str:
    return text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(text: str, *columns) -> Any:
    """Any of the columns contains the text (ignoring case)."""
    pattern = "%" + _escaped(text) + "%"
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


def starts_with(text: str, column) -> Any:
    """The column starts with the text (ignoring case)."""
    return func.lower(column).like(_escaped(text) + "%", escape="\\")
