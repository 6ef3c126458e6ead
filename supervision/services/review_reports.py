"""Case-file reviews (read side): a campaign's figures for its pages, the API and the exports.

Only final scores count (a file still awaiting scores or the lead's settlement does not).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, select

from .. import scoring
from ..extensions import db
from ..models import (
    CaseFile,
    ReviewAssignment,
    ReviewCampaign,
    ReviewDeduction,
    RubricItem,
    Unit,
)
from ..numbers import SCORE_PLACES, rounded


def unit_averages(campaign_id: int, unit_id: int | None = None) -> list[tuple]:
    """(unit id, unit name, files, average, excellent count) per unit, by average descending.

    `files` counts the unit's sampled files; the average is of its final scores only (a file still
    awaiting scores or the lead's settlement does not count), rounded to SCORE_PLACES.
    """
    final_score = case((CaseFile.is_final, CaseFile.final_score))
    query = (
        select(
            Unit.id,
            Unit.name,
            func.count(CaseFile.id),
            func.avg(final_score),
            func.sum(case((CaseFile.excellent.is_(True), 1), else_=0)),
        )
        .join(CaseFile, CaseFile.unit_id == Unit.id)
        .where(CaseFile.campaign_id == campaign_id, CaseFile.sampled.is_(True))
        .group_by(Unit.id, Unit.name)
        .order_by(func.avg(final_score).desc(), Unit.id)
    )
    if unit_id is not None:
        query = query.where(Unit.id == unit_id)
    return [
        (r[0], r[1], r[2], rounded(r[3], SCORE_PLACES), int(r[4] or 0)) for r in db.session.execute(query)
    ]


def overall_average(campaign_id: int) -> float | None:
    """The campaign's average: the mean of every final score (not the mean of the unit averages,
    which would weigh a unit of two files like a unit of twenty)."""
    mean = db.session.scalar(
        select(func.avg(CaseFile.final_score)).where(
            CaseFile.campaign_id == campaign_id, CaseFile.sampled.is_(True), CaseFile.is_final
        )
    )
    return rounded(mean, SCORE_PLACES)


def grade_distribution(campaign: ReviewCampaign, unit_id: int | None = None) -> list[tuple[str, int]]:
    query = (
        select(CaseFile.grade, func.count(CaseFile.id))
        .where(
            CaseFile.campaign_id == campaign.id,
            CaseFile.sampled.is_(True),
            CaseFile.is_final,
            CaseFile.grade.is_not(None),
        )
        .group_by(CaseFile.grade)
    )
    if unit_id is not None:
        query = query.where(CaseFile.unit_id == unit_id)
    counts = dict(db.session.execute(query).all())
    return [(label, counts.get(label, 0)) for label in scoring.grade_labels(campaign.rubric.band_pairs)]


def frequent_deductions(campaign_id: int, limit: int = 10, unit_id: int | None = None) -> list[tuple]:
    """The common problems: (category, item text, files, times, points) most frequent first."""
    query = (
        select(
            RubricItem.category,
            RubricItem.text,
            func.count(func.distinct(ReviewAssignment.case_file_id)),
            func.count(ReviewDeduction.id),
            func.sum(ReviewDeduction.points),
        )
        .join(ReviewDeduction, ReviewDeduction.item_id == RubricItem.id)
        .join(ReviewAssignment, ReviewAssignment.id == ReviewDeduction.assignment_id)
        .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
        .where(
            CaseFile.campaign_id == campaign_id,
            ReviewAssignment.status == "submitted",
            (ReviewDeduction.points > 0) | RubricItem.is_veto,
        )
        .group_by(RubricItem.id, RubricItem.category, RubricItem.text)
        .order_by(
            func.count(func.distinct(ReviewAssignment.case_file_id)).desc(),
            func.count(ReviewDeduction.id).desc(),
            RubricItem.id,
        )
        .limit(limit)
    )
    if unit_id is not None:
        query = query.where(CaseFile.unit_id == unit_id)
    return [(r[0], r[1], r[2], r[3], float(r[4] or 0)) for r in db.session.execute(query)]


def problems_by_file(campaign_id: int) -> dict[int, list[str]]:
    """Each file's deducted (or veto) item texts, once each, in rubric order."""
    rows = db.session.execute(
        select(ReviewAssignment.case_file_id, RubricItem.text)
        .join(ReviewDeduction, ReviewDeduction.assignment_id == ReviewAssignment.id)
        .join(RubricItem, RubricItem.id == ReviewDeduction.item_id)
        .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
        .where(
            CaseFile.campaign_id == campaign_id,
            ReviewAssignment.status == "submitted",
            (ReviewDeduction.points > 0) | RubricItem.is_veto,
        )
        .order_by(ReviewAssignment.case_file_id, RubricItem.order)
    )
    out: dict[int, list[str]] = defaultdict(list)
    for file_id, text in rows:
        if text not in out[file_id]:
            out[file_id].append(text)
    return out


def campaign_progress(campaign_id: int) -> dict:
    row = db.session.execute(
        select(
            select(func.count(CaseFile.id)).where(CaseFile.campaign_id == campaign_id).scalar_subquery(),
            select(func.count(CaseFile.id))
            .where(CaseFile.campaign_id == campaign_id, CaseFile.sampled.is_(True))
            .scalar_subquery(),
            select(func.count(ReviewAssignment.id))
            .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
            .where(CaseFile.campaign_id == campaign_id)
            .scalar_subquery(),
            select(func.count(ReviewAssignment.id))
            .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
            .where(CaseFile.campaign_id == campaign_id, ReviewAssignment.status == "submitted")
            .scalar_subquery(),
            select(func.count(CaseFile.id))
            .where(CaseFile.campaign_id == campaign_id, CaseFile.awaits_settlement)
            .scalar_subquery(),
            select(func.count(CaseFile.id))
            .where(CaseFile.campaign_id == campaign_id, CaseFile.excellent.is_(True))
            .scalar_subquery(),
        )
    ).one()
    return {
        "pool": row[0],
        "sampled": row[1],
        "assignments": row[2],
        "submitted": row[3],
        "unsettled": row[4],
        "excellent": row[5],
    }
