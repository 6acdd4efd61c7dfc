"""Values as CSV cells: the one place that makes a cell safe to open in a spreadsheet."""

from datetime import datetime
from enum import Enum
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@")


def safe_cell(value: Any) -> str:
    """Text for a CSV cell. A cell starting with = + - @ runs as a formula in spreadsheets
    (names and notes are user input), so it gets a leading apostrophe."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime):
        text = value.isoformat()
    elif isinstance(value, Enum):
        text = str(value.value)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
