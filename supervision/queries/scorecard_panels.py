"""What the scorecard panels of the home page read (one function per role; views/home_panels.py lists them)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from sqlalchemy import bindparam, case, func, select, true

from .. import statements
from ..audit import engine_key
from ..cache import derived
from ..extensions import db
from ..models import (
    Assessment,
    AssessmentRound,
    Framework,
    Indicator,
    IndicatorScore,
    RoadmapItem,
    Unit,
    User,
)
from ..request_memo import per_request
from ..scoring_indicators import percent
from ..services import scorecard_reports as reports
from ..todo import RATED_READS, SUMMARY_READS, assessments_to_evaluate, kept_for_user
from .scorecards import leaf_counts_by_kind


def liaison_panel_data(user: User, today: date) -> dict:
    """The unit's current self-assessment with its progress, its latest total, its open roadmap."""
    if user.unit_id is None:
        return {"current": None}
    row = unit_summary(user, today)
    current = last = None
    if row.current_id is not None:
        current = SimpleNamespace(
            id=row.current_id,
            status=row.status,
            return_reason=row.return_reason,
            round_title=row.round_title,
            deadline=row.deadline,
            framework_id=row.framework_id,
            framework_updated_at=row.framework_updated_at,
            unit_kind=row.unit_kind,
        )
    if row.last_id is not None:
        last = SimpleNamespace(id=row.last_id, unit_id=row.last_unit_id, year=row.last_year)
    # kept until a score is saved (audited as its assessment's) or an indicator changes
    rated, last_total = kept_for_user(
        ("rated_and_total", row.current_id, row.last_id),
        user,
        RATED_READS,
        lambda: _rated_and_total(row.current_id, row.last_id),
    )
    total = 0
    if current is not None:
        counts = cached_leaf_counts(current.framework_id, current.framework_updated_at)
        total = counts.get(current.unit_kind, 0)
    open_items, overdue_items = row.open_items, row.overdue_items
    return {
        "current": current,
        "rated": rated,
        "total": total,
        "last": last,
        "last_total": last_total,
        "open_items": open_items or 0,
        "overdue_items": overdue_items or 0,
    }


def unit_summary(user: User, today: date):
    """The row of `_unit_summary` for the liaison's unit, read once per request: the scorecard panel
    and the work list (whether it has draft self-assessments to list) share it."""
    return per_request(
        ("liaison_scorecard_summary", user.id, today),
        lambda: kept_for_user(
            ("liaison_scorecard_summary", today),
            user,
            SUMMARY_READS,
            lambda: statements.read_rows("liaison_scorecard_summary", user, _unit_summary, today=today)[0],
        ),
    )


def _unit_summary(asker):
    """The unit's open roadmap counted, its current assessment and its latest finalized one, in one
    row (an assessment's columns are NULL when there is none), and whether the work list has draft
    self-assessments to list (todo.draft_assessments' rows counted): one query for four reads."""
    from ..todo import draft_assessments

    roadmap = _open_roadmap(asker).subquery()
    current = _current_assessment(asker).subquery()
    last = _last_finalized(asker).subquery()
    drafts = select(func.count()).select_from(draft_assessments(asker).subquery()).scalar_subquery()
    return (
        select(
            drafts.label("draft_assessments"),
            roadmap.c.open_items,
            roadmap.c.overdue_items,
            current.c.id.label("current_id"),
            current.c.status,
            current.c.return_reason,
            current.c.round_title,
            current.c.deadline,
            current.c.framework_id,
            current.c.framework_updated_at,
            current.c.unit_kind,
            last.c.id.label("last_id"),
            last.c.unit_id.label("last_unit_id"),
            last.c.year.label("last_year"),
        )
        .select_from(roadmap)
        .outerjoin(current, true())
        .outerjoin(last, true())
    )


def _current_assessment(asker):
    return (
        select(
            Assessment.id,
            Assessment.status,
            Assessment.return_reason,
            AssessmentRound.title.label("round_title"),
            AssessmentRound.deadline,
            AssessmentRound.framework_id,
            Framework.updated_at.label("framework_updated_at"),
            Unit.kind.label("unit_kind"),
        )
        .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
        .join(Framework, Framework.id == AssessmentRound.framework_id)
        .join(Unit, Unit.id == Assessment.unit_id)
        .where(Assessment.unit_id == asker.unit_id, AssessmentRound.status == "open")
        .order_by(AssessmentRound.year.desc())
        .limit(1)
    )


def _last_finalized(asker):
    return (
        select(Assessment.id, Assessment.unit_id, AssessmentRound.year)
        .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
        .where(Assessment.unit_id == asker.unit_id, reports.FINALIZED)
        .order_by(AssessmentRound.year.desc())
        .limit(1)
    )


def _open_roadmap(asker):
    return select(
        func.count(RoadmapItem.id).label("open_items"),
        func.sum(case((RoadmapItem.due_date < bindparam("today"), 1), else_=0)).label("overdue_items"),
    ).where(RoadmapItem.unit_id == asker.unit_id, RoadmapItem.status != "done")


def _rated_of():
    # two plain parameters (the second the first again when there is one id), not an expanding list:
    # the statement is then compiled once, not rewritten at each run
    ids = [bindparam("first"), bindparam("second")]
    return (
        select(
            IndicatorScore.assessment_id,
            func.count(IndicatorScore.id).filter(IndicatorScore.self_rating.is_not(None)),
            reports.EARNED,
            reports.POSSIBLE,
        )
        .join(Indicator, Indicator.id == IndicatorScore.indicator_id)
        .where(IndicatorScore.assessment_id.in_(ids))
        .group_by(IndicatorScore.assessment_id)
    )


def _rated_and_total(current_id: int | None, last_id: int | None) -> tuple[int, float | None]:
    """In one query: the indicators the current assessment has rated (reports.progress_for) and the
    latest finalized assessment's total out of 100 (reports.totals_for)."""
    ids = [i for i in (current_id, last_id) if i is not None]
    if not ids:
        return 0, None
    statement = statements.once("rated_and_total_of_two", _rated_of)
    rows = db.session.connection().execute(statement, {"first": ids[0], "second": ids[-1]}).all()
    by_id = {aid: (count, earned, possible) for aid, count, earned, possible in rows}
    rated = by_id[current_id][0] if current_id in by_id else 0
    if last_id not in by_id:
        return rated, None
    _count, earned, possible = by_id[last_id]
    return rated, percent(float(earned or 0), float(possible or 0))


def cached_leaf_counts(framework_id: int, updated_at) -> dict[str, int]:
    """leaf_counts_by_kind, computed once per change of the framework: an edit of an indicator stamps
    the framework (frameworks.indicator_update), an import makes a new framework."""
    key = ("leaf_counts", engine_key(db.engine), framework_id, updated_at)
    return derived(key, lambda: leaf_counts_by_kind(framework_id))


def lead_panel_data(today: date) -> dict:
    """The ranking summary of the latest finalized year and the assessments awaiting sign-off."""
    rounds = reports.rounds_with_results()
    waiting = db.session.scalar(select(func.count(Assessment.id)).where(Assessment.status == "evaluated"))
    overdue = db.session.scalar(
        select(func.count(RoadmapItem.id)).where(RoadmapItem.status != "done", RoadmapItem.due_date < today)
    )
    return {
        "round": rounds[0] if rounds else None,
        "board": reports.office_scorecard(rounds[0]) if rounds else None,
        "waiting": waiting or 0,
        "overdue": overdue or 0,
    }


def inspector_panel_data(user: User) -> dict:
    """Submitted self-assessments waiting for an evaluation (not the inspector's own unit's): the
    oldest ten and how many in all, from the rows the work list reads in the same request."""
    rows = assessments_to_evaluate(user)
    return {"rows": rows[:10], "count": rows[0].total if rows else 0}
