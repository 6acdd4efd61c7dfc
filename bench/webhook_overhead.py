"""Benchmark: what outbound webhooks cost the call-log submit, with a slow endpoint registered.

Serves a team-year database with gunicorn (2 sync workers, the in-process job runner on, as
`scripts/run` starts it) and times team_year.py's call-log submit (3 new names: one call.logged
and three person.created events, plus person.updated for the named target) in alternating
rounds: without any endpoint, and with one endpoint subscribed to every event whose receiver
takes 2 s to answer. The runner threads deliver to it while the submits are timed, so this
shows whether a slow endpoint reaches a user's request. Prints median and p95 of each mode and
their ratio, and how many deliveries were made meanwhile.

    cp /tmp/tybench/teamyear.sqlite /tmp/tybench/W.sqlite   # a copy: the submits add rows
    DATABASE_URL=sqlite:////tmp/tybench/W.sqlite SECRET_KEY=x .venv/bin/flask --app wsgi db upgrade
    .venv/bin/python bench/webhook_overhead.py --database-url sqlite:////tmp/tybench/W.sqlite
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import team_year  # noqa: E402  (its server, sign-in and submit)

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import WebhookEndpoint  # noqa: E402
from app.webhooks import service  # noqa: E402
from app.webhooks.outbox import EVENT_TYPES  # noqa: E402


class SlowReceiver(BaseHTTPRequestHandler):
    seconds = 2.0
    received = 0

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        SlowReceiver.received += 1
        time.sleep(self.seconds)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per-round", type=int, default=15)
    args = parser.parse_args()

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), SlowReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{receiver.server_port}/hook"
    os.environ["WEBHOOK_ALLOW_PRIVATE_URLS"] = "1"  # the receiver is on this machine
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": "bench"})
    port = team_year.free_port()
    server = team_year.start_gunicorn(args.database_url, port, 2)
    base = f"http://127.0.0.1:{port}"
    try:
        session = team_year.sign_in(base)
        data = team_year.subjects(args.database_url)
        [submit] = [e for e in team_year.endpoints(base, data, [session]) if "calls/new" in e.label]
        for i in range(5):  # warm-up
            submit.send(session, -i - 1)
        times: dict[str, list[float]] = {"no endpoint": [], "slow endpoint": []}
        n = 0
        for round_ in range(args.rounds):
            order = ["no endpoint", "slow endpoint"][:: 1 if round_ % 2 == 0 else -1]
            for mode in order:
                with app.app_context():
                    for endpoint in db.session.scalars(db.select(WebhookEndpoint)).all():
                        service.delete_endpoint(endpoint)
                    if mode == "slow endpoint":
                        service.register_endpoint(hook_url, list(EVENT_TYPES), None)
                for _ in range(args.per_round):
                    n += 1
                    start = time.perf_counter()
                    response = submit.send(session, n)
                    times[mode].append((time.perf_counter() - start) * 1000)
                    assert response.status_code == submit.expected, response.status_code
            print(f"round {round_ + 1}: deliveries received so far {SlowReceiver.received}",
                  flush=True)
        base_median = statistics.median(times["no endpoint"])
        base_p95 = team_year.p95(times["no endpoint"])
        print(f"{'mode':16} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'ratio med':>10} "
              f"{'ratio p95':>10}")
        for mode, values in times.items():
            median, worst = statistics.median(values), team_year.p95(values)
            print(f"{mode:16} {len(values):4} {median:10.1f} {worst:8.1f} "
                  f"{median / base_median:10.2f} {worst / base_p95:10.2f}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        receiver.shutdown()


if __name__ == "__main__":
    main()
