"""Notices (通知书) with their items (整改事项), rectification reports, verifications,
extension requests and escalations; notice kinds and the document-number counters."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..i18n import N_
from .base import Timestamped, UTCDateTime, utcnow
from .org import Unit, User
from .tasks import Finding, SupervisionTask

ESCALATION_KINDS = {"interview": N_("约谈"), "listed": N_("挂牌督办"), "criticism": N_("通报批评")}
PENDING_DECISION = N_("待审批")
EXTENSION_DECISIONS = {"approved": N_("同意延期"), "rejected": N_("不同意延期")}


class NoticeKind(Timestamped, db.Model):
    __tablename__ = "notice_kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    prefix: Mapped[str] = mapped_column(String(20))  # 机关代字, e.g. 海法督
    default_days: Mapped[int] = mapped_column(default=15)  # time limit in working days
    requires_rectification: Mapped[bool] = mapped_column(Boolean, default=True)
    # 结尾语: the kind's own closing paragraph, {期限} standing for the deadline; empty = the default.
    closing: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The issuing authority: masthead (发文机关标志), signature (署名) and seal owner (用印机关); empty =
    # OFFICE_NAME. The 执法监督通知书 goes out under the 司法局, the 督察 documents under the 依法治区办.
    issuing_authority: Mapped[str] = mapped_column(String(100), default="", server_default="")
    signature: Mapped[str] = mapped_column(String(100), default="", server_default="")
    seal_owner: Mapped[str] = mapped_column(String(100), default="", server_default="")
    default_cc: Mapped[str] = mapped_column(Text, default="", server_default="")  # 抄送, prefilled on drafts
    # GB/T 9704-2012 7.2.1: the masthead's top edge 35 mm below the type area's top edge.
    masthead_offset_mm: Mapped[int] = mapped_column(default=35, server_default="35")
    # The office's own .docx letterhead with docxtpl placeholders; None = the built-in layout.
    template: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    template_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class DocCounter(db.Model):
    """The last number given in one series (prefix + year)."""

    __tablename__ = "doc_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column()
    last: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("prefix", "year"),)


class Notice(Timestamped, db.Model):
    __tablename__ = "notice"
    __workflow__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("notice_kind.id"))
    # Given at issue, never before; kept when voided.
    doc_number: Mapped[str | None] = mapped_column(String(60), unique=True)
    doc_prefix: Mapped[str | None] = mapped_column(String(20))
    year: Mapped[int | None] = mapped_column()
    seq: Mapped[int | None] = mapped_column()
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_task.id"))
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[str] = mapped_column(Text, default="")
    time_limit_days: Mapped[int | None] = mapped_column()
    fixed_deadline: Mapped[date | None] = mapped_column(Date)  # set by the drafter instead of a time limit
    issue_date: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str] = mapped_column(Text, default="")
    return_reason: Mapped[str] = mapped_column(Text, default="")
    # The kind's 结尾语 as it was when the notice was issued: later edits of the kind do not change
    # a document already sent.
    closing: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The kind's issuing authority as it was at issue, like the 结尾语 (empty on drafts).
    issuing_authority: Mapped[str] = mapped_column(String(100), default="", server_default="")
    signature: Mapped[str] = mapped_column(String(100), default="", server_default="")
    seal_owner: Mapped[str] = mapped_column(String(100), default="", server_default="")
    cc: Mapped[str] = mapped_column(Text, default="", server_default="")  # 抄送, printed in the 版记
    version: Mapped[int] = mapped_column(default=1)

    kind: Mapped[NoticeKind] = relationship()
    unit: Mapped[Unit] = relationship()
    task: Mapped[SupervisionTask | None] = relationship()
    drafted_by: Mapped[User | None] = relationship(foreign_keys=[drafted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    items: Mapped[list[NoticeItem]] = relationship(
        back_populates="notice", order_by="NoticeItem.seq", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_notice_unit_status", "unit_id", "status"),
        Index("ix_notice_status_deadline", "status", "deadline"),
        Index("ix_notice_register", "year", "doc_prefix", "seq"),
        Index("ix_notice_updated_id", "updated_at", "id"),  # the notices list's order, whole
        Index("ix_notice_unit_updated", "unit_id", "updated_at"),  # a unit's notices, newest first
        # "drafted by me" (permissions.verifiable_notices_for_user) and an inspector's drafts, newest first
        Index("ix_notice_drafted_by_status", "drafted_by_id", "status", "updated_at"),
        Index("ix_notice_task", "task_id"),
    )

    OPEN_STATUSES = ("issued", "acknowledged")

    def is_overdue(self, today: date) -> bool:
        """Derived, never stored: deadline passed while items are still open."""
        return self.status in self.OPEN_STATUSES and self.deadline is not None and self.deadline < today

    @property
    def display_number(self) -> str:
        return self.doc_number or "（未编号）"


class NoticeItem(db.Model):
    __tablename__ = "notice_item"
    __workflow__ = "notice_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"))
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    seq: Mapped[int] = mapped_column(default=1)
    requirement: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    version: Mapped[int] = mapped_column(default=1)

    notice: Mapped[Notice] = relationship(back_populates="items")
    finding: Mapped[Finding] = relationship()
    rectifications: Mapped[list[Rectification]] = relationship(
        back_populates="item", order_by="Rectification.id"
    )
    verifications: Mapped[list[Verification]] = relationship(
        back_populates="item", order_by="Verification.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("notice_id", "finding_id"),
        Index("ix_notice_item_notice_seq", "notice_id", "seq"),
    )

    @property
    def unit_id(self) -> int:
        """The audit trail files item events under the notice's unit."""
        return self.notice.unit_id


class Rectification(db.Model):
    """A rectification report (整改报告) on one item; evidence is attached with owner 'rectification'."""

    __tablename__ = "rectification"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("notice_item.id", ondelete="CASCADE"), index=True)
    measures: Mapped[str] = mapped_column(Text)
    completed_on: Mapped[date] = mapped_column(Date)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[NoticeItem] = relationship(back_populates="rectifications")
    submitted_by: Mapped[User | None] = relationship()


class Verification(db.Model):
    """A verification decision (核查): accept or return, with the reason for a return."""

    __tablename__ = "verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("notice_item.id", ondelete="CASCADE"), index=True)
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectification.id"))
    decision: Mapped[str] = mapped_column(String(10))  # accept | return
    reason: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[NoticeItem] = relationship(back_populates="verifications")
    by: Mapped[User | None] = relationship()


class ExtensionRequest(db.Model):
    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_deadline: Mapped[date] = mapped_column(Date)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(10))  # None while pending; approved | rejected
    decision_note: Mapped[str] = mapped_column(Text, default="")
    old_deadline: Mapped[date | None] = mapped_column(Date)
    new_deadline: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def decision_label(self) -> str:
        return EXTENSION_DECISIONS.get(self.decision or "", PENDING_DECISION)


class Escalation(db.Model):
    """约谈 / 挂牌督办 / 通报批评 recorded on an overdue notice."""

    __tablename__ = "escalation"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    on_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return ESCALATION_KINDS.get(self.kind, self.kind)
