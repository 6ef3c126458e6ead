"""One-time tokens of create forms: a double click (or two tabs) creates the record once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class FormSubmission(db.Model):
    """A create form's token, written in the same transaction as the record it created.

    The primary key decides between two POSTs of the same form: the second one's insert fails, its
    transaction (and the record it made) rolls back, and it is sent to the first one's result_url.
    """

    __tablename__ = "form_submission"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    result_url: Mapped[str] = mapped_column(String(500), default="")
