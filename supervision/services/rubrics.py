"""Review rubrics (评查标准): the rubric data, its validation, the shipped default, xlsx import and
versions (a rubric in use by a campaign is frozen: editing it makes the next version). Audited here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import func, select

from .. import scoring
from ..audit import diff, record_event
from ..data import rubric_penalty_default as default_rubric
from ..errors import DomainError, ImportRejected
from ..extensions import db
from ..limits import NOTE_MAX, TEXT_MAX, length_error
from ..models import (
    CaseFile,
    Rubric,
    RubricItem,
    User,
)
from ..models.reviews import VETO_CATEGORY
from ..numbers import score_text
from ..parsing import BadNumber, parse_decimal
from ..permissions import authorize, can
from .transaction import check_version, transactional

RUBRIC_ITEM_COLUMNS = ["类别", "评查项目", "最高扣分", "评分细则", "否决项"]


@dataclass
class RubricData:
    name: str
    note: str
    categories: list[tuple[str, float]]
    bands: list[tuple[str, float]]
    items: list[tuple[str, str, float, str, bool]]  # category, text, max, guidance, veto


def _rubric_length_errors(data: RubricData) -> list[str]:
    """Texts that would not fit their columns (a band label becomes a file's grade, String(20))."""
    checks = [(data.name, Rubric.name.type.length, "评查标准名称"), (data.note, TEXT_MAX, "说明")]
    checks += [(c, RubricItem.category.type.length, f"类别“{c[:10]}”") for c, _ in data.categories]
    checks += [(label, CaseFile.grade.type.length, f"等级“{label[:10]}”") for label, _ in data.bands]
    for n, (_c, text, _top, guidance, _veto) in enumerate(data.items, start=1):
        checks += [
            (text, NOTE_MAX, f"第 {n} 个评查项目"),
            (guidance, NOTE_MAX, f"第 {n} 个评查项目的评分细则"),
        ]
    return [m for m in (length_error(text, limit, label) for text, limit, label in checks) if m]


def _validate_rubric(data: RubricData) -> list[str]:
    errors = []
    if not data.name.strip():
        errors.append(_("评查标准名称不能为空。"))
    errors += _rubric_length_errors(data)
    names = [c for c, _ in data.categories]
    if not data.categories:
        errors.append(_("至少需要一个评分类别。"))
    if len(set(names)) != len(names):
        errors.append(_("评分类别名称重复。"))
    if any(m <= 0 for _, m in data.categories):
        errors.append(_("每个类别的分值必须大于 0。"))
    total = sum(m for _, m in data.categories)
    if data.categories and abs(total - 100) > 1e-6:
        errors.append(_("各类别分值合计应为 100 分，现为 %(total)s 分。", total=score_text(total)))
    labels = [label for label, _ in data.bands]
    if not data.bands:
        errors.append(_("至少需要一个等级。"))
    if len(set(labels)) != len(labels) or any(not label.strip() for label in labels):
        errors.append(_("等级名称不能为空或重复。"))
    if any(not (0 <= m <= 100) for _, m in data.bands):
        errors.append(_("等级最低分应在 0 到 100 之间。"))
    if not data.items:
        errors.append(_("至少需要一个评查项目。"))
    for n, (category, text, top, _guide, veto) in enumerate(data.items, start=1):
        if not text.strip():
            errors.append(_("第 %(n)s 个评查项目缺少内容。", n=n))
        if not veto and category not in names:
            errors.append(
                _("评查项目“%(text)s”的类别“%(category)s”不在类别表中。", text=text, category=category)
            )
        if not veto and top <= 0:
            errors.append(_("评查项目“%(text)s”的最高扣分必须大于 0。", text=text))
    return errors


def _rubric_create(*, actor: User | None, data: RubricData, is_default: bool = False, action: str) -> Rubric:
    errors = _validate_rubric(data)
    if errors:
        raise DomainError(errors[0], errors)
    edition = (
        db.session.scalar(select(func.max(Rubric.edition)).where(Rubric.name == data.name.strip())) or 0
    ) + 1
    rubric = Rubric(
        name=data.name.strip(),
        edition=edition,
        note=data.note.strip(),
        is_default=is_default,
        frozen=False,
        categories=[{"name": c, "max": m} for c, m in data.categories],
        bands=[{"label": label, "min": m} for label, m in sorted(data.bands, key=lambda b: -b[1])],
    )
    for order, (category, text, top, guidance, veto) in enumerate(data.items, start=1):
        rubric.items.append(
            RubricItem(
                category=VETO_CATEGORY if veto else category,
                text=text.strip(),
                max_points=0 if veto else float(top),
                guidance=(guidance or "").strip(),
                is_veto=veto,
                order=order,
            )
        )
    db.session.add(rubric)
    db.session.flush()
    record_event(
        actor=actor,
        action=action,
        record_type="rubric",
        record_id=rubric.id,
        summary=f"新建评查标准“{rubric.label}”（{len(rubric.items)} 个评查项目）",
    )
    return rubric


@transactional
def rubric_seed_default(*, actor: User | None = None) -> tuple[Rubric, bool]:
    """The shipped default rubric, created once (idempotent: `flask seed rubric`)."""
    authorize(actor is None or can(actor, "admin.manage"), "只有系统管理员可以维护评查标准。")
    existing = db.session.scalar(
        select(Rubric).where(Rubric.name == default_rubric.NAME).order_by(Rubric.edition).limit(1)
    )
    if existing is not None:
        return existing, False
    data = RubricData(
        name=default_rubric.NAME,
        note=default_rubric.NOTE,
        categories=[(c, float(m)) for c, m in default_rubric.CATEGORIES],
        bands=[(label, float(m)) for label, m in default_rubric.BANDS],
        items=[(VETO_CATEGORY, t, 0.0, g, True) for t, g in default_rubric.VETO_ITEMS]
        + [(c, t, float(m), g, False) for c, t, m, g in default_rubric.ITEMS],
    )
    rubric = _rubric_create(actor=actor, data=data, is_default=True, action="rubric.seed")
    return rubric, True


def _num(text: str, what: str, errors: list[str]) -> float:
    try:
        value = parse_decimal(text)
    except BadNumber:
        value = None
    if value is None:
        errors.append(_("%(what)s“%(text)s”不是数字。", what=what, text=text))
        return 0.0
    return float(value)


def rubric_read_xlsx(data: bytes) -> RubricData:
    """Read the three sheets of a rubric workbook (the format `exports.reviews.rubric_xlsx` writes)."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DomainError(_("无法读取该 Excel 文件，请使用导出的评查标准文件修改后上传。")) from exc
    missing = [s for s in ("评查项目", "类别分值", "等级") if s not in wb.sheetnames]
    if missing:
        raise DomainError(
            _("文件缺少工作表：%(sheets)s。请使用导出的评查标准文件修改后上传。", sheets="、".join(missing))
        )

    def rows(sheet: str) -> list[list[str]]:
        out = []
        for row in wb[sheet].iter_rows(values_only=True):
            cells = ["" if v is None else str(v).strip() for v in row]
            if any(cells):
                out.append(cells)
        return out

    errors: list[str] = []
    meta = {r[0]: (r[1] if len(r) > 1 else "") for r in rows("说明")} if "说明" in wb.sheetnames else {}
    item_rows = rows("评查项目")
    header = item_rows[0] if item_rows else []
    if [h for h in RUBRIC_ITEM_COLUMNS if h not in header]:
        raise DomainError(
            _("“评查项目”工作表的表头应为：%(columns)s。", columns="、".join(RUBRIC_ITEM_COLUMNS))
        )
    index = {h: header.index(h) for h in RUBRIC_ITEM_COLUMNS}
    items = []
    for n, row in enumerate(item_rows[1:], start=2):
        row = row + [""] * (len(header) - len(row))
        veto = row[index["否决项"]] in ("是", "Y", "y", "1", "TRUE", "True", "否决")
        top = 0.0 if veto else _num(row[index["最高扣分"]] or "0", _("第 %(n)s 行最高扣分", n=n), errors)
        items.append(
            (row[index["类别"]], row[index["评查项目"]], top, row[index["评分细则"]], veto),
        )
    categories = [
        (r[0], _num(r[1] if len(r) > 1 else "", _("类别“%(name)s”的分值", name=r[0]), errors))
        for r in rows("类别分值")[1:]
    ]
    bands = [
        (r[0], _num(r[1] if len(r) > 1 else "", _("等级“%(name)s”的最低分", name=r[0]), errors))
        for r in rows("等级")[1:]
    ]
    bands = [(label, m) for label, m in bands if label != scoring.FAIL_GRADE]
    if errors:
        raise ImportRejected(_("导入未执行：%(count)s 处错误。", count=len(errors)), errors)
    return RubricData(
        name=meta.get("名称", ""), note=meta.get("说明", ""), categories=categories, bands=bands, items=items
    )


@transactional
def rubric_import(*, actor: User, data: bytes, name: str = "") -> Rubric:
    """Import a rubric workbook; a name already in use makes the next version of that rubric."""
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护评查标准。")
    parsed = rubric_read_xlsx(data)
    if name.strip():
        parsed.name = name.strip()
    errors = _validate_rubric(parsed)
    if errors:
        raise ImportRejected(_("导入未执行：%(count)s 处错误。", count=len(errors)), errors)
    rubric = _rubric_create(actor=actor, data=parsed, action="rubric.import")
    return rubric


@transactional
def rubric_revise(
    *,
    actor: User,
    rubric: Rubric,
    note: str,
    bands: list[tuple[str, float]],
    items: dict,
    version,
    added: list[tuple[str, str, float, str, bool]] = (),
    removed: set[int] = frozenset(),
):
    """Edit a rubric's note, bands and items (text, points, guidance), remove items and add new
    ones (category, text, max, guidance, veto). A frozen rubric gets a new version instead."""
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护评查标准。")
    check_version(rubric, version)
    kept = [i for i in rubric.items if i.id not in removed]
    data = RubricData(
        name=rubric.name,
        note=note,
        categories=[(c["name"], float(c["max"])) for c in rubric.categories],
        bands=bands,
        items=[
            (
                i.category,
                items.get(i.id, {}).get("text", i.text),
                items.get(i.id, {}).get("max", i.max_points),
                items.get(i.id, {}).get("guidance", i.guidance),
                i.is_veto,
            )
            for i in kept
        ]
        + list(added),
    )
    errors = _validate_rubric(data)
    if errors:
        raise DomainError(errors[0], errors)
    if rubric.frozen:
        new = _rubric_create(actor=actor, data=data, action="rubric.revise")
        record_event(
            actor=actor,
            action="rubric.revise",
            record_type="rubric",
            record_id=rubric.id,
            summary=f"标准已被评查活动使用，修改生成新版本“{new.label}”",
        )
        return new
    before = {
        "note": rubric.note,
        "bands": rubric.bands,
        "items": [(i.text, i.max_points) for i in rubric.items],
    }
    rubric.note = data.note.strip()
    rubric.bands = [{"label": label, "min": m} for label, m in sorted(data.bands, key=lambda b: -b[1])]
    for item in [i for i in rubric.items if i.id in removed]:
        rubric.items.remove(item)  # delete-orphan: an unused rubric has no scores pointing at it
    for item, (_c, text, top, guidance, _v) in zip(kept, data.items, strict=False):
        item.text, item.max_points, item.guidance = text.strip(), float(top), (guidance or "").strip()
    last = max((i.order for i in kept), default=0)
    for n, (category, text, top, guidance, veto) in enumerate(added, start=1):
        rubric.items.append(
            RubricItem(
                category=VETO_CATEGORY if veto else category,
                text=text.strip(),
                max_points=0 if veto else float(top),
                guidance=(guidance or "").strip(),
                is_veto=veto,
                order=last + n,
            )
        )
    after = {
        "note": rubric.note,
        "bands": rubric.bands,
        "items": [(i.text, i.max_points) for i in rubric.items],
    }
    db.session.flush()
    record_event(
        actor=actor,
        action="rubric.update",
        record_type="rubric",
        record_id=rubric.id,
        summary=f"修改评查标准“{rubric.label}”",
        changes=diff(before, after),
    )
    return rubric
