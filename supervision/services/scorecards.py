"""Assessment rounds, self-assessment and evaluation (write side).

Frameworks are in services/frameworks.py, the roadmap in services/roadmap.py. Every function
validates, changes, audits and commits; on bad input it raises DomainError and changes nothing.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import insert, select

from ..audit import diff, record_event, snapshot
from ..errors import DomainError, NotAllowed
from ..extensions import db
from ..formatting import zh_date
from ..limits import TEXT_MAX, check_length
from ..models import (
    Assessment,
    AssessmentRound,
    Framework,
    Indicator,
    IndicatorScore,
    RoadmapItem,
    Unit,
    User,
    utcnow,
)
from ..permissions import authorize, can, can_evaluate, can_self_assess, is_own_unit
from ..queries.scorecards import applicable_leaves, previous_scores, score_of
from ..scoring_indicators import RatingError, is_weak, parse_score, points_for
from ..workflow import transition
from .notify import notify, unit_liaisons
from .transaction import attach_and_audit, check_version, transactional

# --- rounds -----------------------------------------------------------------------------------


@transactional
def round_open(
    *,
    actor: User,
    framework_id: int | None,
    year: int | None,
    title: str,
    deadline: date | None,
    unit_ids: list[int] | None,
    all_units: bool,
) -> AssessmentRound:
    """Open a round: one draft assessment per chosen unit; the framework is frozen from now on."""
    authorize(can(actor, "assessments.open_round"), "您没有开启评估轮次的权限。")
    errors = []
    framework = db.session.get(Framework, framework_id) if framework_id else None
    if framework is None:
        errors.append(_("请选择指标体系。"))
    if not year or not (2000 <= year <= 2100):
        errors.append(_("请填写正确的年度。"))
    title = (title or "").strip()
    if not title:
        errors.append(_("请填写轮次名称。"))
    if year and db.session.scalar(select(AssessmentRound.id).where(AssessmentRound.year == year)):
        errors.append(_("%(year)s 年度已有评估轮次，每个年度只能开启一个轮次。", year=year))
    query = select(Unit.id).where(Unit.active.is_(True))
    if not all_units:
        chosen = [int(u) for u in (unit_ids or [])]
        if not chosen:
            errors.append(_("请选择参加评估的单位，或勾选“全部单位”。"))
        query = query.where(Unit.id.in_(chosen or [0]))
    if errors:
        raise DomainError(errors[0], errors)
    ids = list(db.session.scalars(query.order_by(Unit.id)))
    if not ids:
        raise DomainError(_("没有可参加评估的在用单位。"))
    round_ = AssessmentRound(
        year=year,
        framework_id=framework.id,
        title=title,
        deadline=deadline,
        status="open",
        created_by_id=actor.id,
    )
    db.session.add(round_)
    if framework.frozen_at is None:
        framework.frozen_at = utcnow()
    db.session.flush()
    now = utcnow()
    db.session.execute(
        insert(Assessment),
        [
            {
                "round_id": round_.id,
                "unit_id": uid,
                "status": "draft",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for uid in ids
        ],
    )
    liaisons = db.session.scalars(
        select(User.id).where(User.unit_id.in_(ids), User.role == "liaison", User.active.is_(True))
    ).all()
    notify(
        list(liaisons),
        f"{title}已开启，请对照指标逐项自评并在"
        + (f"{zh_date(deadline)}前" if deadline else "截止日期前")
        + "提交。",
        "/scorecards/rounds",
        kind="assessment_open",
    )
    record_event(
        actor=actor,
        action="round.open",
        record_type="round",
        record_id=round_.id,
        summary=f"开启评估轮次“{title}”（{year} 年度，{framework.label}，{len(ids)} 个单位）",
        changes={"year": [None, year], "framework": [None, framework.label], "units": [None, len(ids)]},
    )
    return round_


@transactional
def round_close(*, actor: User, round_: AssessmentRound) -> AssessmentRound:
    authorize(can(actor, "assessments.open_round"), "您没有结束评估轮次的权限。")
    transition(round_, "close", actor=actor)
    return round_


# --- self-assessment and evaluation ------------------------------------------------------------


def _applicable_leaf(assessment: Assessment, indicator: Indicator) -> None:
    if (
        indicator.framework_id != assessment.round.framework_id
        or not indicator.is_leaf
        or not indicator.applies(assessment.unit.kind)
    ):
        raise DomainError(_("该指标不属于本次评估，或不适用于本单位。"))


def _get_or_new_score(assessment: Assessment, indicator: Indicator) -> IndicatorScore:
    score = score_of(assessment, indicator)
    if score is None:
        score = IndicatorScore(
            assessment_id=assessment.id, indicator_id=indicator.id, explanation="", comment=""
        )
        score.assessment = assessment
        score.indicator = indicator
    return score


SELF_FIELDS = ["self_rating", "self_score", "explanation"]
EVAL_FIELDS = ["evaluated_rating", "evaluated_score", "comment"]


def _check_own_draft(actor: User, assessment: Assessment) -> None:
    if not can_self_assess(actor, assessment):
        raise DomainError(_("只能填写本单位的自评。"))
    if assessment.status != "draft":
        raise DomainError(_("自评已提交，不能再修改；如需修改，请联系督察员退回。"))
    if assessment.round.status != "open":
        raise DomainError(_("该评估轮次已结束。"))


def _scored_record(assessment: Assessment, indicator: Indicator, version: int | None) -> IndicatorScore:
    """The indicator's score record of the assessment (new if none yet), checked for edits since."""
    _applicable_leaf(assessment, indicator)
    record = _get_or_new_score(assessment, indicator)
    if record.id is not None:
        check_version(record, version)
    return record


def _rating_and_points(
    indicator: Indicator, rating: str | None, score_text: str | None
) -> tuple[str | None, float | None]:
    """A rating and typed score checked against each other: 达标 means full points, 未达标 zero,
    不适用 none; anything that does not fit is refused with the reason."""
    rating = rating or None
    try:
        value = parse_score(score_text)
        if rating == "met" and value is None:
            value = indicator.max_points
        if rating == "unmet" and value is None:
            value = 0.0
        points_for(rating, value, indicator.max_points)
    except RatingError as error:
        raise DomainError(str(error)) from error
    return rating, (None if rating == "na" else value)


@transactional
def score_save(
    *,
    actor: User,
    assessment: Assessment,
    indicator: Indicator,
    rating: str | None,
    score_text: str | None,
    explanation: str,
    version: int | None = None,
) -> IndicatorScore:
    """Save one indicator of a self-assessment (saved as the liaison goes)."""
    _check_own_draft(actor, assessment)
    check_length(explanation, TEXT_MAX, "自评说明")
    record = _scored_record(assessment, indicator, version)
    rating, value = _rating_and_points(indicator, rating, score_text)
    before = snapshot(record, SELF_FIELDS) if record.id else {}
    record.self_rating = rating
    record.self_score = value
    record.explanation = (explanation or "").strip()
    db.session.add(record)
    changes = diff(before, snapshot(record, SELF_FIELDS))
    if changes:
        db.session.flush()
        record_event(
            actor=actor,
            action="indicator_score.self",
            record_type="assessment",
            record_id=assessment.id,
            summary=f"自评指标 {indicator.code}：{record.self_rating_label or '未评价'}",
            changes=changes,
            unit_id=assessment.unit_id,
        )
    return record


@transactional
def assessment_reuse_previous(*, actor: User, assessment: Assessment) -> int:
    """Copy last year's explanations into the indicators still without one (reuse last year's work).

    Only the text: ratings and scores are this year's to judge, and last year's evidence does not
    prove this year's work. Nothing the unit has written this year is overwritten.
    """
    _check_own_draft(actor, assessment)
    previous, before = previous_scores(assessment)
    if previous is None:
        raise DomainError(_("本单位没有上一年度的自评，无可沿用。"))
    current = _scores(assessment)
    copied = []
    for leaf in applicable_leaves(assessment):
        old = before.get(leaf.code)
        record = current.get(leaf.id)
        if old is None or not old.explanation or (record is not None and record.explanation):
            continue
        if record is None:
            record = IndicatorScore(
                assessment_id=assessment.id, indicator_id=leaf.id, explanation="", comment=""
            )
        record.explanation = old.explanation
        db.session.add(record)
        copied.append(leaf.code)
    if not copied:
        raise DomainError(
            _("没有可沿用的自评说明：上一年度未填写说明，或本年度已经填写（已填写的不会被覆盖）。")
        )
    record_event(
        actor=actor,
        action="assessment.reuse_previous",
        record_type="assessment",
        record_id=assessment.id,
        summary=f"沿用{previous.round.year}年度自评说明 {len(copied)} 项："
        + "、".join(copied[:20])
        + ("等" if len(copied) > 20 else ""),
        unit_id=assessment.unit_id,
    )
    return len(copied)


@transactional
def score_attach(*, actor: User, assessment: Assessment, indicator: Indicator, uploads: list) -> list:
    """Add evidence files to one indicator of the unit's draft self-assessment."""
    _check_own_draft(actor, assessment)
    _applicable_leaf(assessment, indicator)
    record = _get_or_new_score(assessment, indicator)
    db.session.add(record)
    db.session.flush()
    added = attach_and_audit(
        actor=actor,
        owner_type="indicator_score",
        owner_id=record.id,
        uploads=uploads,
        action="indicator_score.attach",
        record_type="assessment",
        record_id=assessment.id,
        summary=f"指标 {indicator.code} 上传佐证材料",
        unit_id=assessment.unit_id,
        empty_message="请选择要上传的佐证材料。",
    )
    return added


def _refuse(actor: User, assessment: Assessment, own_unit: str, otherwise: str) -> None:
    if is_own_unit(actor, assessment.unit_id):
        raise DomainError(own_unit)
    raise NotAllowed(otherwise)


def _check_evaluator(actor: User, assessment: Assessment) -> None:
    if not can_evaluate(actor, assessment):  # 回避 is a message on the page; no capability is a 403
        _refuse(actor, assessment, "不能评估本单位的自评。", "您没有评估的权限。")
    if assessment.status != "submitted":
        raise DomainError(_("只有已提交的自评才能评估。"))


@transactional
def score_evaluate(
    *,
    actor: User,
    assessment: Assessment,
    indicator: Indicator,
    rating: str | None,
    score_text: str | None,
    comment: str,
    version: int | None = None,
) -> IndicatorScore:
    """The inspector's rating, score and comment on one indicator."""
    _check_evaluator(actor, assessment)
    check_length(comment, TEXT_MAX, "评估意见")
    record = _scored_record(assessment, indicator, version)
    # No rating means "按自评确认": the unit's own rating stands when the evaluation is completed.
    rating, value = _rating_and_points(indicator, rating, score_text)
    before = snapshot(record, EVAL_FIELDS) if record.id else {}
    record.evaluated_rating = rating
    record.evaluated_score = value
    record.comment = (comment or "").strip()
    record.evaluator_id = actor.id if rating else None
    db.session.add(record)
    changes = diff(before, snapshot(record, EVAL_FIELDS))
    if changes:
        db.session.flush()
        record_event(
            actor=actor,
            action="indicator_score.evaluate",
            record_type="assessment",
            record_id=assessment.id,
            summary=f"评估指标 {indicator.code}：{record.evaluated_rating_label or '按自评确认'}",
            changes=changes,
            unit_id=assessment.unit_id,
        )
    return record


def _scores(assessment: Assessment) -> dict[int, IndicatorScore]:
    return {
        s.indicator_id: s
        for s in db.session.scalars(
            select(IndicatorScore).where(IndicatorScore.assessment_id == assessment.id)
        )
    }


def _link(assessment: Assessment) -> str:
    return f"/scorecards/assessments/{assessment.id}"


@transactional
def assessment_submit(*, actor: User, assessment: Assessment, version: int | None = None) -> Assessment:
    _check_own_draft(actor, assessment)
    check_version(assessment, version)
    leaves = applicable_leaves(assessment)
    scores = _scores(assessment)
    missing = [i for i in leaves if scores.get(i.id) is None or not scores[i.id].self_rating]
    if missing:
        codes = "、".join(i.code for i in missing[:10]) + ("等" if len(missing) > 10 else "")
        raise DomainError(
            _(
                "尚有 %(count)s 项指标未评价（%(codes)s），请全部评价后再提交。",
                count=len(missing),
                codes=codes,
            )
        )
    assessment.submitted_at = utcnow()
    assessment.return_reason = ""
    transition(assessment, "submit", actor=actor, summary=f"提交自评（{len(leaves)} 项指标）")
    office = db.session.scalars(
        select(User).where(User.in_inspector_pool, User.unit_id.is_distinct_from(assessment.unit_id))
    ).all()
    notify(
        office,
        f"{assessment.unit.name}已提交{assessment.round.year}年度指标自评，待评估。",
        _link(assessment),
        kind="assessment_submitted",
    )
    return assessment


@transactional
def assessment_return(*, actor: User, assessment: Assessment, reason: str) -> Assessment:
    if not can_evaluate(actor, assessment):
        _refuse(actor, assessment, "不能退回本单位的自评。", "您没有退回自评的权限。")
    transition(assessment, "return", actor=actor, reason=reason)
    assessment.return_reason = (reason or "").strip()
    notify(
        unit_liaisons(assessment.unit_id),
        f"{assessment.round.year}年度指标自评被退回：{assessment.return_reason}",
        _link(assessment),
        kind="assessment_returned",
    )
    return assessment


@transactional
def assessment_evaluate(*, actor: User, assessment: Assessment, version: int | None = None) -> Assessment:
    """Complete the evaluation; indicators the inspector did not touch keep the unit's own rating."""
    _check_evaluator(actor, assessment)
    check_version(assessment, version)
    accepted = 0
    for record in _scores(assessment).values():
        if record.evaluated_rating is None and record.self_rating:
            record.evaluated_rating = record.self_rating
            record.evaluated_score = record.self_score
            record.evaluator_id = actor.id
            accepted += 1
    assessment.evaluated_at = utcnow()
    assessment.evaluator_id = actor.id
    transition(
        assessment,
        "evaluate",
        actor=actor,
        summary=f"完成评估（{accepted} 项指标按自评结果确认）",
    )
    leads = db.session.scalars(select(User).where(User.role == "lead", User.active.is_(True))).all()
    notify(
        leads,
        f"{assessment.unit.name}的{assessment.round.year}年度指标评估已完成，待定稿。",
        _link(assessment),
        kind="assessment_evaluated",
    )
    return assessment


def weak_indicators(assessment: Assessment) -> list[tuple[Indicator, IndicatorScore]]:
    """The weak indicators of an evaluated or finalized assessment, in framework order."""
    rows = db.session.execute(
        select(Indicator, IndicatorScore)
        .join(IndicatorScore, IndicatorScore.indicator_id == Indicator.id)
        .where(IndicatorScore.assessment_id == assessment.id)
        .order_by(Indicator.position)
    ).all()
    return [(i, s) for i, s in rows if is_weak(s.evaluated_rating, s.evaluated_score, i.max_points)]


@transactional
def assessment_finalize(*, actor: User, assessment: Assessment, version: int | None = None) -> Assessment:
    """Lock the assessment; every weak indicator must first have a roadmap item."""
    authorize(can(actor, "assessments.finalize"), "您没有定稿的权限。")
    check_version(assessment, version)
    if assessment.status != "evaluated":
        raise DomainError(_("只有已评估的自评才能定稿。"))
    weak = weak_indicators(assessment)
    planned = set(
        db.session.scalars(
            select(RoadmapItem.indicator_id).where(
                RoadmapItem.unit_id == assessment.unit_id,
                RoadmapItem.indicator_id.in_([i.id for i, _ in weak] or [0]),
            )
        )
    )
    missing = [i for i, _ in weak if i.id not in planned]
    if missing:
        codes = "、".join(i.code for i in missing[:10]) + ("等" if len(missing) > 10 else "")
        raise DomainError(
            _(
                "有 %(count)s 项短板指标尚未列入路线图（%(codes)s），请先制定整改措施再定稿。",
                count=len(missing),
                codes=codes,
            )
        )
    from .scorecard_reports import area_sums, stored_area_sums

    assessment.finalized_at = utcnow()
    assessment.area_scores = stored_area_sums(area_sums([assessment.id]).get(assessment.id, []))
    transition(assessment, "finalize", actor=actor)
    notify(
        unit_liaisons(assessment.unit_id),
        f"{assessment.round.year}年度指标评估已定稿，请查看记分卡和短板整改路线图。",
        f"/scorecards/units/{assessment.unit_id}?year={assessment.round.year}",
        kind="assessment_finalized",
    )
    return assessment
