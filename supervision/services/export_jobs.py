"""Exports as jobs (我的导出): queued from a page, made by a worker as the user who asked.

A job names an export route and its query string. The worker runs that route in a request of its
own, signed in as the requesting user, so the job goes through the same permission checks, scoping
and filters as a download from the page would; only the time it takes is off the request.
A .docx document may also be asked for as PDF (where LibreOffice is installed): the job runs the
same .docx route, then converts its file (exports/pdf.py).
"""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.exceptions import Forbidden, HTTPException, NotFound

from ..errors import DomainError
from ..exports import pdf
from ..extensions import db
from ..models import ExportJob, User
from ..models.base import utcnow
from ..permissions import can_any
from ..storage import EXPORTS_PREFIX, storage
from .notify import notify

log = logging.getLogger(__name__)

# The exports that can take more than a second or two at city scale: endpoint → what the list shows.
JOB_EXPORTS = {
    "registers.findings": "督察问题台账",
    "registers.rectification": "整改台账",
    "registers.reviews": "案卷评查结果表",
    "registers.assessments": "指标自评汇总表",
    "notices.register_export": "通知书登记簿",
    "scorecards.office_export": "指标评估记分卡",
    "reviews.campaign_results_xlsx": "评查结果表",
    "reviews.campaign_report_docx": "评查情况通报",
    "dashboard.annual_download": "年度工作数据",
}
# The .docx documents that can also be had as PDF (only as a job: LibreOffice takes seconds).
PDF_EXPORTS = {
    "notices.docx": "督察通知书",
    "reviews.campaign_report_docx": "评查情况通报",
    "dashboard.annual_download": "年度工作数据",
}
PROGRESS_EVERY_SECONDS = 0.5
SPOOL_BYTES = 4 * 1024 * 1024  # a made file larger than this waits on disk for the store
FAILED_BY_STATUS = {
    403: _l("没有导出这些数据的权限。"),
    404: _l("要导出的记录不存在，或您无权查看。"),
    400: _l("导出的条件无效。"),
}


def export_target(target: str, *, as_pdf: bool = False) -> tuple[str, str, str]:
    """(endpoint, path, query) of an export URL of this site, or NotFound if it is not a job export
    (with `as_pdf`: not a document that converts to PDF, or no LibreOffice on this server)."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        raise NotFound()
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException as error:
        raise NotFound() from error
    if endpoint not in (PDF_EXPORTS if as_pdf else JOB_EXPORTS):
        raise NotFound()
    if as_pdf and not pdf.pdf_available():
        raise NotFound()
    return endpoint, parts.path, parts.query


def export_queue(*, user: User, target: str, as_pdf: bool = False) -> ExportJob:
    """Queue the export at `target` for `user` (the same one still waiting is reused: a double click);
    with `as_pdf`, the .docx document at `target` converted to PDF."""
    from ..queue import run_export

    endpoint, path, query = export_target(target, as_pdf=as_pdf)
    # The route's own capability check, at once (a refusal need not wait for a worker); the job
    # checks everything again, records included, when it runs.
    capabilities = getattr(current_app.view_functions[endpoint], "required_capabilities", ())
    if capabilities and not can_any(user, *capabilities):
        raise Forbidden()
    params = {"path": path, "query": query}
    title = JOB_EXPORTS.get(endpoint, "")
    if as_pdf:
        params["pdf"] = True
        title = f"{PDF_EXPORTS[endpoint]}（PDF）"
    waiting = db.session.scalars(
        select(ExportJob).where(
            ExportJob.user_id == user.id,
            ExportJob.kind == endpoint,
            ExportJob.status.in_(("queued", "running")),
        )
    ).all()
    for job in waiting:
        if job.params == params:
            return job
    job = ExportJob(user_id=user.id, kind=endpoint, title=title, params=params)
    db.session.add(job)
    db.session.commit()
    run_export(job.id)
    return job


def export_retry(*, user: User, job: ExportJob) -> ExportJob:
    from ..queue import run_export

    if job.user_id != user.id:
        raise NotFound()
    if job.status != "failed":
        raise DomainError(_("只有失败的导出可以重试。"))
    job.status, job.error, job.done, job.total = "queued", "", 0, 0
    job.started_at = job.finished_at = None
    db.session.commit()
    run_export(job.id)
    return job


def _reporter(job_id: int):
    """Writes (done, total) on the job's row in a connection of its own, at most twice a second,
    so that the page polling it sees the bar move while the export's own session keeps reading."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done not in (0, total) and now - last[0] < PROGRESS_EVERY_SECONDS:
            return
        last[0] = now
        with db.engine.begin() as conn:
            conn.execute(update(ExportJob).where(ExportJob.id == job_id).values(done=done, total=total))

    return report


def _filename(response) -> str:
    disposition = response.headers.get("Content-Disposition", "")
    if "filename*=UTF-8''" in disposition:
        return unquote(disposition.split("filename*=UTF-8''", 1)[1].split(";", 1)[0])
    return "export"


def _spooled(response) -> BinaryIO:
    """The response's body in a temporary file (in memory while small), at its end, and the response
    closed: a province's 50 MB workbook is then held once (the route's bytes, until this copy is
    made) instead of three times (those bytes, `get_data`'s chunks and their join)."""
    body = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
    try:
        response.direct_passthrough = False
        for chunk in response.iter_encoded():
            body.write(chunk)
    except BaseException:
        body.close()
        raise
    finally:
        response.close()
    return body


def export_run(app: Flask, job_id: int) -> None:
    """Make the job's file (in the worker): run the export route as the requesting user."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status not in ("queued", "running"):
        return  # cleaned up, or run already (a retried message)
    job.status, job.started_at, job.error = "running", utcnow(), ""
    db.session.commit()
    user, params = job.user, dict(job.params)
    try:
        if not user.active:
            raise DomainError(_("账号已停用，导出已取消。"))
        with app.test_request_context(params["path"], query_string=params["query"], method="GET"):
            g._login_user = user  # signed in as the user who asked: the route checks their rights
            g.export_progress = _reporter(job_id)
            response = app.full_dispatch_request()
            if response.status_code != 200:
                raise DomainError(FAILED_BY_STATUS.get(response.status_code, _l("导出失败。")))
            filename, mime = _filename(response), response.mimetype
            body = _spooled(response)
        db.session.rollback()  # the route's reads end here; the job row is written afresh
        key = f"{EXPORTS_PREFIX}{job_id}/{uuid.uuid4().hex}"
        with body:
            size = body.tell()
            body.seek(0)
            if params.get("pdf"):
                data, mime = pdf.docx_to_pdf(body.read()), pdf.PDF_MIME
                filename, size = filename.removesuffix(".docx") + ".pdf", len(data)
                storage(app).put(key, data)
            else:
                storage(app).put(key, body)
        job = db.session.get(ExportJob, job_id)
        job.status, job.storage_key, job.filename, job.mime, job.size = "done", key, filename, mime, size
        job.done = job.total = max(job.total, 1)
        job.finished_at = utcnow()
        job.expires_at = job.finished_at + timedelta(days=app.config["EXPORT_KEEP_DAYS"])
        notify(
            [job.user_id],
            f"导出文件“{filename}”已生成，可在“我的导出”中下载。",
            f"/exports/{job_id}",
            kind="export",
        )
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        if isinstance(error, DomainError):
            message = error.message
        else:
            log.exception("export job %s failed", job_id)
            message = f"导出失败：系统内部错误（{type(error).__name__}），请稍后重试或联系管理员。"
        job = db.session.get(ExportJob, job_id)
        job.status, job.error, job.finished_at = "failed", message[:500], utcnow()
        job.expires_at = job.finished_at + timedelta(days=app.config["EXPORT_KEEP_DAYS"])
        notify([job.user_id], f"导出“{job.title}”失败：{message}", f"/exports/{job_id}", kind="export")
        db.session.commit()


# A job still "running" this long after it started lost its worker (stopped or killed mid-job).
STALE_AFTER = timedelta(hours=2)
INTERRUPTED = "导出中断：生成文件的工作进程已停止，请重试。"


def exports_clean_expired(now: datetime | None = None) -> int:
    """Delete the exports past their keeping time, file and row; mark those whose worker died
    as failed, so they can be retried. Returns how many were deleted."""
    now = now or utcnow()
    for job in db.session.scalars(
        select(ExportJob).where(ExportJob.status == "running", ExportJob.started_at < now - STALE_AFTER)
    ):
        job.status, job.error, job.finished_at = "failed", INTERRUPTED, now
        job.expires_at = now + timedelta(days=current_app.config["EXPORT_KEEP_DAYS"])
    jobs = db.session.scalars(select(ExportJob).where(ExportJob.expires_at < now)).all()
    store = storage()
    for job in jobs:
        if job.storage_key:
            store.delete(job.storage_key)
        db.session.delete(job)
    db.session.commit()
    return len(jobs)
