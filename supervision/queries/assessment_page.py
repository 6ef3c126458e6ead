"""What the assessment page (/scorecards/assessments/<id>) reads: the assessment with its round,
framework, unit and evaluator as one row of plain columns (AssessmentHead), not five ORM objects,
and its indicators, scores, last year's scores, events and roadmap items as tuples (the helpers of
queries/scorecards.py, which the htmx row answers and the services share).

The head answers what the page, its mode (views/scorecards/assessments.py::_mode), the permission
rules (can_self_assess, can_evaluate: `unit_id`) and workflow.allowed_steps (`__workflow__`,
`status`) read of an Assessment, under the same names.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Select, bindparam
from sqlalchemy.orm import aliased

from .. import statements
from ..extensions import db
from ..models import UNIT_KINDS, Assessment, AssessmentRound, Framework, Unit, User
from ..permissions import assessments_for_user
from . import scorecards as sc


class FrameworkHead(NamedTuple):
    id: int
    name: str
    version: int
    is_demo: bool

    @property
    def label(self) -> str:
        return f"{self.name}（第{self.version}版）"  # models.Framework.label


class RoundHead(NamedTuple):
    id: int
    title: str
    year: int
    status: str
    deadline: date | None
    framework_id: int
    framework: FrameworkHead


class UnitHead(NamedTuple):
    id: int
    name: str
    kind: str

    @property
    def kind_label(self) -> str:
        return UNIT_KINDS.get(self.kind, self.kind)  # models.Unit.kind_label


class EvaluatorHead(NamedTuple):
    display_name: str


class AssessmentHead(NamedTuple):
    """What the page shows and asks of the assessment (see the module's docstring)."""

    id: int
    round_id: int
    unit_id: int
    status: str
    return_reason: str
    submitted_at: datetime | None
    finalized_at: datetime | None
    evaluator_id: int | None
    version: int
    round: RoundHead
    unit: UnitHead
    evaluator: EvaluatorHead | None

    __workflow__ = "assessment"  # models.Assessment's machine (workflow.machine_for)


def _head(asker) -> Select:
    """The assessment if the asker may see it (permissions.assessments_for_user), with its round,
    framework, unit and the evaluator's name: plain columns, one row or none."""
    evaluator = aliased(User, name="evaluator")
    return (
        assessments_for_user(asker)
        .with_only_columns(
            Assessment.id,
            Assessment.round_id,
            Assessment.unit_id,
            Assessment.status,
            Assessment.return_reason,
            Assessment.submitted_at,
            Assessment.finalized_at,
            Assessment.evaluator_id,
            Assessment.version,
            AssessmentRound.title,
            AssessmentRound.year,
            AssessmentRound.status,
            AssessmentRound.deadline,
            AssessmentRound.framework_id,
            Framework.name,
            Framework.version,
            Framework.is_demo,
            Unit.name,
            Unit.kind,
            evaluator.display_name,
        )
        .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
        .join(Framework, Framework.id == AssessmentRound.framework_id)
        .join(Unit, Unit.id == Assessment.unit_id)
        .outerjoin(evaluator, evaluator.id == Assessment.evaluator_id)
        .where(Assessment.id == bindparam("assessment_id"))
    )


def assessment_head_for_page(user: User, assessment_id: int) -> AssessmentHead | None:
    """The assessment as the page reads it, if the user may see it: one query of plain columns on
    the session's connection, its statement built once per shape of user (statements.py)."""
    row = statements.read_rows("assessment_head", user, _head, assessment_id=assessment_id)
    if not row:
        return None
    (
        id_,
        round_id,
        unit_id,
        status,
        return_reason,
        submitted_at,
        finalized_at,
        evaluator_id,
        version,
        title,
        year,
        round_status,
        deadline,
        framework_id,
        framework_name,
        framework_version,
        is_demo,
        unit_name,
        unit_kind,
        evaluator_name,
    ) = row[0]
    framework = FrameworkHead(framework_id, framework_name, framework_version, is_demo)
    return AssessmentHead(
        id_,
        round_id,
        unit_id,
        status,
        return_reason,
        submitted_at,
        finalized_at,
        evaluator_id,
        version,
        RoundHead(round_id, title, year, round_status, deadline, framework_id, framework),
        UnitHead(unit_id, unit_name, unit_kind),
        None if evaluator_id is None or evaluator_name is None else EvaluatorHead(evaluator_name),
    )


class Heading(NamedTuple):
    """An area's or a group's heading (a framework's indicator that is not scored)."""

    code: str
    text: str


def _read_lines(rows: list) -> tuple[list[sc.ScoreLine], dict[int, Heading], dict[str, sc.PreviousScore]]:
    """The rows of queries/scorecards.py::_page_lines_with_previous (in indicator order, a score's
    files together) in one pass: the leaves' lines (as scorecards._lines makes them), the headings
    by id and last year's scores by code (as scorecards._previous_of_lines reads them)."""
    lines: list[sc.ScoreLine] = []
    headings: dict[int, Heading] = {}
    previous: dict[str, sc.PreviousScore] = {}
    line = sc.ScoreLine
    prev = sc.PreviousScore
    files: list = []
    last = None
    for row in rows:
        (
            id_, code, text, max_points, method, responsible, area_id, parent_id,
            score_id, self_rating, self_score, explanation, evaluated_rating, evaluated_score,
            comment, version, file_id, file_name, is_leaf, _year, previous_id,
            p_self_rating, p_self_score, p_evaluated_rating, p_evaluated_score,
        ) = row  # fmt: skip
        if previous_id is not None:
            previous[code] = prev(p_self_rating, p_self_score, p_evaluated_rating, p_evaluated_score)
        if not is_leaf:
            headings[id_] = Heading(code, text)
            continue
        if id_ != last:
            last = id_
            files = []
            lines.append(
                line(
                    id_,
                    code,
                    text,
                    max_points,
                    method,
                    responsible,
                    area_id,
                    parent_id,
                    score_id,
                    self_rating,
                    self_score,
                    explanation,
                    evaluated_rating,
                    evaluated_score,
                    comment,
                    version,
                    files,
                )
            )
        if file_id is not None:
            files.append((file_id, file_name))
            files.sort()  # in upload order (by id); a score has a few
    return lines, headings, previous


def assessment_page(user: User, assessment: AssessmentHead) -> dict:
    """Everything the page shows below its head: what queries/scorecards.py::assessment_page
    returns, read the same way (the lines with last year's scores in one query, the events, the
    roadmap items of the weak indicators if any), from the head's plain values."""
    connection = db.session.connection()
    rows = connection.execute(
        statements.once("assessment_lines_previous", sc._page_lines_with_previous),
        {
            "framework_id": assessment.round.framework_id,
            "unit_kind": assessment.unit.kind,
            "assessment_id": assessment.id,
            "unit_id": assessment.unit_id,
            "year": assessment.round.year,
        },
    ).all()
    if rows:
        leaves, parents, prev_scores = _read_lines(rows)
        previous_year = rows[0][sc._PREVIOUS_AT]
    else:
        leaves, parents = [], {}
        previous_year, prev_scores = sc._previous_rows(assessment)
    events = [
        sc.EventLine(at, summary, changes, None if actor_id is None else sc.ActorName(name))
        for at, summary, changes, actor_id, name in connection.execute(
            statements.statement("assessment_event_lines", user, sc._event_lines),
            statements.values(user, record_id=assessment.id),
        )
    ]
    return sc.page_data(assessment.unit_id, leaves, parents, previous_year, prev_scores, events)
