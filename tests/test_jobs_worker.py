"""An export job end to end through a real Huey consumer process (`flask jobs worker`),
on Huey's SQLite storage and on the Redis at 127.0.0.1:6379 (what CI runs)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from huey.storage import RedisStorage, SqliteStorage
from openpyxl import load_workbook

from supervision.extensions import db
from supervision.models import ExportJob, Notification
from supervision.queue import huey

from . import factories

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_or_skip() -> None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}; CI must run it ({error})")
        pytest.skip(f"no Redis at {REDIS_URL}")


@pytest.fixture(params=["sqlite", "redis"])
def worker(request, app, tmp_path, real_commits):
    """The test's queue switched from immediate mode to a real one, and a consumer process on it."""
    name = f"test-{uuid.uuid4().hex[:10]}"  # a queue of this run only
    env = {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "HUEY_NAME": name,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "worker-test",
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
    }
    if request.param == "redis":
        _redis_or_skip()
        storage_class, kwargs = RedisStorage, {"url": REDIS_URL}
        env["REDIS_URL"] = REDIS_URL
    else:
        storage_class, kwargs = SqliteStorage, {"filename": str(tmp_path / "huey.db")}
        env.pop("REDIS_URL", None)
        env["HUEY_SQLITE"] = kwargs["filename"]
    saved = huey.name, huey.storage_class, huey.storage_kwargs, huey.storage
    huey._immediate = False
    huey.name, huey.storage_class, huey.storage_kwargs = name, storage_class, kwargs
    huey.storage = huey.create_storage()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "jobs", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)  # Huey's graceful stop
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        huey.storage.flush_all()
        huey.name, huey.storage_class, huey.storage_kwargs, huey.storage = saved
        huey._immediate = True


def _wait_until_finished(job_id: int, process, timeout: float = 40) -> ExportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(ExportJob, job_id)
        if job.status in ("done", "failed"):
            return job
        if process.poll() is not None:
            pytest.fail("the worker stopped: " + process.stdout.read().decode(errors="replace"))
        time.sleep(0.2)
    pytest.fail(f"job still {job.status} after {timeout} s")


def test_an_export_runs_on_the_real_worker(client, login_as, worker):
    lead = login_as("lead")
    task = factories.TaskFactory(status="active")
    for n in range(5):
        factories.FindingFactory(task=task, found_on=date(2026, 5, n + 1))
    db.session.commit()
    response = client.post_form("/exports/", {"target": "/registers/findings.xlsx?year=2026"})
    assert response.status_code == 303
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    # The page answers at once: the job waits for the worker.
    assert db.session.get(ExportJob, job_id).status in ("queued", "running", "done")
    job = _wait_until_finished(job_id, worker)
    assert job.status == "done", job.error
    assert (job.done, job.total) == (5, 5)
    sheet = load_workbook(io.BytesIO(client.get(f"/exports/{job_id}/download").data)).active
    assert len([r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]) == 5
    assert db.session.query(Notification).filter_by(user_id=lead.id, kind="export").count() == 1


def test_a_failing_job_on_the_real_worker_says_why(client, login_as, worker):
    login_as("lead")
    response = client.post_form("/exports/", {"target": "/scorecards/office/export.xlsx?round=999999"})
    job = _wait_until_finished(int(response.headers["Location"].rsplit("/", 1)[1]), worker)
    assert job.status == "failed" and job.error == "要导出的记录不存在，或您无权查看。"
