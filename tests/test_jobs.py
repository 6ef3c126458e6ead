"""Exports as jobs (我的导出), in Huey's immediate mode; the reminders under concurrency.

A real consumer process runs the same jobs in test_jobs_worker.py.
"""

from __future__ import annotations

import io
import re
import threading
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from supervision.extensions import db
from supervision.models import ExportJob, Notification
from supervision.models.base import utcnow
from supervision.services import export_jobs
from supervision.services.export_jobs import exports_clean_expired
from supervision.services.notify import remind
from supervision.storage import storage

from . import factories
from .test_scorecards import world as scorecards_world  # noqa: F401 - a fixture, used by name

# Export jobs write their progress in a connection of their own, and the reminders race in threads.
pytestmark = pytest.mark.real_commits

YEAR = 2026


@pytest.fixture
def findings():
    task = factories.TaskFactory(status="active")
    made = [factories.FindingFactory(task=task, found_on=date(YEAR, 4, n + 1)) for n in range(7)]
    db.session.commit()
    return made


def _export(client, target: str) -> ExportJob:
    response = client.post_form("/exports/", {"target": target})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    job_id = int(re.search(r"/exports/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(ExportJob, job_id)


def test_an_export_job_makes_the_file_tells_the_user_and_lists_it(client, login_as, findings):
    lead = login_as("lead")
    job = _export(client, f"/registers/findings.xlsx?year={YEAR}")
    assert job.status == "done" and job.user_id == lead.id and job.kind == "registers.findings"
    assert job.filename == f"{YEAR}年度督察问题台账.xlsx" and job.size > 0
    assert job.expires_at - job.finished_at == timedelta(days=7)
    page = client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert "已完成" in page and f"/exports/{job.id}/download" in page
    download = client.get(f"/exports/{job.id}/download")
    assert download.status_code == 200
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(download.data)).active
    assert len([r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]) == len(
        findings
    )
    # Same bytes as the direct download of the same URL: the job ran the same route as the user.
    direct = client.get(f"/registers/findings.xlsx?year={YEAR}")
    assert [list(r) for r in load_workbook(io.BytesIO(direct.data)).active.iter_rows(values_only=True)] == [
        list(r) for r in sheet.iter_rows(values_only=True)
    ]
    [note] = db.session.query(Notification).filter_by(user_id=lead.id, kind="export").all()
    assert note.link == f"/exports/{job.id}" and "已生成" in note.text
    listing = client.get("/exports/").get_data(as_text=True)
    assert job.filename in listing and "已完成" in listing and "KB" in listing


def test_progress_is_reported_in_rows(client, login_as, findings, monkeypatch):
    login_as("lead")
    reports = []
    real = export_jobs._reporter

    def recording(job_id):
        report = real(job_id)
        return lambda done, total: reports.append((done, total)) or report(done, total)

    monkeypatch.setattr(export_jobs, "_reporter", recording)
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY_SECONDS", 0)
    job = _export(client, f"/registers/findings.xlsx?year={YEAR}")
    assert reports[0] == (0, 7) and reports[-1] == (7, 7)
    assert [d for d, _ in reports] == list(range(8))
    assert (job.done, job.total, job.percent) == (7, 7, 100)


def test_a_running_job_shows_its_progress_and_polls(client, login_as):
    lead = login_as("lead")
    job = ExportJob(
        user_id=lead.id, kind="registers.findings", title="督察问题台账", status="running", done=3, total=12
    )
    db.session.add(job)
    db.session.commit()
    page = client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in page and "width: 25%" in page and "3 / 12" in page
    fragment = client.get(f"/exports/{job.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith("{#") or fragment.lstrip().startswith('<div id="export-job"')
    assert "<html" not in fragment


def test_a_failed_job_says_why_in_chinese_and_can_be_retried(client, login_as, findings, monkeypatch):
    login_as("lead")
    import supervision.registers as registers

    real = registers.finding_rows
    monkeypatch.setattr(registers, "finding_rows", lambda *a, **k: 1 / 0)
    job = _export(client, f"/registers/findings.xlsx?year={YEAR}")
    assert job.status == "failed"
    assert "系统内部错误" in job.error and "ZeroDivisionError" in job.error
    page = client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert "系统内部错误" in page and f"/exports/{job.id}/retry" in page
    assert client.get(f"/exports/{job.id}/download").status_code == 404
    monkeypatch.setattr(registers, "finding_rows", real)
    assert client.post_form(f"/exports/{job.id}/retry").status_code == 303
    db.session.refresh(job)
    assert job.status == "done" and job.error == "" and job.size > 0


def test_a_refused_export_is_a_403_at_once_and_the_job_checks_again(app, client, login_as, findings):
    liaison = login_as("liaison", unit=findings[0].unit)
    # A liaison has no findings register and no office scorecard: refused before anything is queued.
    for target in (f"/registers/findings.xlsx?year={YEAR}", "/scorecards/office/export.xlsx"):
        assert client.post_form("/exports/", {"target": target}).status_code == 403
    assert db.session.query(ExportJob).count() == 0
    # A job queued when the rights were there is run as the user as they are now.
    job = ExportJob(
        user_id=liaison.id,
        kind="registers.findings",
        title="督察问题台账",
        params={"path": "/registers/findings.xlsx", "query": f"year={YEAR}"},
    )
    db.session.add(job)
    db.session.commit()
    with app.app_context():
        export_jobs.export_run(app, job.id)
    db.session.refresh(job)
    assert job.status == "failed" and job.error == "没有导出这些数据的权限。"
    # A record outside the user's scope fails the job as a 404 would.
    lead = login_as("lead")
    job = _export(client, "/scorecards/office/export.xlsx?round=999999")
    assert job.status == "failed" and job.error == "要导出的记录不存在，或您无权查看。"
    assert job.user_id == lead.id


@pytest.mark.parametrize(
    "target", ["/tasks/", "https://evil.example/registers/findings.xlsx", "/no/such/page", "", "/files/1"]
)
def test_only_the_job_exports_can_be_queued(client, login_as, target):
    login_as("lead")
    assert client.post_form("/exports/", {"target": target}).status_code == 404
    assert db.session.query(ExportJob).count() == 0


def test_another_users_export_is_a_404(client, login_as, make_user, findings):
    login_as("lead")
    job = _export(client, f"/registers/findings.xlsx?year={YEAR}")
    client.login_user(make_user("lead"))
    assert client.get(f"/exports/{job.id}").status_code == 404
    assert client.get(f"/exports/{job.id}/download").status_code == 404
    assert client.post_form(f"/exports/{job.id}/retry").status_code == 404
    assert job.filename not in client.get("/exports/").get_data(as_text=True)


def test_a_double_click_queues_one_job(client, login_as):
    lead = login_as("lead")
    waiting = ExportJob(
        user_id=lead.id,
        kind="registers.findings",
        title="督察问题台账",
        params={"path": "/registers/findings.xlsx", "query": f"year={YEAR}"},
    )
    db.session.add(waiting)
    db.session.commit()
    response = client.post_form("/exports/", {"target": f"/registers/findings.xlsx?year={YEAR}"})
    assert response.headers["Location"].endswith(f"/exports/{waiting.id}")
    assert db.session.query(ExportJob).count() == 1


def test_expired_exports_are_cleaned_up(client, login_as, findings):
    login_as("lead")
    old = _export(client, f"/registers/findings.xlsx?year={YEAR}")
    fresh = _export(client, f"/registers/rectification.xlsx?year={YEAR}")
    old_key = old.storage_key
    assert storage().exists(old_key)
    old.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert exports_clean_expired() == 1
    assert not storage().exists(old_key) and storage().exists(fresh.storage_key)
    assert db.session.get(ExportJob, old.id) is None
    assert client.get(f"/exports/{old.id}/download").status_code == 404


def test_a_job_whose_worker_died_becomes_retryable(client, login_as):
    lead = login_as("lead")
    job = ExportJob(
        user_id=lead.id,
        kind="registers.findings",
        title="督察问题台账",
        params={"path": "/registers/findings.xlsx", "query": ""},
        status="running",
        started_at=utcnow() - timedelta(hours=3),
    )
    recent = ExportJob(
        user_id=lead.id,
        kind="registers.reviews",
        title="案卷评查结果表",
        status="running",
        started_at=utcnow(),
    )
    db.session.add_all([job, recent])
    db.session.commit()
    exports_clean_expired()
    assert job.status == "failed" and "工作进程已停止" in job.error and recent.status == "running"
    assert client.post_form(f"/exports/{job.id}/retry").status_code == 303
    db.session.refresh(job)
    assert job.status == "done"


def test_the_queue_pages_link_to_jobs(client, login_as):
    login_as("lead")
    page = client.get(f"/registers/?year={YEAR}").get_data(as_text=True)
    assert (
        'action="/exports/"' in page
        and f'name="target" value="/registers/findings.xlsx?status=counted&amp;year={YEAR}"' in page
    )
    assert "我的导出" in page


def test_two_reminder_runs_at_once_make_each_notification_once(app):
    from .test_dashboard import _notice

    unit = factories.UnitFactory()
    liaisons = [factories.UserFactory(role="liaison", unit=unit) for _ in range(3)]
    kind = factories.NoticeKindFactory()
    for seq in range(1, 6):
        _notice(kind, unit, "acknowledged", seq=seq, year=YEAR, deadline=date(YEAR, 3, 2))
    db.session.commit()
    barrier, errors, made = threading.Barrier(2), [], []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                made.append(remind(today=date(YEAR, 3, 20)).overdue)
                db.session.remove()
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    notes = db.session.query(Notification).filter(Notification.kind == "overdue").all()
    assert len(notes) == 5 * len(liaisons)
    assert len({(n.user_id, n.dedupe_key) for n in notes}) == len(notes)
    assert sum(made) == len(notes)  # each run counts only what it made


def test_the_office_scorecard_job_counts_units_over_both_sheets(client, scorecards_world, monkeypatch):  # noqa: F811
    world = scorecards_world
    from .test_scorecards import _finalized

    _finalized(client, world)
    client.login_user(world.lead)
    reports = []
    real = export_jobs._reporter
    monkeypatch.setattr(
        export_jobs, "_reporter", lambda job_id: lambda d, t: reports.append((d, t)) or real(job_id)(d, t)
    )
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY_SECONDS", 0)
    job = _export(client, "/scorecards/office/export.xlsx")
    assert job.status == "done", job.error
    units = len(load_workbook(io.BytesIO(client.get(f"/exports/{job.id}/download").data)).sheetnames) - 1
    assert units >= 1 and reports[-1] == (2 * units, 2 * units)
    assert [d for d, _ in reports] == sorted(d for d, _ in reports)  # the bar never goes back


def test_the_queue_runs_the_reminders_daily_and_the_clean_up_hourly(login_as):
    from datetime import datetime as dt

    from supervision.queue import clean_exports, daily_remind, huey

    def due(at):
        return {task.name for task in huey.read_periodic(at)}

    # 07:00 in Beijing is 23:00 UTC; the clean-up at 17 past every hour.
    assert due(dt(2026, 3, 19, 23, 0)) == {"daily_remind"}
    assert due(dt(2026, 3, 19, 7, 0)) == set()
    assert due(dt(2026, 3, 19, 5, 17)) == {"clean_exports"}
    assert due(dt(2026, 3, 19, 5, 23)) == {"clean_form_submissions"}
    lead = login_as("lead")
    old = ExportJob(
        user_id=lead.id, kind="registers.findings", title="旧", expires_at=utcnow() - timedelta(days=1)
    )
    db.session.add(old)
    db.session.commit()
    clean_exports()  # immediate mode: runs now, in its own app context
    assert db.session.query(ExportJob).count() == 0
    daily_remind()  # nothing open: no reminders, and no error
    assert db.session.query(Notification).count() == 0
