"""Scorecards (read side): every figure is summed by the database, a fixed number of queries a page.

Only finalized assessments count. Sums are Σ evaluated points and Σ max points of the rated,
applicable indicators (不适用 leaves the denominator), grouped by unit and first-level area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import contains_eager

from .. import statements
from ..audit import changes_stamp, engine_key
from ..cache import derived
from ..extensions import db
from ..models import (
    Assessment,
    AssessmentRound,
    Finding,
    Framework,
    Indicator,
    IndicatorScore,
    RoadmapItem,
    Unit,
)
from ..numbers import INDICATOR_PLACES, code_sort_key, rounded
from ..queries import board_statements
from ..scoring_indicators import RATINGS, band, combine_area_sums, histogram, is_weak, percent
from ..template_gettext import kept_on_catalogue

# The one rule for what a scorecard shows (DESIGN §6): only finalized assessments count; a draft,
# submitted or evaluated one is work in progress. Every scorecard query filters with it.
FINALIZED = Assessment.status == "finalized"

_COUNTED = and_(IndicatorScore.evaluated_rating.is_not(None), IndicatorScore.evaluated_rating != "na")
EARNED = func.coalesce(
    func.sum(case((_COUNTED, func.coalesce(IndicatorScore.evaluated_score, 0.0)), else_=0.0)), 0.0
)
POSSIBLE = func.coalesce(func.sum(case((_COUNTED, Indicator.max_points), else_=0.0)), 0.0)


@dataclass
class Area:
    id: int
    code: str
    text: str

    @property
    def short(self) -> str:
        return self.text if len(self.text) <= 10 else self.text[:10] + "…"


@dataclass
class UnitRow:
    unit_id: int
    name: str
    kind: str
    assessment_id: int
    total: float | None
    areas: dict = field(default_factory=dict)  # area id → percent
    rank: int = 0

    @property
    def band(self) -> tuple[str, str]:
        return band(self.total)


def areas_of(framework_id: int) -> list[Area]:
    rows = db.session.execute(
        select(Indicator.id, Indicator.code, Indicator.text)
        .where(Indicator.framework_id == framework_id, Indicator.level == 1)
        .order_by(Indicator.position)
    ).all()
    return [Area(*row) for row in rows]


def rounds_with_results() -> list[AssessmentRound]:
    """Rounds that have at least one finalized assessment, newest first."""
    return list(db.session.scalars(board_statements.rounds_with_results()).unique())


def area_sums(assessment_ids: list[int]) -> dict[int, list[tuple[int, float, float]]]:
    """Σ earned and Σ possible per assessment and first-level area, summed by the database."""
    if not assessment_ids:
        return {}
    result: dict[int, list] = {}
    for assessment_id, area_id, earned, possible in db.session.execute(
        select(IndicatorScore.assessment_id, Indicator.area_id, EARNED, POSSIBLE)
        .join(Indicator, Indicator.id == IndicatorScore.indicator_id)
        .where(IndicatorScore.assessment_id.in_(assessment_ids))
        .group_by(IndicatorScore.assessment_id, Indicator.area_id)
    ):
        result.setdefault(assessment_id, []).append((area_id, float(earned or 0), float(possible or 0)))
    return result


def stored_area_sums(rows) -> dict:
    """The JSON kept on a finalized assessment: {area id: [earned, possible]}."""
    return {str(area_id): [round(earned, 4), round(possible, 4)] for area_id, earned, possible in rows}


def office_scorecard(round_: AssessmentRound | RoundRef) -> dict:
    """The round's board, computed once per change of its finalized assessments (or unit names).

    The stamp (their number and latest finalization, and the latest unit edit) is one query; the
    board holds plain values only, so it can be kept between requests and processes agree. A
    finalized assessment's scores and stored sums cannot change (scores are saved in draft and
    evaluated when submitted): only finalizing or reopening one moves the board, and either moves
    the stamp, while another edit of the assessment (its updated_at) does not.
    """
    stamp = db.session.execute(board_statements.board_stamp(), {"round_id": round_.id}).one()
    return _board_of_stamp(round_, tuple(stamp))


def _board_of_stamp(round_: AssessmentRound | RoundRef, stamp: tuple) -> dict:
    key = ("office_scorecard", engine_key(db.engine), round_.id, round_.framework_id, stamp)
    return derived(key, lambda: _office_scorecard(round_))


def _office_scorecard(round_: AssessmentRound) -> dict:
    """Ranking, heatmap and distribution of one round, in a fixed number of queries.

    Finalized assessments carry their area sums (stored when finalized); any that do not (data
    loaded in bulk) are summed by the database in one more query.
    """
    areas = areas_of(round_.framework_id)
    area_ids = [a.id for a in areas]
    # Each finalized assessment with its unit's names (one query, no list of ids sent back).
    finalized = db.session.execute(
        select(Assessment.id, Assessment.area_scores, Unit.id, Unit.short_name, Unit.name, Unit.kind)
        .join(Unit, Unit.id == Assessment.unit_id)
        .where(Assessment.round_id == round_.id, FINALIZED)
    ).all()
    missing = area_sums([row[0] for row in finalized if row[1] is None])
    # `percent` of each distinct pair of sums once: scores come in steps, so a province's units
    # share most of their pairs, and rounding half up (through Decimal) is the costly part.
    shares: dict[tuple[float, float], float | None] = {}

    def share(earned: float, possible: float) -> float | None:
        key = (earned, possible)
        if key in shares:
            return shares[key]
        value = shares[key] = percent(earned, possible)
        return value

    rows = []
    for assessment_id, stored, unit_id, short, name, kind in finalized:
        if stored is None:
            sums = missing.get(assessment_id, [])
        else:
            sums = [(int(area), pair[0], pair[1]) for area, pair in stored.items()]
        score = combine_area_sums(sums)  # as score.total and score.area_percent, by share()
        per_area = score.areas
        rows.append(
            UnitRow(
                unit_id=unit_id,
                name=short or name,
                kind=kind,
                assessment_id=assessment_id,
                total=share(score.earned, score.possible),
                areas={aid: share(*per_area.get(aid, (0.0, 0.0))) for aid in area_ids},
            )
        )
    # Equal totals and names (two units of one short name) in the order of their ids.
    rows.sort(key=lambda r: (-(r.total or 0), r.name, r.unit_id))
    previous = None
    for index, row in enumerate(rows, start=1):
        row.rank = previous.rank if previous is not None and previous.total == row.total else index
        previous = row
    bands = {"green": 0, "amber": 0, "red": 0}
    for row in rows:
        key = row.band[0]
        if key in bands:
            bands[key] += 1
    totals = [r.total for r in rows if r.total is not None]
    shown: dict = {aid: [] for aid in area_ids}  # each area's figures, in the ranking's order
    for row in rows:
        for aid, value in row.areas.items():
            if value is not None:
                shown[aid].append(value)
    area_avg = {
        area.id: rounded(sum(values) / len(values), INDICATOR_PLACES) if (values := shown[area.id]) else None
        for area in areas
    }
    return {
        "areas": areas,
        "rows": rows,
        "bands": bands,
        "histogram": histogram(totals),
        "average": rounded(sum(totals) / len(totals), INDICATOR_PLACES) if totals else None,
        "area_avg": area_avg,
    }


def chart_data(board: dict) -> dict:
    """The office scorecard as plain JSON for the charts (ECharts)."""
    areas = board["areas"]
    rows = board["rows"]
    return {
        "units": [r.name for r in rows],
        "totals": [r.total for r in rows],
        "bands": [r.band[0] for r in rows],
        "areas": [f"{a.code} {a.text}" for a in areas],
        "area_names": [a.short for a in areas],  # the heatmap's axis: names, not bare codes
        "heat": [
            [ai, ui, r.areas.get(a.id)]
            for ui, r in enumerate(rows)
            for ai, a in enumerate(areas)
            if r.areas.get(a.id) is not None
        ],
        "histogram": {
            "labels": [h[0] for h in board["histogram"]],
            "counts": [h[1] for h in board["histogram"]],
        },
    }


class ScorecardRow(NamedTuple):
    """An indicator of a unit's scorecard with its score: a tuple (a page reads a hundred)."""

    id: int
    code: str
    text: str
    max_points: float
    area_id: int | None
    self_rating: str | None
    evaluated_rating: str | None
    evaluated_score: float | None


class Heading(NamedTuple):
    """A heading (not scored) indicator of a framework: a first-level one is an area."""

    id: int
    code: str
    text: str
    level: int


@dataclass
class IndicatorLine:
    """One row of a unit's scorecard. `indicator` and `score` are the same plain row
    (ScorecardRow): no ORM objects for a page of a hundred indicators."""

    indicator: ScorecardRow
    score: ScorecardRow
    weak: bool
    roadmap: RoadmapRow | None
    findings: int


def unit_assessment_for_year(unit_id: int, year: int | None) -> Assessment | None:
    """The unit's finalized assessment of the year (or its latest finalized one): the API's unit
    scorecard (the page reads all of them at once, unit_finalized)."""

    def build():
        query = select(Assessment).join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
        query = query.where(Assessment.unit_id == bindparam("unit_id"), FINALIZED)
        if year:
            query = query.where(AssessmentRound.year == bindparam("year"))
        return query.order_by(AssessmentRound.year.desc()).limit(1)

    query = statements.once(("unit_assessment_for_year", bool(year)), build)
    return db.session.scalar(query, {"unit_id": unit_id, "year": year})


def _translated_ratings() -> dict[str, str]:
    """The rating labels in the reader's language, translated once per catalogue (not in every cell,
    nor on every request); a copy, the caller's to keep."""
    return dict(
        kept_on_catalogue(
            "_scorecard_ratings",
            lambda gettext: {key: str(gettext(label)) for key, label in RATINGS.items()},
        )
    )


def _stored_or_summed(assessment_id: int, stored: dict | None) -> list[tuple[int, float, float]]:
    """A finalized assessment's (area id, earned, possible): the sums stored when it was finalized,
    or summed by the database for data loaded in bulk without them."""
    if stored is not None:
        return [(int(area), pair[0], pair[1]) for area, pair in stored.items()]
    return area_sums([assessment_id]).get(assessment_id, [])


def unit_finalized(unit_id: int) -> list[Assessment]:
    """The unit's finalized assessments, the oldest year first, each with its round and framework,
    in one query: the scorecard page's years, its trend and the year it shows."""
    query = statements.once(
        "unit_finalized",
        lambda: (
            select(Assessment)
            .join(Assessment.round)
            .options(contains_eager(Assessment.round).joinedload(AssessmentRound.framework))
            .where(Assessment.unit_id == bindparam("unit_id"), FINALIZED)
            .order_by(AssessmentRound.year, Assessment.id)
        ),
    )
    return list(db.session.scalars(query, {"unit_id": unit_id}).unique())


def _scorecard_lines():
    """A framework's headings and the indicators the assessment scored, with their scores and the
    unit's findings of each (counted once, in a derived table), in the framework's order."""
    findings = (
        select(Finding.indicator_id, func.count(Finding.id).label("findings"))
        .where(Finding.unit_id == bindparam("unit_id"))
        .group_by(Finding.indicator_id)
        .subquery()
    )
    return (
        select(
            Indicator.id,
            Indicator.code,
            Indicator.text,
            Indicator.max_points,
            Indicator.area_id,
            IndicatorScore.self_rating,
            IndicatorScore.evaluated_rating,
            IndicatorScore.evaluated_score,
            Indicator.level,
            Indicator.is_leaf,
            findings.c.findings,
        )
        .outerjoin(
            IndicatorScore,
            and_(
                IndicatorScore.indicator_id == Indicator.id,
                IndicatorScore.assessment_id == bindparam("assessment_id"),
            ),
        )
        .outerjoin(findings, findings.c.indicator_id == Indicator.id)
        .where(
            Indicator.framework_id == bindparam("framework_id"),
            or_(Indicator.is_leaf.is_(False), IndicatorScore.id.is_not(None)),
        )
        .order_by(Indicator.position, Indicator.id)
    )


class RoadmapRow(NamedTuple):
    """What a unit's scorecard shows of a roadmap item (and the API its id): a tuple, no object."""

    id: int
    indicator_id: int
    measure: str
    due_date: date
    status: str

    def is_overdue(self, today: date) -> bool:  # RoadmapItem.is_overdue
        return self.status != "done" and self.due_date < today


def _scorecard_roadmap():
    return (
        select(
            RoadmapItem.id,
            RoadmapItem.indicator_id,
            RoadmapItem.measure,
            RoadmapItem.due_date,
            RoadmapItem.status,
        )
        .where(
            RoadmapItem.unit_id == bindparam("unit_id"),
            RoadmapItem.assessment_id == bindparam("assessment_id"),
        )
        .order_by(RoadmapItem.id)
    )


def unit_scorecard(assessment: Assessment) -> dict:
    """One unit's scorecard: total, areas, every indicator with its roadmap item and findings.

    Two queries whatever the framework's size (the headings and scored indicators with their
    findings; the roadmap items); rows are tuples and the rating labels are translated once
    (`ratings`)."""
    ids = {
        "framework_id": assessment.round.framework_id,
        "assessment_id": assessment.id,
        "unit_id": assessment.unit_id,
    }
    parents: dict[int, Heading] = {}
    rows: list[tuple[ScorecardRow, int]] = []
    # Plain columns: run on the connection, without the ORM's result machinery (a third of the
    # query's cost for a hundred rows).
    lines_query = statements.once("scorecard_lines", _scorecard_lines)
    for row in db.session.connection().execute(lines_query, ids):
        if row[9]:  # is_leaf
            rows.append((ScorecardRow(*row[:8]), row[10] or 0))
        else:
            parents[row[0]] = Heading(row[0], row[1], row[2], row[8])
    areas = [Area(h.id, h.code, h.text) for h in parents.values() if h.level == 1]
    score = combine_area_sums(_stored_or_summed(assessment.id, assessment.area_scores))
    roadmap_rows = db.session.connection().execute(
        statements.once("scorecard_roadmap", _scorecard_roadmap), ids
    )
    roadmap = {row[1]: RoadmapRow(*row) for row in roadmap_rows}
    lines = [
        IndicatorLine(
            indicator=row,
            score=row,
            weak=is_weak(row.evaluated_rating, row.evaluated_score, row.max_points),
            roadmap=roadmap.get(row.id),
            findings=findings,
        )
        for row, findings in rows
    ]
    shares = [(a, score.area_percent(a.id)) for a in areas]  # each rounded once, not thrice
    return {
        "areas": areas,
        "score": score,
        "lines": lines,
        "weak": [line for line in lines if line.weak],
        "parents": parents,
        "ratings": _translated_ratings(),
        "shares": shares,  # (area, its percentage): the page's area table (views/.../unit_rows.py)
        "radar": {
            "labels": [f"{a.code} {a.short}" for a, share in shares if share is not None],
            "data": [share for _a, share in shares if share is not None],
        },
    }


def unit_trend(finalized: list[Assessment], headings: dict[int, Heading] | None = None) -> dict:
    """Per year and area label: percent. Areas are matched by their code across framework versions.

    From the (year, area sums) of the unit's finalized assessments (`unit_finalized`: stored when
    finalized; summed by the database only for those without), so a fixed number of queries
    whatever the years; the areas' names from `headings` (the shown year's framework) and read
    only for areas of other frameworks. `finalized_years` (newest first) are the years the page
    offers, assessments without scores included.
    """
    missing = area_sums([a.id for a in finalized if a.area_scores is None])
    per_assessment = [
        (
            a.round.year,
            missing.get(a.id, [])
            if a.area_scores is None
            else [(int(area), pair[0], pair[1]) for area, pair in a.area_scores.items()],
        )
        for a in finalized
    ]
    area_ids = {area for _year, sums in per_assessment for area, _e, _p in sums}
    names = {h.id: (h.code, h.text) for h in (headings or {}).values() if h.id in area_ids}
    if unnamed := area_ids - names.keys():
        for row in db.session.execute(
            statements.once(
                "area_names",
                lambda: select(Indicator.id, Indicator.code, Indicator.text).where(
                    Indicator.id.in_(bindparam("ids", expanding=True))
                ),
            ),
            {"ids": sorted(unnamed)},
        ):
            names[row.id] = (row.code, row.text)
    years: dict[int, dict[str, list[float]]] = {}
    labels: dict[str, str] = {}
    for year, sums in per_assessment:
        for area, earned, possible in sums:
            code, text = names[area]
            pair = years.setdefault(year, {}).setdefault(code, [0.0, 0.0])
            pair[0] += float(earned or 0)
            pair[1] += float(possible or 0)
            labels.setdefault(code, text)
    table = {
        year: combine_area_sums((code, e, p) for code, (e, p) in items.items())
        for year, items in years.items()
    }
    ordered_codes = sorted(labels, key=code_sort_key)
    return {
        "years": sorted(years),
        "totals": {year: s.total for year, s in table.items()},
        "series": [table[year].total for year in sorted(years)],
        "areas": [(code, labels[code]) for code in ordered_codes],
        "cells": {year: {code: s.area_percent(code) for code in ordered_codes} for year, s in table.items()},
        "finalized_years": sorted({a.round.year for a in finalized}, reverse=True),
    }


def rollup(round_: AssessmentRound) -> dict:
    """The district roll-up: for every indicator, how many units stand at each rating (one query)."""
    counts = db.session.execute(
        select(
            Indicator.id,
            func.sum(case((IndicatorScore.evaluated_rating == "met", 1), else_=0)),
            func.sum(case((IndicatorScore.evaluated_rating == "basic", 1), else_=0)),
            func.sum(case((IndicatorScore.evaluated_rating == "unmet", 1), else_=0)),
            func.sum(case((IndicatorScore.evaluated_rating == "na", 1), else_=0)),
            EARNED,
            POSSIBLE,
            func.sum(
                case(
                    (
                        and_(
                            _COUNTED,
                            func.coalesce(IndicatorScore.evaluated_score, 0.0) < 0.6 * Indicator.max_points,
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .join(IndicatorScore, IndicatorScore.indicator_id == Indicator.id)
        .join(Assessment, Assessment.id == IndicatorScore.assessment_id)
        .where(Assessment.round_id == round_.id, FINALIZED)
        .group_by(Indicator.id)
    ).all()
    by_id = {row[0]: row[1:] for row in counts}
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.framework_id == round_.framework_id).order_by(Indicator.position)
    ).all()
    lines = []
    for indicator in indicators:
        met, basic, unmet, na, earned, possible, weak = by_id.get(indicator.id, (0, 0, 0, 0, 0, 0, 0))
        lines.append(
            {
                "indicator": indicator,
                "met": int(met or 0),
                "basic": int(basic or 0),
                "unmet": int(unmet or 0),
                "na": int(na or 0),
                "rated": int((met or 0) + (basic or 0) + (unmet or 0)),
                "percent": percent(float(earned or 0), float(possible or 0)),
                "weak": int(weak or 0),
            }
        )
    return {"lines": lines}


def unit_indicator_records(unit_id: int, indicator_id: int) -> list[tuple]:
    """(score, assessment, round) of one indicator at one unit, each finalized year, newest first."""
    return list(
        db.session.execute(
            select(IndicatorScore, Assessment, AssessmentRound)
            .join(Assessment, Assessment.id == IndicatorScore.assessment_id)
            .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
            .where(IndicatorScore.indicator_id == indicator_id, Assessment.unit_id == unit_id, FINALIZED)
            .order_by(AssessmentRound.year.desc())
        ).all()
    )


def finding_lines(unit_id: int, indicator_id: int, visible) -> list[Finding]:
    """Findings at the unit that name the indicator, limited to those the user may see."""
    return list(
        db.session.scalars(
            visible.where(Finding.unit_id == unit_id, Finding.indicator_id == indicator_id).order_by(
                Finding.found_on.desc(), Finding.id.desc()
            )
        )
    )


def progress_for(assessment_ids: list[int]) -> dict[int, int]:
    """How many indicators each assessment has rated (self-assessment), one query."""
    if not assessment_ids:
        return {}
    return dict(
        db.session.execute(
            select(IndicatorScore.assessment_id, func.count(IndicatorScore.id))
            .where(IndicatorScore.assessment_id.in_(assessment_ids), IndicatorScore.self_rating.is_not(None))
            .group_by(IndicatorScore.assessment_id)
        ).all()
    )


def totals_for(assessment_ids: list[int], *, evaluated: bool = True) -> dict[int, float | None]:
    """Total out of 100 per assessment (evaluated points, or the unit's own when evaluated=False)."""
    if not assessment_ids:
        return {}
    if evaluated:
        earned, possible = EARNED, POSSIBLE
    else:
        counted = and_(IndicatorScore.self_rating.is_not(None), IndicatorScore.self_rating != "na")
        earned = func.coalesce(
            func.sum(case((counted, func.coalesce(IndicatorScore.self_score, 0.0)), else_=0.0)), 0.0
        )
        possible = func.coalesce(func.sum(case((counted, Indicator.max_points), else_=0.0)), 0.0)
    rows = db.session.execute(
        select(IndicatorScore.assessment_id, earned, possible)
        .join(Indicator, Indicator.id == IndicatorScore.indicator_id)
        .where(IndicatorScore.assessment_id.in_(assessment_ids))
        .group_by(IndicatorScore.assessment_id)
    ).all()
    return {aid: percent(float(e or 0), float(p or 0)) for aid, e, p in rows}


def frameworks_in_use() -> list[Framework]:
    return list(db.session.scalars(select(Framework).order_by(Framework.name, Framework.version.desc())))


@dataclass(frozen=True)
class FrameworkRef:
    """What the boards show of a round's framework (plain values); its label is the model's."""

    name: str
    version: int
    is_demo: bool

    label = property(Framework.label.fget)


@dataclass(frozen=True)
class RoundRef:
    """A round with results as the boards read it: plain values, not an ORM object."""

    id: int
    year: int
    title: str
    framework_id: int
    framework: FrameworkRef


def round_refs() -> list[RoundRef]:
    """`rounds_with_results` as plain values (the boards' round picker and headings), one query."""
    return [
        RoundRef(*row[:4], framework=FrameworkRef(*row[4:]))
        for row in db.session.connection().execute(board_statements.round_choices())
    ]


# What the office page's rounds and its board's stamp read, by record type (`audit.changes_stamp`).
ROUNDS_READS = ("assessment", "round", "framework")
BOARD_STAMP_READS = ("assessment", "unit")


def kept_round_refs() -> list[RoundRef]:
    """`round_refs`, read once per change of an assessment, a round or a framework: the audit feed
    that tells (`audit.changes_stamp`, one query by primary key a request) costs the database less
    than the rounds' query, and a request that reads it already shares it."""
    key = ("round_refs", engine_key(db.engine), changes_stamp(*ROUNDS_READS))
    return derived(key, round_refs)


def office_board(round_: RoundRef) -> dict:
    """`office_scorecard` (the same cached board), with its stamp read once per change of an
    assessment or a unit (the audit feed) rather than on every request: at province scale the
    stamp's count and latest finalization over the round, and the latest unit edit, cost the
    database more than the rest of the page. A change of either kind reads the stamp again; the
    board itself is drawn again only when the stamp moves, as before."""
    key = ("office_board_stamp", engine_key(db.engine), round_.id, changes_stamp(*BOARD_STAMP_READS))

    def read_stamp() -> tuple:
        return tuple(db.session.execute(board_statements.board_stamp(), {"round_id": round_.id}).one())

    return _board_of_stamp(round_, derived(key, read_stamp))
