"""An import's file as rows: encoding, separator and header found, read as a stream."""

import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from app.imports.columns import pick_delimiter, reader
from app.imports.files import detect_encoding, open_text


class UnreadableFile(ValueError):
    """The file is not a CSV we can read (empty, or no header)."""


@dataclass
class CsvSource:
    file_id: int
    encoding: str
    delimiter: str
    headers: list[str]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(data row number from 1, cells) for every record after the header.

        Blank records (an empty line, a row of empty cells) are left out and not numbered:
        spreadsheets end files with them.
        """
        text = open_text(self.file_id, self.encoding)
        rows = reader(text, self.delimiter)
        number = 0
        try:
            next(rows, None)
            for cells in rows:
                if any(cell.strip() for cell in cells):
                    number += 1
                    # NUL cannot be stored (PostgreSQL) and never means anything in a CSV.
                    yield number, [cell.replace("\x00", "") for cell in cells]
        except csv.Error as exc:
            raise UnreadableFile(f"Row {number + 1} cannot be read as CSV ({exc}).") from None

    def count(self) -> int:
        return sum(1 for _ in self.rows())


def open_source(file_id: int) -> CsvSource:
    """Read the header of a stored file and how its text is written."""
    encoding = detect_encoding(file_id)
    text = open_text(file_id, encoding)
    first = text.readline()
    if not first.strip():
        raise UnreadableFile("The file is empty: the first line must name the columns.")
    delimiter = pick_delimiter(first)
    try:
        headers = next(reader(itertools.chain([first], text), delimiter), [])
    except csv.Error as exc:
        raise UnreadableFile(f"The first line cannot be read as CSV ({exc}).") from None
    headers = [header.replace("\x00", "").strip() for header in headers]
    if not any(headers):
        raise UnreadableFile("The first line must name the columns.")
    return CsvSource(file_id, encoding, delimiter, headers)
