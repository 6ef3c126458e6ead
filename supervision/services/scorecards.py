"""Indicator frameworks, assessment rounds, self-assessment, evaluation and the roadmap (write side).

Every function validates, changes, audits and commits; on bad input it raises DomainError and
changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import case, func, insert, select

from ..audit import diff, record_event, snapshot
from ..errors import DomainError, ImportRejected, NotAllowed
from ..extensions import db
from ..formatting import zh_date
from ..limits import TEXT_MAX, check_length, column_errors, length_error
from ..models import (
    UNIT_KINDS,
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
from ..parsing import BadNumber, parse_decimal
from ..permissions import (
    authorize,
    can,
    can_evaluate,
    can_manage_roadmap_for_unit,
    can_self_assess,
    is_own_unit,
)
from ..scoring_indicators import RatingError, is_weak, parse_score, points_for
from ..workflow import transition
from .notify import notify, unit_liaisons
from .transaction import attach_and_audit, check_version, edit_and_audit, transactional

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEMO_FRAMEWORK_FILE = DATA_DIR / "framework_demo.csv"
DEMO_FRAMEWORK_NAME = "法治政府建设示范指标体系（示例）"

FRAMEWORK_COLUMNS = ["层级名称", "编码", "上级编码", "内容", "分值", "评价方式", "适用单位类型", "责任单位"]
FRAMEWORK_REQUIRED = ["编码", "上级编码", "内容"]
DEFAULT_POINTS = 1.0  # equal weights when the file gives no points


# --- framework import -------------------------------------------------------------------------


@dataclass
class Node:
    row: int
    code: str
    parent_code: str
    level_name: str
    text: str
    points: float | None
    method: str
    kinds: list[str]
    responsible: str
    children: list[Node] = field(default_factory=list)
    level: int = 1


def _kinds_from_text(text: str) -> tuple[list[str], list[str]]:
    """'区政府、部门' → (['district', 'department'], unknown parts). Blank means every kind."""
    text = (text or "").strip()
    if not text or text in ("全部", "所有"):
        return list(UNIT_KINDS), []
    kinds, unknown = [], []
    for part in text.replace("，", "、").replace(",", "、").replace("/", "、").replace(" ", "、").split("、"):
        part = part.strip()
        if not part:
            continue
        key = next((k for k, label in UNIT_KINDS.items() if part in (k, label)), None)
        if key is None:
            unknown.append(part)
        elif key not in kinds:
            kinds.append(key)
    ordered = [k for k in UNIT_KINDS if k in kinds]
    return ordered, unknown


def parse_framework_rows(rows: list[tuple[int, dict]]) -> tuple[list[Node], list[str]]:
    """Check every row; return the roots of the tree (in file order) and the level names.

    Raises ImportRejected listing every bad row by number and reason.
    """
    errors: list[str] = []
    nodes: dict[str, Node] = {}
    ordered: list[Node] = []
    for number, row in rows:
        code = (row.get("编码") or "").strip()
        text = (row.get("内容") or "").strip()
        raw_points = (row.get("分值") or "").strip()
        problems = []
        if not code:
            problems.append(_("编码不能为空。"))
        elif code in nodes:
            problems.append(_("编码“%(code)s”重复（第 %(row)s 行已使用）。", code=code, row=nodes[code].row))
        if not text:
            problems.append(_("内容不能为空。"))
        points = None
        try:
            value = parse_decimal(raw_points)  # refuses nan and inf, which float() takes
        except BadNumber:
            problems.append(_("分值“%(text)s”不是数字。", text=raw_points))
        else:
            if value is not None and value < 0:
                problems.append(_("分值不能为负数。"))
            points = None if value is None else float(value)
        kinds, unknown = _kinds_from_text(row.get("适用单位类型") or "")
        if unknown:
            problems.append(
                _(
                    "适用单位类型“%(unknown)s”无效，应为：%(kinds)s。",
                    unknown="、".join(unknown),
                    kinds="、".join(UNIT_KINDS.values()),
                )
            )
        problems += column_errors(
            Indicator,
            {"code": code, "method": row.get("评价方式"), "responsible": row.get("责任单位")},
            {"code": "编码", "method": "评价方式", "responsible": "责任单位"},
        )
        if message := length_error(text, TEXT_MAX, "内容"):
            problems.append(message)
        errors.extend(f"第 {number} 行：{p}" for p in problems)
        node = Node(
            row=number,
            code=code,
            parent_code=(row.get("上级编码") or "").strip(),
            level_name=(row.get("层级名称") or row.get("级别") or "").strip(),
            text=text,
            points=points,
            method=(row.get("评价方式") or "").strip(),
            kinds=kinds,
            responsible=(row.get("责任单位") or "").strip(),
        )
        if code and code not in nodes:
            nodes[code] = node
        ordered.append(node)
    if not ordered:
        raise ImportRejected(_("导入未执行：文件中没有数据行。"), ["文件中没有数据行。"])
    # Link parents; report missing parents and cycles.
    roots: list[Node] = []
    for node in ordered:
        if not node.code or nodes.get(node.code) is not node:
            continue
        if not node.parent_code:
            roots.append(node)
        elif node.parent_code == node.code:
            errors.append(_("第 %(row)s 行：上级编码不能是本行编码。", row=node.row))
        elif node.parent_code not in nodes:
            errors.append(
                _(
                    "第 %(row)s 行：上级编码“%(parent_code)s”不存在。",
                    row=node.row,
                    parent_code=node.parent_code,
                )
            )
        else:
            nodes[node.parent_code].children.append(node)
    for node in ordered:
        if not node.code or nodes.get(node.code) is not node or not node.parent_code:
            continue
        seen, cursor = {node.code}, nodes.get(node.parent_code)
        while cursor is not None and cursor.parent_code:
            if cursor.code in seen:
                errors.append(
                    _(
                        "第 %(row)s 行：上级编码形成循环（%(code)s → %(parent_code)s）。",
                        row=node.row,
                        code=node.code,
                        parent_code=node.parent_code,
                    )
                )
                break
            seen.add(cursor.code)
            cursor = nodes.get(cursor.parent_code)
    if not roots and not errors:
        errors.append(_("没有一级指标（上级编码为空的行）。"))
    if errors:
        raise ImportRejected(_("导入未执行：%(count)s 处错误，所有数据均未导入。", count=len(errors)), errors)
    # Levels, level names and points.
    level_names: dict[int, tuple[str, int]] = {}
    leaves: list[Node] = []

    def walk(node: Node, level: int) -> None:
        node.level = level
        if node.level_name:
            known = level_names.get(level)
            if known is None:
                level_names[level] = (node.level_name, node.row)
            elif known[0] != node.level_name:
                errors.append(
                    _(
                        "第 %(row)s 行：层级名称“%(level_name)s”与同级的“%(known)s”（第 %(known2)s 行）不一致。",
                        row=node.row,
                        level_name=node.level_name,
                        known=known[0],
                        known2=known[1],
                    )
                )
        if node.children:
            for child in node.children:
                walk(child, level + 1)
        else:
            leaves.append(node)

    for root in roots:
        walk(root, 1)
    given = [leaf for leaf in leaves if leaf.points is not None]
    if given and len(given) != len(leaves):
        for leaf in leaves:
            if leaf.points is None:
                errors.append(
                    _("第 %(row)s 行：未填写分值（分值须全部填写，或全部留空表示等权）。", row=leaf.row)
                )
    elif not given:
        for leaf in leaves:
            leaf.points = DEFAULT_POINTS

    def total(node: Node) -> float:
        if not node.children:
            return node.points or 0.0
        summed = round(sum(total(child) for child in node.children), 4)
        if node.points is not None and abs(node.points - summed) > 1e-6:
            errors.append(
                _(
                    "第 %(row)s 行：分值 %(points)s 与下级指标分值之和 %(summed)s 不一致。",
                    row=node.row,
                    points=f"{node.points:g}",
                    summed=f"{summed:g}",
                )
            )
        node.points = summed
        return summed

    if not errors:
        for root in roots:
            total(root)
    if errors:
        raise ImportRejected(_("导入未执行：%(count)s 处错误，所有数据均未导入。", count=len(errors)), errors)
    depth = max(level_names) if level_names else 1
    max_level = max(_depth(root) for root in roots)
    names = [level_names.get(level, (f"第{level}级", 0))[0] for level in range(1, max(depth, max_level) + 1)]
    return roots, names


def _depth(node: Node) -> int:
    return 1 + max((_depth(child) for child in node.children), default=0)


def _next_version(name: str) -> int:
    current = db.session.scalar(select(func.max(Framework.version)).where(Framework.name == name))
    return (current or 0) + 1


@transactional
def framework_import(
    *,
    actor: User | None,
    name: str,
    rows: list[tuple[int, dict]],
    year: int | None = None,
    description: str = "",
    is_demo: bool = False,
) -> Framework:
    """A new framework (or a new version of one with the same name) from checked rows."""
    authorize(actor is None or can(actor, "admin.manage"), "只有系统管理员可以导入指标体系。")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写指标体系名称。"))
    if len(name) > 120:
        raise DomainError(_("指标体系名称过长（最多 120 字）。"))
    roots, level_names = parse_framework_rows(rows)
    framework = Framework(
        name=name,
        version=_next_version(name),
        year=year,
        description=(description or "").strip(),
        level_names=level_names,
        is_demo=is_demo,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(framework)
    db.session.flush()
    # Insert level by level so parents have ids; ids come back from the flush.
    position = 0
    by_code: dict[str, Indicator] = {}

    def add(node: Node, parent: Indicator | None, area: Indicator | None) -> list[tuple[Node, Indicator]]:
        nonlocal position
        position += 1
        indicator = Indicator(
            framework_id=framework.id,
            parent=parent,
            code=node.code,
            level=node.level,
            text=node.text,
            max_points=round(node.points or 0.0, 4),
            method=node.method,
            applies_to=",".join(node.kinds),
            responsible=node.responsible,
            position=position,
            is_leaf=not node.children,
        )
        indicator.area = area
        by_code[node.code] = indicator
        db.session.add(indicator)
        pairs = [(node, indicator)]
        for child in node.children:
            pairs += add(child, indicator, area or indicator)
        return pairs

    for root in roots:
        add(root, None, None)
    db.session.flush()
    # A first-level indicator is its own area (set after the flush gives it an id).
    for root in roots:
        by_code[root.code].area_id = by_code[root.code].id
    db.session.flush()
    leaves = sum(1 for i in by_code.values() if i.is_leaf)
    record_event(
        actor=actor,
        action="framework.import",
        record_type="framework",
        record_id=framework.id,
        summary=f"导入指标体系“{framework.label}”：{len(by_code)} 项指标，其中评分指标 {leaves} 项",
        changes={"name": [None, framework.name], "version": [None, framework.version]},
    )
    return framework


def framework_export_rows(framework: Framework) -> list[list]:
    """The framework in the import format (tree order), so that it can be imported again."""
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.framework_id == framework.id).order_by(Indicator.position)
    ).all()
    codes = {i.id: i.code for i in indicators}
    rows = []
    for i in indicators:
        kinds = i.kinds
        kinds_text = "、".join(UNIT_KINDS[k] for k in kinds) if kinds else ""
        rows.append(
            [
                framework.level_name(i.level),
                i.code,
                codes.get(i.parent_id, ""),
                i.text,
                int(i.max_points) if i.max_points.is_integer() else i.max_points,  # a number cell
                i.method,
                kinds_text,
                i.responsible,
            ]
        )
    return rows


INDICATOR_FIELDS = ["text", "max_points", "method", "applies_to", "responsible"]


@transactional
def indicator_update(*, actor: User, indicator: Indicator, data: dict) -> Indicator:
    """Edit one indicator of a framework nobody has used yet (a used one is frozen)."""
    authorize(can(actor, "admin.manage"), "只有系统管理员可以修改指标。")
    framework = indicator.framework
    if framework.frozen:
        raise DomainError(_("该指标体系已被评估轮次使用，已冻结，不能修改；如需调整请导入新版本。"))
    text = (data.get("text") or "").strip()
    if not text:
        raise DomainError(_("指标内容不能为空。"))
    kinds = [k for k in data.get("kinds") or [] if k in UNIT_KINDS]
    if not kinds:
        raise DomainError(_("请至少选择一种适用单位类型。"))
    values = {
        "text": text,
        "method": (data.get("method") or "").strip(),
        "responsible": (data.get("responsible") or "").strip(),
        "applies_to": ",".join(k for k in UNIT_KINDS if k in kinds),
    }
    if indicator.is_leaf:
        try:
            points = parse_score(data.get("max_points"))
        except RatingError as error:
            raise DomainError(_("分值须为数字。")) from error
        if points is None or points <= 0:
            raise DomainError(_("分值须为大于 0 的数字。"))
        values["max_points"] = points
    before = snapshot(indicator, INDICATOR_FIELDS)
    for key, value in values.items():
        setattr(indicator, key, value)
    if "max_points" in values and before["max_points"] != values["max_points"]:
        _resum_parents(framework)
    changes = diff(before, snapshot(indicator, INDICATOR_FIELDS))
    if changes:
        framework.updated_at = utcnow()
        db.session.flush()
        record_event(
            actor=actor,
            action="indicator.update",
            record_type="framework",
            record_id=framework.id,
            summary=f"修改指标 {indicator.code}",
            changes=changes,
        )
    return indicator


def _resum_parents(framework: Framework) -> None:
    indicators = db.session.scalars(select(Indicator).where(Indicator.framework_id == framework.id)).all()
    children: dict[int | None, list[Indicator]] = {}
    for i in indicators:
        children.setdefault(i.parent_id, []).append(i)

    def total(node: Indicator) -> float:
        kids = children.get(node.id, [])
        if kids:
            node.max_points = round(sum(total(k) for k in kids), 4)
        return node.max_points

    for root in children.get(None, []):
        total(root)


def seed_demo_framework(actor: User | None = None) -> tuple[Framework, bool]:
    """The 示例 framework shipped with the app; idempotent (returns (framework, created))."""
    existing = db.session.scalar(
        select(Framework).where(Framework.name == DEMO_FRAMEWORK_NAME).order_by(Framework.version.desc())
    )
    if existing is not None:
        return existing, False
    from werkzeug.datastructures import FileStorage

    from ..tabular import read_rows

    with DEMO_FRAMEWORK_FILE.open("rb") as handle:
        rows = read_rows(FileStorage(handle, filename=DEMO_FRAMEWORK_FILE.name), required=FRAMEWORK_REQUIRED)
    framework = framework_import(
        actor=actor,
        name=DEMO_FRAMEWORK_NAME,
        rows=rows,
        year=2021,
        description=(
            "本项目依据《法治政府建设实施纲要（2021—2025年）》的九个方面和海曙区法治政府建设报告中的"
            "具体举措编写的示例指标，仅供演示和试用；正式指标请由法治办导入官方文件。"
        ),
        is_demo=True,
    )
    return framework, True


# --- rounds -----------------------------------------------------------------------------------


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
    score = db.session.scalar(
        select(IndicatorScore).where(
            IndicatorScore.assessment_id == assessment.id, IndicatorScore.indicator_id == indicator.id
        )
    )
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


def previous_scores(assessment: Assessment) -> tuple[Assessment | None, dict[str, IndicatorScore]]:
    """The unit's assessment of the latest earlier year and its scores by indicator code.

    Matched by code, not id: a new year may use a new version of the framework.
    """
    previous = db.session.scalar(
        select(Assessment)
        .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
        .where(Assessment.unit_id == assessment.unit_id, AssessmentRound.year < assessment.round.year)
        .order_by(AssessmentRound.year.desc(), Assessment.id.desc())
        .limit(1)
    )
    if previous is None:
        return None, {}
    rows = db.session.execute(
        select(Indicator.code, IndicatorScore)
        .join(IndicatorScore, IndicatorScore.indicator_id == Indicator.id)
        .where(IndicatorScore.assessment_id == previous.id)
    ).all()
    return previous, {code: score for code, score in rows}


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


def applicable_leaves(assessment: Assessment) -> list[Indicator]:
    return list(
        db.session.scalars(
            select(Indicator)
            .where(
                Indicator.framework_id == assessment.round.framework_id,
                Indicator.is_leaf.is_(True),
                Indicator.applies_to.contains(assessment.unit.kind),
            )
            .order_by(Indicator.position)
        )
    )


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


# --- roadmap ----------------------------------------------------------------------------------

ROADMAP_FIELDS = ["measure", "owner", "due_date", "progress"]


def _roadmap_values(data: dict) -> dict:
    errors = []
    measure = (data.get("measure") or "").strip()
    owner = (data.get("owner") or "").strip()
    due = data.get("due_date")
    if not measure:
        errors.append(_("请填写整改措施。"))
    if not owner:
        errors.append(_("请填写责任人（或责任科室）。"))
    if not isinstance(due, date):
        errors.append(_("请填写完成时限。"))
    if errors:
        raise DomainError(errors[0], errors)
    return {
        "measure": measure[:5000],
        "owner": owner[:100],
        "due_date": due,
        "progress": (data.get("progress") or "").strip()[:5000],
    }


def _check_roadmap_scope(actor: User, unit_id: int) -> None:
    if not can_manage_roadmap_for_unit(actor, unit_id):
        raise DomainError(_("只能为本单位制定或更新路线图。"))


@transactional
def roadmap_item_create(
    *, actor: User, assessment: Assessment, indicator: Indicator, data: dict
) -> RoadmapItem:
    _check_roadmap_scope(actor, assessment.unit_id)
    if indicator.framework_id != assessment.round.framework_id or not indicator.is_leaf:
        raise DomainError(_("该指标不属于本次评估。"))
    if assessment.status == "finalized" and not _is_weak_in(assessment, indicator):
        raise DomainError(_("该指标不是短板指标。"))
    values = _roadmap_values(data)
    item = RoadmapItem(
        indicator_id=indicator.id,
        unit_id=assessment.unit_id,
        assessment_id=assessment.id,
        year=assessment.round.year,
        status="planned",
        created_by_id=actor.id,
        **values,
    )
    db.session.add(item)
    db.session.flush()
    record_event(
        actor=actor,
        action="roadmap.create",
        record_type="roadmap",
        record_id=item.id,
        summary=f"制定指标 {indicator.code} 的整改路线图",
        changes=diff({}, snapshot(item, ROADMAP_FIELDS)),
        unit_id=item.unit_id,
    )
    return item


def _is_weak_in(assessment: Assessment, indicator: Indicator) -> bool:
    record = db.session.scalar(
        select(IndicatorScore).where(
            IndicatorScore.assessment_id == assessment.id, IndicatorScore.indicator_id == indicator.id
        )
    )
    return record is not None and is_weak(
        record.evaluated_rating, record.evaluated_score, indicator.max_points
    )


@transactional
def roadmap_item_update(
    *, actor: User, item: RoadmapItem, data: dict, version: int | None = None
) -> RoadmapItem:
    _check_roadmap_scope(actor, item.unit_id)
    check_version(item, version)
    if item.status == "done":
        raise DomainError(_("已完成的路线图事项不能再修改。"))
    values = _roadmap_values(data)
    edit_and_audit(
        item,
        values,
        fields=ROADMAP_FIELDS,
        actor=actor,
        action="roadmap.update",
        record_type="roadmap",
        summary=lambda: f"修改指标 {item.indicator.code} 的路线图",
        unit_id=lambda: item.unit_id,
    )
    return item


@transactional
def roadmap_item_step(*, actor: User, item: RoadmapItem, action: str) -> RoadmapItem:
    authorize(can(actor, "roadmap.manage"), "您没有更新路线图状态的权限。")
    transition(item, action, actor=actor)
    return item


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


def indicator_choices(current_id: int | None = None) -> list[tuple[int, str]]:
    """Scored indicators a finding may name: those of the framework of the latest round (or the
    latest framework), plus the one already named. For the finding form's select."""
    framework_id = db.session.scalar(
        select(AssessmentRound.framework_id).order_by(AssessmentRound.year.desc()).limit(1)
    ) or db.session.scalar(select(Framework.id).order_by(Framework.id.desc()).limit(1))
    if framework_id is None:
        return []
    rows = db.session.execute(
        select(Indicator.id, Indicator.code, Indicator.text)
        .where(
            Indicator.is_leaf.is_(True),
            (Indicator.framework_id == framework_id) | (Indicator.id == (current_id or 0)),
        )
        .order_by(Indicator.framework_id, Indicator.position)
    ).all()
    return [(iid, f"{code} {text if len(text) <= 40 else text[:40] + '…'}") for iid, code, text in rows]


def indicator_exists(indicator_id: int) -> bool:
    return (
        db.session.scalar(
            select(Indicator.id).where(Indicator.id == indicator_id, Indicator.is_leaf.is_(True))
        )
        is not None
    )
