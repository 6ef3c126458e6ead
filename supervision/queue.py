"""The job queue (Huey): exports, the daily reminders and the clean-up of old exports.

Huey keeps its queue in SQLite in instance/ by default (so `make run` needs nothing else) and in
Redis when REDIS_URL is set, so that workers on any machine share it. The queue is made at import
(tasks are declared against it); `flask jobs worker` runs a consumer with the app bound to it.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab

ROOT = Path(__file__).resolve().parent.parent


def make_huey(env=os.environ) -> Huey:
    name = env.get("HUEY_NAME", "supervision")
    if env.get("REDIS_URL"):
        return RedisHuey(name, url=env["REDIS_URL"], utc=True)
    path = env.get("HUEY_SQLITE") or str(ROOT / "instance" / "huey.db")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path, utc=True)


huey = make_huey()
_bound: Flask | None = None


def bind(app: Flask) -> None:
    """The application the worker's tasks run in (a worker process makes one at start)."""
    global _bound
    _bound = app


@contextmanager
def app_context():
    """A fresh app context for one task: the bound app, the caller's (immediate mode), or a new one."""
    if _bound is not None:
        app = _bound
    elif has_app_context():
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    else:
        from . import create_app

        bind(create_app())
        app = _bound
    with app.app_context():
        yield app


@huey.task()
def run_export(job_id: int) -> None:
    from .services.export_jobs import export_run

    with app_context() as app:
        export_run(app, job_id)


# Every hour: exports past their EXPORT_KEEP_DAYS go, with their files.
@huey.periodic_task(crontab(minute="17"))
def clean_exports() -> None:
    from .services.export_jobs import exports_clean_expired

    with app_context():
        exports_clean_expired()


# Every hour: the create forms' one-time tokens that no form can still send go.
@huey.periodic_task(crontab(minute="23"))
def clean_form_submissions() -> None:
    from .services.form_submissions import form_submissions_clean

    with app_context():
        form_submissions_clean()


# Every day at 07:00 Beijing time (23:00 UTC). With several workers each may run it; remind() is
# idempotent under concurrency, so a notice's reminder is still made once.
@huey.periodic_task(crontab(hour="23", minute="0"))
def daily_remind() -> None:
    from .formatting import local_today
    from .services.notify import remind

    with app_context():
        remind(today=local_today())
