"""Indicator frameworks (write side): reading an import file's rows into a checked tree, importing
and exporting a framework, editing an indicator, and the demo framework shipped with the app.

On bad input every function raises DomainError (ImportRejected for a file) and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit import diff, record_event, snapshot
from ..errors import DomainError, ImportRejected
from ..extensions import db
from ..limits import TEXT_MAX, column_errors, length_error
from ..models import UNIT_KINDS, Framework, Indicator, User, utcnow
from ..parsing import BadNumber, parse_decimal
from ..permissions import authorize, can
from ..queries.scorecards import framework_indicators
from .transaction import transactional

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEMO_FRAMEWORK_FILE = DATA_DIR / "framework_demo.csv"
DEMO_FRAMEWORK_NAME = "法治政府建设示范指标体系（示例）"

FRAMEWORK_COLUMNS = ["层级名称", "编码", "上级编码", "内容", "分值", "评价方式", "适用单位类型", "责任单位"]
FRAMEWORK_REQUIRED = ["编码", "上级编码", "内容"]
DEFAULT_POINTS = 1.0  # equal weights when the file gives no points


# --- reading the rows: read rows → check each row → build the tree → check the tree ------------


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
    ordered, nodes, errors = _read_rows(rows)
    if not ordered:
        raise ImportRejected(_("导入未执行：文件中没有数据行。"), ["文件中没有数据行。"])
    roots = _build_tree(ordered, nodes, errors)
    errors += _cycle_errors(ordered, nodes)
    if not roots and not errors:
        errors.append(_("没有一级指标（上级编码为空的行）。"))
    _reject(errors)
    level_names, leaves = _levels(roots, errors)
    errors += _fill_leaf_points(leaves)
    if not errors:
        for root in roots:
            _sum_points(root, errors)
    _reject(errors)
    return roots, _level_labels(level_names, roots)


def _reject(errors: list[str]) -> None:
    if errors:
        raise ImportRejected(_("导入未执行：%(count)s 处错误，所有数据均未导入。", count=len(errors)), errors)


# Phase 1: read the rows, each checked on its own.


def _cell(row: dict, name: str) -> str:
    return (row.get(name) or "").strip()


def _read_rows(rows: list[tuple[int, dict]]) -> tuple[list[Node], dict[str, Node], list[str]]:
    """Every row as a node (file order), the first node of each code, and the rows' own errors."""
    errors: list[str] = []
    nodes: dict[str, Node] = {}
    ordered: list[Node] = []
    for number, row in rows:
        node, problems = _read_row(number, row, nodes)
        errors.extend(f"第 {number} 行：{p}" for p in problems)
        if node.code and node.code not in nodes:
            nodes[node.code] = node
        ordered.append(node)
    return ordered, nodes, errors


def _read_row(number: int, row: dict, nodes: dict[str, Node]) -> tuple[Node, list[str]]:
    code, text = _cell(row, "编码"), _cell(row, "内容")
    points, point_problems = _points(_cell(row, "分值"))
    kinds, unknown = _kinds_from_text(row.get("适用单位类型") or "")
    node = Node(
        row=number,
        code=code,
        parent_code=_cell(row, "上级编码"),
        level_name=(row.get("层级名称") or row.get("级别") or "").strip(),
        text=text,
        points=points,
        method=_cell(row, "评价方式"),
        kinds=kinds,
        responsible=_cell(row, "责任单位"),
    )
    return node, _row_problems(row, node, nodes, point_problems, unknown)


def _points(raw: str) -> tuple[float | None, list[str]]:
    """The 分值 cell: blank is None; not a number (nan and inf included) or negative is a problem."""
    try:
        value = parse_decimal(raw)
    except BadNumber:
        return None, [_("分值“%(text)s”不是数字。", text=raw)]
    if value is None:
        return None, []
    return float(value), ([_("分值不能为负数。")] if value < 0 else [])


def _row_problems(
    row: dict, node: Node, nodes: dict[str, Node], point_problems: list[str], unknown: list[str]
) -> list[str]:
    """What is wrong with one row on its own, in the order of its columns."""
    problems = []
    if not node.code:
        problems.append(_("编码不能为空。"))
    elif node.code in nodes:
        problems.append(
            _("编码“%(code)s”重复（第 %(row)s 行已使用）。", code=node.code, row=nodes[node.code].row)
        )
    if not node.text:
        problems.append(_("内容不能为空。"))
    problems += point_problems
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
        {"code": node.code, "method": row.get("评价方式"), "responsible": row.get("责任单位")},
        {"code": "编码", "method": "评价方式", "responsible": "责任单位"},
    )
    if message := length_error(node.text, TEXT_MAX, "内容"):
        problems.append(message)
    return problems


# Phase 2: build the tree (link each node to its parent) and check it has no cycle.


def _linkable(ordered: list[Node], nodes: dict[str, Node]) -> list[Node]:
    """The nodes that own their code (a blank or repeated code was reported already)."""
    return [node for node in ordered if node.code and nodes.get(node.code) is node]


def _build_tree(ordered: list[Node], nodes: dict[str, Node], errors: list[str]) -> list[Node]:
    """Link children to parents; return the roots; report missing and self parents."""
    roots: list[Node] = []
    for node in _linkable(ordered, nodes):
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
    return roots


def _cycle_errors(ordered: list[Node], nodes: dict[str, Node]) -> list[str]:
    return [
        _(
            "第 %(row)s 行：上级编码形成循环（%(code)s → %(parent_code)s）。",
            row=node.row,
            code=node.code,
            parent_code=node.parent_code,
        )
        for node in _linkable(ordered, nodes)
        if node.parent_code and _in_cycle(node, nodes)
    ]


def _in_cycle(node: Node, nodes: dict[str, Node]) -> bool:
    """Whether walking up from the node's parent comes round to a code already passed."""
    seen, cursor = {node.code}, nodes.get(node.parent_code)
    while cursor is not None and cursor.parent_code:
        if cursor.code in seen:
            return True
        seen.add(cursor.code)
        cursor = nodes.get(cursor.parent_code)
    return False


# Phase 3: check the tree — one level name per level, points on every leaf or none, sums that add up.


def _levels(roots: list[Node], errors: list[str]) -> tuple[dict[int, tuple[str, int]], list[Node]]:
    """Set each node's level; return the level names (with the row that named each) and the leaves."""
    level_names: dict[int, tuple[str, int]] = {}
    leaves: list[Node] = []

    def walk(node: Node, level: int) -> None:
        node.level = level
        if message := _level_name_error(node, level, level_names):
            errors.append(message)
        for child in node.children:
            walk(child, level + 1)
        if not node.children:
            leaves.append(node)

    for root in roots:
        walk(root, 1)
    return level_names, leaves


def _level_name_error(node: Node, level: int, level_names: dict[int, tuple[str, int]]) -> str | None:
    if not node.level_name:
        return None
    known = level_names.setdefault(level, (node.level_name, node.row))
    if known[0] == node.level_name:
        return None
    return _(
        "第 %(row)s 行：层级名称“%(level_name)s”与同级的“%(known)s”（第 %(known2)s 行）不一致。",
        row=node.row,
        level_name=node.level_name,
        known=known[0],
        known2=known[1],
    )


def _fill_leaf_points(leaves: list[Node]) -> list[str]:
    """Points on every leaf, or on none (then equal weights); a mix is an error per blank leaf."""
    given = [leaf for leaf in leaves if leaf.points is not None]
    if given and len(given) != len(leaves):
        return [
            _("第 %(row)s 行：未填写分值（分值须全部填写，或全部留空表示等权）。", row=leaf.row)
            for leaf in leaves
            if leaf.points is None
        ]
    if not given:
        for leaf in leaves:
            leaf.points = DEFAULT_POINTS
    return []


def _sum_points(node: Node, errors: list[str]) -> float:
    """A parent's points are its children's sum; a parent that gives other points is an error."""
    if not node.children:
        return node.points or 0.0
    summed = round(sum(_sum_points(child, errors) for child in node.children), 4)
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


def _level_labels(level_names: dict[int, tuple[str, int]], roots: list[Node]) -> list[str]:
    depth = max(max(level_names, default=1), max(_depth(root) for root in roots))
    return [level_names.get(level, (f"第{level}级", 0))[0] for level in range(1, depth + 1)]


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
    indicators = framework_indicators(framework.id)
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
            points = parse_decimal(data.get("max_points"))
        except BadNumber as error:
            raise DomainError(_("分值须为数字。")) from error
        if points is None or points <= 0:
            raise DomainError(_("分值须为大于 0 的数字。"))
        values["max_points"] = float(points)
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
