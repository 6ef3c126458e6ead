"""Case-file review campaigns (案卷评查活动): set-up, the draw (sampling), assignment of reviewers and
publishing the results; the campaign's status moves through workflow.transition. Audited and committed here.
"""

from __future__ import annotations

import secrets
from collections import defaultdict

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from ..audit import diff, record_event, snapshot
from ..errors import DomainError
from ..extensions import db
from ..formatting import local_today
from ..models import (
    CASE_TYPES,
    CaseFile,
    ReviewAssignment,
    ReviewCampaign,
    Rubric,
    Unit,
    User,
    utcnow,
)
from ..numbering import format_number, next_number
from ..numbers import score_text
from ..permissions import authorize, can
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


# --- publishing ---------------------------------------------------------------------------


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
