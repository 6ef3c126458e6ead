"""Run the benchmark (DESIGN §7): our busiest pages, each as its real role, against the ceiling.

    .venv/bin/python bench/build_data.py          # once: the city-scale database in /tmp
    .venv/bin/python bench/run.py                 # or: make bench

The ceiling is bench/bare.py: one indexed Flask-SQLAlchemy query and a 50-row table from a compiled
Jinja template, under the same gunicorn (2 sync workers, 127.0.0.1 only) as the real app (wsgi:app).

Method:
- Each role (lead, inspector, liaison) logs in through the real login form (CSRF token, session
  cookie). Each page is fetched once first and checked: HTTP 200, not the login page, and its number
  of table rows (printed in the report, so an empty page cannot pass for a fast one).
- The load is `wrk` (16 connections, 2 threads) with bench/count.lua, which counts every answer that
  is not 200. Every page is followed by a ceiling run, so each page is compared with the ceiling
  measured next to it (the mean of the runs before and after) under the same machine load.
- Besides requests/s, p50 and p99, the figure that does not depend on how busy the shared machine is:
  the CPU time of the server's workers per request (utime + stime of the gunicorn workers from
  /proc/<pid>/stat, before and after the run, once the workers are idle again), plus on PostgreSQL
  the CPU of the backends serving this database, divided by the requests the workers handled (lines
  of gunicorn's access log: wrk stops with requests still queued, which cost CPU but are never
  answered). The ratio to the ceiling is by that CPU time: ceiling ms / page ms.
- Cold caches: the dashboard, the office scorecard and the lead home keep derived figures per
  process, keyed by a stamp of the records. Between runs the bench writes (an audit event and an
  assessment's updated_at, as any real change does), then times the first request of each worker.
- The in-process query count of one request per page uses the Flask test client with a new app
  context for every request (as gunicorn does), so the user, the bell and the layout are counted.
Both gunicorn process groups are stopped at the end whatever happens.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import http.client
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import statistics
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
LUA = Path(__file__).with_name("count.lua")
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Pages that keep what they read between changes (office-wide figures; the homes' rows per user).
# A new process, which has nothing kept yet, is bench/cold.py's last column.
COLD_PAGES = {
    ("dashboard", "lead"),
    ("office scorecard", "lead"),
    ("lead home", "lead"),
    ("inspector home", "inspector"),
    ("liaison home", "liaison"),
}


def choose_subjects(url: str) -> dict:
    """The users and records the role pages are measured on, chosen by data so every scale has them.

    The inspector on the most tasks; the liaison of the unit with the most notices among those with an
    assessment of 100 indicators in the latest round (the 100-row page); that unit's busiest issued notice.
    """
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        inspector = conn.execute(
            text(
                'SELECT u.username FROM task_inspector ti JOIN "user" u ON u.id = ti.user_id '
                "WHERE u.role = 'inspector' GROUP BY u.id, u.username ORDER BY count(*) DESC, u.id LIMIT 1"
            )
        ).scalar_one()
        latest = conn.execute(text("SELECT max(id) FROM assessment_round")).scalar_one()
        row = conn.execute(
            text(
                'SELECT u.username, u.unit_id, a.id FROM "user" u JOIN assessment a ON a.unit_id = u.unit_id '
                "WHERE u.role = 'liaison' AND a.round_id = :r "
                "AND (SELECT count(*) FROM indicator_score s WHERE s.assessment_id = a.id) >= 100 "
                "ORDER BY CASE a.status WHEN 'draft' THEN 0 WHEN 'returned' THEN 0 ELSE 1 END, "
                "(SELECT count(*) FROM notice n WHERE n.unit_id = u.unit_id) DESC, u.id LIMIT 1"
            ),
            {"r": latest},
        ).one()
        notice = conn.execute(
            text(
                "SELECT n.id FROM notice n WHERE n.unit_id = :u AND n.status IN ('issued', 'acknowledged', 'closed') "
                "ORDER BY (SELECT count(*) FROM notice_item i WHERE i.notice_id = n.id) DESC, n.id LIMIT 1"
            ),
            {"u": row[1]},
        ).scalar_one()
        cold = conn.execute(
            text("SELECT min(id) FROM assessment WHERE round_id = :r AND status = 'finalized'"), {"r": latest}
        ).scalar_one()
    engine.dispose()
    return {
        "lead": BENCH_USER,
        "inspector": inspector,
        "liaison": row[0],
        "unit": row[1],
        "assessment": row[2],
        "notice": notice,
        "cold_assessment": cold,
    }


def pages(year: int, s: dict) -> list[tuple[str, str, str]]:
    """(label, role, path) of every page the benchmark measures (the busiest pages, DESIGN §7)."""
    search = "/search/?q=" + urllib.parse.quote("横街")
    return [
        ("lead home", "lead", "/"),
        ("registers", "lead", "/registers/"),
        ("dashboard", "lead", f"/dashboard/?year={year}"),
        ("annual figures", "lead", f"/dashboard/annual?year={year}"),
        ("my unit's notices", "liaison", "/notices/unit"),
        ("tasks", "inspector", "/tasks/"),
        ("tasks", "lead", "/tasks/"),
        ("notices", "lead", "/notices/"),
        ("office scorecard", "lead", "/scorecards/office"),
        ("notice detail", "lead", f"/notices/{s['notice']}"),
        ("notice detail", "liaison", f"/notices/{s['notice']}"),
        ("findings", "lead", "/tasks/findings"),
        ("findings", "inspector", "/tasks/findings"),
        ("search 横街", "lead", search),
        # 横街第 matches what 横街 matches (the units 横街第N街道办事处 and their records) through the index.
        ("search 横街第 (3 characters: the index)", "lead", "/search/?q=" + urllib.parse.quote("横街第")),
        # An inspector sees some of the findings (their tasks', and those without a task).
        ("search 横街", "inspector", search),
        ("search 横街第", "inspector", "/search/?q=" + urllib.parse.quote("横街第")),
        ("liaison home", "liaison", "/"),
        ("unit scorecard", "liaison", f"/scorecards/units/{s['unit']}"),
        ("unit scorecard", "lead", f"/scorecards/units/{s['unit']}"),
        ("inspector home", "inspector", "/"),
        ("assessment, 100 indicators", "liaison", f"/scorecards/assessments/{s['assessment']}"),
    ]


# --- gunicorn -------------------------------------------------------------------------------------


class Server:
    def __init__(self, name: str, target: str, port: int, env: dict, workers: int, chdir: Path):
        self.name, self.port = name, port
        # One line per request the workers handled, also those whose client had gone (wrk stops with
        # requests still queued): the CPU per request is divided by these, not by the answers.
        self.access_log = f"/tmp/bench_access_{name}_{port}.log"
        Path(self.access_log).write_text("")
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
                "--access-logfile",
                self.access_log,
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

    def handled(self) -> int:
        with open(self.access_log, "rb") as f:
            return sum(1 for _ in f)

    def workers(self) -> list[int]:
        """The pids of the master's worker processes."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError):
                    if int(_stat_fields(entry.name)[1]) == self.proc.pid:
                        found.append(int(entry.name))
        return found


def _stat_fields(pid: str | int) -> list[str]:
    """/proc/<pid>/stat after the command name: state, ppid, ... (utime and stime are [11] and [12])."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    out = {}
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            f = _stat_fields(pid)
            out[pid] = (int(f[11]) + int(f[12])) / CLK_TCK
    return out


def postgres_backends(dbname: str) -> list[int]:
    """The PostgreSQL backends connected to `dbname` (their command line names the database)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
            if cmd.startswith("postgres: ") and f" {dbname} " in cmd:
                found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds used by the app's workers (and the database backends) between start() and stop(),
    and the requests the workers handled meanwhile (from gunicorn's access log)."""

    def __init__(self, server: Server, dbname: str | None):
        self.server, self.dbname = server, dbname

    def _read(self) -> tuple[dict, dict]:
        backends = postgres_backends(self.dbname) if self.dbname else []
        return cpu_seconds(self.server.workers()), cpu_seconds(backends)

    def wait_idle(self, timeout: float = 120) -> None:
        """Until the workers have used no CPU for half a second (the queued requests are done)."""
        deadline = time.monotonic() + timeout
        last = sum(self._read()[0].values())
        quiet = 0
        while time.monotonic() < deadline and quiet < 2:
            time.sleep(0.25)
            now = sum(self._read()[0].values())
            quiet = quiet + 1 if now - last < 0.005 else 0
            last = now

    def start(self) -> None:
        self.wait_idle()
        self.before = self._read()
        self.lines = self.server.handled()

    def stop(self) -> tuple[float, float, int]:
        self.wait_idle()
        after = self._read()
        # A process that appeared during the run counts from zero; one that ended is lost (pools keep
        # their connections and gunicorn its workers, so neither happens in a run).
        app = sum(v - self.before[0].get(pid, 0.0) for pid, v in after[0].items())
        dbcpu = sum(v - self.before[1].get(pid, 0.0) for pid, v in after[1].items())
        return app, dbcpu, self.server.handled() - self.lines


# --- client ---------------------------------------------------------------------------------------


def login(port: int, username: str) -> str:
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
        {"csrf_token": html.unescape(token.group(1)), "username": username, "password": BENCH_PASSWORD}
    ).encode()
    final = opener.open(urllib.request.Request(base + "/auth/login", data=data), timeout=30)
    final.read()
    if final.url.rstrip("/").endswith("/auth/login"):
        raise RuntimeError("login failed (still on the login page)")
    return settled_cookie(port, "; ".join(f"{c.name}={c.value}" for c in jar))


def settled_cookie(port: int, cookie: str) -> str:
    """The cookie as a browser holds it after one more page, asked for the way wrk asks (no
    User-Agent): a browser keeps the session cookie each answer sets, wrk sends the same one every
    time. Without this, the session the server marks on the first such request (Flask-Login's
    non-fresh mark when the agent changes, the idle clock once a minute) would be marked and
    signed anew on every request of the run, a cost no browser session pays."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", "/", headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        fresh = response.getheader("Set-Cookie")
    finally:
        conn.close()
    if not fresh:
        return cookie
    name, _, value = fresh.split(";", 1)[0].partition("=")
    parts = [c for c in cookie.split("; ") if not c.startswith(name + "=")]
    return "; ".join([*parts, f"{name}={value}"])


def one_request(port: int, path: str, cookie: str) -> tuple[int, bytes, float]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read()
        return response.status, body, (time.perf_counter() - t0) * 1000
    finally:
        conn.close()


def table_rows(body: bytes) -> int:
    """Rows of data on a page: table rows but the headers' (one per <thead>), plus list-group items."""
    text = body.decode(errors="replace")
    return text.count("<tr") - text.count("<thead") + text.count('class="list-group-item')


def check_page(port: int, path: str, cookie: str) -> int:
    """The page once: 200, not the login form; returns its number of rows."""
    status, body, _ = one_request(port, path, cookie)
    if status != 200:
        raise RuntimeError(f"{path} answered HTTP {status}")
    if b'name="password"' in body and b"/auth/login" in body:
        raise RuntimeError(f"{path} answered the login page")
    return table_rows(body)


def wrk(port: int, path: str, cookie: str, connections: int, seconds: float, meter: CpuMeter | None) -> dict:
    """One wrk run; with a meter, the CPU of the server (and database) per request it handled."""
    cmd = [
        shutil.which("wrk") or "/usr/bin/wrk",
        "-t2",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
    ]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(f"http://{HOST}:{port}{path}")
    if meter:
        meter.start()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    app_cpu, db_cpu, handled = meter.stop() if meter else (0.0, 0.0, 0)
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    r = json.loads(line[len("BENCH ") :])
    n = handled or r["answered"] or 1
    return {
        "requests": r["answered"],
        "handled": handled,
        "rps": r["answered"] / (r["duration_us"] / 1e6),
        "p50": r["p50_us"] / 1000,
        "p99": r["p99_us"] / 1000,
        "errors": r["non200"] + r["connect"] + r["read"] + r["write"] + r["timeout"],
        "non200": r["non200"],
        "app_ms": app_cpu * 1000 / n,
        "db_ms": db_cpu * 1000 / n,
        "cpu_ms": (app_cpu + db_cpu) * 1000 / n,
        "load": os.getloadavg()[0],
    }


def make_write(url: str, assessment_id: int):
    """A change like any real one: an assessment's and a finding's edit, each with its audit event."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)

    def write() -> None:
        # Two real edits: a finalized assessment's (the boards) and a finding's (the dashboard, the
        # homes' task and verification rows), each with its audit event as every service writes.
        now = datetime.now(UTC)
        with engine.begin() as conn:
            finding_id = conn.execute(text("SELECT max(id) FROM finding")).scalar_one()
            for table, record_id in (("assessment", assessment_id), ("finding", finding_id)):
                conn.execute(
                    text(f"UPDATE {table} SET updated_at = :now WHERE id = :id"),
                    {"now": now, "id": record_id},
                )
                conn.execute(
                    text(
                        "INSERT INTO audit_event (at, actor_id, action, record_type, record_id, summary, ip) "
                        "VALUES (:now, NULL, :action, :type, :id, 'bench: cold cache', '')"
                    ),
                    {"now": now, "action": f"{table}.update", "type": table, "id": record_id},
                )

    return write, engine


def cold_requests(port: int, path: str, cookie: str, write, times: int, workers: int) -> list[float]:
    """After each write, `workers` simultaneous requests (one per sync worker): each one is a miss."""
    out: list[float] = []
    for _ in range(times):
        write()
        results: list[float] = []
        threads = [
            threading.Thread(target=lambda got=results: got.append(one_request(port, path, cookie)[2]))
            for _ in range(workers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out.extend(results)
        time.sleep(0.2)
    return out


# --- queries per page (in-process) ------------------------------------------------------------------


def query_counts(url: str, targets: list[tuple[str, str]], users: dict[str, str]) -> dict:
    """Per (role, path): queries of one warm request, median in-process ms of 5, status.

    Each request runs in its own app context (the test client pushes one per request, nothing outer),
    so the user's load, the bell and the layout's queries are counted as in production."""
    os.environ["DATABASE_URL"] = url
    os.environ["SECRET_KEY"] = SECRET
    from sqlalchemy import event

    from bench.clients import logged_in_client
    from supervision import create_app
    from supervision.extensions import db

    app = create_app()
    with app.app_context():
        engine = db.engine
    counter = [0]

    def count(*_args, **_kwargs):
        counter[0] += 1

    clients = {role: logged_in_client(app, name) for role, name in users.items()}
    event.listen(engine, "before_cursor_execute", count)
    out = {}
    for role, path in targets:
        client = clients[role]
        client.get(path)  # warm the templates and caches
        counter[0] = 0
        response = client.get(path)
        queries = counter[0]
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
        out[(role, path)] = (queries, sorted(times)[2], len(response.data), response.status_code)
    event.remove(engine, "before_cursor_execute", count)
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


def section(
    args, url: str, sizes: dict, subjects: dict, rows: list, ceilings: list, cold: dict, counts: dict
) -> str:
    dialect = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    ceiling_cpu = statistics.median(c["cpu_ms"] for c in ceilings)
    string_line = ""
    if args.old_bare is not None:
        string_line = (
            f"- The old bare page (the same table, template compiled on every request, `bare.py /string`): "
            f"{args.old_bare['cpu_ms']:.2f} ms CPU per request against the ceiling's {ceiling_cpu:.2f} ms."
        )
    lines = [
        f"## Honest method: {args.scale_label} scale on {dialect}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "Ceiling: `bench/bare.py`, one indexed Flask-SQLAlchemy query and a 50-row table from a compiled template,",
        f"gunicorn sync ×{args.workers}. Client: wrk, {args.connections} connections, {args.duration:g} s per run after a 1 s warm-up,",
        "with bench/count.lua counting every answer that is not 200. Each page is checked once (HTTP 200, not the",
        "login page, rows counted) and measured as its real role; a ceiling run follows every page, and each page's",
        "ratio is the ceiling's CPU per request next to it (mean of the runs before and after) divided by the page's.",
        "**CPU ms per request** is the gunicorn workers' utime+stime (/proc/<pid>/stat) from before the run until",
        "they are idle again, divided by the requests they handled (gunicorn's access log, so requests still queued",
        "when wrk stops count too)"
        + (", plus the PostgreSQL backends serving this database" if dialect == "PostgreSQL" else "")
        + ": it does not depend on how busy the shared machine is; req/s and latencies do.",
        "",
        f"- Machine: {machine()}; load average {args.load_before} before the run, {os.getloadavg()[0]:.1f} after",
        "  (shared by other engineers: wall-clock figures are noisy, CPU per request is the figure to trust)",
        f"- Database: {dialect} ({url.split('@')[-1] if '@' in url else url})",
        "- Data: " + ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in sizes.items()),
        f"- Subjects: lead `{subjects['lead']}`, inspector `{subjects['inspector']}`, liaison `{subjects['liaison']}` "
        f"(unit {subjects['unit']}, assessment {subjects['assessment']}, notice {subjects['notice']})",
        f"- Ceiling: median {ceiling_cpu:.2f} ms CPU per request over {len(ceilings)} runs "
        f"({min(c['cpu_ms'] for c in ceilings):.2f}–{max(c['cpu_ms'] for c in ceilings):.2f}), "
        f"median {statistics.median(c['rps'] for c in ceilings):.0f} req/s",
    ]
    if string_line:
        lines.append(string_line)
    lines += [
        "",
        "| page | role | rows | queries | CPU ms/req (app + db) | ratio by CPU | req/s | p50 ms | p99 ms | non-200 | load |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, role, path, n_rows, r, ratio in rows:
        q = counts.get((role, path))
        queries = str(q[0]) if q else "—"
        cpu = f"{r['cpu_ms']:.1f}" + (
            f" ({r['app_ms']:.1f} + {r['db_ms']:.1f})" if dialect == "PostgreSQL" else ""
        )
        flag = "" if ratio >= 0.5 else " ⚠"
        lines.append(
            f"| {label} | {role} | {n_rows} | {queries} | {cpu} | {ratio:.2f}{flag} | {r['rps']:.0f} | "
            f"{r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} | {r['load']:.1f} |"
        )
    if cold:
        lines += [
            "",
            f"Cold cache: after each of {args.cold_writes} writes, one simultaneous request per worker "
            "(each one a miss of its process's cache):",
            "",
            "| page | role | first request after a write, ms: median | max | warm p50 ms |",
            "|---|---|---:|---:|---:|",
        ]
        for (label, role), (times, warm) in cold.items():
            lines.append(
                f"| {label} | {role} | {statistics.median(times):.0f} | {max(times):.0f} | {warm:.1f} |"
            )
    lines.append("")
    return "\n".join(lines)


def write_report(path: Path, text: str) -> None:
    """A new section at the top, after the title; older sections are kept below it."""
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    title, _, rest = old.partition("\n")
    path.write_text(title + "\n\n" + text + "\n" + rest.lstrip("\n"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark the busiest pages, each as its role, against the ceiling."
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8861, help="the app's port; the bare app uses port+1")
    parser.add_argument("--year", type=int, default=0, help="dashboard year (default: this year)")
    parser.add_argument("--only", default="", help="comma-separated page labels or paths to run")
    parser.add_argument("--cold-writes", type=int, default=3, help="writes before cold-cache requests")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--scale-label", default="city")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave RESULTS.md alone")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    dbname = (
        urllib.parse.urlsplit(url.replace("+psycopg", "")).path.lstrip("/")
        if url.startswith("postgres")
        else None
    )
    year = args.year or datetime.now(UTC).year
    subjects = choose_subjects(url)
    page_list = pages(year, subjects)
    if args.only:
        wanted = {w.strip() for w in args.only.split(",")}
        page_list = [p for p in page_list if p[0] in wanted or p[2] in wanted]

    args.load_before = f"{os.getloadavg()[0]:.1f}"
    sizes = data_sizes(url)
    print("data:", sizes, "subjects:", subjects, flush=True)
    users = {role: subjects[role] for role in ("lead", "inspector", "liaison")}
    counts = query_counts(url, [(role, path) for _, role, path in page_list], users)
    for (role, path), (n, ms, size, status) in counts.items():
        print(
            f"  {role:9} {path}: {n} queries, {ms:.0f} ms in-process, {size / 1024:.0f} KB, HTTP {status}",
            flush=True,
        )

    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET, LOG_LEVEL="WARNING", FLASK_DEBUG="0")
    servers: list[Server] = []
    rows, ceilings, cold = [], [], {}
    write, write_engine = make_write(url, subjects["cold_assessment"])
    try:
        app_server = Server("app", "wsgi:app", args.port, env, args.workers, ROOT)
        servers.append(app_server)
        bare_server = Server("bare", "bare:app", args.port + 1, env, args.workers, ROOT / "bench")
        servers.append(bare_server)
        app_server.wait_ready("/auth/login")
        bare_server.wait_ready("/")
        cookies = {role: login(args.port, name) for role, name in users.items()}
        app_meter, bare_meter = CpuMeter(app_server, dbname), CpuMeter(bare_server, dbname)

        def ceiling() -> dict:
            check_page(bare_server.port, "/", "")
            wrk(bare_server.port, "/", "", args.connections, 1, None)
            r = wrk(bare_server.port, "/", "", args.connections, args.duration, bare_meter)
            ceilings.append(r)
            print(
                f"  ceiling                         {r['cpu_ms']:6.2f} ms CPU/req {r['rps']:6.0f} req/s  "
                f"p50 {r['p50']:6.1f}  p99 {r['p99']:6.1f}  non-200 {r['errors']}  load {r['load']:.1f}",
                flush=True,
            )
            return r

        wrk(bare_server.port, "/string", "", args.connections, 1, None)
        args.old_bare = wrk(bare_server.port, "/string", "", args.connections, args.duration, bare_meter)
        print(f"  old bare page (compiled per request) {args.old_bare['cpu_ms']:.2f} ms CPU/req", flush=True)
        before = ceiling()
        for label, role, path in page_list:
            # The idle clock moves once a minute: a browser would have had the newer cookie by now.
            cookies[role] = settled_cookie(app_server.port, cookies[role])
            n_rows = check_page(app_server.port, path, cookies[role])
            wrk(app_server.port, path, cookies[role], args.connections, 1, None)  # warm-up, not reported
            r = wrk(app_server.port, path, cookies[role], args.connections, args.duration, app_meter)
            after = ceiling()
            ratio = ((before["cpu_ms"] + after["cpu_ms"]) / 2) / r["cpu_ms"] if r["cpu_ms"] else 0.0
            rows.append((label, role, path, n_rows, r, ratio))
            print(
                f"{label:24} {role:9} {r['cpu_ms']:6.2f} ms CPU/req ratio {ratio:4.2f} {r['rps']:6.0f} req/s  "
                f"p50 {r['p50']:6.1f}  p99 {r['p99']:6.1f}  non-200 {r['errors']}  rows {n_rows}  load {r['load']:.1f}",
                flush=True,
            )
            if (label, role) in COLD_PAGES and args.cold_writes:
                times = cold_requests(
                    app_server.port, path, cookies[role], write, args.cold_writes, args.workers
                )
                cold[(label, role)] = (times, r["p50"])
                print(f"  cold {label}: {', '.join(f'{t:.0f}' for t in times)} ms", flush=True)
            before = after
    finally:
        for server in servers:
            server.stop()
        write_engine.dispose()
    text = section(args, url, sizes, subjects, rows, ceilings, cold, counts)
    if not args.no_write:
        write_report(Path(args.out), text)
    print()
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
