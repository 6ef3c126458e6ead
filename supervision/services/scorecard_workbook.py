"""The office workbook's unit sheets (exports/scorecards.office_xlsx): each ranked unit's indicator
lines, read a chunk of assessments at a time so a province's round is never in memory at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Assessment, AssessmentRound, Indicator, IndicatorScore, Unit
from ..scoring_indicators import is_weak
from .scorecard_reports import UnitRow

# Assessments whose indicator lines are read at a time: a province's round (6,000 units × ≈100
# indicators) is never in memory at once, and a city's takes a few queries.
SHEETS_CHUNK = 200


@dataclass
class UnitSheet:
    """One unit's sheet of the office workbook: its board row, full name and indicator lines
    (code, text, max points, self rating, self score, evaluated rating, evaluated score, weak, comment)."""

    row: UnitRow
    name: str
    lines: list[tuple]


def office_unit_sheets(round_: AssessmentRound, rows: list[UnitRow], *, chunk: int = SHEETS_CHUNK):
    """Each ranked unit's indicator lines, in the board's order, read `chunk` assessments at a time
    (plain columns, not ORM objects). A generator: the writer takes one unit sheet after another."""
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        lines: dict[int, list[tuple]] = {r.assessment_id: [] for r in part}
        names: dict[int, str] = {}
        for (
            aid,
            name,
            code,
            text,
            max_points,
            self_rating,
            self_score,
            rating,
            score,
            comment,
        ) in db.session.execute(
            select(
                IndicatorScore.assessment_id,
                Unit.name,
                Indicator.code,
                Indicator.text,
                Indicator.max_points,
                IndicatorScore.self_rating,
                IndicatorScore.self_score,
                IndicatorScore.evaluated_rating,
                IndicatorScore.evaluated_score,
                IndicatorScore.comment,
            )
            .join(Indicator, Indicator.id == IndicatorScore.indicator_id)
            .join(Assessment, Assessment.id == IndicatorScore.assessment_id)
            .join(Unit, Unit.id == Assessment.unit_id)
            .where(
                IndicatorScore.assessment_id.in_(list(lines)), Indicator.framework_id == round_.framework_id
            )
            .order_by(IndicatorScore.assessment_id, Indicator.position)
        ):
            names[aid] = name
            lines[aid].append(
                (
                    code,
                    text,
                    max_points,
                    self_rating,
                    self_score,
                    rating,
                    score,
                    is_weak(rating, score, max_points),
                    comment,
                )
            )
        for r in part:
            yield UnitSheet(r, names.get(r.assessment_id, r.name), lines.pop(r.assessment_id))
