"""What 我的导出 reads: only the signed-in user's own export jobs."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import ExportJob, User

EXPORTS_PER_PAGE = 30


def export_jobs_page(user: User, page: int):
    """A page of the user's export jobs, newest first."""
    query = select(ExportJob).where(ExportJob.user_id == user.id).order_by(ExportJob.id.desc())
    return db.paginate(query, page=page, per_page=EXPORTS_PER_PAGE, error_out=False)


def export_for_user(user: User, job_id: int) -> ExportJob:
    """The user's own export; anyone else's is a 404, like a record they may not see."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.user_id != user.id:
        raise NotFound()
    return job
