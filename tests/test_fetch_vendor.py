"""scripts/fetch_vendor.py: a pinned npm file is installed only when its tarball's hash matches."""

import importlib.util
import io
import tarfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "fetch_vendor", Path(__file__).resolve().parents[1] / "scripts" / "fetch_vendor.py"
)
fetch_vendor = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fetch_vendor)


def _tarball(member: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(member)
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


@pytest.fixture
def registry():
    """A loopback stand-in for registry.npmjs.org serving one tarball; yields (url, blob)."""
    blob = _tarball("package/lib.min.js", b"window.lib = 1;")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(blob)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/lib-1.0.0.tgz", blob
    server.shutdown()
    server.server_close()


@dataclass(frozen=True)
class LocalVendor(fetch_vendor.Vendor):
    """A vendor whose tarball comes from the loopback registry."""

    url: str = ""

    @property
    def tarball(self) -> str:
        return self.url


def _vendor(tmp_path, url: str, integrity: str) -> LocalVendor:
    return LocalVendor(title="lib", package="lib", version="1.0.0", integrity=integrity,
                       member="package/lib.min.js", target=tmp_path / "lib-1.0.0" / "lib.min.js",
                       without_it="nothing", url=url)


def test_a_tarball_matching_its_pinned_integrity_is_unpacked(tmp_path, registry):
    url, blob = registry
    vendor = _vendor(tmp_path, url, fetch_vendor.integrity_of(blob))
    assert fetch_vendor.fetch(vendor) == 0
    assert vendor.target.read_bytes() == b"window.lib = 1;"


def test_a_tarball_with_another_hash_fails_and_installs_nothing(tmp_path, registry, capsys):
    url, blob = registry
    vendor = _vendor(tmp_path, url, fetch_vendor.integrity_of(blob + b"tampered"))
    assert fetch_vendor.fetch(vendor) == 1
    assert not vendor.target.exists()
    assert "Integrity check FAILED" in capsys.readouterr().err


def test_an_unreachable_registry_is_not_fatal(tmp_path, capsys):
    vendor = _vendor(tmp_path, "http://127.0.0.1:9/lib-1.0.0.tgz", "sha512-x")
    assert fetch_vendor.fetch(vendor) == 0
    assert not vendor.target.exists()
    assert "Could not fetch lib" in capsys.readouterr().out


def test_every_vendor_is_pinned_to_a_version_and_a_sha512_integrity():
    assert set(fetch_vendor.VENDORS) == {"voice-sdk", "axe-core"}
    for vendor in fetch_vendor.VENDORS.values():
        assert vendor.integrity.startswith("sha512-") and len(vendor.integrity) == 95
        assert vendor.version in vendor.tarball
        assert vendor.tarball.startswith("https://registry.npmjs.org/")


def test_an_unknown_vendor_name_is_refused(capsys):
    assert fetch_vendor.main(["left-pad"]) == 2
    assert "Unknown vendor" in capsys.readouterr().err
