"""Static files carry an ETag made from their bytes, so every app server gives the same one."""

import hashlib
import os
import shutil

from app import create_app
from tests.conftest import BASE_CONFIG


def _get(client, path, **kwargs):
    """The response, read and closed (a static file's is a file wrapper left open otherwise)."""
    response = client.get(path, **kwargs)
    response.get_data()
    response.close()
    return response


def test_the_etag_comes_from_the_bytes_not_the_modification_time(app, client, tmp_path):
    app.static_folder = str(shutil.copytree(app.static_folder, tmp_path / "static"))
    path = tmp_path / "static" / "css" / "app.css"
    expected = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
    first = _get(client, "/static/css/app.css")
    assert first.status_code == 200
    assert first.headers["ETag"] == f'"{expected}"'
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # redeployed a second later
    etag = {"If-None-Match": first.headers["ETag"]}
    assert _get(client, "/static/css/app.css", headers=etag).status_code == 304
    path.write_bytes(path.read_bytes() + b"\n/* changed */\n")  # new bytes: a new ETag
    changed = _get(client, "/static/css/app.css", headers=etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_another_servers_copy_of_the_static_files_gives_the_same_etags(app, client, tmp_path):
    copy = tmp_path / "static"
    shutil.copytree(app.static_folder, copy, copy_function=shutil.copy)  # new mtimes
    other = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    other.static_folder = str(copy)
    for path in ("/static/css/app.css", "/static/js/dialer.js"):
        ours, theirs = _get(client, path), _get(other.test_client(), path)
        assert ours.data == theirs.data
        assert ours.headers["ETag"] == theirs.headers["ETag"]


def test_a_missing_or_escaping_static_path_is_still_a_404(client):
    for path in ("/static/css/nothing-here.css", "/static/../wsgi.py", "/static/%2e%2e/wsgi.py"):
        assert _get(client, path).status_code == 404
