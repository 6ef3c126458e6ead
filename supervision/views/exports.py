"""我的导出: start an export job, watch its progress, download the file (only one's own)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from ..errors import DomainError
from ..htmx import is_htmx
from ..models.base import utcnow
from ..queries.export_jobs import export_for_user, export_jobs_page
from ..services import export_jobs as service
from ..storage import storage
from .helpers import page_arg

bp = Blueprint("exports", __name__, url_prefix="/exports")


@bp.route("/", methods=["POST"])
@login_required
def start():
    job = service.export_queue(
        user=current_user, target=request.form.get("target", ""), as_pdf=request.form.get("format") == "pdf"
    )
    return redirect(url_for("exports.detail", job_id=job.id), code=303)


@bp.route("/")
@login_required
def index():
    page = export_jobs_page(current_user, page_arg())
    return render_template("exports/index.html", page=page, now=utcnow())


@bp.route("/<int:job_id>")
@login_required
def detail(job_id: int):
    job = export_for_user(current_user, job_id)
    if is_htmx():
        return render_template("exports/_job.html", job=job)
    return render_template("exports/detail.html", job=job)


@bp.route("/<int:job_id>/retry", methods=["POST"])
@login_required
def retry(job_id: int):
    job = export_for_user(current_user, job_id)
    try:
        service.export_retry(user=current_user, job=job)
    except DomainError as error:
        flash(error.message, "danger")
    return redirect(url_for("exports.detail", job_id=job.id), code=303)


@bp.route("/<int:job_id>/download")
@login_required
def download(job_id: int):
    job = export_for_user(current_user, job_id)
    if job.status != "done" or not job.storage_key:
        abort(404)
    try:
        stream = storage().open(job.storage_key)
    except FileNotFoundError:
        abort(404)
    response = send_file(stream, mimetype=job.mime, max_age=0)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=download; filename*=UTF-8''{quote(job.filename, safe='')}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
