"""The app in-process for bench/team_year.py: capture an endpoint's SQL, replay its main query,
profile a miss.

An endpoint's "main query" is the slowest statement of one request (captured through the Flask
test client); replaying it directly on the app's engine, with the same parameters, as many times
as the endpoint was timed over HTTP, says how much of the page is that query and how much is
everything around it (the other statements, Python, templates, gunicorn, the network).
Replays run inside a transaction that is rolled back, so replaying a write changes nothing.
"""

from __future__ import annotations

import cProfile
import pstats
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Statement:
    seconds: float
    sql: str
    params: object
    many: bool


QUERY_WORDS = ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")


def is_query(statement: Statement) -> bool:
    """A statement that can be replayed or explained (not SAVEPOINT, RELEASE, PRAGMA, ...)."""
    return not statement.many and statement.sql.lstrip().upper().startswith(QUERY_WORDS)


@dataclass
class Replay:
    sql: str
    median: float
    p95: float
    statements: int  # in the captured request
    sql_ms: float  # all its statements


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def one_line(sql: str, width: int = 400) -> str:
    flat = " ".join(sql.split())
    return flat[:width] + ("…" if len(flat) > width else "")


class InProcess:
    """The app on `url` behind the test client, signed in, with every statement timed."""

    def __init__(self, url: str, email: str, password: str) -> None:
        from app import create_app
        from app.extensions import db

        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                               "SECRET_KEY": "bench-in-process"})
        self.client = self.app.test_client()
        self.client.post("/login", data={"email": email, "password": password})
        self.statements: list[Statement] = []
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_t0"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(Statement(time.perf_counter() - conn.info["bench_t0"],
                                         statement, parameters, executemany))

    # The endpoints send through a requests.Session; this answers the same two calls.
    def get(self, url, allow_redirects=False):
        return self.client.get(re.sub(r"^https?://[^/]+", "", url))

    def post(self, url, data, allow_redirects=False):
        return self.client.post(re.sub(r"^https?://[^/]+", "", url), data=data)

    def capture(self, send, i: int) -> list[Statement]:
        self.statements.clear()
        send(self, i)
        return list(self.statements)

    def replay(self, send, i: int, runs: int) -> Replay | None:
        """Capture one request, then time its slowest statement `runs` times, rolled back."""
        captured = self.capture(send, i)
        # Reads first: a write replayed after the request committed it may collide with itself.
        queries = [s for s in captured if is_query(s)]
        reads = [s for s in queries if s.sql.lstrip().upper().startswith(("SELECT", "WITH"))]
        if not queries:
            return None
        main = max(reads or queries, key=lambda s: s.seconds)
        times = []
        with self.engine.connect() as conn:
            for _ in range(runs):
                transaction = conn.begin()
                start = time.perf_counter()
                try:
                    result = conn.exec_driver_sql(main.sql, main.params)
                    if result.returns_rows:
                        result.all()
                except DBAPIError:
                    transaction.rollback()
                    return None
                times.append((time.perf_counter() - start) * 1000)
                transaction.rollback()
        return Replay(main.sql, statistics.median(times), p95(times), len(captured),
                      sum(s.seconds for s in captured) * 1000)

    def profile(self, label: str, send, i: int, top: int) -> None:
        """cProfile one request: the app's hotspots, the slowest SQL and the plan of the worst."""
        self.statements.clear()
        profiler = cProfile.Profile()
        profiler.enable()
        send(self, i)
        profiler.disable()
        stats = pstats.Stats(profiler).stats
        total = max(cum for _cc, _nc, _tt, cum, _c in stats.values())
        ours = sorted(((cum, nc, k) for k, (_cc, nc, _tt, cum, _c) in stats.items()
                       if k[0].startswith(str(ROOT / "app"))), reverse=True)[:top]
        print(f"\nprofile: {label}  ({total * 1000:.0f} ms under cProfile, "
              f"{len(self.statements)} SQL statements, "
              f"{sum(s.seconds for s in self.statements) * 1000:.0f} ms in SQL)")
        for cum, calls, (path, line, function) in ours:
            short = path.removeprefix(str(ROOT) + "/")
            print(f"  {cum * 1000:8.1f} ms {calls:6d}x  {short}:{line}({function})")
        slowest = sorted(self.statements, key=lambda s: s.seconds, reverse=True)[:3]
        for statement in slowest:
            print(f"  SQL {statement.seconds * 1000:7.1f} ms  {one_line(statement.sql)}")
        worst = next((s for s in sorted(self.statements, key=lambda s: s.seconds, reverse=True)
                      if is_query(s)), None)
        if worst is not None and worst.seconds > 0.02:
            prefix = ("EXPLAIN QUERY PLAN " if self.engine.dialect.name == "sqlite"
                      else "EXPLAIN (ANALYZE, BUFFERS) ")
            with self.engine.connect() as conn:
                transaction = conn.begin()
                plan = conn.exec_driver_sql(prefix + worst.sql, worst.params).all()
                transaction.rollback()
            print("  plan of the slowest:")
            for row in plan:
                print("    " + " | ".join(str(v) for v in row))

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)
        self.engine.dispose()
