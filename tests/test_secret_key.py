"""SECRET_KEY: never a published default; refused when missing in production; generated once,
privately and race-safely, for the embedded single-machine setup (scripts/run)."""

import hashlib
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import create_app

ROOT = Path(__file__).resolve().parent.parent
STARTS_ONE_APP = """
import hashlib, os, sys, time
from app import create_app
go, ready = os.environ.get("GO_FILE"), os.environ.get("READY_FILE")
if ready:
    open(ready, "w").close()
while go and not os.path.exists(go):
    time.sleep(0.001)
app = create_app()
print(hashlib.sha256(app.secret_key.encode()).hexdigest())
"""


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "FLASK_DEBUG"}
    }
    return env | extra


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the project layout whose instance/ folder is empty: app/ is linked, not copied."""
    (tmp_path / "app").symlink_to(ROOT / "app", target_is_directory=True)
    return tmp_path


def _start(checkout: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", STARTS_ONE_APP],
        cwd=checkout,
        text=True,
        capture_output=True,
        timeout=120,
        env=_env(PYTHONPATH=str(checkout), **env),
    )


def test_the_settings_carry_no_well_known_secret_key():
    code = "from app.config import Config; print(repr(Config.SECRET_KEY))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(),
        text=True,
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "None"


def test_a_production_start_without_secret_key_is_refused_with_a_clear_message(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", STARTS_ONE_APP],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=120,
        env=_env(DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite'}"),
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "secrets.token_hex" in result.stderr  # says how to make one


def test_create_app_refuses_a_configured_database_without_a_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": None})
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": ""})


@pytest.mark.parametrize("blank", [" ", "\t\n", "   "])
def test_a_key_of_only_whitespace_counts_as_no_key(blank):
    # "SECRET_KEY= " in an env file is a key everyone can guess.
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": blank})


def test_the_published_default_key_is_refused_with_stray_whitespace_too():
    with pytest.raises(RuntimeError, match="published"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "dev-only-change-me \n"})


def test_the_old_published_default_key_is_refused():
    with pytest.raises(RuntimeError, match="published"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "dev-only-change-me"})


def test_a_given_secret_key_is_used_as_is():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "from-the-operator"})
    assert app.secret_key == "from-the-operator"


def test_the_embedded_setup_generates_a_private_key_once_and_says_so(checkout):
    first = _start(checkout)
    assert first.returncode == 0, first.stderr
    key_file = checkout / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 64
    assert first.stdout.strip() == hashlib.sha256(key.encode()).hexdigest()
    assert "generated" in first.stderr and str(key_file) in first.stderr

    second = _start(checkout)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert key_file.read_text().strip() == key
    assert "generated" not in second.stderr and str(key_file) in second.stderr
    assert [p.name for p in key_file.parent.iterdir() if "secret" in p.name] == ["secret_key"]


def test_processes_starting_together_agree_on_one_generated_key(checkout):
    go = checkout / "go"
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", STARTS_ONE_APP],
            cwd=checkout,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(PYTHONPATH=str(checkout), GO_FILE=str(go), READY_FILE=str(checkout / f"r{n}")),
        )
        for n in range(4)
    ]
    deadline = time.monotonic() + 120
    while not all((checkout / f"r{n}").exists() for n in range(4)):
        assert time.monotonic() < deadline, "the processes did not start"
        time.sleep(0.01)
    go.touch()  # every process has imported the app and now builds it at the same moment
    results = [start.communicate(timeout=120) for start in starts]
    assert all(start.returncode == 0 for start in starts), [err for _, err in results]
    key = (checkout / "instance" / "secret_key").read_text().strip()
    assert {out.strip() for out, _ in results} == {hashlib.sha256(key.encode()).hexdigest()}
    assert sum("generated" in err for _, err in results) == 1
    assert [p.name for p in (checkout / "instance").iterdir() if "secret" in p.name] == [
        "secret_key"
    ]


def test_debug_mode_uses_the_instance_key_whatever_the_database(checkout, tmp_path):
    result = _start(checkout, FLASK_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite'}")
    assert result.returncode == 0, result.stderr
    assert (checkout / "instance" / "secret_key").exists()


def test_an_empty_key_file_is_refused_rather_than_used(checkout):
    (checkout / "instance").mkdir()
    (checkout / "instance" / "secret_key").write_text("\n")
    result = _start(checkout)
    assert result.returncode != 0
    assert "is empty" in result.stderr
