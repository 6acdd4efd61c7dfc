"""Running the same work from several threads at once, each with its own connection."""

import threading

import pytest

from app.extensions import db
from tests.conftest import TEST_DATABASE_URL

needs_postgres = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="needs PostgreSQL's concurrent writers (SQLite locks the whole file)")


def run_together(app, work, count: int = 4) -> None:
    """Run work(i) in `count` threads with their own connections, released at once, and assert
    that none of them raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                work(i)
            except BaseException as exc:  # noqa: BLE001  (asserted below)
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
