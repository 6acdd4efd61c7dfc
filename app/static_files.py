"""Static files answer the same from every app server: their ETag comes from their bytes.

Werkzeug's default ETag is made of the file's modification time and size, and every server's
copy of the code (and of the Voice SDK, which each server fetches at deploy) has its own
modification time. Behind a load balancer a browser's `If-None-Match` from server A would then
never match on server B, and every page view could download the CSS, the scripts and the
300 kB Voice SDK again. An ETag from the content is the same wherever the same bytes are.
"""

import hashlib
import os

from flask import Flask, Response, send_from_directory
from werkzeug.security import safe_join

# Digest of a file on this server's disk, keyed by (path, mtime, size) so a replaced file is
# hashed again: derived from local files, never state that other servers need to see.
_digests: dict[tuple[str, int, int], str] = {}


def content_etag(path: str) -> str:
    """The file's SHA-256 (shortened): the same on any server that has the same bytes."""
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _digests:
        with open(path, "rb") as file:
            _digests[key] = hashlib.file_digest(file, "sha256").hexdigest()[:32]
    return _digests[key]


class SwitchboardFlask(Flask):
    """Flask, with static files served under content ETags (see the module docstring)."""

    def send_static_file(self, filename: str) -> Response:
        folder = str(self.static_folder)
        path = safe_join(folder, filename)
        # A missing or unsafe name keeps Werkzeug's own handling (404) by asking for its ETag.
        etag: str | bool = content_etag(path) if path and os.path.isfile(path) else True
        return send_from_directory(folder, filename, max_age=self.get_send_file_max_age(filename),
                                   etag=etag)
