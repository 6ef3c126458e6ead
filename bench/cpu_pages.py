"""CPU per request of pages in-process, next to the ceiling measured the same way.

    DATABASE_URL=sqlite:////tmp/copy.db .venv/bin/python bench/cpu_pages.py [-n 300] [--html DIR] [PATH ...]

Each page is requested warm with the Flask test client, logged in as the benchmark lead, with no app
context kept across requests (as under gunicorn); time.process_time over N requests, divided by N, and
the queries of one request. The ceiling is bench/bare.py's app in the same process and the same way.
With --html, each page's body is written to DIR (tokens blanked) to diff before and after a change.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench.build_data import BENCH_USER, DEFAULT_URL  # noqa: E402

DEFAULT_PATHS = ["/registers/", "/", "/dashboard/?year=2026", "/dashboard/annual?year=2026"]
TOKENS = re.compile(
    r'((?:name="csrf_token"|name="csrf-token"|name="form_token")[^>]*?(?:value|content)=")[^"]+'
)


def cpu_ms(client, path: str, n: int) -> float:
    for _ in range(5):
        client.get(path)
    t0 = time.process_time()
    for _ in range(n):
        client.get(path)
    return (time.process_time() - t0) * 1000 / n


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument(
        "--rounds", type=int, default=5, help="best of this many interleaved rounds of n requests"
    )
    parser.add_argument("--html", help="write each page's body here, tokens blanked")
    parser.add_argument("--user", default=BENCH_USER)
    parser.add_argument("--lang", help="the page language chosen after login (en or zh_CN)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import bare

    from bench.clients import logged_in_client, statements_run, switch_language
    from supervision import create_app
    from supervision.extensions import db

    app = create_app()
    client = logged_in_client(app, args.user)
    if args.lang:
        switch_language(client, args.lang)
    with app.app_context():
        engine = db.engine
    bare_client = bare.app.test_client()
    targets = [(bare_client, "/", "(ceiling) bare.py /")] + [
        (client, p, p) for p in args.paths or DEFAULT_PATHS
    ]
    info = {}
    for cl, path, label in targets:
        response = cl.get(path)
        with statements_run(engine) as run:
            response = cl.get(path)
        info[label] = (len(run) if cl is client else 1, response.status_code, len(response.data))
        if args.html and cl is client:
            Path(args.html).mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
            body = TOKENS.sub(r"\1TOKEN", response.get_data(as_text=True))
            (Path(args.html) / f"{name}.html").write_text(body)
    # Interleaved rounds, the best of each: the shared machine's load changes from second to second.
    best = {label: float("inf") for _, _, label in targets}
    for _ in range(args.rounds):
        for cl, path, label in targets:
            best[label] = min(best[label], cpu_ms(cl, path, args.n))
    results = [(label, best[label], *info[label]) for _, _, label in targets]
    ceiling = results[0][1]
    for path, ms, queries, status, size in results:
        print(
            f"{path:34} {ms:6.2f} ms CPU/req  ratio {ceiling / ms:4.2f}  {queries} queries  "
            f"HTTP {status}  {size / 1024:.0f} KB",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
