"""The holiday calendar: public holidays and adjusted working days (调休), editable by the admin."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class Holiday(db.Model):
    """One day that differs from the plain Monday–Friday rule, or a named holiday on a weekend.

    `is_workday` True marks a 调休 working day (usually a Saturday or Sunday).
    `estimated` True marks a day the app estimated (预估) for a year whose official notice is not in.
    A year counts as covered only once confirmed (`CalendarYear`) or from the package's data.
    """

    __tablename__ = "holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    is_workday: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(60), default="")
    estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class CalendarYear(db.Model):
    """The admin's confirmation that a year's holiday table is the official one (确认)."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # what the table was checked against, e.g. 国办发明电〔2026〕7号
    source: Mapped[str] = mapped_column(String(120), default="", server_default="")

    confirmed_by = relationship("User")
