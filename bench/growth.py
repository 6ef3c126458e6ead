"""Growth of every page's CPU per request from district to province scale, on one database.

    .venv/bin/python bench/growth.py [-n 50] [--rounds 3] [--only LABEL,...] [--write]

For each page of bench/run.py pages(), as its real role (subjects from choose_subjects on each
database), in-process with the Flask test client as bench/cpu_pages.py does: the app's CPU
(time.process_time over n warm requests, divided by n) plus the CPU of the PostgreSQL backends of
this process's connections (their pids from pg_backend_pid() when each connection opens, CPU from
/proc/<pid>/schedstat in nanoseconds, so 50 requests of 1 ms are measured, not rounded to 10 ms
ticks), and the queries of one request. Each round is a fresh process per database, the databases
alternate (district, province, district, ...), and each page keeps its best round by app + db, so a
load change on the shared machine does not pass for growth. Flagged: growth over 20 % or a query
count that differs. With --write, the table becomes a new section at the top of bench/RESULTS_pg.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
SMALL, LARGE = PG + "bench_district", PG + "bench_province"
LIMIT = 20.0  # per cent


def backend_seconds(pids: set[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
        except (OSError, IndexError, ValueError):
            from run import cpu_seconds  # no schedstat: utime + stime in clock ticks

            total += sum(cpu_seconds([pid]).values())
    return total


def measure(url: str, n: int, only: set[str], year: int) -> list[dict]:
    """One round on one database, in this process: app ms, db ms and queries per page."""
    os.environ.update(DATABASE_URL=url, SECRET_KEY="bench-secret-key", LOG_LEVEL="WARNING")
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    pids: set[int] = set()

    @event.listens_for(Pool, "connect")
    def backend_pid(dbapi_connection, _record):
        if type(dbapi_connection).__module__.startswith("psycopg"):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.add(cursor.fetchone()[0])
            dbapi_connection.commit()

    import bare
    from run import choose_subjects, pages

    from bench.clients import logged_in_client
    from supervision import create_app
    from supervision.extensions import db

    subjects = choose_subjects(url)
    targets = [("(ceiling) bare.py", "-", "/")] + [
        p for p in pages(year, subjects) if not only or p[0] in only or p[2] in only
    ]
    app = create_app()
    with app.app_context():
        engine = db.engine
    clients = {role: logged_in_client(app, subjects[role]) for role in {r for _, r, _ in targets[1:]}}
    clients["-"] = bare.app.test_client()
    counter = [0]

    def count(*_args, **_kwargs):
        counter[0] += 1

    out = []
    for label, role, path in targets:
        client = clients[role]
        for _ in range(3):
            client.get(path)
        event.listen(engine, "before_cursor_execute", count)
        counter[0] = 0
        response = client.get(path)
        event.remove(engine, "before_cursor_execute", count)
        body = response.get_data(as_text=True)
        if response.status_code != 200 or 'name="password"' in body:
            raise SystemExit(f"{label} [{role}] {path}: HTTP {response.status_code} or the login page")
        t0, b0 = time.process_time(), backend_seconds(pids)
        for _ in range(n):
            client.get(path)
        app_ms = (time.process_time() - t0) * 1000 / n
        db_ms = (backend_seconds(pids) - b0) * 1000 / n
        queries = counter[0] if role != "-" else 1
        out.append(dict(label=label, role=role, path=path, app=app_ms, db=db_ms, queries=queries))
    return out


def best_of(rounds: list[list[dict]]) -> dict:
    best: dict = {}
    for result in rounds:
        for r in result:
            key = (r["label"], r["role"])
            if key not in best or r["app"] + r["db"] < best[key]["app"] + best[key]["db"]:
                best[key] = r
    return best


def table(small: dict, large: dict) -> tuple[str, list[str]]:
    lines = [
        "| page | role | district ms (app + db) | province ms (app + db) | growth | queries district / province | |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    flagged = []
    for key, s in small.items():
        p = large[key]
        a, b = s["app"] + s["db"], p["app"] + p["db"]
        growth = (b - a) / a * 100
        flag = []
        if growth > LIMIT:
            flag.append(f"grows > {LIMIT:.0f} %")
        if s["queries"] != p["queries"]:
            flag.append("queries differ")
        if flag and s["role"] != "-":
            flagged.append(f"{s['label']} [{s['role']}]")
        lines.append(
            f"| {s['label']} | {s['role']} | {a:.2f} ({s['app']:.2f} + {s['db']:.2f}) | "
            f"{b:.2f} ({p['app']:.2f} + {p['db']:.2f}) | {growth:+.0f} % | "
            f"{s['queries']} / {p['queries']} | {'⚠ ' + ', '.join(flag) if flag else ''} |"
        )
    return "\n".join(lines), flagged


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=50, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated page labels or paths")
    parser.add_argument("--year", type=int, default=datetime.now(UTC).year)
    parser.add_argument("--small", default=SMALL)
    parser.add_argument("--large", default=LARGE)
    parser.add_argument("--write", action="store_true", help="a new section atop bench/RESULTS_pg.md")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # one round on this URL, JSON out
    args = parser.parse_args(argv)
    only = {w.strip() for w in args.only.split(",") if w.strip()}
    if args.measure:
        print(json.dumps(measure(args.measure, args.n, only, args.year)))
        return 0
    started, load0 = datetime.now(UTC), os.getloadavg()[0]
    results: dict[str, list] = {args.small: [], args.large: []}
    for i in range(args.rounds):
        for url in results:
            cmd = [sys.executable, __file__, "--measure", url, "-n", str(args.n), "--year", str(args.year)]
            done = subprocess.run([*cmd, "--only", args.only], capture_output=True, text=True, check=False)
            if done.returncode:
                sys.stderr.write(done.stderr)
                return done.returncode
            results[url].append(json.loads(done.stdout.splitlines()[-1]))
            print(f"round {i + 1} {url.rsplit('/', 1)[-1]} done, load {os.getloadavg()[0]:.1f}", flush=True)
    text, flagged = table(best_of(results[args.small]), best_of(results[args.large]))
    from run import machine, write_report

    section = (
        f"## Growth from district to province on PostgreSQL (bench/growth.py), "
        f"{started:%Y-%m-%d %H:%M} UTC\n\n"
        f"Each page as its role, in-process (Flask test client): app CPU (time.process_time) + the "
        f"PostgreSQL backends' CPU of the process's connections (/proc/<pid>/schedstat), per request, "
        f"best of {args.rounds} rounds of {args.n} warm requests, the databases alternating, one process "
        f"per round and database. Flagged: growth > {LIMIT:.0f} % or a different query count.\n\n"
        f"- Machine: {machine()}; load {load0:.1f} before, {os.getloadavg()[0]:.1f} after (shared)\n"
        f"- Databases: {args.small.rsplit('/', 1)[-1]} → {args.large.rsplit('/', 1)[-1]}\n"
        f"- Over {LIMIT:.0f} % or queries differ: {', '.join(flagged) or 'none'}\n\n{text}\n"
    )
    print(section)
    if args.write:
        write_report(ROOT / "bench" / "RESULTS_pg.md", section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
