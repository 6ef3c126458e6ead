"""Indicator frameworks (指标体系), assessment rounds, self-assessments and evaluations, the roadmap.

A framework is a tree of indicators of any depth; its leaves are scored. Each indicator keeps the
id of its first-level ancestor (`area_id`) so that scorecards aggregate per area in one GROUP BY.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..scoring_indicators import RATINGS
from .base import Timestamped, UTCDateTime
from .org import UNIT_KINDS, Unit, User

__all__ = [
    "RATINGS",
    "Assessment",
    "AssessmentRound",
    "Framework",
    "Indicator",
    "IndicatorScore",
    "RoadmapItem",
]


class Framework(Timestamped, db.Model):
    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)
    year: Mapped[int | None] = mapped_column()
    description: Mapped[str] = mapped_column(Text, default="")
    # Names of the levels from the file, e.g. ["一级指标", "二级指标", "三级指标"].
    level_names: Mapped[list] = mapped_column(JSON, default=list)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when a round first uses the framework; a frozen framework is never changed again.
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    lock_version: Mapped[int] = mapped_column(default=1)

    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="framework", order_by="Indicator.position", cascade="all, delete-orphan"
    )
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (UniqueConstraint("name", "version"),)

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def label(self) -> str:
        return f"{self.name}（第{self.version}版）"

    def level_name(self, level: int) -> str:
        names = self.level_names or []
        return names[level - 1] if 0 < level <= len(names) else f"第{level}级"


class Indicator(db.Model):
    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    level: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    max_points: Mapped[float] = mapped_column(Float, default=0)
    method: Mapped[str] = mapped_column(String(200), default="")  # 评价方式
    applies_to: Mapped[str] = mapped_column(String(60), default="district,department,town")
    responsible: Mapped[str] = mapped_column(String(300), default="")  # 责任单位
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_leaf: Mapped[bool] = mapped_column(Boolean, default=True)

    framework: Mapped[Framework] = relationship(back_populates="indicators")
    parent: Mapped[Indicator | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    area: Mapped[Indicator | None] = relationship(remote_side=[id], foreign_keys=[area_id])

    __table_args__ = (
        UniqueConstraint("framework_id", "code"),
        Index("ix_indicator_framework_position", "framework_id", "position"),
    )

    @property
    def kinds(self) -> list[str]:
        return [k for k in (self.applies_to or "").split(",") if k]

    @property
    def kinds_label(self) -> str:
        kinds = self.kinds
        if set(kinds) == set(UNIT_KINDS):
            return "全部"
        return "、".join(UNIT_KINDS.get(k, k) for k in kinds)

    def applies(self, kind: str) -> bool:
        return kind in self.kinds


class AssessmentRound(Timestamped, db.Model):
    __tablename__ = "assessment_round"
    __workflow__ = "round"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")
    deadline: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    framework: Mapped[Framework] = relationship()
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Assessment(Timestamped, db.Model):
    __tablename__ = "assessment"
    __workflow__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_round.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Stored when finalized (the scores are locked then): {area id: [earned, possible]}, so that
    # scorecards read one row per unit instead of summing every indicator score on each request.
    area_scores: Mapped[dict | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)

    round: Mapped[AssessmentRound] = relationship()
    unit: Mapped[Unit] = relationship()
    evaluator: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("round_id", "unit_id"),
        Index("ix_assessment_round_status", "round_id", "status"),
        # the inspector home's self-assessments to evaluate, oldest submitted first, and their total
        Index("ix_assessment_status_submitted", "status", "submitted_at", "id", "unit_id", "round_id"),
    )


class IndicatorScore(Timestamped, db.Model):
    __tablename__ = "indicator_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    self_rating: Mapped[str | None] = mapped_column(String(10))
    self_score: Mapped[float | None] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text, default="")
    evaluated_rating: Mapped[str | None] = mapped_column(String(10))
    evaluated_score: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    assessment: Mapped[Assessment] = relationship()
    indicator: Mapped[Indicator] = relationship()
    evaluator: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("assessment_id", "indicator_id"),
        # Covering index for the roll-ups (rollup, office_scorecard): the sums read the ratings and
        # points from the index instead of one table lookup per score (bench/: 3× on SQLite).
        Index(
            "ix_indicator_score_rollup",
            "assessment_id",
            "indicator_id",
            "evaluated_rating",
            "evaluated_score",
        ),
    )

    @property
    def self_rating_label(self) -> str:
        return RATINGS.get(self.self_rating or "", "")

    @property
    def evaluated_rating_label(self) -> str:
        return RATINGS.get(self.evaluated_rating or "", "")


class RoadmapItem(Timestamped, db.Model):
    """时间表、路线图: what a unit will do about a weak indicator, by whom and by when."""

    __tablename__ = "roadmap_item"
    __workflow__ = "roadmap"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    measure: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(100))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    progress: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    indicator: Mapped[Indicator] = relationship()
    unit: Mapped[Unit] = relationship()
    assessment: Mapped[Assessment | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_roadmap_item_unit_status", "unit_id", "status"),
        Index("ix_roadmap_item_due", "status", "due_date"),
    )

    def is_overdue(self, today: date) -> bool:
        return self.status != "done" and self.due_date < today
