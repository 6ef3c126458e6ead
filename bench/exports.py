"""Time and peak memory (RSS) of each export job, run the way the worker runs it.

    DATABASE_URL=sqlite:////tmp/bench_city.db .venv/bin/python bench/exports.py --out bench/RESULTS.md

Each export runs in a process of its own (`--one`), so its peak RSS is its own: the figure given is
the process's peak minus its RSS once the app is loaded (what the job itself added), and the wall time
of `export_run` (query, workbook, storage). The page that queues it is timed too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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

    app = create_app({"UPLOAD_DIR": tempfile.mkdtemp(prefix="bench_exports_"), "SECRET_KEY": "bench"})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "bench_lead"))
        endpoint, path, query = export_target(target)
        job = ExportJob(user_id=user.id, kind=endpoint, title=endpoint, params={"path": path, "query": query})
        db.session.add(job)
        db.session.commit()
        base = _rss_mb()
        started = time.perf_counter()
        export_run(app, job.id)
        seconds = time.perf_counter() - started
        db.session.expire_all()
        job = db.session.get(ExportJob, job.id)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result = {
            "status": job.status,
            "error": job.error,
            "seconds": seconds,
            "rss_mb": peak - base,
            "size_kb": (job.size or 0) / 1024,
            "rows": job.total,
        }
        db.session.delete(job)
        db.session.commit()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Time and peak RSS of each export job.")
    parser.add_argument("--one", help="(internal) run one export target and print its figures")
    parser.add_argument("--out", help="append a section to this results file")
    parser.add_argument("--scale-label", default="city")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    from supervision import create_app

    app = create_app({"SECRET_KEY": "bench"})
    with app.app_context():
        targets = _targets()
    lines = [
        f"\n## Export jobs ({args.scale_label} scale)\n",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; database {os.environ.get('DATABASE_URL')}; "
        f"load average before {os.getloadavg()[0]:.1f}",
        "- Each job as the worker runs it (`export_run`: the route as the user, the workbook, the store), "
        "in a process of its own; memory is the process's peak RSS minus its RSS with the app loaded.\n",
        "| export | route | status | seconds | peak MB added | rows reported | file KB |",
        "|---|---|---|---:|---:|---:|---:|",
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
                "rss_mb": 0,
                "size_kb": 0,
                "rows": 0,
            }
        status = r["status"] if r["status"] == "done" else f"{r['status']}: {r['error'][:60]}"
        line = (
            f"| {label} | `{target.split('?')[0]}` | {status} | {r['seconds']:.1f} | {r['rss_mb']:.0f} | "
            f"{r['rows']:,} | {r['size_kb']:,.0f} |"
        )
        print(line, flush=True)
        lines.append(line)
    text = "\n".join(lines) + "\n"
    if args.out:
        with open(args.out, "a") as results:
            results.write(text)
    print(text)


if __name__ == "__main__":
    main()
