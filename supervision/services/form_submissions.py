"""The one-time tokens of create forms (`views.helpers.submit_once`) are kept only while they can matter."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete

from ..extensions import db
from ..models import FormSubmission, utcnow
from .transaction import transactional


@transactional
def form_submissions_clean(now: datetime | None = None) -> int:
    """Delete the tokens no form can still send; returns how many.

    A form's POST needs the CSRF token of the session that drew it, and no session outlives
    SESSION_MAX_HOURS; a day on top covers clocks and a session begun just before the form."""
    keep = timedelta(hours=current_app.config["SESSION_MAX_HOURS"]) + timedelta(days=1)
    result = db.session.execute(
        delete(FormSubmission).where(FormSubmission.created_at < (now or utcnow()) - keep)
    )
    return result.rowcount or 0
