"""Run the benchmark (DESIGN §7): our busiest pages against a bare Flask-SQLAlchemy page.

    .venv/bin/python bench/build_data.py          # once: the city-scale database in /tmp
    .venv/bin/python bench/run.py                 # or: make bench

Starts gunicorn (2 sync workers, 127.0.0.1 only) for the real app (wsgi:app) and for bench/bare.py
on the same database, logs in as the benchmark lead through the real login form (CSRF token and
session cookie), then for each page sends requests from 16 client threads for a fixed time and
writes requests/s, p50 and p99 latency and the ratio to the bare page to bench/RESULTS.md. Before
the load it also counts the SQL queries of one request per page (in-process, Flask test client).
Both gunicorn process groups are stopped at the end whatever happens.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import http.client
import http.cookiejar
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build_data import BENCH_PASSWORD, BENCH_USER, DEFAULT_URL  # noqa: E402

HOST = "127.0.0.1"
SECRET = "bench-secret-key"


def pages(year: int) -> list[tuple[str, str]]:
    return [
        ("bare Flask page (reference)", "BARE /"),
        ("dashboard", f"/dashboard/?year={year}"),
        ("annual figures", f"/dashboard/annual?year={year}"),
        ("notices", "/notices/"),
        ("tasks", "/tasks/"),
        ("findings", "/tasks/findings"),
        ("office scorecard", "/scorecards/office"),
        ("registers", "/registers/"),
        ("search 横街", "/search/?q=" + urllib.parse.quote("横街")),
        ("lead home", "/"),
    ]


# --- gunicorn -------------------------------------------------------------------------------------


class Server:
    def __init__(self, name: str, target: str, port: int, env: dict, workers: int, chdir: Path):
        self.name, self.port = name, port
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.log = open(f"/tmp/bench_{name}_{port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                gunicorn,
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"{HOST}:{port}",
                "--chdir",
                str(chdir),
                "--log-level",
                "warning",
                target,
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends the master and its workers
        )

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", path)
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn {self.name} did not answer on port {self.port}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the group we created, by its id
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


# --- client ---------------------------------------------------------------------------------------


def login(port: int) -> str:
    """Log in through the real form; return the Cookie header for the load threads."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://{HOST}:{port}"
    page = opener.open(base + "/auth/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    if not token:
        raise RuntimeError("no CSRF token on the login page")
    data = urllib.parse.urlencode(
        {"csrf_token": html.unescape(token.group(1)), "username": BENCH_USER, "password": BENCH_PASSWORD}
    ).encode()
    final = opener.open(urllib.request.Request(base + "/auth/login", data=data), timeout=30)
    final.read()
    if final.url.rstrip("/").endswith("/auth/login"):
        raise RuntimeError("login failed (still on the login page)")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def one_request(port: int, path: str, cookie: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        conn.close()


def load(port: int, path: str, cookie: str, threads: int, seconds: float) -> dict:
    """`threads` clients, each sending requests one after another until the time is up."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[int] = [0] * threads
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    start_gate = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def client(n: int) -> None:
        start_gate.wait()
        while time.perf_counter() < stop_at[0]:
            t0 = time.perf_counter()
            try:
                status, _ = one_request(port, path, cookie)
            except OSError:
                errors[n] += 1
                continue
            latencies[n].append(time.perf_counter() - t0)
            if status != 200:
                errors[n] += 1
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1

    workers = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(threads)]
    for w in workers:
        w.start()
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start_gate.wait()
    for w in workers:
        w.join(timeout=seconds + 120)
    elapsed = time.perf_counter() - began
    all_lat = sorted(x for lst in latencies for x in lst)
    n = len(all_lat)

    def pct(p: float) -> float:
        return all_lat[min(n - 1, int(p * n))] * 1000 if n else float("nan")

    return {
        "requests": n,
        "rps": n / elapsed if elapsed else 0.0,
        "p50": pct(0.50),
        "p99": pct(0.99),
        "errors": sum(errors),
        "statuses": statuses,
    }


# --- queries per page (in-process) ------------------------------------------------------------------


def query_counts(url: str, paths: list[str]) -> dict[str, tuple[int, float, int]]:
    """Per page, through the Flask test client: (queries of one request, median ms of 5, bytes, status)."""
    os.environ["DATABASE_URL"] = url
    os.environ["SECRET_KEY"] = SECRET
    from sqlalchemy import event, select

    from supervision import create_app
    from supervision.extensions import db
    from supervision.models import User

    app = create_app()
    out = {}
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == BENCH_USER))
        counter = [0]

        def count(*_args, **_kwargs):
            counter[0] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = str(user_id)
            sess["_fresh"] = True
        for path in paths:
            client.get(path)  # warm the templates and caches
            counter[0] = 0
            response = client.get(path)
            queries = counter[0]
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
            out[path] = (queries, sorted(times)[2], len(response.data), response.status_code)
        event.remove(db.engine, "before_cursor_execute", count)
    from bench.bare import create_app as bare_app

    bare = bare_app()
    client = bare.test_client()
    client.get("/")
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        response = client.get("/")
        times.append((time.perf_counter() - t0) * 1000)
    out["BARE /"] = (1, sorted(times)[2], len(response.data), response.status_code)
    return out


# --- report ---------------------------------------------------------------------------------------


def data_sizes(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, func, select, table

    engine = create_engine(url)
    names = [
        "unit",
        "user",
        "supervision_task",
        "finding",
        "notice",
        "notice_item",
        "case_file",
        "assessment",
        "indicator_score",
        "audit_event",
    ]
    with engine.connect() as conn:
        sizes = {n: conn.scalar(select(func.count()).select_from(table(n))) for n in names}
        years = conn.exec_driver_sql("SELECT min(year), max(year) FROM supervision_task").one()
    engine.dispose()
    sizes["years"] = f"{years[0]}–{years[1]}"
    return sizes


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu or platform.machine()}), "
        f"Python {platform.python_version()}"
    )


def write_report(path: Path, args, url: str, sizes: dict, results: list, counts: dict) -> str:
    bare = results[0][2]["rps"] or 1.0
    dialect = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    lines = [
        "# Benchmark results",
        "",
        "Run by hand with `make bench` (`bench/build_data.py`, then `bench/run.py`); see README, section Benchmark.",
        "Goal (DESIGN §7): each page at least half the bare Flask-SQLAlchemy page's throughput (ratio ≥ 0.5).",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}; load average before the run {args.load_before}, after {os.getloadavg()[0]:.1f} "
        "(the machine is shared: other work running at the same time lowers every figure alike)",
        f"- Server: gunicorn, {args.workers} sync workers per app, 127.0.0.1; client: {args.threads} threads "
        f"(Python http.client, a new connection per request) on the same machine, {args.duration:g} s per page "
        f"in {args.rounds} interleaved rounds (1 s warm-up before each); each page's best round is shown",
        f"- Database: {dialect} ({url.split('@')[-1] if '@' in url else url}), {args.scale_label} scale",
        "- Data: " + ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in sizes.items()),
        "",
        "| page | path | requests/s | p50 ms | p99 ms | errors | ratio to bare | queries | in-process ms | KB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, page_path, r in results:
        q = counts.get(page_path)
        queries = str(q[0]) if q else "—"
        single = f"{q[1]:.0f}" if q else "—"
        size = f"{q[2] / 1024:.0f}" if q else "—"
        ratio = r["rps"] / bare
        flag = "" if ratio >= 0.5 else " ⚠"
        errors = str(r["errors"]) + (f" {r['statuses']}" if r["statuses"] else "")
        lines.append(
            f"| {label} | `{page_path.replace('BARE ', '(bare) ')}` | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{errors} | {ratio:.2f}{flag} | {queries} | {single} | {size} |"
        )
    lines.append("")
    text = "\n".join(lines)
    kept = ""  # a hand-written "## Analysis" section after the table survives a new run
    if path.exists() and "\n## Analysis" in path.read_text():
        kept = path.read_text()[path.read_text().index("\n## Analysis") :]
    path.write_text(text + kept)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the busiest pages against a bare Flask page.")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per page (all rounds)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="interleaved rounds; each page's best round is reported"
    )
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8861, help="the app's port; the bare app uses port+1")
    parser.add_argument("--year", type=int, default=0, help="dashboard year (default: this year)")
    parser.add_argument("--only", default="", help="comma-separated page labels or paths to run")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--scale-label", default="city")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    year = args.year or datetime.now(UTC).year
    page_list = pages(year)
    if args.only:
        wanted = {w.strip() for w in args.only.split(",")}
        page_list = [page_list[0]] + [p for p in page_list[1:] if p[0] in wanted or p[1] in wanted]

    args.load_before = f"{os.getloadavg()[0]:.1f}"
    sizes = data_sizes(url)
    print("data:", sizes, flush=True)
    counts = query_counts(url, [p for _, p in page_list[1:]])  # and the bare page, as "BARE /"
    for path, (n, ms, size, status) in counts.items():
        print(
            f"  {path}: {n} queries, {ms:.0f} ms in-process, {size / 1024:.0f} KB, HTTP {status}", flush=True
        )

    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET, LOG_LEVEL="WARNING", FLASK_DEBUG="0")
    servers: list[Server] = []
    results = []
    try:
        app_server = Server("app", "wsgi:app", args.port, env, args.workers, ROOT)
        servers.append(app_server)
        bare_server = Server("bare", "bare:app", args.port + 1, env, args.workers, ROOT / "bench")
        servers.append(bare_server)
        app_server.wait_ready("/auth/login")
        bare_server.wait_ready("/")
        cookie = login(args.port)
        best: dict[str, dict] = {}
        for round_no in range(1, args.rounds + 1):
            for label, path in page_list:
                port, real_path, jar = (
                    (bare_server.port, "/", "")
                    if path.startswith("BARE")
                    else (app_server.port, path, cookie)
                )
                status, _ = one_request(port, real_path, jar)
                if status != 200:
                    raise RuntimeError(f"{path} answered HTTP {status}")
                load(port, real_path, jar, args.threads, 1.0)  # warm-up, not reported
                r = load(port, real_path, jar, args.threads, args.duration / args.rounds)
                if path not in best or r["rps"] > best[path]["rps"]:
                    best[path] = r
                print(
                    f"round {round_no} {label:28} {r['rps']:7.0f} req/s  p50 {r['p50']:6.1f} ms  "
                    f"p99 {r['p99']:6.1f} ms  errors {r['errors']}  load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
        results = [(label, path, best[path]) for label, path in page_list]
    finally:
        for server in servers:
            server.stop()
    text = write_report(Path(args.out), args, url, sizes, results, counts)
    print()
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
