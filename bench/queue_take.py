"""Benchmark: the calling queue's server side at team-year scale (take next, list, log and next).

Runs in-process (no HTTP) against a database filled by `flask seed-bench` (see team_year.py),
as its first recruiter (bench@example.com). It empties that recruiter's queue, builds it again
from their due follow-ups and the org-chart gaps of the companies they called in the last 30
days, then times, N runs each after warm-up:
- `take_next` (which first puts back the previous unlogged claim),
- `queue_listing` (GET /api/v1/queue's work),
- "log and next": `save_call` with `queue_item_id` (marks the item done) then `take_next`,
and prints median / p95 with the number of SQL statements and their time per run. Target:
take next and log-and-next p95 < 100 ms. Queue rows it writes stay (rerun empties them).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_teamyear \\
        .venv/bin/python bench/queue_take.py --runs 30

Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, event, select  # noqa: E402

from app import create_app  # noqa: E402
from app.calls.service import save_call  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import CallingSession, QueueItem, QueueStatus, User  # noqa: E402
from app.queue import service as queue  # noqa: E402

TARGET_MS = 100


class SqlClock:
    """Counts statements and their time while `on`."""

    def __init__(self, engine):
        self.count, self.seconds, self.on = 0, 0.0, False
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, params, context, many):
        conn.info["bench_t"] = time.perf_counter()

    def _after(self, conn, cursor, statement, params, context, many):
        if self.on:
            self.count += 1
            self.seconds += time.perf_counter() - conn.info.pop("bench_t", time.perf_counter())


def _ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _time(label: str, runs: int, warmup: int, work, clock: SqlClock) -> float:
    times, statements, sql = [], [], []
    for i in range(warmup + runs):
        clock.count, clock.seconds, clock.on = 0, 0.0, True
        start = time.perf_counter()
        work()
        elapsed = time.perf_counter() - start
        clock.on = False
        db.session.remove()
        if i >= warmup:
            times.append(elapsed)
            statements.append(clock.count)
            sql.append(clock.seconds)
    median, p95 = _ms(times)
    verdict = "ok" if p95 < TARGET_MS else f"over by {p95 - TARGET_MS:.0f} ms"
    print(f"{label:34} {median:7.1f} {p95:7.1f} ms  {statistics.median(statements):4.0f} SQL "
          f"({statistics.median(sql) * 1000:5.1f} ms)  {verdict}")
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
                      "SECRET_KEY": os.environ.get("SECRET_KEY", "bench")})
    with app.app_context():
        clock = SqlClock(db.engine)
        user = db.session.scalars(select(User).order_by(User.id)).first()
        db.session.execute(delete(QueueItem).where(QueueItem.user_id == user.id))
        db.session.execute(delete(CallingSession).where(CallingSession.user_id == user.id))
        db.session.commit()
        start = time.perf_counter()
        added = len(queue.build_queue(user, "follow_ups"))
        added += len(queue.build_queue(user, "gaps"))
        print(f"Queue built for {user.email}: {added} items in "
              f"{time.perf_counter() - start:.1f} s ({db.engine.dialect.name})")
        user_id = user.id

        def me() -> User:
            return db.session.get(User, user_id)

        def take():
            queue.take_next(me())

        def listing():
            queue.queue_listing(me(), [QueueStatus.PENDING, QueueStatus.CLAIMED])

        def log_and_next():
            user = me()
            item = queue.current_item(user) or queue.take_next(user)
            save_call(user, {"company_id": item.company_id, "person_id": item.person_id,
                             "outcome": "voicemail", "notes": "Left a message (bench).",
                             "queue_item_id": item.id})
            queue.take_next(me())

        print(f"{'':34} {'median':>7} {'p95':>7}")
        _time("take_next", args.runs, args.warmup, take, clock)
        _time("queue_listing (pending+claimed)", args.runs, args.warmup, listing, clock)
        _time("save_call(queue_item_id) + next", args.runs, args.warmup, log_and_next, clock)


if __name__ == "__main__":
    main()
