#!/usr/bin/env python3
"""Fetch the Twilio Voice JavaScript SDK at its pinned version and check its integrity hash.

The SDK is on no CDN since 2.0 and is never committed: setup downloads the npm package tarball,
verifies the registry's sha512 integrity value pinned in app/telephony/settings.py, and unpacks
dist/twilio.min.js into app/static/vendor/ (git-ignored), where the app serves it.
"""

import base64
import hashlib
import io
import os
import re
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (ROOT / "app" / "telephony" / "settings.py").read_text()
VERSION = re.search(r'VOICE_SDK_VERSION = "([^"]+)"', SETTINGS).group(1)
INTEGRITY = re.search(r'"(sha512-[^"]+)"', SETTINGS).group(1)
TARBALL = f"https://registry.npmjs.org/@twilio/voice-sdk/-/voice-sdk-{VERSION}.tgz"
TARGET = ROOT / "app" / "static" / "vendor" / f"twilio-voice-sdk-{VERSION}" / "twilio.min.js"


def main() -> int:
    if TARGET.exists():
        print(f"Twilio Voice SDK {VERSION} already in place.")
        return 0
    try:
        with urllib.request.urlopen(TARBALL, timeout=60) as response:
            blob = response.read()
    except OSError as exc:
        print(f"Could not fetch the Twilio Voice SDK ({exc}); browser calling stays off.")
        return 0  # the app works without it: call buttons explain what is missing
    digest = "sha512-" + base64.b64encode(hashlib.sha512(blob).digest()).decode()
    if digest != INTEGRITY:
        print(f"Integrity check FAILED for {TARBALL}: got {digest}", file=sys.stderr)
        return 1
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as archive:
        script = archive.extractfile("package/dist/twilio.min.js").read()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: two runs at once (CI's suites) never see half a file.
    partial = TARGET.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(script)
    os.replace(partial, TARGET)
    print(f"Fetched Twilio Voice SDK {VERSION} ({len(script):,} bytes), integrity verified.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
