"""Benchmark (issue 11, guards): the pages that now show guard markers and phone links, and the
metrics page whose connects are split by who answered, on a `flask seed-bench` database.

Times each endpoint in-process through the Flask test client (server time: routing, queries,
rendering), median and p95, with GET /healthz as the floor. Run it from a checkout's root, so
the same script can time another checkout (a baseline) against the same database:

    flask --app wsgi seed-bench --companies 2000 --people 40000 --calls 200000 --reset
    PYTHONPATH=. .venv/bin/python bench/guards_pages.py --database-url sqlite:////tmp/x.sqlite
    (cd /tmp/base && PYTHONPATH=. .venv/bin/python /path/to/bench/guards_pages.py --database-url …)
"""

import argparse
import statistics
import time

from sqlalchemy import func, select


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    from app import create_app
    from app.benchdata import PASSWORD, USERS
    from app.extensions import db
    from app.models import Company, Person

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "bench"})
    with app.app_context():
        biggest = db.session.execute(
            select(Person.company_id, func.count()).group_by(Person.company_id)
            .order_by(func.count().desc()).limit(1)).one()[0]
        box = db.session.scalars(select(Person.id).where(Person.placeholder.is_(True))
                                 .order_by(Person.id).limit(1)).first()
        named = db.session.scalars(select(Person.id).where(Person.company_id == biggest,
                                                           Person.direct_phone.is_not(None))
                                   .order_by(Person.id).limit(1)).first()
        db.session.remove()
        company = db.session.get(Company, biggest)
        print(f"company {biggest} ({company.name}), person {named}, empty box {box}")
        db.session.remove()
        client = app.test_client()
        login = client.post("/login", data={"email": USERS[0][0], "password": PASSWORD})
        assert login.status_code == 302, login.status_code
        paths = ["/healthz", "/", "/people/", "/search/?q=director", "/calls/",
                 f"/companies/{biggest}", f"/people/{named}", f"/people/{box}",
                 "/metrics", "/metrics?period=90", "/metrics.csv?period=90"]
        for path in paths:
            times = []
            for i in range(args.warmup + args.runs):
                start = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200, (path, response.status_code)
                if i >= args.warmup:
                    times.append(elapsed)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(f"{path:28} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
