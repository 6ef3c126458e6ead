"""The holiday calendar: public holidays and adjusted working days (调休), editable by the admin."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Holiday(db.Model):
    """One day that differs from the plain Monday–Friday rule, or a named holiday on a weekend.

    `is_workday` True marks a 调休 working day (usually a Saturday or Sunday).
    A year counts as covered by the calendar once it has at least one row.
    """

    __tablename__ = "holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    is_workday: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(60), default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
