"""The office scorecard's per-request reads, built once (supervision/statements.py): the rounds
with results and the stamp of a round's board (services.scorecard_reports keeps the board)."""

from __future__ import annotations

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload

from .. import statements
from ..models import Assessment, AssessmentRound, Framework, Unit

_FINALIZED = Assessment.status == "finalized"


def rounds_with_results() -> Select:
    """Rounds that have a finalized assessment, newest first, with their frameworks (the boards
    name them: no lazy load)."""

    def build() -> Select:
        return (
            select(AssessmentRound)
            .where(AssessmentRound.id.in_(select(Assessment.round_id).where(_FINALIZED)))
            .options(joinedload(AssessmentRound.framework))
            .order_by(AssessmentRound.year.desc())
        )

    return statements.once("rounds_with_results", build)


def board_stamp() -> Select:
    """The round's (bound as `round_id`) finalized assessments: their number and latest
    finalization, and the latest edit of a unit (a unit's name shows on the board)."""

    def build() -> Select:
        return select(
            func.count(Assessment.id),
            func.max(Assessment.finalized_at),
            select(func.max(Unit.updated_at)).scalar_subquery(),
        ).where(Assessment.round_id == bindparam("round_id"), _FINALIZED)

    return statements.once("office_scorecard_stamp", build)


def round_choices() -> Select:
    """`rounds_with_results` as plain columns (no ORM objects): each round's id, year, title and
    framework (its name, version and whether it is a demo), newest first."""

    def build() -> Select:
        return (
            select(
                AssessmentRound.id,
                AssessmentRound.year,
                AssessmentRound.title,
                AssessmentRound.framework_id,
                Framework.name,
                Framework.version,
                Framework.is_demo,
            )
            .join(Framework, Framework.id == AssessmentRound.framework_id)
            .where(AssessmentRound.id.in_(select(Assessment.round_id).where(_FINALIZED)))
            .order_by(AssessmentRound.year.desc())
        )

    return statements.once("round_choices", build)
