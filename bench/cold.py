"""The first request after a write (a cold cache), in-process: milliseconds and queries per page.

    cp /tmp/bench_city.db /tmp/cold_city.db
    DATABASE_URL=sqlite:////tmp/cold_city.db .venv/bin/python bench/cold.py [--profile PAGE] [--times 3]

It writes (audit events, a finalized assessment's and a finding's updated_at): run it on a copy.

For each cached page (lead home, dashboard, office scorecard) as the benchmark lead: a warm request,
then after each kind of write the next request, timed and its queries counted. The writes: a login (its
audit event), the bench's write (an audit event and a finalized assessment's updated_at, as bench/run.py
does), a finding's edit (the dashboard's findings), and every cache entry dropped (a new process).
Each cell: wall ms of one in-process request (median of --times), then (queries; thousands of Python
function calls of one such request under cProfile, which unlike the ms does not depend on the load).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build_data import BENCH_USER, DEFAULT_URL  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=3)
    parser.add_argument("--profile", help="profile the miss of this path after the bench's write")
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    from sqlalchemy import event, text

    from bench.clients import logged_in_client
    from supervision import create_app
    from supervision.extensions import db

    app = create_app()
    client = logged_in_client(app, BENCH_USER)
    with app.app_context():
        engine = db.engine
        year = datetime.now(UTC).year
        assessment_id = db.session.execute(
            text(
                "SELECT min(a.id) FROM assessment a JOIN assessment_round r ON r.id = a.round_id "
                "WHERE a.status = 'finalized' AND r.year = (SELECT max(year) FROM assessment_round)"
            )
        ).scalar_one()

    def audit_only() -> None:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_event (at, actor_id, action, record_type, record_id, summary, ip) "
                    "VALUES (:now, NULL, 'user.login', 'user', 1, 'bench: login', '')"
                ),
                {"now": datetime.now(UTC)},
            )

    def bench_write() -> None:
        now = datetime.now(UTC)
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE assessment SET updated_at = :now WHERE id = :id"),
                {"now": now, "id": assessment_id},
            )
            conn.execute(
                text(
                    "INSERT INTO audit_event (at, actor_id, action, record_type, record_id, summary, ip) "
                    "VALUES (:now, NULL, 'bench.write', 'assessment', :id, 'bench: cold cache', '')"
                ),
                {"now": now, "id": assessment_id},
            )

    def finding_write() -> None:
        now = datetime.now(UTC)
        with engine.begin() as conn:
            finding_id = conn.execute(text("SELECT max(id) FROM finding")).scalar_one()
            conn.execute(
                text("UPDATE finding SET updated_at = :now WHERE id = :id"), {"now": now, "id": finding_id}
            )
            conn.execute(
                text(
                    "INSERT INTO audit_event (at, actor_id, action, record_type, record_id, summary, ip) "
                    "VALUES (:now, NULL, 'finding.update', 'finding', :id, 'bench: cold cache', '')"
                ),
                {"now": now, "id": finding_id},
            )

    from supervision import cache

    counted = [0]

    def count(*_a, **_k):
        counted[0] += 1

    event.listen(engine, "before_cursor_execute", count)

    def timed(path: str) -> tuple[float, int, int]:
        """Wall ms, queries and Python function calls (cProfile: deterministic, unlike the ms)."""
        counted[0] = 0
        t0 = time.perf_counter()
        response = client.get(path)
        ms = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, (path, response.status_code)
        return ms, counted[0]

    def calls_of(path: str, write=None) -> int:
        """Python function calls of one request after `write` (cProfile: deterministic, unlike ms)."""
        if write is not None:
            write()
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(path)
        profiler.disable()
        return pstats.Stats(profiler).total_calls

    pages = [
        ("lead home", "/"),
        ("dashboard", f"/dashboard/?year={year}"),
        ("office scorecard", "/scorecards/office"),
    ]
    if args.profile:
        client.get(args.profile)
        bench_write()
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(args.profile)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return 0
    print(
        "| page | warm ms (queries) | after a login | after the bench's write (an assessment) "
        "| after a finding's edit | every entry dropped (a new process) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, path in pages:
        client.get(path)
        warm = [timed(path) for _ in range(args.times)]
        cells = [(warm, calls_of(path))]
        for write in (audit_only, bench_write, finding_write, cache.clear):
            runs = []
            for _ in range(args.times):
                write()
                runs.append(timed(path))
            cells.append((runs, calls_of(path, write)))

        def fmt(cell):
            runs, calls = cell
            ms = sorted(r[0] for r in runs)[len(runs) // 2]
            return f"{ms:.0f} ({'/'.join(sorted({str(r[1]) for r in runs}))}; {calls / 1000:.1f}k)"

        print(f"| {label} | {' | '.join(fmt(c) for c in cells)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
