#!/usr/bin/env python3
"""Fetch pinned third-party front-end code from the npm registry and check its integrity hash.

Nothing here is committed or taken from a CDN: each vendor below is one file out of an npm package
tarball, at a pinned version, accepted only if the tarball matches the registry's pinned sha512
integrity value. Usage: `fetch_vendor.py [NAME ...]` (default: every vendor).

- voice-sdk: the Twilio Voice SDK (on no CDN since 2.0), served by the app for browser calling;
  its version and hash live in app/telephony/settings.py, because the app needs the path too.
- axe-core: the accessibility engine that tests/browser/axe.py injects into pages under test;
  never served by the app.
"""

import base64
import hashlib
import io
import os
import re
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SETTINGS = (ROOT / "app" / "telephony" / "settings.py").read_text()
_VOICE_SDK_VERSION = re.search(r'VOICE_SDK_VERSION = "([^"]+)"', _SETTINGS).group(1)
_VOICE_SDK_INTEGRITY = re.search(r'"(sha512-[^"]+)"', _SETTINGS).group(1)


@dataclass(frozen=True)
class Vendor:
    """One file out of one npm package, pinned by version and tarball integrity."""

    title: str
    package: str  # the npm name, scope included
    version: str
    integrity: str  # the registry's dist.integrity of the tarball
    member: str  # the file inside the tarball
    target: Path  # where it goes (a git-ignored folder)
    without_it: str  # what the user loses if the download fails (it is never fatal)

    @property
    def tarball(self) -> str:
        basename = self.package.rsplit("/", 1)[-1]
        return f"https://registry.npmjs.org/{self.package}/-/{basename}-{self.version}.tgz"


AXE_VERSION = "4.14.1"
VENDORS = {
    "voice-sdk": Vendor(
        title="Twilio Voice SDK",
        package="@twilio/voice-sdk",
        version=_VOICE_SDK_VERSION,
        integrity=_VOICE_SDK_INTEGRITY,
        member="package/dist/twilio.min.js",
        target=ROOT
        / "app"
        / "static"
        / "vendor"
        / f"twilio-voice-sdk-{_VOICE_SDK_VERSION}"
        / "twilio.min.js",
        without_it="browser calling stays off",
    ),
    "axe-core": Vendor(
        title="axe-core",
        package="axe-core",
        version=AXE_VERSION,
        integrity="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        member="package/axe.min.js",
        target=ROOT / "tests" / "browser" / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js",
        without_it="the accessibility browser tests skip",
    ),
}


def integrity_of(blob: bytes) -> str:
    """The npm integrity string (SRI form) of a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(blob).digest()).decode()


def fetch(vendor: Vendor) -> int:
    """Download, verify and unpack one vendor file; 1 only when the integrity check fails."""
    if vendor.target.exists():
        print(f"{vendor.title} {vendor.version} already in place.")
        return 0
    try:
        with urllib.request.urlopen(vendor.tarball, timeout=60) as response:
            blob = response.read()
    except OSError as exc:
        print(f"Could not fetch {vendor.title} ({exc}); {vendor.without_it}.")
        return 0  # the app and the other tests work without it
    digest = integrity_of(blob)
    if digest != vendor.integrity:
        print(f"Integrity check FAILED for {vendor.tarball}: got {digest}", file=sys.stderr)
        return 1
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as archive:
        content = archive.extractfile(vendor.member).read()
    vendor.target.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: two runs at once (CI's suites) never see half a file.
    partial = vendor.target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(content)
    os.replace(partial, vendor.target)
    print(f"Fetched {vendor.title} {vendor.version} ({len(content):,} bytes), integrity verified.")
    return 0


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in VENDORS]
    if unknown:
        print(
            f"Unknown vendor(s) {', '.join(unknown)}; known: {', '.join(VENDORS)}", file=sys.stderr
        )
        return 2
    return max(fetch(VENDORS[name]) for name in names or VENDORS)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
