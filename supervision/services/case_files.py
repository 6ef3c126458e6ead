"""One campaign's case files: importing a unit's list, moving a file in or out of the sample, the
lead's decisions on a file (settled score, excellent file) and turning its deductions into findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from .. import scoring
from ..audit import diff, record_event, snapshot
from ..errors import DomainError, ImportRejected
from ..extensions import db
from ..formatting import local_today
from ..limits import check_length
from ..models import (
    CASE_TYPES,
    CaseFile,
    Finding,
    ReviewAssignment,
    ReviewCampaign,
    ReviewDeduction,
    RubricItem,
    Unit,
    User,
)
from ..numbers import SCORE_PLACES, rounded, score_text
from ..permissions import authorize, can, can_upload_case_list
from .transaction import transactional

CASEFILE_COLUMNS = ["案号", "案件名称", "案件类型", "决定日期", "承办人"]


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


# --- the sample, file by file -------------------------------------------------------------


def record_file_event(actor, case_file: CaseFile, action: str, summary: str, changes=None) -> None:
    """An audit event on the file (its 案卷记录), in the file's unit."""
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
    record_file_event(actor, case_file, verb, summary, changes)
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
    record_file_event(
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
    record_file_event(
        actor,
        case_file,
        "excellent" if excellent else "unexcellent",
        ("评为优秀案卷：" if excellent else "取消优秀案卷：") + f"“{case_file.case_number}”",
        {"excellent": [not excellent, excellent]},
    )
    return case_file


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
    record_file_event(
        actor, case_file, "findings", f"将案卷“{case_file.case_number}”的 {len(findings)} 项扣分转为发现问题"
    )
    return findings
