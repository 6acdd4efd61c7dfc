"""Settings read from the environment: a bad value names the setting instead of a bare traceback."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize(
    "name, value",
    [
        ("PAGE_SIZE", "x"),
        ("LOGIN_RATE_LIMIT", "5.5"),
        ("TWILIO_TOKEN_TTL", "abc"),
        ("TWILIO_HTTP_TIMEOUT", "ten"),
        ("SQLITE_BUSY_TIMEOUT", ""),
    ],
)
def test_a_numeric_setting_that_is_no_number_stops_the_start_naming_it(name, value):
    env = {**os.environ, name: value}
    result = subprocess.run(
        [sys.executable, "-c", "import app.config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"{name} must be" in result.stderr.splitlines()[-1]
