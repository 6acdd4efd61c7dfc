"""Benchmark: a 100,000-row people CSV imported through `flask import-csv`, time and peak memory.

Writes a realistic file (messy on purpose: a BOM, semicolons, quoted line breaks, repeated rows,
bad phones, unknown managers and cycles; managers given by name or email, often further down the
file), then runs, each as its own process against --database-url (default: a new SQLite file):
the dry run, the import, and the same import again (everything matches: all skipped). For each:
wall time, rows per second and the process's peak resident memory (getrusage of the child),
next to the peak of a process that only builds the app, and the file's size: an import that
loaded the file whole would need at least the file's size on top.

    .venv/bin/python bench/import_csv.py                      # SQLite, 100,000 rows
    .venv/bin/python bench/import_csv.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_import
    .venv/bin/python bench/import_csv.py --companies-from-database   # match the team-year data

With --companies-from-database the rows name companies already in the database (e.g. a copy of
the team-year data set, upgraded), so rows are matched against 200,000 people on file.
The database must be migrated (`flask db upgrade`), or empty (its tables are then created).
Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLASK = str(Path(sys.executable).with_name("flask"))
FIRST = ["Ann", "Bob", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ida", "Jo", "Kim", "Lee", "Max",
         "Ned", "Ola", "Pat", "Quin", "Ray", "Sue", "Tom", "Uma", "Vic", "Wes", "Xia", "Yan", "Zoe"]
LAST = ["Smith", "Jones", "García", "Müller", "Nguyen", "O'Brien", "Kowalski", "Rossi", "Sato",
        "Okafor", "Larsen", "Dubois", "Silva", "Cohen", "Novak", "Khan", "Berg", "Costa"]
TITLES = ["CEO", "CTO", "VP Engineering", "Director, Platform", "Engineering Manager",
          "Staff Engineer", "Recruiter", "Office Manager", "Head of Sales"]


def write_csv(path: Path, rows: int, companies: list[str], seed: int = 5) -> None:
    """Stream the file to disk: never more than one row in memory."""
    rng = random.Random(seed)
    per_company = max(1, rows // len(companies))
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("\ufeffCompany;First name;Last name;Job title;Department;Direct dial;Email;"
                  "Reports to\r\n")
        written = 0
        for c_index, company in enumerate(companies):
            names: list[tuple[str, str]] = []
            for i in range(per_company if c_index < len(companies) - 1 else rows - written):
                first, last = rng.choice(FIRST), f"{rng.choice(LAST)}{c_index}x{i}"
                email = f"{first}.{last}@c{c_index}.example".lower().replace("'", "")
                phone = f"+1 212 555 {rng.randint(0, 9999):04d}"
                roll = rng.random()
                if roll < 0.01:
                    phone = "not a phone"
                manager = ""
                if names and roll > 0.05:
                    boss_first, boss_email = names[rng.randrange(len(names))]
                    manager = boss_email if roll > 0.5 else boss_first
                elif roll < 0.002:
                    manager = "Nobody Known"
                dept = "R&D\nPlatform" if roll > 0.97 else "Engineering"
                quoted_company = company.replace('"', '""')
                out.write(f'"{quoted_company}";{first};{last};{rng.choice(TITLES)};"{dept}";'
                          f"{phone};{email};{manager}\r\n")
                written += 1
                names.append((f"{first} {last}", email))
                if roll > 0.995 and written < rows:  # a row repeated in the file
                    out.write(f'"{quoted_company}";{first};{last};;;{phone};{email};\r\n')
                    written += 1
            if written >= rows:
                break


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a child; (seconds, its peak RSS in MB, its output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    # ru_maxrss of all children is the max so far: each phase runs bigger than the last one
    # measured, or reports the earlier peak; the baseline runs first, and is the smallest.
    return seconds, max(peak, before) / 1024, done.stdout


def child_peak(code: str, env: dict[str, str]) -> float:
    """Peak RSS (MB) of a child that runs `code` and reports its own getrusage."""
    done = subprocess.run([sys.executable, "-c", code + "\nimport resource,sys;"
                           "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                          env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--companies-from-database", action="store_true")
    parser.add_argument("--keep", action="store_true", help="Keep the CSV and SQLite file.")
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    url = options.database_url or f"sqlite:///{workdir / 'import.sqlite'}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "JOBS_IN_PROCESS": "0",
           "PYTHONPATH": str(ROOT)}
    setup = ("from app import create_app\nfrom app.extensions import db\n"
             "from app.models import Company, User\nfrom sqlalchemy import select\n"
             "app = create_app()\nctx = app.app_context(); ctx.push()\n"
             "db.create_all()\n")
    add_user = ("if not db.session.scalar(select(User).where("
                "User.email=='bench-import@example.com')):"
                "\n    db.session.add(User(email='bench-import@example.com', name='Importer',"
                " password_hash='x')); db.session.commit()\n")
    names_code = (setup + "print('\\n'.join(n for (n,) in db.session.execute("
                  f"select(Company.name).order_by(Company.id).limit({options.companies}))))")
    subprocess.run([sys.executable, "-c", setup + add_user], env=env, cwd=ROOT, check=True)
    if options.companies_from_database:
        listed = subprocess.run([sys.executable, "-c", names_code], env=env, cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.splitlines()
        companies = listed or [f"Import Co {i}" for i in range(options.companies)]
    else:
        companies = [f"Import Co {i}" if i % 7 else f'Import "Quoted"; Co {i}'
                     for i in range(options.companies)]
    path = workdir / "people.csv"
    write_csv(path, options.rows, companies)
    size_mb = path.stat().st_size / 1e6
    baseline = child_peak(setup, env)
    print(f"database: {url.split('@')[-1]}")
    print(f"file: {options.rows} rows, {size_mb:.1f} MB, {len(companies)} companies")
    print(f"baseline process (app built, nothing imported): peak RSS {baseline:.0f} MB")
    command = [FLASK, "--app", "wsgi", "import-csv", "--kind", "people", "--file", str(path),
               "--as", "bench-import@example.com"]
    results = {}
    for phase, extra in (("dry run", ["--dry-run"]), ("import", []), ("import again", [])):
        seconds, peak, output = run(command + extra, env)
        summary = output.splitlines()[0] if output else "(no output)"
        results[phase] = {"seconds": round(seconds, 1), "rows_per_s": round(options.rows / seconds),
                          "peak_rss_mb": round(peak), "summary": summary}
        print(f"{phase:13s} {seconds:7.1f} s  {options.rows / seconds:7.0f} rows/s  "
              f"peak RSS {peak:5.0f} MB  | {summary}")
    print(json.dumps(results))
    if not options.keep:
        path.unlink()
        if not options.database_url:
            for suffix in ("", "-wal", "-shm"):
                (workdir / f"import.sqlite{suffix}").unlink(missing_ok=True)
        workdir.rmdir()


if __name__ == "__main__":
    main()
