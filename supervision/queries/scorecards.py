"""What the scorecard pages read: frameworks, rounds, one assessment (or one of its rows), the
boards, and the roadmap (the home panels: queries/scorecard_panels.py). One function per page, scoped through permissions.py."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Row, Select, String, Subquery, and_, bindparam, case, func, inspect, or_, select, true
from sqlalchemy.orm import aliased, joinedload

from .. import statements
from ..extensions import db
from ..filters import contains
from ..models import (
    UNIT_KINDS,
    Assessment,
    AssessmentRound,
    Attachment,
    AuditEvent,
    Finding,
    Framework,
    Indicator,
    IndicatorScore,
    RoadmapItem,
    Unit,
    User,
)
from ..permissions import (
    assessments_for_user,
    audit_events_for_record,
    can,
    findings_for_user,
    roadmap_items_for_user,
    scorecard_units_for_user,
)
from ..registers import RowStream
from ..scoring_indicators import combine_area_sums, is_weak, unit_score
from ..services import scorecard_reports as reports

ROUND_STATUSES = ("draft", "submitted", "evaluated", "finalized")
ROADMAP_STATUSES = ("planned", "in_progress", "done")


# --- small reads shared by pages and services -------------------------------------------------


def leaf_counts_by_kind(framework_id: int) -> dict[str, int]:
    """How many scored indicators apply to each unit kind, in one query."""
    columns = [
        func.coalesce(func.sum(case((Indicator.applies_to.contains(kind), 1), else_=0)), 0)
        for kind in UNIT_KINDS
    ]
    row = db.session.execute(
        select(*columns).where(Indicator.framework_id == framework_id, Indicator.is_leaf.is_(True))
    ).one()
    return {kind: int(count or 0) for kind, count in zip(UNIT_KINDS, row, strict=True)}


def status_counts(round_id: int) -> Counter:
    return Counter(
        dict(
            db.session.execute(
                select(Assessment.status, func.count(Assessment.id))
                .where(Assessment.round_id == round_id)
                .group_by(Assessment.status)
            ).all()
        )
    )


def _applicable(assessment: Assessment):
    """The where-clause of the scored indicators that apply to the assessment's unit."""
    return and_(
        Indicator.framework_id == assessment.round.framework_id,
        Indicator.is_leaf.is_(True),
        Indicator.applies_to.contains(assessment.unit.kind),
    )


def applicable_leaves(assessment: Assessment) -> list[Indicator]:
    return list(
        db.session.scalars(select(Indicator).where(_applicable(assessment)).order_by(Indicator.position))
    )


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The unit's assessment of the latest earlier year."""
    return db.session.scalar(
        select(Assessment)
        .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
        .where(Assessment.unit_id == assessment.unit_id, AssessmentRound.year < assessment.round.year)
        .order_by(AssessmentRound.year.desc(), Assessment.id.desc())
        .limit(1)
    )


def previous_scores(
    assessment: Assessment, code: str | None = None
) -> tuple[Assessment | None, dict[str, IndicatorScore]]:
    """The unit's assessment of the latest earlier year and its scores by indicator code (only
    `code`'s when given). Matched by code, not id: a new year may use a new version of the framework.
    """
    previous = previous_assessment(assessment)
    if previous is None:
        return None, {}
    query = (
        select(Indicator.code, IndicatorScore)
        .join(IndicatorScore, IndicatorScore.indicator_id == Indicator.id)
        .where(IndicatorScore.assessment_id == previous.id)
    )
    if code is not None:
        query = query.where(Indicator.code == code)
    return previous, {code: score for code, score in db.session.execute(query).all()}


def score_of(assessment: Assessment, indicator: Indicator) -> IndicatorScore | None:
    """The assessment's score record of one indicator, if any."""
    return db.session.scalar(
        select(IndicatorScore).where(
            IndicatorScore.assessment_id == assessment.id, IndicatorScore.indicator_id == indicator.id
        )
    )


# What the assessment page reads of the assessment itself, loaded with it in one query.
ASSESSMENT_PAGE_LOADS = (
    joinedload(Assessment.round).joinedload(AssessmentRound.framework),
    joinedload(Assessment.unit),
    joinedload(Assessment.evaluator),
)


def assessment_for_page(user: User, assessment_id: int) -> Assessment | None:
    """The assessment with its round, framework, unit and evaluator, if the user may see it
    (permissions.assessments_for_user): one query, its statement built once per shape of user."""
    query = statements.statement(
        "assessment_for_page",
        user,
        lambda asker: (
            assessments_for_user(asker)
            .where(Assessment.id == bindparam("assessment_id"))
            .options(*ASSESSMENT_PAGE_LOADS)
        ),
    )
    return db.session.scalar(query, statements.values(user, assessment_id=assessment_id))


class ScoreLine(NamedTuple):
    """One indicator's row of the assessment page: the indicator, its score (None each when not
    scored yet) and the score's evidence files, as (id, original name). Plain values, no objects
    (no timestamps converted, nothing to lazy-load), and a tuple: a row reads some thirty of them."""

    id: int
    code: str
    text: str
    max_points: float
    method: str
    responsible: str
    area_id: int | None
    parent_id: int | None
    score_id: int | None
    self_rating: str | None
    self_score: float | None
    explanation: str | None
    evaluated_rating: str | None
    evaluated_score: float | None
    comment: str | None
    version: int | None
    files: tuple = ()


_LINE_COLUMNS = (
    Indicator.id,
    Indicator.code,
    Indicator.text,
    Indicator.max_points,
    Indicator.method,
    Indicator.responsible,
    Indicator.area_id,
    Indicator.parent_id,
    IndicatorScore.id.label("score_id"),
    IndicatorScore.self_rating,
    IndicatorScore.self_score,
    IndicatorScore.explanation,
    IndicatorScore.evaluated_rating,
    IndicatorScore.evaluated_score,
    IndicatorScore.comment,
    IndicatorScore.version,
)
_FILE_AT = len(_LINE_COLUMNS)  # the file's id and name follow the line's columns


def _lines_statement(*where) -> Select:
    """Indicators with the assessment's score of each and that score's files: one row per file, one
    for an indicator without. Outer joins: an unscored indicator is a line too."""
    return (
        select(*_LINE_COLUMNS, Attachment.id, Attachment.original_name, Indicator.is_leaf)
        .outerjoin(
            IndicatorScore,
            and_(
                IndicatorScore.indicator_id == Indicator.id,
                IndicatorScore.assessment_id == bindparam("assessment_id"),
            ),
        )
        .outerjoin(
            Attachment,
            and_(Attachment.owner_type == "indicator_score", Attachment.owner_id == IndicatorScore.id),
        )
        .where(*where)
        .order_by(Indicator.position, Indicator.id)  # the index's order: no sort (files: _lines)
    )


def _page_lines() -> Select:
    """The assessment page's indicators in one query, built once: every heading of the framework
    and every scored indicator (leaf) that applies to the unit's kind, framework and kind bound."""
    return _lines_statement(
        Indicator.framework_id == bindparam("framework_id"),
        or_(
            Indicator.is_leaf.is_(False),
            Indicator.applies_to.contains(bindparam("unit_kind", type_=String)),
        ),
    )


def _page_lines_with_previous() -> Select:
    """_page_lines with last year's score of each indicator after its columns (see
    _previous_scores): the unit's latest earlier assessment (one row or none, joined to every
    line), its framework's indicator of the line's code (framework and code are unique) and that
    assessment's score of it; so the year comes with every line, scored last year or not."""
    previous = _previous()
    earlier = aliased(Indicator, name="previous_indicator")
    score = aliased(IndicatorScore, name="previous_score")
    return (
        _page_lines()
        .add_columns(
            previous.c.year.label("previous_year"),
            score.id.label("previous_score_id"),
            score.self_rating,
            score.self_score,
            score.evaluated_rating,
            score.evaluated_score,
        )
        .outerjoin(previous, true())
        .outerjoin(
            earlier, and_(earlier.framework_id == previous.c.framework_id, earlier.code == Indicator.code)
        )
        .outerjoin(score, and_(score.assessment_id == previous.c.id, score.indicator_id == earlier.id))
    )


_PREVIOUS_AT = _FILE_AT + 3  # after the file's id and name and is_leaf: the year, the score's id


def _previous_of_lines(rows: list) -> tuple[int | None, dict[str, PreviousScore]]:
    """What _previous_rows reads, from the rows of _page_lines_with_previous (not empty): the
    earlier assessment's year and its scores by the lines' codes."""
    at = _PREVIOUS_AT
    scores = {row[1]: PreviousScore(*row[at + 2 : at + 6]) for row in rows if row[at + 1] is not None}
    return rows[0][at], scores


def _one_line() -> Select:
    return _lines_statement(Indicator.id == bindparam("indicator_id"))


def _lines(rows) -> tuple[list[ScoreLine], dict[int, Row]]:
    """The rows of `_lines_statement` (in indicator order, an indicator's files together) as the
    leaves' lines and the headings by id."""
    lines: list[ScoreLine] = []
    headings: dict[int, Row] = {}
    files: list = []
    last = None
    for row in rows:
        if not row.is_leaf:
            headings[row.id] = row
            continue
        if row.id != last:
            last = row.id
            files = []
            lines.append(ScoreLine(*row[:_FILE_AT], files))
        if row[_FILE_AT] is not None:
            files.append((row[_FILE_AT], row[_FILE_AT + 1]))
            files.sort()  # in upload order (by id); a score has a few
    return lines, headings


class PreviousScore(NamedTuple):
    """An indicator's score of the unit's latest earlier assessment (the "2025 年度" line)."""

    self_rating: str | None
    self_score: float | None
    evaluated_rating: str | None
    evaluated_score: float | None


_PREVIOUS_COLUMNS = (
    IndicatorScore.self_rating,
    IndicatorScore.self_score,
    IndicatorScore.evaluated_rating,
    IndicatorScore.evaluated_score,
)


def _previous() -> Subquery:
    """The unit's latest earlier assessment: its id, year and framework (one row or none)."""
    return (
        select(Assessment.id, AssessmentRound.year, AssessmentRound.framework_id)
        .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
        .where(Assessment.unit_id == bindparam("unit_id"), AssessmentRound.year < bindparam("year"))
        .order_by(AssessmentRound.year.desc(), Assessment.id.desc())
        .limit(1)
        .subquery()
    )


def _previous_scores() -> Select:
    """The latest earlier assessment's year and its scores with their indicators' codes, in one
    query: outer joins, so the year comes even when that assessment has no score."""
    previous = _previous()
    return (
        select(previous.c.year, Indicator.code, *_PREVIOUS_COLUMNS)
        .select_from(previous)
        .outerjoin(IndicatorScore, IndicatorScore.assessment_id == previous.c.id)
        .outerjoin(Indicator, Indicator.id == IndicatorScore.indicator_id)
    )


def _previous_score() -> Select:
    """The same for the indicator of one code: that code in the earlier framework, then its score."""
    previous = _previous()
    return (
        select(previous.c.year, Indicator.code, *_PREVIOUS_COLUMNS)
        .select_from(previous)
        .outerjoin(
            Indicator,
            and_(Indicator.framework_id == previous.c.framework_id, Indicator.code == bindparam("code")),
        )
        .outerjoin(
            IndicatorScore,
            and_(IndicatorScore.assessment_id == previous.c.id, IndicatorScore.indicator_id == Indicator.id),
        )
    )


def _previous_rows(
    assessment: Assessment, code: str | None = None
) -> tuple[int | None, dict[str, PreviousScore]]:
    """The year of the unit's latest earlier assessment and its scores by indicator code (only
    `code`'s when given), as rows: what the "2025 年度：自评 … 评估 …" line shows."""
    params = {"unit_id": assessment.unit_id, "year": assessment.round.year}
    if code is None:
        query = statements.once("previous_scores", _previous_scores)
    else:
        query, params["code"] = statements.once("previous_score", _previous_score), code
    rows = db.session.connection().execute(query, params).all()  # plain columns: no ORM result
    if not rows:
        return None, {}
    return rows[0][0], {row[1]: PreviousScore(*row[2:]) for row in rows if row[1] is not None}


# --- frameworks -------------------------------------------------------------------------------


def frameworks_page() -> dict:
    items = db.session.scalars(select(Framework).order_by(Framework.name, Framework.version.desc())).all()
    counts = dict(
        db.session.execute(
            select(Indicator.framework_id, func.count(Indicator.id))
            .where(Indicator.is_leaf.is_(True))
            .group_by(Indicator.framework_id)
        ).all()
    )
    rounds = dict(
        db.session.execute(
            select(AssessmentRound.framework_id, func.count(AssessmentRound.id)).group_by(
                AssessmentRound.framework_id
            )
        ).all()
    )
    return {"items": items, "counts": counts, "rounds": rounds}


def framework_indicators(framework_id: int) -> list[Indicator]:
    """Every indicator of a framework in tree order (the page, the export and the API)."""
    return db.session.scalars(
        select(Indicator)
        .where(Indicator.framework_id == framework_id)
        .order_by(Indicator.position, Indicator.id)
    ).all()


def framework_page(user: User, framework: Framework) -> dict:
    indicators = framework_indicators(framework.id)
    events = db.session.scalars(audit_events_for_record(user, "framework", framework.id).limit(50)).all()
    return {"indicators": indicators, "kinds": leaf_counts_by_kind(framework.id), "events": events}


# --- rounds -----------------------------------------------------------------------------------


def my_assessments_page(user: User) -> dict:
    """A unit's own assessments, latest year first, with the totals of the finalized ones."""
    own = db.session.scalars(
        assessments_for_user(user)
        .options(joinedload(Assessment.round))
        .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
        .order_by(AssessmentRound.year.desc())
    ).all()
    return {"items": own, "totals": reports.totals_for([a.id for a in own if a.status == "finalized"])}


def rounds_page() -> dict:
    items = db.session.scalars(
        select(AssessmentRound)
        .options(joinedload(AssessmentRound.framework))
        .order_by(AssessmentRound.year.desc())
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for round_id, status, n in db.session.execute(
        select(Assessment.round_id, Assessment.status, func.count(Assessment.id)).group_by(
            Assessment.round_id, Assessment.status
        )
    ):
        counts.setdefault(round_id, {})[status] = n
    return {"items": items, "counts": counts}


def round_form_page() -> dict:
    """The frameworks and active units a new round may use, and the years already taken."""
    frameworks = db.session.scalars(
        select(Framework).order_by(Framework.name, Framework.version.desc())
    ).all()
    units = db.session.execute(
        select(Unit.id, Unit.name, Unit.kind).where(Unit.active.is_(True)).order_by(Unit.kind, Unit.id)
    ).all()
    return {
        "frameworks": frameworks,
        "units": units,
        "taken": set(db.session.scalars(select(AssessmentRound.year))),
    }


def round_detail_page(round_: AssessmentRound, *, status: str, keyword: str, page: int) -> dict:
    query = (
        select(Assessment)
        .join(Unit, Unit.id == Assessment.unit_id)
        .options(joinedload(Assessment.unit))
        .where(Assessment.round_id == round_.id)
    )
    if status in ROUND_STATUSES:
        query = query.where(Assessment.status == status)
    if keyword:
        query = query.where(or_(contains(Unit.name, keyword), contains(Unit.short_name, keyword)))
    pages = db.paginate(query.order_by(Unit.kind, Unit.id), page=page, per_page=50, error_out=False)
    ids = [a.id for a in pages.items]
    return {
        "page": pages,
        "progress": reports.progress_for(ids),
        "totals": reports.totals_for(ids),
        "kinds": leaf_counts_by_kind(round_.framework_id),
        "counts": status_counts(round_.id),
    }


# --- one assessment ---------------------------------------------------------------------------


def self_progress(assessment: Assessment) -> dict:
    """The progress counter, in one query: indicators rated of those applying, and the unit's own
    total so far (Σ points ÷ Σ max of the rated, 不适用 left out)."""
    counted = and_(IndicatorScore.self_rating.is_not(None), IndicatorScore.self_rating != "na")
    total, rated, earned, possible = db.session.execute(
        select(
            func.count(Indicator.id),
            func.count(IndicatorScore.self_rating),
            func.sum(case((counted, func.coalesce(IndicatorScore.self_score, 0.0)), else_=0.0)),
            func.sum(case((counted, Indicator.max_points), else_=0.0)),
        )
        .outerjoin(
            IndicatorScore,
            and_(IndicatorScore.indicator_id == Indicator.id, IndicatorScore.assessment_id == assessment.id),
        )
        .where(_applicable(assessment))
    ).one()
    score = combine_area_sums([(None, earned or 0.0, possible or 0.0)])
    return {"rated": rated or 0, "total": total or 0, "self_total": score.total}


def assessment_page(user: User, assessment: Assessment) -> dict:
    """Everything the assessment page shows: every applicable indicator with its score and files,
    the headings, last year's scores, the totals, the weak indicators and their roadmap items.

    Indicators and scores are tuples, not objects, and nothing is loaded lazily: four queries
    (the indicators with their scores and files, last year's, the events, the roadmap items of
    the weak indicators if any) whatever the framework's size.
    """
    # The round, its framework, the unit and the evaluator in one query (on the instance already
    # loaded) instead of a lazy load each.
    if "round" in inspect(assessment).unloaded:  # not read with assessment_for_page by the view
        db.session.scalars(
            statements.once(
                "assessment_page_loads",
                lambda: (
                    select(Assessment)
                    .options(*ASSESSMENT_PAGE_LOADS)
                    .where(Assessment.id == bindparam("assessment_id"))
                ),
            ),
            {"assessment_id": assessment.id},
        ).one()
    # Plain columns: run on the connection, without the ORM's result machinery (a fifth of the
    # page's reading for a hundred indicators).
    # Last year's scores with them (one query less); their year from the rows, so read apart
    # only for a framework without lines.
    rows = (
        db.session.connection()
        .execute(
            statements.once("assessment_lines_previous", _page_lines_with_previous),
            {
                "framework_id": assessment.round.framework_id,
                "unit_kind": assessment.unit.kind,
                "assessment_id": assessment.id,
                "unit_id": assessment.unit_id,
                "year": assessment.round.year,
            },
        )
        .all()
    )
    leaves, parents = _lines(rows)
    previous_year, prev_scores = _previous_of_lines(rows) if rows else _previous_rows(assessment)
    events = [
        EventLine(at, summary, changes, None if actor_id is None else ActorName(name))
        for at, summary, changes, actor_id, name in db.session.connection().execute(
            statements.statement("assessment_event_lines", user, _event_lines),
            statements.values(user, record_id=assessment.id),
        )
    ]
    return page_data(assessment.unit_id, leaves, parents, previous_year, prev_scores, events)


def page_data(unit_id: int, leaves: list, parents: dict, previous_year, prev_scores, events: list) -> dict:
    """The assessment page's figures from its lines (`assessment_page` and `queries.assessment_page`)."""
    scored = [line for line in leaves if line.score_id is not None]
    weak = [s for s in scored if is_weak(s.evaluated_rating, s.evaluated_score, s.max_points)]
    return {
        "previous_year": previous_year,
        "prev_scores": prev_scores,
        "leaves": leaves,
        "scores": {s.id: s for s in scored},
        "parents": parents,
        "rated": sum(1 for s in scored if s.self_rating),
        "total": len(leaves),
        "self_total": unit_score(
            (s.area_id, s.self_rating, s.self_score, s.max_points) for s in scored
        ).total,
        "eval_total": unit_score(
            (s.area_id, s.evaluated_rating, s.evaluated_score, s.max_points) for s in scored
        ).total,
        "weak": weak,
        "roadmap": _roadmap_of(unit_id, [i.id for i in weak]) if weak else {},
        "events": events,
    }


class RoadmapLine(NamedTuple):
    """What the weak table shows of a weak indicator's roadmap item: its link, badge and due date."""

    indicator_id: int
    id: int
    status: str
    due_date: date


class ActorName(NamedTuple):
    display_name: str


class EventLine(NamedTuple):
    """An event of the assessment's timeline (macros.timeline): what it shows, no objects (no user
    loaded with each event, no timestamps converted but the event's own)."""

    at: datetime
    summary: str
    changes: dict | None
    actor: ActorName | None


def _event_lines(asker) -> Select:
    """The assessment's last 30 events, as permissions.audit_events_for_record orders them, each
    with its actor's name (None for the system): plain columns."""
    return (
        audit_events_for_record(asker, "assessment", bindparam("record_id"))
        .with_only_columns(AuditEvent.at, AuditEvent.summary, AuditEvent.changes, User.id, User.display_name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .limit(30)
    )


def _roadmap_of(unit_id: int, indicator_ids: list[int]) -> dict[int, RoadmapLine]:
    """The unit's roadmap items of these indicators by indicator, as tuples (plain columns, run on
    the connection: no objects, no timestamps converted); the same rows in the same order as the
    items read before, so an indicator with two items shows the same one."""
    query = statements.once(
        "roadmap_of",
        lambda: select(
            RoadmapItem.indicator_id, RoadmapItem.id, RoadmapItem.status, RoadmapItem.due_date
        ).where(
            RoadmapItem.unit_id == bindparam("unit_id"),
            RoadmapItem.indicator_id.in_(bindparam("indicator_ids", expanding=True)),
        ),
    )
    rows = db.session.connection().execute(query, {"unit_id": unit_id, "indicator_ids": indicator_ids})
    return {row[0]: RoadmapLine(*row) for row in rows}


def score_row(assessment: Assessment, indicator: Indicator) -> dict:
    """One indicator's row of the assessment page (after an htmx save), and the progress counter:
    a fixed number of queries whatever the size of the framework."""
    lines, _headings = _lines(
        db.session.execute(
            statements.once("assessment_line", _one_line),
            {"indicator_id": indicator.id, "assessment_id": assessment.id},
        )
    )
    previous_year, prev_scores = _previous_rows(assessment, indicator.code)
    return {
        "line": lines[0],
        "previous_year": previous_year,
        "prev_scores": prev_scores,
        **self_progress(assessment),
    }


# --- boards -----------------------------------------------------------------------------------


def finalized_count(round_: AssessmentRound) -> int:
    return db.session.scalar(
        select(func.count(Assessment.id)).where(Assessment.round_id == round_.id, reports.FINALIZED)
    )


def rollup_indicator_page(round_: AssessmentRound, indicator: Indicator) -> dict:
    """How every unit stands on one indicator in a round (two queries)."""
    rows = db.session.execute(
        select(
            Unit.id,
            Unit.name,
            IndicatorScore.self_rating,
            IndicatorScore.self_score,
            IndicatorScore.evaluated_rating,
            IndicatorScore.evaluated_score,
            IndicatorScore.comment,
        )
        .join(Assessment, Assessment.id == IndicatorScore.assessment_id)
        .join(Unit, Unit.id == Assessment.unit_id)
        .where(
            IndicatorScore.indicator_id == indicator.id,
            Assessment.round_id == round_.id,
            reports.FINALIZED,
        )
        .order_by(func.coalesce(IndicatorScore.evaluated_score, 999), Unit.kind, Unit.id)
    ).all()
    findings = dict(
        db.session.execute(
            select(Finding.unit_id, func.count(Finding.id))
            .where(Finding.indicator_id == indicator.id)
            .group_by(Finding.unit_id)
        ).all()
    )
    return {"rows": rows, "findings": findings}


class UnitRef(NamedTuple):
    """What the unit scorecard reads of its unit: a tuple, no object (no timestamps converted)."""

    id: int
    name: str


def scorecard_unit_for_page(user: User, unit_id: int) -> UnitRef | None:
    """The unit's id and name, if the user may see its scorecard
    (permissions.scorecard_units_for_user): its statement built once per shape of user, plain
    columns run on the connection."""
    query = statements.statement(
        "scorecard_unit_ref",
        user,
        lambda asker: (
            scorecard_units_for_user(asker)
            .with_only_columns(Unit.id, Unit.name)
            .where(Unit.id == bindparam("unit_id"))
        ),
    )
    row = db.session.connection().execute(query, statements.values(user, unit_id=unit_id)).first()
    return None if row is None else UnitRef(*row)


def unit_page(unit: Unit, year: int | None) -> dict:
    """A unit's scorecard of a finalized year (the latest when `year` has none) and its trend:
    the unit's finalized assessments in one query, then the shown one's scorecard."""
    finalized = reports.unit_finalized(unit.id)
    of_year = [a for a in finalized if a.round.year == year] or finalized
    assessment = of_year[-1] if of_year else None
    card = reports.unit_scorecard(assessment) if assessment else None
    trend = reports.unit_trend(finalized, card["parents"] if card else None)
    return {"years": trend["finalized_years"], "assessment": assessment, "card": card, "trend": trend}


def unit_indicator_page(user: User, unit: Unit, indicator: Indicator) -> dict:
    records = reports.unit_indicator_records(unit.id, indicator.id)
    roadmap = db.session.scalars(
        select(RoadmapItem)
        .where(RoadmapItem.unit_id == unit.id, RoadmapItem.indicator_id == indicator.id)
        .order_by(RoadmapItem.due_date)
    ).all()
    findings = None
    if can(user, "findings.read_all") or can(user, "findings.record"):
        findings = reports.finding_lines(unit.id, indicator.id, findings_for_user(user))
    files: list[Attachment] = []
    if records:
        files = db.session.scalars(
            select(Attachment)
            .where(
                Attachment.owner_type == "indicator_score",
                Attachment.owner_id.in_([r[0].id for r in records]),
            )
            .order_by(Attachment.id)
        ).all()
    return {"records": records, "roadmap": roadmap, "findings": findings, "files": files}


# --- roadmap ----------------------------------------------------------------------------------


def roadmap_items(user: User, filters: dict, today: date) -> Select:
    """The user's roadmap items matching the list's filters, open ones first by due date."""
    return _roadmap_query(user, filters, today).options(
        joinedload(RoadmapItem.unit), joinedload(RoadmapItem.indicator)
    )


def _roadmap_query(user: User, filters: dict, today: date) -> Select:
    query = (
        roadmap_items_for_user(user)
        .join(Unit, Unit.id == RoadmapItem.unit_id)
        .join(Indicator, Indicator.id == RoadmapItem.indicator_id)
    )
    if filters["unit"]:
        query = query.where(RoadmapItem.unit_id == filters["unit"])
    if filters["year"]:
        query = query.where(RoadmapItem.year == filters["year"])
    if filters["status"] in ROADMAP_STATUSES:
        query = query.where(RoadmapItem.status == filters["status"])
    if filters["overdue"]:
        query = query.where(RoadmapItem.status != "done", RoadmapItem.due_date < today)
    if q := filters["q"]:
        query = query.where(
            or_(contains(RoadmapItem.measure, q), contains(Indicator.text, q), Indicator.code == q)
        )
    return query.order_by(RoadmapItem.status == "done", RoadmapItem.due_date, RoadmapItem.id)


def roadmap_page(user: User, filters: dict, today: date, page: int) -> dict:
    return {
        "page": db.paginate(roadmap_items(user, filters, today), page=page, per_page=30, error_out=False),
        "years": list(
            db.session.scalars(select(RoadmapItem.year).distinct().order_by(RoadmapItem.year.desc()))
        ),
    }


def roadmap_export_rows(user: User, filters: dict, today: date) -> RowStream:
    """The roadmap for its .xlsx, in the list's order: (unit, year, indicator code, indicator, measure,
    owner, due date, status, progress) tuples, counted, then streamed in chunks (every item: a
    province's 24,000 take the memory of one chunk)."""
    query = _roadmap_query(user, filters, today).with_only_columns(
        Unit.name,
        RoadmapItem.year,
        Indicator.code,
        Indicator.text,
        RoadmapItem.measure,
        RoadmapItem.owner,
        RoadmapItem.due_date,
        RoadmapItem.status,
        RoadmapItem.progress,
    )
    return RowStream(query, _as_is)


def _as_is(n: int, row: Row) -> Row:
    return row


def roadmap_item_page(user: User, item: RoadmapItem) -> dict:
    return {"events": db.session.scalars(audit_events_for_record(user, "roadmap", item.id).limit(50)).all()}
