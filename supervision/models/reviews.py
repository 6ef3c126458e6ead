"""Case-file review (案卷评查): rubrics, campaigns, case files, cross-review assignments, deductions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamped, UTCDateTime
from .org import Unit, User

CASE_TYPES = ["行政处罚", "行政许可", "行政强制", "行政检查", "行政征收", "行政确认", "其他"]
FAIL_GRADE = "不合格"
DEFAULT_BANDS = [
    {"label": "优秀", "min": 90},
    {"label": "良好", "min": 80},
    {"label": "合格", "min": 60},
]
VETO_CATEGORY = "否决项"


class Rubric(Timestamped, db.Model):
    """A scoring standard (评查标准). `edition` counts versions of the same name; used → frozen."""

    __tablename__ = "rubric"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    edition: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(Text, default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{"name": "主体", "max": 10}, ...] in display order; the maxima add up to 100.
    categories: Mapped[list] = mapped_column(JSON, default=list)
    # [{"label": "优秀", "min": 90}, ...] from the highest; below the last one → 不合格.
    bands: Mapped[list] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)

    items: Mapped[list[RubricItem]] = relationship(
        back_populates="rubric", order_by="RubricItem.order", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("name", "edition"),)

    @property
    def label(self) -> str:
        return f"{self.name}（第{self.edition}版）"

    @property
    def category_max(self) -> dict[str, float]:
        return {c["name"]: float(c["max"]) for c in self.categories or []}

    @property
    def band_pairs(self) -> list[tuple[str, float]]:
        return [(b["label"], float(b["min"])) for b in self.bands or DEFAULT_BANDS]


class RubricItem(db.Model):
    __tablename__ = "rubric_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    max_points: Mapped[float] = mapped_column(Float, default=0)
    guidance: Mapped[str] = mapped_column(Text, default="")
    is_veto: Mapped[bool] = mapped_column(Boolean, default=False)
    order: Mapped[int] = mapped_column(Integer, default=0)

    rubric: Mapped[Rubric] = relationship(back_populates="items")


campaign_unit = Table(
    "campaign_unit",
    db.metadata,
    Column("campaign_id", ForeignKey("review_campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True, index=True),
)

campaign_reviewer = Table(
    "campaign_reviewer",
    db.metadata,
    Column("campaign_id", ForeignKey("review_campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id"), primary_key=True, index=True),
)


class ReviewCampaign(Timestamped, db.Model):
    __tablename__ = "review_campaign"
    __workflow__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"))
    case_types: Mapped[list] = mapped_column(JSON, default=list)
    sample_size: Mapped[int] = mapped_column(Integer, default=2)  # per unit and case type
    reviewers_per_file: Mapped[int] = mapped_column(Integer, default=2)
    divergence_margin: Mapped[float] = mapped_column(Float, default=10)
    deadline: Mapped[date | None] = mapped_column(Date)
    seed: Mapped[int | None] = mapped_column(Integer)
    sample_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The 评查情况通报's 发文字号, from its own series (REVIEW_REPORT_PREFIX), taken at publication.
    report_number: Mapped[str | None] = mapped_column(String(60), unique=True)
    report_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)

    rubric: Mapped[Rubric] = relationship()
    units: Mapped[list[Unit]] = relationship(secondary=campaign_unit, order_by=Unit.id)
    reviewers: Mapped[list[User]] = relationship(secondary=campaign_reviewer, order_by=User.id)

    __mapper_args__ = {"version_id_col": version}


class CaseFile(Timestamped, db.Model):
    """A case file in a campaign's pool; `sampled` ones are reviewed. Results live here too."""

    __tablename__ = "case_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("review_campaign.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    case_number: Mapped[str] = mapped_column(String(80))
    case_type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    decision_date: Mapped[date | None] = mapped_column(Date)
    handlers: Mapped[str] = mapped_column(String(200), default="")
    sampled: Mapped[bool] = mapped_column(Boolean, default=False)
    sample_reason: Mapped[str] = mapped_column(String(300), default="")
    excellent: Mapped[bool] = mapped_column(Boolean, default=False)
    final_score: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(20))
    divergent: Mapped[bool] = mapped_column(Boolean, default=False)
    settled_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    campaign: Mapped[ReviewCampaign] = relationship()
    unit: Mapped[Unit] = relationship()
    assignments: Mapped[list[ReviewAssignment]] = relationship(
        back_populates="case_file", order_by="ReviewAssignment.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("campaign_id", "unit_id", "case_number"),
        Index("ix_case_file_campaign_sampled", "campaign_id", "sampled", "unit_id"),
        Index("ix_case_file_unit", "unit_id"),
    )

    @property
    def settled(self) -> bool:
        return bool(self.settled_reason)

    # The one rule for what a figure may count (DESIGN §6): a file's score is final once every
    # reviewer has submitted and, where they differ beyond the margin, the lead has settled it.
    # Until then the mean is provisional: shown on the file, never counted as a grade.
    @hybrid_property
    def is_final(self) -> bool:
        return self.final_score is not None and (not self.divergent or bool(self.settled_reason))

    @is_final.inplace.expression
    @classmethod
    def _is_final_expression(cls):
        return and_(cls.final_score.is_not(None), or_(cls.divergent.is_(False), cls.settled_reason != ""))

    @hybrid_property
    def awaits_settlement(self) -> bool:
        """Reviewers differ beyond the margin and the lead has not settled the file yet."""
        return bool(self.divergent) and not self.settled_reason

    @awaits_settlement.inplace.expression
    @classmethod
    def _awaits_settlement_expression(cls):
        return and_(cls.divergent.is_(True), cls.settled_reason == "")


class ReviewAssignment(Timestamped, db.Model):
    __tablename__ = "review_assignment"
    __workflow__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_file_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(20), default="assigned")
    total: Mapped[float | None] = mapped_column(Float)  # set on submit
    veto_hit: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    case_file: Mapped[CaseFile] = relationship(back_populates="assignments")
    reviewer: Mapped[User] = relationship()
    deductions: Mapped[list[ReviewDeduction]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", order_by="ReviewDeduction.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("case_file_id", "reviewer_id"),
        Index("ix_review_assignment_reviewer_status", "reviewer_id", "status"),
    )


class ReviewDeduction(db.Model):
    """A deduction on one rubric item; on a veto item the row itself is the hit (points 0)."""

    __tablename__ = "review_deduction"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("review_assignment.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("rubric_item.id"), index=True)
    points: Mapped[float] = mapped_column(Float, default=0)
    note: Mapped[str] = mapped_column(Text, default="")

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="deductions")
    item: Mapped[RubricItem] = relationship()
