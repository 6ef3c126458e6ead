"""Where one request of a page spends its time: each SQL query with its duration, then cProfile.

    .venv/bin/python bench/profile_page.py "/dashboard/?year=2026"  [--profile] [--explain]

Runs in-process (Flask test client) on the benchmark database, logged in as the benchmark lead.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build_data import BENCH_USER, DEFAULT_URL  # noqa: E402

HOTSPOTS = {
    "url_for": ("flask/app.py", "url_for"),
    "translation lookups (Flask-Babel gettext)": ("flask_babel/__init__.py", "gettext"),
    "template _() (template_gettext)": ("template_gettext.py", "template_gettext"),
    "lazy strings made text": ("flask_babel/speaklater.py", "__str__"),
    "Babel date formatting": ("babel/dates.py", "format_date"),
    "Babel number formatting": ("babel/numbers.py", "format_decimal"),
    "timezone conversions (UTCDateTime result)": ("models/base.py", "process_result_value"),
    "ORM objects loaded": ("orm/loading.py", "_instance"),
    "lazy loads": ("orm/strategies.py", "_load_for_state"),
    "macro calls": ("jinja2/runtime.py", "_invoke"),
    "templates included": ("jinja2/environment.py", "get_template"),
    "g accesses": ("werkzeug/local.py", "_get_current_object"),
}


def print_hotspots(stats, top: int, repeat: int) -> None:
    """Counts of the usual suspects per request, then our own functions and templates by cumulative time."""
    print("=== per request")
    for label, (file_part, name) in HOTSPOTS.items():
        calls = sum(v[1] for k, v in stats.stats.items() if file_part in k[0] and k[2] == name)
        print(f"  {calls // repeat:7d}  {label}")
    ours = [
        (v[3], v[1], k)
        for k, v in stats.stats.items()
        if ("/supervision/" in k[0] or "/templates/" in k[0]) and "/.venv/" not in k[0]
    ]
    print(f"=== our functions and templates, by cumulative ms per request (top {top})")
    for cum, calls, (path, line, name) in sorted(ours, reverse=True)[:top]:
        short = (
            path.split("/supervision/")[-1]
            if "/supervision/" in path
            else "templates/" + path.split("/templates/")[-1]
        )
        print(f"  {cum * 1000 / repeat:8.1f} ms {calls // repeat:6d}×  {short}:{line} {name}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--profile", action="store_true", help="also print the top of a cProfile run")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN QUERY PLAN of the slow queries")
    parser.add_argument("--user", default=BENCH_USER)
    parser.add_argument("--lang", help="the page language chosen after login (en or zh_CN)")
    parser.add_argument(
        "--repeat", type=int, default=5, help="profiled requests (the shared machine is noisy)"
    )
    parser.add_argument(
        "--ours", type=int, default=0, help="also the top N of our own functions and templates"
    )
    parser.add_argument(
        "--sort", default="cumulative", help="the cProfile order (cumulative, tottime, ncalls)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    from bench.clients import logged_in_client, statements_run, switch_language
    from supervision import create_app
    from supervision.extensions import db

    app = create_app()
    client = logged_in_client(app, args.user)  # no app context kept across requests, as under gunicorn
    if args.lang:
        switch_language(client, args.lang)
    client.get(args.path)  # warm up
    with app.app_context():
        engine = db.engine
    with statements_run(engine) as queries:
        t0 = time.perf_counter()
        response = client.get(args.path)
        total = (time.perf_counter() - t0) * 1000
    # SQLite runs most of a query while the rows are fetched, after cursor_execute returns:
    # time each statement again, fetch included.
    with engine.connect() as conn:
        for q in queries:
            t1 = time.perf_counter()
            conn.exec_driver_sql(q[1], q[2]).fetchall()
            q[0] = (time.perf_counter() - t1) * 1000
    sql_ms = sum(q[0] for q in queries)
    print(
        f"{args.path}: HTTP {response.status_code}, {total:.0f} ms, {len(queries)} queries, "
        f"{sql_ms:.0f} ms in SQL (each query run again, rows fetched)"
    )
    for ms, statement, params in sorted(queries, key=lambda q: -q[0]):
        print(f"--- {ms:7.1f} ms  {' '.join(statement.split())[:400]}  {str(params)[:120]}")
    if args.explain and engine.dialect.name == "sqlite":
        for ms, statement, params in sorted(queries, key=lambda q: -q[0])[:3]:
            with engine.connect() as conn:
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
            print(f"=== plan of the {ms:.1f} ms query")
            for row in plan:
                print("   ", row[-1])
    if args.explain and engine.dialect.name == "postgresql":
        for ms, statement, params in sorted(queries, key=lambda q: -q[0])[:3]:
            with engine.connect() as conn:
                plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params).all()
            print(f"=== plan of the {ms:.1f} ms query")
            for row in plan:
                print("   ", row[0])
    if args.profile:
        # Wall time: a CPU-time timer is a system call on this VM and would cost more than the page.
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):  # summed over the repeats; the hotspot figures are per request
            client.get(args.path)
        profiler.disable()
        stats = pstats.Stats(profiler)
        print(f"{stats.total_calls // args.repeat} function calls per request")
        stats.sort_stats(args.sort).print_stats(35)
        if args.ours:
            print_hotspots(stats, args.ours, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
