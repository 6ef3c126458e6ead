"""Case-file review (案卷评查): rubrics, campaigns, case-file lists, sampling, cross-review, scores,
results, publishing and turning deductions into findings. Every change is audited and committed here.
"""

from __future__ import annotations

import io
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import case, func, select

from .. import scoring
from ..audit import diff, record_event, snapshot
from ..data import rubric_penalty_default as default_rubric
from ..errors import DomainError, ImportRejected
from ..extensions import db
from ..formatting import local_today
from ..limits import NOTE_MAX, TEXT_MAX, check_length, length_error
from ..models import (
    CASE_TYPES,
    CaseFile,
    Finding,
    ReviewAssignment,
    ReviewCampaign,
    ReviewDeduction,
    Rubric,
    RubricItem,
    Unit,
    User,
    utcnow,
)
from ..models.reviews import VETO_CATEGORY
from ..numbering import format_number, next_number
from ..numbers import SCORE_PLACES, rounded, score_text
from ..parsing import BadNumber, parse_decimal
from ..permissions import authorize, can, can_review_file, can_score, can_upload_case_list
from ..sampling import NoEligibleReviewers, Pool, draw_sample, plan_assignments
from ..workflow import transition
from .notify import notify
from .transaction import check_version, edit_and_audit, transactional

CAMPAIGN_FIELDS = [
    "year",
    "title",
    "rubric_id",
    "case_types",
    "sample_size",
    "reviewers_per_file",
    "divergence_margin",
    "deadline",
]
CASEFILE_COLUMNS = ["案号", "案件名称", "案件类型", "决定日期", "承办人"]
RUBRIC_ITEM_COLUMNS = ["类别", "评查项目", "最高扣分", "评分细则", "否决项"]


# --- rubrics ------------------------------------------------------------------------------


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


# --- campaigns ----------------------------------------------------------------------------


def _campaign_values(data: dict) -> tuple[dict, list[int], list[int], list[str]]:
    errors = []
    title = (data.get("title") or "").strip()
    if not title:
        errors.append(_("请填写评查活动名称。"))
    year = data.get("year")
    if not isinstance(year, int) or not (2000 <= year <= 2100):
        errors.append(_("年度无效。"))
    rubric = db.session.get(Rubric, data.get("rubric_id") or 0)
    if rubric is None:
        errors.append(_("请选择评查标准。"))
    case_types = [t for t in (data.get("case_types") or []) if t]
    if not case_types:
        errors.append(_("请至少选择一种案件类型。"))
    elif any(t not in CASE_TYPES for t in case_types):
        errors.append(_("案件类型无效。"))
    sample_size = data.get("sample_size")
    if not isinstance(sample_size, int) or not (1 <= sample_size <= 200):
        errors.append(_("每单位每类抽取卷数应在 1 到 200 之间。"))
    per_file = data.get("reviewers_per_file")
    if not isinstance(per_file, int) or not (1 <= per_file <= 5):
        errors.append(_("每卷评查人数应在 1 到 5 之间。"))
    margin = data.get("divergence_margin")
    if margin is None or not (0 <= float(margin) <= 100):
        errors.append(_("分差阈值应在 0 到 100 之间。"))
    unit_ids = sorted({int(u) for u in data.get("unit_ids") or []})
    if not unit_ids:
        errors.append(_("请至少选择一个被评查单位。"))
    elif db.session.scalar(select(func.count(Unit.id)).where(Unit.id.in_(unit_ids))) != len(unit_ids):
        errors.append(_("所选单位不存在。"))
    reviewer_ids = sorted({int(u) for u in data.get("reviewer_ids") or []})
    if reviewer_ids:
        found = db.session.scalar(
            select(func.count(User.id)).where(User.id.in_(reviewer_ids), User.in_inspector_pool)
        )
        if found != len(reviewer_ids):
            errors.append(_("评查人员必须是在用的督察员账号。"))
    if isinstance(per_file, int) and len(reviewer_ids) < per_file:
        errors.append(
            _("评查人员至少需要 %(per_file)s 人（每卷 %(per_file)s 人交叉评查）。", per_file=per_file)
        )
    if errors:
        raise DomainError(errors[0], errors)
    values = {
        "year": year,
        "title": title,
        "rubric_id": rubric.id,
        "case_types": case_types,
        "sample_size": sample_size,
        "reviewers_per_file": per_file,
        "divergence_margin": float(margin),
        "deadline": data.get("deadline"),
    }
    return values, unit_ids, reviewer_ids, errors


@transactional
def campaign_create(*, actor: User, data: dict) -> ReviewCampaign:
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    values, unit_ids, reviewer_ids, _case_types = _campaign_values(data)
    campaign = ReviewCampaign(**values, status="draft", created_by_id=actor.id)
    campaign.units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids))))
    campaign.reviewers = list(db.session.scalars(select(User).where(User.id.in_(reviewer_ids))))
    db.session.add(campaign)
    rubric = db.session.get(Rubric, values["rubric_id"])
    rubric.frozen = True  # in use: later edits make a new version
    db.session.flush()
    record_event(
        actor=actor,
        action="campaign.create",
        record_type="campaign",
        record_id=campaign.id,
        summary=f"新建评查活动“{campaign.title}”（{len(unit_ids)} 个单位，{len(reviewer_ids)} 名评查人员）",
        changes={**diff({}, snapshot(campaign, CAMPAIGN_FIELDS)), "units": [None, unit_ids]},
    )
    return campaign


def _campaign_snapshot(campaign: ReviewCampaign) -> dict:
    return {
        **snapshot(campaign, CAMPAIGN_FIELDS),
        "units": sorted(u.id for u in campaign.units),
        "reviewers": sorted(u.id for u in campaign.reviewers),
    }


@transactional
def campaign_update(
    *, actor: User, campaign: ReviewCampaign, data: dict, version: int | None
) -> ReviewCampaign:
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    check_version(campaign, version)
    if campaign.status != "draft":
        raise DomainError(_("评查活动已开始抽样，不能再修改设置。"))
    values, unit_ids, reviewer_ids, _case_types = _campaign_values(data)
    out_of_scope = db.session.scalar(
        select(func.count(CaseFile.id)).where(
            CaseFile.campaign_id == campaign.id, CaseFile.unit_id.not_in(unit_ids)
        )
    )
    if out_of_scope:
        raise DomainError(_("已有案卷清单的单位不能移出评查范围，请先删除其案卷清单。"))
    before = _campaign_snapshot(campaign)
    campaign.units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids))))
    campaign.reviewers = list(db.session.scalars(select(User).where(User.id.in_(reviewer_ids))))
    db.session.get(Rubric, values["rubric_id"]).frozen = True
    edit_and_audit(
        campaign,
        values,
        take=_campaign_snapshot,
        before=before,
        actor=actor,
        action="campaign.update",
        record_type="campaign",
        summary=lambda: f"修改评查活动“{campaign.title}”的设置",
    )
    return campaign


# --- case-file lists ----------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


@dataclass
class ImportResult:
    created: int


@transactional
def casefiles_import(
    *, actor: User, campaign: ReviewCampaign, unit_id: int, rows: list[tuple[int, dict]]
) -> ImportResult:
    """Add a unit's case-file list to the campaign's pool. Any bad row → nothing imported."""
    authorize(can_upload_case_list(actor, campaign, unit_id), "只能上传本单位的案卷清单。")
    if campaign.status != "draft":
        raise DomainError(_("已开始抽样，不能再上传案卷清单。"))
    if unit_id not in {u.id for u in campaign.units}:
        raise DomainError(_("该单位不在本次评查范围内。"))
    existing = set(
        db.session.scalars(
            select(CaseFile.case_number).where(
                CaseFile.campaign_id == campaign.id, CaseFile.unit_id == unit_id
            )
        )
    )
    errors: list[str] = []
    prepared = []
    seen: set[str] = set()
    for number, row in rows:
        problems = []
        case_number = (row.get("案号") or "").strip()
        title = (row.get("案件名称") or "").strip()
        case_type = (row.get("案件类型") or "").strip()
        if not case_number:
            problems.append(_("案号不能为空。"))
        elif case_number in existing:
            problems.append(_("案号“%(case_number)s”已在清单中。", case_number=case_number))
        elif case_number in seen:
            problems.append(_("案号“%(case_number)s”在文件中重复。", case_number=case_number))
        seen.add(case_number)
        if not title:
            problems.append(_("案件名称不能为空。"))
        if case_type not in CASE_TYPES:
            problems.append(
                _(
                    "案件类型“%(case_type)s”无效，应为：%(types)s。",
                    case_type=case_type,
                    types="、".join(CASE_TYPES),
                )
            )
        try:
            decided = parse_date(row.get("决定日期") or "")
        except ValueError:
            problems.append(_("决定日期“%(row)s”无法识别，请写成 2026-03-05。", row=row.get("决定日期")))
            decided = None
        if len(case_number) > 80 or len(title) > 300:
            problems.append(_("案号或案件名称过长。"))
        errors.extend(f"第 {number} 行：{p}" for p in problems)
        prepared.append(
            CaseFile(
                campaign_id=campaign.id,
                unit_id=unit_id,
                case_number=case_number,
                case_type=case_type,
                title=title,
                decision_date=decided,
                handlers=(row.get("承办人") or "").strip()[:200],
            )
        )
    if not prepared and not errors:
        errors.append(_("文件中没有数据行。"))
    if errors:
        raise ImportRejected(_("导入未执行：%(count)s 处错误，所有数据均未导入。", count=len(errors)), errors)
    db.session.add_all(prepared)
    db.session.flush()
    unit = db.session.get(Unit, unit_id)
    record_event(
        actor=actor,
        action="campaign.import_files",
        record_type="campaign",
        record_id=campaign.id,
        summary=f"导入“{unit.name}”案卷清单 {len(prepared)} 卷",
        unit_id=unit_id,
    )
    return ImportResult(created=len(prepared))


# --- sampling and assignment --------------------------------------------------------------


@transactional
def campaign_sample(*, actor: User, campaign: ReviewCampaign, seed: int | None = None) -> list[str]:
    """Draw the files at random from the seed (recorded); returns the notes on short groups."""
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    if campaign.status != "draft":
        raise DomainError(_("本次评查已经抽样。"))
    pool = [
        Pool(fid, uid, ctype, number)
        for fid, uid, ctype, number in db.session.execute(
            select(CaseFile.id, CaseFile.unit_id, CaseFile.case_type, CaseFile.case_number).where(
                CaseFile.campaign_id == campaign.id
            )
        )
    ]
    if not any(p.case_type in campaign.case_types for p in pool):
        raise DomainError(_("还没有可抽取的案卷：请先导入各单位的案卷清单。"))
    if seed is None:
        seed = secrets.randbelow(1_000_000) + 1
    if not (0 <= seed < 2**31):
        raise DomainError(_("随机种子应为 0 到 2147483647 之间的整数。"))
    draw = draw_sample(pool, campaign.sample_size, seed, campaign.case_types)
    names = dict(
        db.session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_([u.id for u in campaign.units]))
        ).all()
    )
    notes = [
        f"{names.get(uid, uid)}“{ctype}”类案卷要求抽取 {wanted} 卷，清单中只有 {have} 卷，已全部抽取。"
        for uid, ctype, wanted, have in draw.shortfalls
    ]
    with_files = {p.unit_id for p in pool if p.case_type in campaign.case_types}
    notes += [
        f"{names[u.id]}未上传所列类型的案卷清单，本次未抽取。"
        for u in campaign.units
        if u.id not in with_files
    ]
    chosen = set(draw.chosen)
    for f in db.session.scalars(select(CaseFile).where(CaseFile.id.in_(chosen))):
        f.sampled = True
        f.sample_reason = f"随机抽取（种子 {seed}）"
    campaign.seed = seed
    campaign.sample_note = "\n".join(notes)
    transition(
        campaign,
        "sample",
        actor=actor,
        summary=f"随机抽取案卷 {len(chosen)} 卷（种子 {seed}）" + ("；" + "；".join(notes) if notes else ""),
    )
    return notes


@transactional
def campaign_unsample(*, actor: User, campaign: ReviewCampaign, reason: str) -> int:
    """Undo the draw before assignment (e.g. a unit's list came late), with a reason.

    The campaign is back in preparation: lists can be imported and the files drawn again. The old
    draw stays in the record (seed, count and reason in the audit log); the same seed over the same
    pool gives the same draw again.
    """
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    reason = (reason or "").strip()
    files = db.session.scalars(
        select(CaseFile).where(CaseFile.campaign_id == campaign.id, CaseFile.sampled.is_(True))
    ).all()
    old_seed = campaign.seed
    transition(
        campaign,
        "unsample",
        actor=actor,
        reason=reason,
        summary=f"撤销抽样（原随机种子 {old_seed}，已抽 {len(files)} 卷）",
    )
    for f in db.session.scalars(select(CaseFile).where(CaseFile.campaign_id == campaign.id)):
        f.sampled = False
        f.sample_reason = ""  # also the reasons of files the lead had moved in or out by hand
    campaign.seed = None  # nothing is drawn now; the old seed is in the audit log
    campaign.sample_note = ""
    return len(files)


def _file_event(actor, case_file: CaseFile, action: str, summary: str, changes=None) -> None:
    record_event(
        actor=actor,
        action=f"case_file.{action}",
        record_type="case_file",
        record_id=case_file.id,
        summary=summary,
        changes=changes,
        unit_id=case_file.unit_id,
    )


@transactional
def casefile_set_sampled(*, actor: User, case_file: CaseFile, sampled: bool, reason: str) -> CaseFile:
    """The lead adds a file to the sample or drops one from it, with a reason."""
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    if case_file.campaign.status != "sampling":
        raise DomainError(_("只有在抽样之后、分配之前可以增减抽查案卷。"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("增减抽查案卷必须填写理由。"))
    # Kept after a six-character prefix in CaseFile.sample_reason, String(300).
    check_length(reason, CaseFile.sample_reason.type.length - 6, "理由")
    if case_file.sampled == sampled:
        raise DomainError(_("该案卷已在抽查范围内。") if sampled else _("该案卷不在抽查范围内。"))
    case_file.sampled = sampled
    case_file.sample_reason = ("负责人增加：" if sampled else "负责人移出：") + reason
    db.session.flush()
    verb = "include" if sampled else "exclude"
    summary = ("增加抽查案卷" if sampled else "移出抽查案卷") + f"“{case_file.case_number}”（理由：{reason}）"
    changes = {"sampled": [not sampled, sampled], "reason": reason}
    _file_event(actor, case_file, verb, summary, changes)
    # Also on the campaign: its 活动记录 is where the lead reads how the sample came about.
    record_event(
        actor=actor,
        action=f"campaign.{verb}_file",
        record_type="campaign",
        record_id=case_file.campaign_id,
        summary=summary,
        changes={**changes, "case_file": case_file.id},
    )
    return case_file


def _reviewer_pairs(campaign: ReviewCampaign) -> list[tuple[int, int | None]]:
    return [(u.id, u.unit_id) for u in campaign.reviewers if u.in_inspector_pool]


@transactional
def campaign_assign(*, actor: User, campaign: ReviewCampaign) -> int:
    """Give every sampled file its reviewers (cross-review, balanced) and start the review."""
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    if campaign.status != "sampling":
        raise DomainError(_("请先抽取案卷，再分配评查人员。"))
    files = list(
        db.session.execute(
            select(CaseFile.id, CaseFile.unit_id).where(
                CaseFile.campaign_id == campaign.id, CaseFile.sampled.is_(True)
            )
        )
    )
    if not files:
        raise DomainError(_("没有抽中的案卷，无法分配。"))
    reviewers = _reviewer_pairs(campaign)
    try:
        plan = plan_assignments(files, reviewers, campaign.reviewers_per_file)
    except NoEligibleReviewers as error:
        names = db.session.scalars(
            select(Unit.name).where(Unit.id.in_(error.unit_ids)).order_by(Unit.id)
        ).all()
        raise DomainError(
            _(
                "以下单位的案卷没有足够的可回避本单位的评查人员（每卷需要 %(needed)s 名非本单位评查人员）："
                "%(units)s。请增加其他单位的评查人员。",
                needed=error.needed,
                units="、".join(names),
            )
        ) from error
    for file_id, reviewer_ids in plan.items():
        for rid in reviewer_ids:
            db.session.add(ReviewAssignment(case_file_id=file_id, reviewer_id=rid, status="assigned"))
    load = defaultdict(int)
    for reviewer_ids in plan.values():
        for rid in reviewer_ids:
            load[rid] += 1
    transition(
        campaign,
        "assign",
        actor=actor,
        summary=f"分配评查：{len(plan)} 卷，{len(load)} 名评查人员，每人 {_span(load.values())} 卷",
    )
    for rid, n in load.items():
        notify(
            [rid],
            f"评查活动“{campaign.title}”给您分配了 {n} 份案卷，请按时评分。",
            "/reviews/",
            kind="review",
        )
    return sum(len(r) for r in plan.values())


def _span(values) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"


@transactional
def assignment_reassign(*, actor: User, assignment: ReviewAssignment, reviewer_id: int) -> ReviewAssignment:
    """Hand an unscored file to another reviewer; the cross-review rule still holds."""
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    case_file = assignment.case_file
    if case_file.campaign.status != "reviewing":
        raise DomainError(_("评查活动不在评查阶段，不能改派。"))
    if assignment.status != "assigned":
        raise DomainError(_("已提交的评分不能改派，请先退回。"))
    reviewer = db.session.get(User, reviewer_id)
    if reviewer is None or not can(reviewer, "reviews.score"):
        raise DomainError(_("请选择在用的督察员。"))
    if not can_review_file(reviewer, case_file):
        raise DomainError(
            _(
                "%(display_name)s属于被评查单位，不能评查本单位的案卷（交叉评查）。",
                display_name=reviewer.display_name,
            )
        )
    if any(a.reviewer_id == reviewer.id for a in case_file.assignments):
        raise DomainError(_("%(display_name)s已是该案卷的评查人员。", display_name=reviewer.display_name))
    old = assignment.reviewer
    assignment.reviewer_id = reviewer.id
    assignment.deductions.clear()
    assignment.comment = ""
    campaign = case_file.campaign
    if reviewer not in campaign.reviewers:
        campaign.reviewers.append(reviewer)
    db.session.flush()
    _file_event(
        actor,
        case_file,
        "reassign",
        f"案卷“{case_file.case_number}”改派：{old.display_name} → {reviewer.display_name}",
        {"reviewer": [old.display_name, reviewer.display_name]},
    )
    notify(
        [reviewer.id],
        f"您有一份改派的案卷待评查：{case_file.case_number}。",
        f"/reviews/assignments/{assignment.id}",
        kind="review",
    )
    return assignment


# --- scoring ------------------------------------------------------------------------------


@dataclass
class Entry:
    """What the reviewer typed for one item: points (None = left blank) and a note."""

    points: float | None
    note: str = ""


def _rubric_of(assignment: ReviewAssignment) -> Rubric:
    return assignment.case_file.campaign.rubric


@transactional
def assignment_save(
    *,
    actor: User,
    assignment: ReviewAssignment,
    entries: dict[int, Entry],
    vetoes: dict[int, str],
    comment: str = "",
    submit: bool = False,
    version: int | None = None,
) -> ReviewAssignment:
    """Save the reviewer's deductions (a draft), or submit them. Bad input saves nothing."""
    authorize(can_score(actor, assignment), "只能为分配给自己的案卷评分。")
    check_version(assignment, version)
    if assignment.case_file.campaign.status != "reviewing":
        raise DomainError(_("评查活动不在评查阶段。"))
    if assignment.status != "assigned":
        raise DomainError(_("评分已提交，不能再修改。"))
    rubric = _rubric_of(assignment)
    items = {i.id: i for i in rubric.items}
    errors = []
    for item_id, entry in entries.items():
        item = items.get(item_id)
        if item is None or item.is_veto or entry.points is None:
            continue
        problem = scoring.validate_deduction(entry.points, item.max_points, entry.note)
        if problem:
            errors.append(f"“{item.text}”：{problem}")
    for item_id, note in [(i, e.note) for i, e in entries.items()] + list(vetoes.items()):
        item = items.get(item_id)
        problem = item is not None and length_error(note, NOTE_MAX, f"“{item.text[:20]}”的扣分说明")
        if problem:
            errors.append(problem)
    if problem := length_error(comment, NOTE_MAX, "评查意见"):
        errors.append(problem)
    for item_id, note in vetoes.items():
        item = items.get(item_id)
        if item is not None and item.is_veto and not (note or "").strip():
            errors.append(_("否决项“%(text)s”：必须填写说明。", text=item.text))
    veto_hit = any(items.get(i) is not None and items[i].is_veto for i in vetoes)
    if submit and not veto_hit:
        blank = [
            i.text for i in rubric.items if not i.is_veto and entries.get(i.id, Entry(None)).points is None
        ]
        if blank:
            errors.append(
                _(
                    "还有 %(count)s 个评查项目未评分（无扣分请填 0）：%(items)s",
                    count=len(blank),
                    items="、".join(blank[:5]) + ("……" if len(blank) > 5 else ""),
                )
            )
    if errors:
        raise DomainError(errors[0], errors)
    assignment.deductions.clear()
    db.session.flush()
    rows = []
    for item in rubric.items:
        if item.is_veto:
            if item.id in vetoes:
                rows.append(ReviewDeduction(item_id=item.id, points=0, note=vetoes[item.id].strip()))
        else:
            entry = entries.get(item.id)
            if entry is not None and entry.points is not None:
                rows.append(
                    ReviewDeduction(item_id=item.id, points=float(entry.points), note=entry.note.strip())
                )
    assignment.deductions.extend(rows)
    assignment.comment = (comment or "").strip()
    assignment.veto_hit = veto_hit
    assignment.updated_at = utcnow()  # the row changes on every save, so its version moves on
    deductions = [(items[r.item_id].category, r.points) for r in rows if not items[r.item_id].is_veto]
    total = scoring.total_score(rubric.category_max, deductions, veto=veto_hit)
    case_file = assignment.case_file
    if submit:
        assignment.total = total
        assignment.submitted_at = utcnow()
        transition(
            assignment,
            "submit",
            actor=actor,
            summary=f"提交案卷“{case_file.case_number}”的评分：{scoring.grade_for(total, rubric.band_pairs, veto=veto_hit)}，{score_text(total)} 分",
            unit_id=case_file.unit_id,
        )
        _recompute(case_file)
    else:
        db.session.flush()
        record_event(
            actor=actor,
            action="assignment.save",
            record_type="assignment",
            record_id=assignment.id,
            summary=f"暂存案卷“{case_file.case_number}”的评分（当前 {score_text(total)} 分）",
            unit_id=case_file.unit_id,
        )
    return assignment


def _recompute(case_file: CaseFile) -> None:
    """The file's result from its submitted reviews: mean, divergence flag, grade."""
    campaign = case_file.campaign
    rubric = campaign.rubric
    totals = [a.total for a in case_file.assignments if a.status == "submitted" and a.total is not None]
    complete = bool(case_file.assignments) and len(totals) == len(case_file.assignments)
    if not complete:
        case_file.final_score, case_file.grade, case_file.divergent = None, None, False
        case_file.settled_reason = ""
        return
    case_file.divergent = scoring.is_divergent(totals, campaign.divergence_margin)
    if case_file.settled_reason:
        return
    all_veto = all(a.veto_hit for a in case_file.assignments)
    case_file.final_score = scoring.mean_score(totals)
    case_file.grade = scoring.grade_for(case_file.final_score, rubric.band_pairs, veto=all_veto)


@transactional
def assignment_return(*, actor: User, assignment: ReviewAssignment, reason: str) -> ReviewAssignment:
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    case_file = assignment.case_file
    if case_file.campaign.status != "reviewing":
        raise DomainError(_("评查结果已公布，不能退回。"))
    transition(
        assignment,
        "return",
        actor=actor,
        reason=reason,
        unit_id=case_file.unit_id,
        summary=f"退回{assignment.reviewer.display_name}对案卷“{case_file.case_number}”的评分，要求重评",
    )
    assignment.total = None
    assignment.submitted_at = None
    if case_file.excellent:
        case_file.excellent = False
    _recompute(case_file)
    notify(
        [assignment.reviewer_id],
        f"案卷“{case_file.case_number}”的评分被退回重评：{reason.strip()}",
        f"/reviews/assignments/{assignment.id}",
        kind="review",
    )
    return assignment


# --- results ------------------------------------------------------------------------------


@transactional
def casefile_settle(*, actor: User, case_file: CaseFile, score: float, reason: str) -> CaseFile:
    """The lead decides the final score of a file (needed where reviewers differ beyond the margin)."""
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    campaign = case_file.campaign
    if campaign.status != "reviewing":
        raise DomainError(_("只有评查阶段可以裁定分数。"))
    if not case_file.assignments or any(a.status != "submitted" for a in case_file.assignments):
        raise DomainError(_("该案卷还有评查人员未提交评分，暂不能裁定。"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("裁定分数必须填写理由。"))
    if score is None or not (0 <= score <= 100):
        raise DomainError(_("裁定分数应在 0 到 100 之间。"))
    before = snapshot(case_file, ["final_score", "grade", "settled_reason"])
    case_file.final_score = rounded(float(score), SCORE_PLACES)
    case_file.grade = scoring.grade_for(case_file.final_score, campaign.rubric.band_pairs)
    case_file.settled_reason = reason
    if case_file.excellent and case_file.grade != _top_grade(campaign):
        case_file.excellent = False
    db.session.flush()
    _file_event(
        actor,
        case_file,
        "settle",
        f"裁定案卷“{case_file.case_number}”最终得分 {score_text(case_file.final_score)} 分（{case_file.grade}；理由：{reason}）",
        diff(before, snapshot(case_file, ["final_score", "grade", "settled_reason"])),
    )
    return case_file


def _top_grade(campaign: ReviewCampaign) -> str:
    return scoring.grade_labels(campaign.rubric.band_pairs)[0]


@transactional
def casefile_set_excellent(*, actor: User, case_file: CaseFile, excellent: bool) -> CaseFile:
    """Name (or un-name) an excellent file (优秀案卷): top grade, settled, no veto hit."""
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    campaign = case_file.campaign
    if campaign.status != "reviewing":
        raise DomainError(_("只有评查阶段可以评定优秀案卷。"))
    if excellent:
        if case_file.grade != _top_grade(campaign):
            raise DomainError(
                _("只有最终等次为“%(grade)s”的案卷可以评为优秀案卷。", grade=_top_grade(campaign))
            )
        if case_file.divergent and not case_file.settled_reason:
            raise DomainError(_("该案卷评分分差过大，请先裁定最终得分。"))
        if any(a.veto_hit for a in case_file.assignments):
            raise DomainError(_("触及否决项的案卷不能评为优秀案卷。"))
    if case_file.excellent == excellent:
        return case_file
    case_file.excellent = excellent
    db.session.flush()
    _file_event(
        actor,
        case_file,
        "excellent" if excellent else "unexcellent",
        ("评为优秀案卷：" if excellent else "取消优秀案卷：") + f"“{case_file.case_number}”",
        {"excellent": [not excellent, excellent]},
    )
    return case_file


def publish_blockers(campaign: ReviewCampaign) -> list[str]:
    """Why the campaign cannot be published yet (empty when it can)."""
    counts = db.session.execute(
        select(
            func.count(ReviewAssignment.id).filter(ReviewAssignment.status != "submitted"),
            func.count(
                func.distinct(
                    case((CaseFile.divergent.is_(True) & (CaseFile.settled_reason == ""), CaseFile.id))
                )
            ),
        )
        .select_from(CaseFile)
        .join(ReviewAssignment, ReviewAssignment.case_file_id == CaseFile.id)
        .where(CaseFile.campaign_id == campaign.id, CaseFile.sampled.is_(True))
    ).one()
    problems = []
    if counts[0]:
        problems.append(_("还有 %(counts)s 份评分未提交。", counts=counts[0]))
    if counts[1]:
        problems.append(
            _(
                "还有 %(counts)s 卷评分分差超过 %(divergence_margin)s 分，需先裁定。",
                counts=counts[1],
                divergence_margin=score_text(campaign.divergence_margin),
            )
        )
    return problems


@transactional
def campaign_publish(*, actor: User, campaign: ReviewCampaign) -> ReviewCampaign:
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    if campaign.status != "reviewing":
        raise DomainError(_("只有评查阶段的活动可以公布结果。"))
    problems = publish_blockers(campaign)
    if problems:
        raise DomainError(_("暂不能公布：%(problem)s", problem=problems[0]), problems)
    campaign.published_at = utcnow()
    transition(campaign, "publish", actor=actor)
    # The 通报 gets its number now, in this transaction (a failed publication takes none).
    today = local_today()
    prefix = current_app.config.get("REVIEW_REPORT_PREFIX") or "海法评"
    campaign.report_number = format_number(prefix, today.year, next_number(prefix, today.year))
    campaign.report_date = today
    liaisons = db.session.scalars(
        select(User.id).where(
            User.role == "liaison", User.active.is_(True), User.unit_id.in_([u.id for u in campaign.units])
        )
    ).all()
    notify(
        liaisons,
        f"评查活动“{campaign.title}”结果已公布，请查看本单位案卷的得分和扣分情况。",
        f"/reviews/campaigns/{campaign.id}",
        kind="review",
    )
    return campaign


# --- from file to finding -----------------------------------------------------------------

FINDING_CATEGORY_MAP = {
    "主体": "主体",
    "事实证据": "证据",
    "证据": "证据",
    "法律适用": "法律适用",
    "程序": "程序",
    "裁量说理": "裁量",
    "裁量": "裁量",
    "文书": "文书",
    "卷面": "文书",
    "归档": "文书",
}
_KEYWORDS = [
    ("主体", "主体"),
    ("职权", "主体"),
    ("资格", "主体"),
    ("委托", "主体"),
    ("当事人", "主体"),
    ("证据", "证据"),
    ("事实", "证据"),
    ("法律", "法律适用"),
    ("定性", "法律适用"),
    ("程序", "程序"),
    ("移送", "程序"),
    ("裁量", "裁量"),
    ("文书", "文书"),
]


def finding_category(rubric_category: str, text: str) -> str:
    """Map a rubric category (or a veto item's text) to the finding categories."""
    if rubric_category in FINDING_CATEGORY_MAP:
        return FINDING_CATEGORY_MAP[rubric_category]
    for word, category in _KEYWORDS:
        if word in text:
            return category
    return "其他"


@transactional
def findings_from_casefile(*, actor: User, case_file: CaseFile) -> list[Finding]:
    """Turn the file's deductions (and veto hits) into open findings of its unit, one per item."""
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    if case_file.campaign.status not in ("reviewing", "published"):
        raise DomainError(_("评查尚未开始。"))
    if db.session.scalar(select(Finding.id).where(Finding.case_file_id == case_file.id).limit(1)):
        raise DomainError(_("该案卷的扣分已经转为发现问题。"))
    rows = db.session.execute(
        select(RubricItem, ReviewDeduction.points, ReviewDeduction.note)
        .join(ReviewDeduction, ReviewDeduction.item_id == RubricItem.id)
        .join(ReviewAssignment, ReviewAssignment.id == ReviewDeduction.assignment_id)
        .where(
            ReviewAssignment.case_file_id == case_file.id,
            ReviewAssignment.status == "submitted",
            (ReviewDeduction.points > 0) | RubricItem.is_veto,
        )
        .order_by(RubricItem.order, ReviewDeduction.id)
    ).all()
    if not rows:
        raise DomainError(_("该案卷没有已提交的扣分，无需转为问题。"))
    grouped: dict[int, tuple[RubricItem, list[str]]] = {}
    for item, _points, note in rows:
        grouped.setdefault(item.id, (item, []))[1].append(note.strip())
    today = local_today()
    findings = []
    for item, notes in grouped.values():
        details = "；".join(dict.fromkeys(n for n in notes if n))
        finding = Finding(
            task_id=None,
            case_file_id=case_file.id,
            unit_id=case_file.unit_id,
            inspector_id=actor.id,
            category=finding_category(item.category, item.text),
            severity="serious" if item.is_veto else "normal",
            description=f"案卷评查：{case_file.case_number}《{case_file.title}》{item.text}"
            + (f"（{details}）" if details else ""),
            legal_basis="",
            found_on=today,
            status="open",
        )
        db.session.add(finding)
        findings.append(finding)
    db.session.flush()
    for finding in findings:
        record_event(
            actor=actor,
            action="finding.create",
            record_type="finding",
            record_id=finding.id,
            summary=f"由案卷评查生成问题：{finding.description[:80]}",
            unit_id=finding.unit_id,
        )
    _file_event(
        actor, case_file, "findings", f"将案卷“{case_file.case_number}”的 {len(findings)} 项扣分转为发现问题"
    )
    return findings


# --- figures for the campaign pages and exports -------------------------------------------


def unit_averages(campaign_id: int, unit_id: int | None = None) -> list[tuple]:
    """(unit id, unit name, files, average, excellent count) per unit, by average descending.

    `files` counts the unit's sampled files; the average is of its final scores only (a file still
    awaiting scores or the lead's settlement does not count), rounded to SCORE_PLACES.
    """
    final_score = case((CaseFile.is_final, CaseFile.final_score))
    query = (
        select(
            Unit.id,
            Unit.name,
            func.count(CaseFile.id),
            func.avg(final_score),
            func.sum(case((CaseFile.excellent.is_(True), 1), else_=0)),
        )
        .join(CaseFile, CaseFile.unit_id == Unit.id)
        .where(CaseFile.campaign_id == campaign_id, CaseFile.sampled.is_(True))
        .group_by(Unit.id, Unit.name)
        .order_by(func.avg(final_score).desc(), Unit.id)
    )
    if unit_id is not None:
        query = query.where(Unit.id == unit_id)
    return [
        (r[0], r[1], r[2], rounded(r[3], SCORE_PLACES), int(r[4] or 0)) for r in db.session.execute(query)
    ]


def overall_average(campaign_id: int) -> float | None:
    """The campaign's average: the mean of every final score (not the mean of the unit averages,
    which would weigh a unit of two files like a unit of twenty)."""
    mean = db.session.scalar(
        select(func.avg(CaseFile.final_score)).where(
            CaseFile.campaign_id == campaign_id, CaseFile.sampled.is_(True), CaseFile.is_final
        )
    )
    return rounded(mean, SCORE_PLACES)


def grade_distribution(campaign: ReviewCampaign, unit_id: int | None = None) -> list[tuple[str, int]]:
    query = (
        select(CaseFile.grade, func.count(CaseFile.id))
        .where(
            CaseFile.campaign_id == campaign.id,
            CaseFile.sampled.is_(True),
            CaseFile.is_final,
            CaseFile.grade.is_not(None),
        )
        .group_by(CaseFile.grade)
    )
    if unit_id is not None:
        query = query.where(CaseFile.unit_id == unit_id)
    counts = dict(db.session.execute(query).all())
    return [(label, counts.get(label, 0)) for label in scoring.grade_labels(campaign.rubric.band_pairs)]


def frequent_deductions(campaign_id: int, limit: int = 10, unit_id: int | None = None) -> list[tuple]:
    """The common problems: (category, item text, files, times, points) most frequent first."""
    query = (
        select(
            RubricItem.category,
            RubricItem.text,
            func.count(func.distinct(ReviewAssignment.case_file_id)),
            func.count(ReviewDeduction.id),
            func.sum(ReviewDeduction.points),
        )
        .join(ReviewDeduction, ReviewDeduction.item_id == RubricItem.id)
        .join(ReviewAssignment, ReviewAssignment.id == ReviewDeduction.assignment_id)
        .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
        .where(
            CaseFile.campaign_id == campaign_id,
            ReviewAssignment.status == "submitted",
            (ReviewDeduction.points > 0) | RubricItem.is_veto,
        )
        .group_by(RubricItem.id, RubricItem.category, RubricItem.text)
        .order_by(
            func.count(func.distinct(ReviewAssignment.case_file_id)).desc(),
            func.count(ReviewDeduction.id).desc(),
            RubricItem.id,
        )
        .limit(limit)
    )
    if unit_id is not None:
        query = query.where(CaseFile.unit_id == unit_id)
    return [(r[0], r[1], r[2], r[3], float(r[4] or 0)) for r in db.session.execute(query)]


def campaign_progress(campaign_id: int) -> dict:
    row = db.session.execute(
        select(
            select(func.count(CaseFile.id)).where(CaseFile.campaign_id == campaign_id).scalar_subquery(),
            select(func.count(CaseFile.id))
            .where(CaseFile.campaign_id == campaign_id, CaseFile.sampled.is_(True))
            .scalar_subquery(),
            select(func.count(ReviewAssignment.id))
            .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
            .where(CaseFile.campaign_id == campaign_id)
            .scalar_subquery(),
            select(func.count(ReviewAssignment.id))
            .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
            .where(CaseFile.campaign_id == campaign_id, ReviewAssignment.status == "submitted")
            .scalar_subquery(),
            select(func.count(CaseFile.id))
            .where(CaseFile.campaign_id == campaign_id, CaseFile.awaits_settlement)
            .scalar_subquery(),
            select(func.count(CaseFile.id))
            .where(CaseFile.campaign_id == campaign_id, CaseFile.excellent.is_(True))
            .scalar_subquery(),
        )
    ).one()
    return {
        "pool": row[0],
        "sampled": row[1],
        "assignments": row[2],
        "submitted": row[3],
        "unsettled": row[4],
        "excellent": row[5],
    }
