"""Uploaded files kept in the database in chunks, and read back as a stream of text.

Nothing here holds a whole file: an upload is copied CHUNK_BYTES at a time into
`stored_file_chunk` rows, and a reader fetches one chunk at a time, so any app server or
worker can read a file another one received.
"""

import codecs
import io
from collections.abc import Iterator
from typing import IO

from sqlalchemy import insert, select

from app.extensions import db
from app.models import StoredFile, StoredFileChunk, User

CHUNK_BYTES = 512 * 1024


class FileTooLarge(ValueError):
    """The upload is larger than IMPORT_MAX_BYTES."""


def store_file(stream: IO[bytes], filename: str, author: User | None, max_bytes: int) -> StoredFile:
    """Copy an upload into the database, chunk by chunk (flushes; the caller commits)."""
    stored = StoredFile(filename=(filename or "upload.csv")[:255], created_by=author, size=0)
    db.session.add(stored)
    db.session.flush()
    seq = 0
    while chunk := stream.read(CHUNK_BYTES):
        stored.size += len(chunk)
        if stored.size > max_bytes:
            db.session.rollback()
            raise FileTooLarge(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
        # A core INSERT: an ORM object would keep every chunk in the session until commit.
        db.session.execute(insert(StoredFileChunk).values(file_id=stored.id, seq=seq, data=chunk))
        seq += 1
    return stored


def chunks(file_id: int) -> Iterator[bytes]:
    """The file's bytes, one chunk (one small query) at a time."""
    seq = 0
    while True:
        data = db.session.scalar(select(StoredFileChunk.data).where(
            StoredFileChunk.file_id == file_id, StoredFileChunk.seq == seq))
        if data is None:
            return
        yield bytes(data)
        seq += 1


class ChunkStream(io.RawIOBase):
    """A readable byte stream over a stored file's chunks."""

    def __init__(self, file_id: int):
        self._chunks = chunks(file_id)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            next_chunk = next(self._chunks, None)
            if next_chunk is None:
                return 0
            self._buffer = next_chunk
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def open_text(file_id: int, encoding: str) -> io.TextIOWrapper:
    """The file as text for the csv module (newline='' keeps quoted line breaks intact)."""
    raw = io.BufferedReader(ChunkStream(file_id), buffer_size=64 * 1024)
    # Windows-1252 leaves five bytes undefined: they become U+FFFD rather than stop the import.
    return io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")


def detect_encoding(file_id: int) -> str:
    """UTF-8 (a BOM dropped) when every byte decodes as such, else Windows-1252 (Excel's)."""
    utf8 = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        for data in chunks(file_id):
            utf8.decode(data)
        utf8.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"
