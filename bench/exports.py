"""Time, CPU time and peak memory (RSS) of each export job, run the way the worker runs it.

    DATABASE_URL=sqlite:////tmp/bench_city.db .venv/bin/python bench/exports.py --out bench/RESULTS.md

Each export runs in a process of its own (`--one`), so its peak RSS is its own: the figures given are
the process's peak RSS (what a worker needs) and that peak minus its RSS once the app is loaded (what
the job itself added); the wall time and the CPU time of `export_run` (query, workbook, storage). The
CPU time is the process's own: with SQLite it includes the database's work, with PostgreSQL not (the
server's is its own process). On a shared machine the wall time moves with the load; the CPU time much
less, so the load average is given with each job. The targets (issue 13): every job under 15 s at city
scale, peak worker memory under 300 MB at province scale; the "target" column checks the one of the
scale measured. Last, the page that starts an export is timed (`start_page`: under 200 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build_data import DEFAULT_URL  # noqa: E402


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _targets() -> list[tuple[str, str]]:
    from sqlalchemy import func, select

    from supervision.extensions import db
    from supervision.models import AssessmentRound, ReviewCampaign

    round_id = db.session.scalar(select(func.max(AssessmentRound.id)))
    year = db.session.scalar(select(AssessmentRound.year).where(AssessmentRound.id == round_id))
    campaign_id = db.session.scalar(
        select(ReviewCampaign.id)
        .where(ReviewCampaign.status == "published")
        .order_by(ReviewCampaign.id.desc())
    )
    return [
        ("督察问题台账（全部年度）", "/registers/findings.xlsx?status=counted"),
        ("督察问题台账（一年）", f"/registers/findings.xlsx?status=counted&year={year}"),
        ("整改台账", f"/registers/rectification.xlsx?year={year}"),
        ("案卷评查结果表", f"/registers/reviews.xlsx?year={year}"),
        ("指标自评汇总表", f"/registers/assessments.xlsx?round={round_id}"),
        ("通知书登记簿", f"/notices/register.xlsx?year={year}"),
        ("指标评估记分卡", f"/scorecards/office/export.xlsx?round={round_id}"),
        ("评查结果表（一次活动）", f"/reviews/campaigns/{campaign_id}/results.xlsx"),
        ("评查情况通报", f"/reviews/campaigns/{campaign_id}/report.docx"),
        ("年度工作数据", f"/dashboard/annual.docx?year={year}"),
    ]


def one(target: str) -> dict:
    from sqlalchemy import select

    from supervision import create_app
    from supervision.extensions import db
    from supervision.models import ExportJob, User
    from supervision.services.export_jobs import export_run, export_target

    uploads = tempfile.mkdtemp(prefix="bench_exports_")
    app = create_app({"UPLOAD_DIR": uploads, "SECRET_KEY": "bench"})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "bench_lead"))
        endpoint, path, query = export_target(target)
        job = ExportJob(user_id=user.id, kind=endpoint, title=endpoint, params={"path": path, "query": query})
        db.session.add(job)
        db.session.commit()
        base = _rss_mb()
        load = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        export_run(app, job.id)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        db.session.expire_all()
        job = db.session.get(ExportJob, job.id)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result = {
            "status": job.status,
            "error": job.error,
            "seconds": seconds,
            "cpu": cpu,
            "load": load,
            "peak_mb": peak,
            "rss_mb": peak - base,
            "size_kb": (job.size or 0) / 1024,
            "rows": job.total,
        }
        db.session.delete(job)
        db.session.commit()
    shutil.rmtree(uploads, ignore_errors=True)  # the made file (a province's is 50 MB)
    return result


def start_page(repeat: int) -> dict:
    """The page that starts an export (`POST /exports/`, what 导出 submits), as the bench lead in the
    in-process test client: wall and CPU ms per request over `repeat` requests after one warm-up.
    Each queues a job on a Huey queue of its own (a temporary SQLite file no worker reads), so the
    job only waits; its row is deleted after each request, outside the timing."""
    import statistics

    from sqlalchemy import delete, select

    from bench.build_data import BENCH_PASSWORD, BENCH_USER
    from supervision import create_app
    from supervision.extensions import db
    from supervision.models import ExportJob, User

    app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    client.post("/auth/login", data={"username": BENCH_USER, "password": BENCH_PASSWORD})
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == BENCH_USER))
        target = _targets()[0][1]
    walls, cpus = [], []
    for n in range(repeat + 1):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.post("/exports/", data={"target": target})
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        if response.status_code != 303:
            raise SystemExit(f"POST /exports/ answered {response.status_code}")
        if n:
            walls.append(wall * 1000)
            cpus.append(cpu * 1000)
        with app.app_context():
            db.session.execute(
                delete(ExportJob).where(ExportJob.user_id == user_id, ExportJob.status == "queued")
            )
            db.session.commit()
    return {
        "median_ms": statistics.median(walls),
        "max_ms": max(walls),
        "cpu_median_ms": statistics.median(cpus),
        "repeat": repeat,
        "load": os.getloadavg()[0],
    }


def _target(scale: str, r: dict) -> str:
    """Whether a job met the issue's target for its scale: under 15 s in a city, under 300 MB in a province."""
    if r["status"] != "done":
        return "failed"
    if scale == "city":
        return "✓ < 15 s" if r["seconds"] < 15 else "✗ ≥ 15 s"
    if scale == "province":
        return "✓ < 300 MB" if r["peak_mb"] < 300 else "✗ ≥ 300 MB"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description="Time and peak RSS of each export job.")
    parser.add_argument("--one", help="(internal) run one export target and print its figures")
    parser.add_argument("--out", help="append a section to this results file")
    parser.add_argument("--scale-label", default="city")
    parser.add_argument("--only", help="run only the exports whose label contains this text")
    parser.add_argument("--start-page", type=int, default=20, help="requests of the page that starts one")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if args.one:
        if args.one == "start-page":
            os.environ["HUEY_SQLITE"] = tempfile.mktemp(prefix="bench_exports_", suffix=".huey.db")
            print(json.dumps(start_page(args.start_page)))
        else:
            print(json.dumps(one(args.one)))
        return
    from supervision import create_app

    app = create_app({"SECRET_KEY": "bench"})
    with app.app_context():
        targets = [t for t in _targets() if not args.only or args.only in t[0]]
    lines = [
        f"\n## Export jobs ({args.scale_label} scale)\n",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; database {os.environ.get('DATABASE_URL')}; "
        f"load average before {os.getloadavg()[0]:.1f}",
        "- Each job as the worker runs it (`export_run`: the route as the user, the workbook, the store), "
        "in a process of its own: wall and CPU seconds of the job, the process's peak RSS, and that peak "
        "minus its RSS with the app loaded; the 1-minute load average when the job started.\n",
        "| export | route | status | seconds | CPU s | peak RSS MB | MB added | load | rows reported | file KB "
        "| target |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, target in targets:
        out = subprocess.run(
            [sys.executable, __file__, "--one", target],
            capture_output=True,
            text=True,
            env=os.environ,
            check=False,
        )
        try:
            r = json.loads(out.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            r = {
                "status": "crashed",
                "error": out.stderr[-300:],
                "seconds": 0,
                "cpu": 0,
                "load": os.getloadavg()[0],
                "peak_mb": 0,
                "rss_mb": 0,
                "size_kb": 0,
                "rows": 0,
            }
        status = r["status"] if r["status"] == "done" else f"{r['status']}: {r['error'][:60]}"
        line = (
            f"| {label} | `{target.split('?')[0]}` | {status} | {r['seconds']:.1f} | {r['cpu']:.1f} | "
            f"{r['peak_mb']:.0f} | {r['rss_mb']:.0f} | {r['load']:.1f} | {r['rows']:,} | {r['size_kb']:,.0f} "
            f"| {_target(args.scale_label, r)} |"
        )
        print(line, flush=True)
        lines.append(line)
    if args.start_page:
        out = subprocess.run(
            [sys.executable, __file__, "--one", "start-page", "--start-page", str(args.start_page)],
            capture_output=True,
            text=True,
            env=os.environ,
            check=False,
        )
        try:
            r = json.loads(out.stdout.strip().splitlines()[-1])
            line = (
                f"\n- The page that starts an export (`POST /exports/`, in-process test client, the job "
                f"queued and not run): median {r['median_ms']:.1f} ms, max {r['max_ms']:.1f} ms over "
                f"{r['repeat']} requests ({r['cpu_median_ms']:.1f} ms CPU median; load {r['load']:.1f})"
            )
        except (IndexError, json.JSONDecodeError, KeyError):
            line = f"\n- The page that starts an export: failed ({out.stderr[-300:]})"
        print(line, flush=True)
        lines.append(line)
    text = "\n".join(lines) + "\n"
    if args.out:
        with open(args.out, "a") as results:
            results.write(text)
    print(text)


if __name__ == "__main__":
    main()
