"""Supervision tasks (专项督察 / 专项监督 / 执法检查) and the findings (问题) recorded in them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..i18n import N_
from .base import Timestamped
from .org import Unit, User

TASK_KINDS = {
    "special": N_("专项督察"),
    "monitor": N_("专项监督"),
    "inspection": N_("执法检查"),
    "other": N_("其他"),
}
SEVERITIES = {"normal": N_("一般"), "major": N_("较重"), "serious": N_("严重")}
# The categories a new installation starts with; the office edits the list (FindingCategory).
DEFAULT_FINDING_CATEGORIES = ["主体", "程序", "证据", "法律适用", "文书", "裁量", "其他"]
# Specialties offered when editing an inspector's profile (free text is allowed too).
SPECIALTIES = [
    "市场监管",
    "自然资源",
    "综合执法",
    "生态环境",
    "交通运输",
    "卫生健康",
    "应急管理",
    "住房建设",
    "法律",
]

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
    # The task list's order (newest or oldest first), whole: its page is read from the index.
    __table_args__ = (Index("ix_supervision_task_period_id", "period_start", "id"),)

    @property
    def kind_label(self) -> str:
        return TASK_KINDS.get(self.kind, self.kind)

    @property
    def leader(self) -> User | None:
        return next((m.user for m in self.members if m.is_leader), None)


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
    # Findings drawn from a reviewed case file (案卷评查) have no task.
    case_file_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The indicator (指标) the finding bears on, if any: evidence on the unit's scorecard.
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10), default="normal")
    description: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    # Indexed with id (ix_finding_found_id): the findings list and search sort by it, the dashboard
    # counts a year's range of it.
    found_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    dismiss_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    task: Mapped[SupervisionTask | None] = relationship()
    case_file: Mapped[CaseFile | None] = relationship("CaseFile")  # noqa: F821
    unit: Mapped[Unit] = relationship()
    inspector: Mapped[User | None] = relationship()
    indicator: Mapped[Indicator | None] = relationship("Indicator")  # noqa: F821

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # a task's findings by status and severity: the task list counts them from the index alone
        Index("ix_finding_task_status_severity", "task_id", "status", "severity"),
        Index("ix_finding_unit_status", "unit_id", "status"),
        Index("ix_finding_inspector_status", "inspector_id", "status"),
        # a unit's findings newest first: search's unit matches, stopping at the page
        Index("ix_finding_unit_found", "unit_id", "found_on"),
        Index("ix_finding_found_id", "found_on", "id"),  # the findings list's order, whole
    )

    @property
    def severity_label(self) -> str:
        return SEVERITIES.get(self.severity, self.severity)


class InspectorProfile(db.Model):
    """An inspector's entry in the pool (督察员库): specialties, certificate and term of appointment."""

    __tablename__ = "inspector_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    specialties: Mapped[str] = mapped_column(String(200), default="")  # joined with "、"
    certificate_no: Mapped[str] = mapped_column(String(60), default="")
    term_start: Mapped[date | None] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    user: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def specialty_list(self) -> list[str]:
        return [s for s in (self.specialties or "").split("、") if s]

    def term_expired(self, today: date) -> bool:
        return self.term_end is not None and self.term_end < today


class FindingCategory(db.Model):
    """The configurable list of finding categories (主体, 程序, 证据 …)."""

    __tablename__ = "finding_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
