"""Supervision tasks (专项督察 / 专项监督 / 执法检查) and the findings (问题) recorded in them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamped
from .org import Unit, User

TASK_KINDS = {"special": "专项督察", "monitor": "专项监督", "inspection": "执法检查", "other": "其他"}
SEVERITIES = {"normal": "一般", "major": "较重", "serious": "严重"}

task_unit = Table(
    "task_unit",
    db.metadata,
    Column("task_id", ForeignKey("supervision_task.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True, index=True),
)


class SupervisionTask(Timestamped, db.Model):
    __tablename__ = "supervision_task"
    __workflow__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    basis: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    units: Mapped[list[Unit]] = relationship(secondary=task_unit, order_by=Unit.id)
    members: Mapped[list[TaskInspector]] = relationship(back_populates="task", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return TASK_KINDS.get(self.kind, self.kind)


class TaskInspector(db.Model):
    """An inspector on a task; exactly one of them is the team leader (组长)."""

    __tablename__ = "task_inspector"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_task.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)

    task: Mapped[SupervisionTask] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class Finding(Timestamped, db.Model):
    __tablename__ = "finding"
    __workflow__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_task.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    category: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10), default="normal")
    description: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    found_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    dismiss_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    task: Mapped[SupervisionTask | None] = relationship()
    unit: Mapped[Unit] = relationship()
    inspector: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_finding_task_status", "task_id", "status"),
        Index("ix_finding_unit_status", "unit_id", "status"),
    )

    @property
    def severity_label(self) -> str:
        return SEVERITIES.get(self.severity, self.severity)
