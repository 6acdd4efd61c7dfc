"""Export and email-guess costs on a team-year database (run by hand; see docs/benchmarks.md).

    DATABASE_URL=sqlite:////tmp/tybench/E.sqlite SECRET_KEY=x \
        python -m bench.export_bench export zip      # time, bytes, RSS while streaming
    ... python -m bench.export_bench guess 30        # person JSON with/without email_guess

`export` streams the whole team's data and samples the process's resident memory as it goes:
flat memory means the export never holds more than a batch. `guess` times the API's person
reads at the biggest company, interleaving the baseline (no guess) and the change.
"""

import os
import resource
import statistics
import sys
import time


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def export(fmt: str) -> None:
    from app import create_app
    from app.exports.team import stream_json, stream_zip

    app = create_app()
    with app.app_context():
        start, total, samples = time.perf_counter(), 0, []
        body = stream_zip() if fmt == "zip" else (s.encode() for s in stream_json())
        for i, chunk in enumerate(body):
            total += len(chunk)
            if i % 200 == 0:
                samples.append(round(rss_mb()))
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{fmt}: {seconds:.1f} s, {total / 2**20:.1f} MiB out, peak RSS {peak:.0f} MiB; "
          f"RSS samples (MiB) {samples[:3]} ... {samples[len(samples) // 2]} ... {samples[-3:]}")


def guess(rounds: int) -> None:
    from sqlalchemy import func, select

    from app import create_app
    from app.api import serializers
    from app.auth.service import issue_token
    from app.extensions import db
    from app.models import Person, User
    from app.people.email_patterns import email_guess

    app = create_app()
    client = app.test_client()
    with app.app_context():
        company_id = db.session.scalar(select(Person.company_id).group_by(Person.company_id)
                                       .order_by(func.count().desc()).limit(1))
        person_id = db.session.scalar(select(Person.id).where(
            Person.company_id == company_id, Person.email.is_(None),
            Person.full_name.is_not(None)).limit(1))
        token = issue_token(db.session.scalars(select(User).limit(1)).one())
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    urls = {"person": f"/api/v1/people/{person_id}",
            "list100": f"/api/v1/people?company_id={company_id}&per_page=100&page=40"}
    variants = {"baseline": lambda _p: None, "email_guess": email_guess}
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for name, url in urls.items():
            for variant, fn in variants.items():
                serializers.email_guess = fn  # bench only: the baseline serializes no guess
                start = time.perf_counter()
                assert client.get(url, headers=headers).status_code == 200
                times.setdefault((name, variant), []).append(time.perf_counter() - start)
    for name in urls:
        row = []
        for variant in variants:
            ms = sorted(t * 1000 for t in times[(name, variant)])
            p95 = ms[int(len(ms) * 0.95) - 1]
            row.append((statistics.median(ms), p95))
        ratio = row[1][0] / row[0][0]
        print(f"{name} (company {company_id}): baseline median {row[0][0]:.1f} ms p95 "
              f"{row[0][1]:.1f}; with guess median {row[1][0]:.1f} ms p95 {row[1][1]:.1f}; "
              f"ratio {ratio:.2f}")


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2])
    else:
        guess(int(sys.argv[2]))
