"""Notices: draft, sign off (issue with a number), acknowledge, report, verify, close, extend,
escalate, void; notice kinds and the holiday calendar. Every change audited; each function commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from ..audit import diff, record_event, snapshot
from ..calendar import add_working_days, calendar_from_rows, load_calendar, package_days
from ..errors import DomainError, InvalidTransition, NotAllowed
from ..exports.notice_template import check_template
from ..extensions import db
from ..formatting import zh_date
from ..limits import NOTE_MAX
from ..models import (
    ESCALATION_KINDS,
    Escalation,
    ExtensionRequest,
    Finding,
    Holiday,
    Notice,
    NoticeItem,
    NoticeKind,
    Rectification,
    Unit,
    User,
    Verification,
    utcnow,
)
from ..numbering import format_number, next_number
from ..permissions import (
    can,
    can_edit_draft,
    can_issue_notice,
    findings_for_user,
    is_notice_unit,
    verify_refusal,
)
from ..workflow import machine_for, transition
from .attachments import attachments_add, check_upload, safe_name
from .notify import notify, unit_liaisons
from .transaction import check_version, edit_and_audit, transactional

NOTICE_FIELDS = [
    "kind_id",
    "unit_id",
    "task_id",
    "title",
    "intro",
    "requirements",
    "time_limit_days",
    "fixed_deadline",
    "cc",
]
KIND_FIELDS = [
    "name",
    "prefix",
    "default_days",
    "requires_rectification",
    "closing",
    "issuing_authority",
    "signature",
    "seal_owner",
    "default_cc",
    "masthead_offset_mm",
    "active",
    "sort",
]
AUTHORITY_FIELDS = ("issuing_authority", "signature", "seal_owner")
MAX_DAYS = 250
DEADLINE_YEARS = 2  # a deadline (or an extension) lies at most two years after the issue date


def latest_deadline(issued: date) -> date:
    """The last deadline a notice issued on `issued` may have (two years on; 29 Feb → 28 Feb)."""
    year = issued.year + DEADLINE_YEARS
    return issued.replace(year=year) if (issued.month, issued.day) != (2, 29) else date(year, 2, 28)


def fixed_deadline_problem(deadline: date, today: date) -> str | None:
    """Why a draft's fixed deadline cannot stand if the notice were issued today (the draft form and
    its preview say the same), or None."""
    if deadline <= today:
        return _("截止日期不能早于签发日期（最早的签发日期是今天）。")
    if deadline > latest_deadline(today):
        return _(
            "截止日期不能晚于%(latest)s（签发后%(years)s年内）。",
            latest=zh_date(latest_deadline(today)),
            years=DEADLINE_YEARS,
        )
    return None


def _check_deadline_bound(deadline: date, issued: date, what: str | None = None) -> None:
    if deadline > latest_deadline(issued):
        raise DomainError(
            _(
                "%(what)s不能晚于%(latest)s（签发日期%(issued)s后%(years)s年内）。",
                what=what or _("截止日期"),
                latest=zh_date(latest_deadline(issued)),
                issued=zh_date(issued),
                years=DEADLINE_YEARS,
            )
        )


def _require_step(record, action: str) -> None:
    """Refuse early, with the workflow's message, a step the record's state does not allow."""
    machine = machine_for(record)
    if machine.step(action, record.status) is None:
        raise InvalidTransition(
            _("当前状态为“%(status)s”，不能执行此操作。", status=machine.label(record.status))
        )


def _link(notice: Notice) -> str:
    return f"/notices/{notice.id}"


# --- drafting -----------------------------------------------------------------------------


LIVE_DRAFT_STATUSES = ("draft", "submitted")


def findings_on_live_drafts(exclude_notice_id: int | None = None):
    """Finding ids already on another draft or submitted notice (not yet issued)."""
    query = (
        select(NoticeItem.finding_id)
        .join(Notice, Notice.id == NoticeItem.notice_id)
        .where(Notice.status.in_(LIVE_DRAFT_STATUSES))
    )
    if exclude_notice_id:
        query = query.where(Notice.id != exclude_notice_id)
    return query


def open_findings_for_notice(actor: User, unit_id: int, notice_id: int | None = None) -> list[Finding]:
    """A unit's open findings that this user may put on a notice (and not already on another draft)."""
    query = (
        findings_for_user(actor)
        .options(selectinload(Finding.task))
        .where(
            Finding.unit_id == unit_id,
            Finding.status == "open",
            Finding.id.not_in(findings_on_live_drafts(notice_id)),
        )
        .order_by(Finding.found_on, Finding.id)
    )
    return list(db.session.scalars(query))


def units_with_open_findings(actor: User) -> list[tuple[Unit, int]]:
    """Units that have open findings visible to the user, with how many."""
    visible = findings_for_user(actor).with_only_columns(Finding.id).where(Finding.status == "open")
    rows = db.session.execute(
        select(Unit, func.count(Finding.id))
        .join(Finding, Finding.unit_id == Unit.id)
        .where(Finding.id.in_(visible), Finding.id.not_in(findings_on_live_drafts()))
        .group_by(Unit.id)
        .order_by(Unit.kind, Unit.id)
    ).all()
    return [(unit, count) for unit, count in rows]


def default_requirement(finding: Finding) -> str:
    basis = f"依照{finding.legal_basis}的规定，" if finding.legal_basis else ""
    text = finding.description.rstrip("。；;. ")
    return f"针对“{text}”的问题，{basis}认真查找原因，落实整改措施，并报送整改情况及佐证材料。"


def default_title(unit: Unit, kind: NoticeKind) -> str:
    return f"关于{unit.name}落实整改有关问题的{kind.name}"


@dataclass
class DraftData:
    kind_id: int | None
    unit_id: int | None
    title: str
    intro: str
    requirements: str
    time_limit_days: int | None
    fixed_deadline: date | None
    items: list[tuple[int, str]]  # (finding id, requirement) in order
    cc: str = ""  # 抄送


def _validate_draft(actor: User, data: DraftData, *, today: date, notice_id: int | None = None):
    errors: list[str] = []
    kind = db.session.get(NoticeKind, data.kind_id) if data.kind_id else None
    if kind is None or not kind.active:
        errors.append(_("请选择通知书种类。"))
    unit = db.session.get(Unit, data.unit_id) if data.unit_id else None
    if unit is None or not unit.active:
        errors.append(_("请选择主送单位。"))
    if not (data.title or "").strip():
        errors.append(_("标题不能为空。"))
    elif len(data.title.strip()) > 200:
        errors.append(_("标题不能超过200字。"))
    if len(_cc(data.cc)) > 500:
        errors.append(_("抄送不能超过500字。"))
    if data.fixed_deadline is not None:
        if problem := fixed_deadline_problem(data.fixed_deadline, today):
            errors.append(problem)
    elif (
        kind is not None
        and kind.requires_rectification
        and (data.time_limit_days is None or not (1 <= data.time_limit_days <= MAX_DAYS))
    ):
        errors.append(_("整改期限应为 1 至 %(MAX_DAYS)s 个工作日，或指定截止日期。", MAX_DAYS=MAX_DAYS))
    if not data.items:
        errors.append(_("通知书至少需要一个整改事项（请勾选问题）。"))
    findings: dict[int, Finding] = {}
    ids = [fid for fid, _ in data.items]
    if len(set(ids)) != len(ids):
        errors.append(_("同一问题不能重复列入。"))
    if ids and unit is not None:
        visible = {f.id: f for f in db.session.scalars(findings_for_user(actor).where(Finding.id.in_(ids)))}
        taken = set(
            db.session.scalars(findings_on_live_drafts(notice_id).where(NoticeItem.finding_id.in_(ids)))
        )
        for number, (fid, requirement) in enumerate(data.items, start=1):
            finding = visible.get(fid)
            if finding is None:
                errors.append(_("第%(number)s项：问题不存在或您无权使用。", number=number))
                continue
            if finding.unit_id != unit.id:
                errors.append(
                    _(
                        "第%(number)s项：问题“%(description)s”不属于%(name)s。",
                        number=number,
                        description=finding.description[:20],
                        name=unit.name,
                    )
                )
            elif finding.status != "open":
                errors.append(
                    _(
                        "第%(number)s项：问题“%(description)s”已不是待处理状态。",
                        number=number,
                        description=finding.description[:20],
                    )
                )
            elif fid in taken:
                errors.append(
                    _(
                        "第%(number)s项：问题“%(description)s”已列入另一份未签发的通知书。",
                        number=number,
                        description=finding.description[:20],
                    )
                )
            if not (requirement or "").strip():
                errors.append(_("第%(number)s项：整改要求不能为空。", number=number))
            elif len(requirement.strip()) > NOTE_MAX:
                errors.append(
                    _("第%(number)s项：整改要求最多 %(NOTE_MAX)s 个字。", number=number, NOTE_MAX=NOTE_MAX)
                )
            findings[fid] = finding
    if errors:
        raise DomainError(errors[0], errors)
    return kind, unit, findings


def _cc(text: str | None) -> str:
    """抄送 as one line: units separated by 、 or ，, the trailing 。 added when printed."""
    return " ".join((text or "").split()).rstrip("。.")


def _source_task_id(findings: list[Finding]) -> int | None:
    tasks = {f.task_id for f in findings}
    return tasks.pop() if len(tasks) == 1 else None


@transactional
def notice_create(*, actor: User, data: DraftData, today: date) -> Notice:
    if not can(actor, "notices.draft"):
        raise NotAllowed(_("您没有起草通知书的权限。"))
    kind, unit, findings = _validate_draft(actor, data, today=today)
    notice = Notice(
        kind_id=kind.id,
        unit_id=unit.id,
        task_id=_source_task_id(list(findings.values())),
        title=data.title.strip(),
        intro=(data.intro or "").strip(),
        requirements=(data.requirements or "").strip(),
        time_limit_days=None if data.fixed_deadline else data.time_limit_days,
        fixed_deadline=data.fixed_deadline,
        cc=_cc(data.cc),
        status="draft",
        drafted_by_id=actor.id,
    )
    for seq, (fid, requirement) in enumerate(data.items, start=1):
        notice.items.append(NoticeItem(finding_id=fid, seq=seq, requirement=requirement.strip()))
    db.session.add(notice)
    db.session.flush()
    record_event(
        actor=actor,
        action="notice.create",
        record_type="notice",
        record_id=notice.id,
        summary=f"起草{kind.name}“{notice.title}”，共{len(data.items)}项整改事项",
        changes=diff({}, snapshot(notice, NOTICE_FIELDS)),
        unit_id=unit.id,
    )
    return notice


@transactional
def notice_update(
    *, actor: User, notice: Notice, data: DraftData, today: date, version: int | None
) -> Notice:
    if not can_edit_draft(actor, notice):
        raise NotAllowed(_("只有起草人或来源督察任务的督察员可以修改该通知书。"))
    check_version(notice, version)
    if notice.status != "draft":
        raise DomainError(_("只有草稿状态的通知书可以修改。"))
    data.unit_id = notice.unit_id  # the addressee is fixed once drafted
    kind, _unit, findings = _validate_draft(actor, data, today=today, notice_id=notice.id)
    before = snapshot(notice, NOTICE_FIELDS)
    before_items = [(i.finding_id, i.requirement) for i in notice.items]
    notice.kind_id = kind.id
    notice.title = data.title.strip()
    notice.intro = (data.intro or "").strip()
    notice.requirements = (data.requirements or "").strip()
    notice.time_limit_days = None if data.fixed_deadline else data.time_limit_days
    notice.fixed_deadline = data.fixed_deadline
    notice.cc = _cc(data.cc)
    notice.task_id = _source_task_id(list(findings.values()))
    existing = {i.finding_id: i for i in notice.items}
    wanted = [fid for fid, _ in data.items]
    for fid, item in existing.items():
        if fid not in wanted:
            notice.items.remove(item)
    for seq, (fid, requirement) in enumerate(data.items, start=1):
        item = existing.get(fid)
        if item is None:
            notice.items.append(NoticeItem(finding_id=fid, seq=seq, requirement=requirement.strip()))
        else:
            item.seq = seq
            item.requirement = requirement.strip()
    changes = diff(before, snapshot(notice, NOTICE_FIELDS))
    after_items = [(fid, req.strip()) for fid, req in data.items]
    if after_items != before_items:
        changes["items"] = [
            [f"{fid}:{req}" for fid, req in before_items],
            [f"{fid}:{req}" for fid, req in after_items],
        ]
    if changes:
        notice.updated_at = utcnow()  # bumps the version even when only items changed
        db.session.flush()
        record_event(
            actor=actor,
            action="notice.update",
            record_type="notice",
            record_id=notice.id,
            summary=f"修改通知书草稿“{notice.title}”",
            changes=changes,
            unit_id=notice.unit_id,
        )
    return notice


@transactional
def notice_submit(*, actor: User, notice: Notice, version: int | None = None) -> Notice:
    if not can_edit_draft(actor, notice):
        raise NotAllowed(_("只有起草人或来源督察任务的督察员可以提交该通知书。"))
    check_version(notice, version)
    if not notice.items:
        raise DomainError(_("通知书没有整改事项，不能提交签发。"))
    transition(notice, "submit", actor=actor)
    notice.return_reason = ""
    leads = db.session.scalars(select(User).where(User.role == "lead", User.active.is_(True))).all()
    notify(
        [u for u in leads if can(u, "notices.issue")],
        f"{actor.display_name}提交了通知书“{notice.title}”，请审核签发。",
        _link(notice),
        kind="notice_submitted",
    )
    return notice


@transactional
def notice_return(*, actor: User, notice: Notice, reason: str) -> Notice:
    if not can_issue_notice(actor, notice):
        raise NotAllowed(_("您没有审核通知书的权限。"))
    transition(notice, "return", actor=actor, reason=reason)
    notice.return_reason = reason.strip()
    notify(
        [notice.drafted_by_id],
        f"通知书“{notice.title}”被退回修改：{reason.strip()}",
        _link(notice),
        kind="notice_returned",
    )
    return notice


def notice_deadline_for(notice: Notice, issue_date: date, calendar=None) -> date | None:
    """The deadline the notice gets if issued on `issue_date`."""
    if notice.fixed_deadline is not None:
        return notice.fixed_deadline
    if notice.time_limit_days and 1 <= notice.time_limit_days <= MAX_DAYS:  # no walk of a million days
        calendar = calendar or load_calendar(issue_date)
        return add_working_days(issue_date, notice.time_limit_days, calendar)
    return None


@transactional
def notice_issue(*, actor: User, notice: Notice, today: date, version: int | None = None) -> Notice:
    """Sign off: the number is taken in this transaction; findings become `noticed`; the unit is told."""
    if not can_issue_notice(actor, notice):
        raise NotAllowed(
            _("不能签发自己起草的通知书。") if can(actor, "notices.issue") else _("您没有签发通知书的权限。")
        )
    check_version(notice, version)
    _require_step(notice, "issue")
    if not notice.items:
        raise DomainError(_("通知书没有整改事项，不能签发。"))
    deadline = notice_deadline_for(notice, today)
    if deadline is not None and deadline <= today:
        raise DomainError(_("截止日期不能早于签发日期，请退回起草人修改期限。"))
    if deadline is not None:
        _check_deadline_bound(deadline, today)
    if notice.kind.requires_rectification and deadline is None:
        raise DomainError(_("该种类通知书须有整改期限，请退回起草人补充。"))
    findings = [item.finding for item in notice.items]
    stale = [f for f in findings if f.status != "open"]
    if stale:
        raise DomainError(
            _(
                "问题“%(description)s”已不是待处理状态，请退回起草人调整整改事项。",
                description=stale[0].description[:20],
            )
        )
    transition(notice, "issue", actor=actor)
    prefix = notice.kind.prefix
    n = next_number(prefix, today.year)
    notice.doc_prefix = prefix
    notice.year = today.year
    notice.seq = n
    notice.doc_number = format_number(prefix, today.year, n)
    notice.closing = notice.kind.closing or ""
    office = current_app.config["OFFICE_NAME"]
    for name in AUTHORITY_FIELDS:
        setattr(notice, name, getattr(notice.kind, name) or office)
    notice.issue_date = today
    notice.deadline = deadline
    notice.approved_by_id = actor.id
    notice.issued_at = utcnow()
    db.session.flush()
    record_event(
        actor=actor,
        action="notice.number",
        record_type="notice",
        record_id=notice.id,
        summary=f"编号 {notice.doc_number}，签发日期 {zh_date(today)}"
        + (f"，整改期限至 {zh_date(deadline)}" if deadline else ""),
        changes={
            "doc_number": [None, notice.doc_number],
            "deadline": [None, deadline.isoformat() if deadline else None],
        },
        unit_id=notice.unit_id,
    )
    for finding in findings:
        transition(finding, "notice", actor=actor, system=True, summary=f"随通知书 {notice.doc_number} 下发")
    notify(
        unit_liaisons(notice.unit_id),
        f"收到{notice.kind.name} {notice.doc_number}《{notice.title}》"
        + (f"，整改期限至 {zh_date(deadline)}" if deadline else "")
        + "，请及时签收。",
        _link(notice),
        kind="notice_issued",
    )
    notify([notice.drafted_by_id], f"通知书“{notice.title}”已签发，文号 {notice.doc_number}。", _link(notice))
    return notice


@transactional
def notice_void(*, actor: User, notice: Notice, reason: str) -> Notice:
    if not can(actor, "notices.void"):
        raise NotAllowed(_("您没有作废通知书的权限。"))
    was_issued = notice.doc_number is not None
    transition(notice, "void", actor=actor, reason=reason)
    notice.void_reason = reason.strip()
    if was_issued:
        for item in notice.items:
            if item.finding.status == "noticed":
                transition(
                    item.finding,
                    "release",
                    actor=actor,
                    system=True,
                    summary=f"通知书 {notice.doc_number} 作废，问题退回待处理",
                )
        notify(
            unit_liaisons(notice.unit_id),
            f"通知书 {notice.doc_number} 已作废：{reason.strip()}",
            _link(notice),
            kind="notice_voided",
        )
    return notice


# --- the unit's side ------------------------------------------------------------------------


def _check_unit(actor: User, notice: Notice) -> None:
    """The unit's own liaison, and only them (checked before anything is written)."""
    if not can(actor, "notices.respond"):
        raise NotAllowed(_("您没有办理本单位通知书的权限。"))
    if not is_notice_unit(actor, notice):
        raise NotAllowed(_("只能处理本单位的通知书。"))


@transactional
def notice_acknowledge(*, actor: User, notice: Notice) -> Notice:
    _check_unit(actor, notice)
    transition(notice, "acknowledge", actor=actor, summary=f"签收通知书 {notice.doc_number}")
    notice.acknowledged_by_id = actor.id
    notice.acknowledged_at = utcnow()
    if not notice.kind.requires_rectification:
        # An opinion or suggestion needs no report: receipt closes it.
        _close(actor, notice, system=True)
    notify([notice.drafted_by_id], f"{notice.unit.name}已签收通知书 {notice.doc_number}。", _link(notice))
    return notice


def _open_for_reports(notice: Notice) -> None:
    if notice.status == "issued":
        raise DomainError(_("请先签收通知书，再报送整改情况。"))
    if notice.status != "acknowledged":
        raise DomainError(_("通知书已销号或已作废，不能再报送整改情况。"))
    if not notice.kind.requires_rectification:
        raise DomainError(_("该通知书无需报送整改报告。"))


@transactional
def item_report(
    *,
    actor: User,
    notice: Notice,
    item: NoticeItem,
    measures: str,
    completed_on: date | None,
    uploads: list[FileStorage],
    today: date,
) -> Rectification:
    _check_unit(actor, notice)
    _open_for_reports(notice)
    if item.status not in ("pending", "returned"):
        raise DomainError(_("该事项已报送，正在核查或已通过，不能重复报送。"))
    measures = (measures or "").strip()
    if not measures:
        raise DomainError(_("请填写整改措施及成效。"))
    if completed_on is None:
        raise DomainError(_("请填写整改完成日期。"))
    if completed_on > today:
        raise DomainError(_("整改完成日期不能晚于今天。"))
    if item.finding is not None and completed_on < item.finding.found_on:
        raise DomainError(
            _("整改完成日期不能早于问题的发现日期（%(day)s）。", day=zh_date(item.finding.found_on))
        )
    report = Rectification(
        item_id=item.id, measures=measures, completed_on=completed_on, submitted_by_id=actor.id
    )
    db.session.add(report)
    db.session.flush()
    files = attachments_add(actor=actor, owner_type="rectification", owner_id=report.id, uploads=uploads)
    transition(
        item,
        "report",
        actor=actor,
        summary=f"报送第{item.seq}项整改报告" + (f"（附佐证材料{len(files)}件）" if files else ""),
    )
    notify(
        [notice.drafted_by_id],
        f"{notice.unit.name}报送了通知书 {notice.doc_number} 第{item.seq}项的整改报告，请核查。",
        _link(notice),
        kind="item_submitted",
    )
    return report


def _check_verifier(actor: User, notice: Notice, item: NoticeItem) -> None:
    """Who may verify: permissions.verify_refusal (回避, on the task, not one's own report)."""
    refusal = verify_refusal(actor, notice, item)
    if refusal:
        raise NotAllowed(refusal)


def _latest_report(item: NoticeItem) -> Rectification:
    latest = item.rectifications[-1] if item.rectifications else None
    if latest is None:
        raise DomainError(_("该事项没有整改报告。"))
    return latest


@transactional
def item_accept(*, actor: User, notice: Notice, item: NoticeItem) -> NoticeItem:
    _check_verifier(actor, notice, item)
    if notice.status != "acknowledged":
        raise DomainError(_("通知书当前状态不能核查。"))
    if item.status != "submitted":
        raise DomainError(_("该事项尚未报送整改报告，不能核查。"))
    latest = _latest_report(item)
    transition(item, "accept", actor=actor, summary=f"第{item.seq}项核查通过")
    db.session.add(
        Verification(item_id=item.id, rectification_id=latest.id, decision="accept", by_id=actor.id)
    )
    transition(
        item.finding, "resolve", actor=actor, summary=f"通知书 {notice.doc_number} 第{item.seq}项整改通过"
    )
    closed = all(i.status == "accepted" for i in notice.items)
    if closed:
        _close(actor, notice)
    notify(
        unit_liaisons(notice.unit_id),
        f"通知书 {notice.doc_number} 第{item.seq}项整改核查通过。"
        + ("全部事项已通过，通知书已销号。" if closed else ""),
        _link(notice),
        kind="item_accepted",
    )
    return item


def _close(actor: User, notice: Notice, *, system: bool = False) -> None:
    transition(notice, "close", actor=actor, system=system, summary=f"通知书 {notice.doc_number} 销号")
    notice.closed_at = utcnow()
    if system:
        for item in notice.items:
            if item.finding.status == "noticed":
                transition(
                    item.finding,
                    "resolve",
                    actor=actor,
                    system=True,
                    summary=f"通知书 {notice.doc_number} 办结",
                )


@transactional
def item_return(*, actor: User, notice: Notice, item: NoticeItem, reason: str) -> NoticeItem:
    _check_verifier(actor, notice, item)
    if notice.status != "acknowledged":
        raise DomainError(_("通知书当前状态不能核查。"))
    if item.status != "submitted":
        raise DomainError(_("该事项尚未报送整改报告，不能核查。"))
    latest = _latest_report(item)
    transition(item, "return", actor=actor, reason=reason, summary=f"第{item.seq}项退回整改")
    db.session.add(
        Verification(
            item_id=item.id,
            rectification_id=latest.id,
            decision="return",
            reason=reason.strip(),
            by_id=actor.id,
        )
    )
    notify(
        unit_liaisons(notice.unit_id),
        f"通知书 {notice.doc_number} 第{item.seq}项整改被退回：{reason.strip()}",
        _link(notice),
        kind="item_returned",
    )
    return item


# --- extensions and escalations -------------------------------------------------------------


@transactional
def extension_request(
    *, actor: User, notice: Notice, reason: str, requested_deadline: date | None, today: date
) -> ExtensionRequest:
    _check_unit(actor, notice)
    if notice.status not in Notice.OPEN_STATUSES or notice.deadline is None:
        raise DomainError(_("该通知书当前不能申请延期。"))
    if not (reason or "").strip():
        raise DomainError(_("请填写延期理由。"))
    if requested_deadline is None or requested_deadline <= notice.deadline:
        raise DomainError(_("申请的新截止日期应晚于现截止日期（%(day)s）。", day=zh_date(notice.deadline)))
    _check_deadline_bound(requested_deadline, notice.issue_date or today, _("申请的新截止日期"))
    pending = db.session.scalar(
        select(ExtensionRequest.id).where(
            ExtensionRequest.notice_id == notice.id, ExtensionRequest.decision.is_(None)
        )
    )
    if pending:
        raise DomainError(_("已有一份延期申请在审批中。"))
    ext = ExtensionRequest(
        notice_id=notice.id,
        reason=reason.strip(),
        requested_deadline=requested_deadline,
        requested_by_id=actor.id,
        old_deadline=notice.deadline,
    )
    db.session.add(ext)
    db.session.flush()
    record_event(
        actor=actor,
        action="notice.extension_request",
        record_type="notice",
        record_id=notice.id,
        summary=f"申请延期至 {zh_date(requested_deadline)}（理由：{ext.reason}）",
        changes={"requested_deadline": [None, requested_deadline.isoformat()]},
        unit_id=notice.unit_id,
    )
    leads = db.session.scalars(select(User).where(User.role == "lead", User.active.is_(True))).all()
    notify(
        [u for u in leads if can(u, "notices.extend")],
        f"{notice.unit.name}申请将通知书 {notice.doc_number} 延期至 {zh_date(requested_deadline)}，请审批。",
        _link(notice),
        kind="extension_requested",
    )
    return ext


@transactional
def extension_decide(
    *,
    actor: User,
    notice: Notice,
    ext: ExtensionRequest,
    approve: bool,
    new_deadline: date | None,
    note: str,
) -> ExtensionRequest:
    if not can(actor, "notices.extend"):
        raise NotAllowed(_("您没有审批延期的权限。"))
    if ext.notice_id != notice.id or ext.decision is not None:
        raise DomainError(_("该延期申请已处理。"))
    if notice.status not in Notice.OPEN_STATUSES:
        raise DomainError(_("通知书已销号或作废，不能再延期。"))
    note = (note or "").strip()
    old = notice.deadline
    if approve:
        new_deadline = new_deadline or ext.requested_deadline
        if old is not None and new_deadline <= old:
            raise DomainError(_("新截止日期应晚于现截止日期（%(day)s）。", day=zh_date(old)))
        if notice.issue_date is not None:
            _check_deadline_bound(new_deadline, notice.issue_date, _("新截止日期"))
        notice.deadline = new_deadline
        ext.new_deadline = new_deadline
    elif not note:
        raise DomainError(_("不同意延期时请填写理由。"))
    ext.decision = "approved" if approve else "rejected"
    ext.decision_note = note
    ext.old_deadline = old
    ext.decided_by_id = actor.id
    ext.decided_at = utcnow()
    db.session.flush()
    text = (
        f"同意延期：截止日期由 {zh_date(old)} 调整为 {zh_date(new_deadline)}"
        if approve
        else f"不同意延期（理由：{note}），截止日期仍为 {zh_date(old)}"
    )
    record_event(
        actor=actor,
        action="notice.extension_decide",
        record_type="notice",
        record_id=notice.id,
        summary=text,
        changes={
            "deadline": [
                old.isoformat() if old else None,
                notice.deadline.isoformat() if notice.deadline else None,
            ]
        }
        if approve
        else {"decision": [None, "rejected"]},
        unit_id=notice.unit_id,
    )
    notify(
        unit_liaisons(notice.unit_id) + ([ext.requested_by_id] if ext.requested_by_id else []),
        f"通知书 {notice.doc_number} 的延期申请：{text}。",
        _link(notice),
        kind="extension_decided",
    )
    return ext


@transactional
def escalation_add(
    *, actor: User, notice: Notice, kind: str, on_date: date | None, note: str, today: date
) -> Escalation:
    if not can(actor, "notices.escalate"):
        raise NotAllowed(_("您没有记录督办措施的权限。"))
    if not notice.is_overdue(today):
        raise DomainError(_("只能对逾期未整改的通知书记录约谈、挂牌督办或通报批评。"))
    if kind not in ESCALATION_KINDS:
        raise DomainError(_("请选择督办措施（约谈、挂牌督办或通报批评）。"))
    if on_date is None or on_date > today:
        raise DomainError(_("请填写实施日期（不能晚于今天）。"))
    if notice.issue_date is not None and on_date < notice.issue_date:
        raise DomainError(_("实施日期不能早于通知书的签发日期（%(day)s）。", day=zh_date(notice.issue_date)))
    escalation = Escalation(
        notice_id=notice.id, kind=kind, on_date=on_date, note=(note or "").strip(), by_id=actor.id
    )
    db.session.add(escalation)
    db.session.flush()
    record_event(
        actor=actor,
        action="notice.escalate",
        record_type="notice",
        record_id=notice.id,
        summary=f"{ESCALATION_KINDS[kind]}（{zh_date(on_date)}）"
        + (f"：{escalation.note}" if escalation.note else ""),
        changes={"escalation": [None, ESCALATION_KINDS[kind]]},
        unit_id=notice.unit_id,
    )
    notify(
        unit_liaisons(notice.unit_id),
        f"因通知书 {notice.doc_number} 逾期未完成整改，已对本单位{ESCALATION_KINDS[kind]}。",
        _link(notice),
        kind="escalation",
    )
    return escalation


# --- notice kinds ---------------------------------------------------------------------------


def _validate_kind(data: dict, kind_id: int | None = None) -> list[str]:
    errors = []
    name = (data.get("name") or "").strip()
    if not name:
        errors.append(_("种类名称不能为空。"))
    elif db.session.scalar(
        select(NoticeKind.id).where(NoticeKind.name == name, NoticeKind.id != (kind_id or 0))
    ):
        errors.append(_("种类“%(name)s”已存在。", name=name))
    prefix = (data.get("prefix") or "").strip()
    if not prefix:
        errors.append(_("机关代字不能为空。"))
    elif any(ch in prefix for ch in "〔〕[]()（）0123456789号"):
        errors.append(_("机关代字只填代字本身，如“海法督”，不含年份、括号和序号。"))
    days = data.get("default_days")
    if days is None or not (1 <= int(days) <= MAX_DAYS):
        errors.append(_("默认期限应为 1 至 %(MAX_DAYS)s 个工作日。", MAX_DAYS=MAX_DAYS))
    closing = (data.get("closing") or "").strip()
    if len(closing) > 500:
        errors.append(_("结尾语不能超过 500 字。"))
    elif re.search(r"[{｛]", closing.replace("{期限}", "")):
        errors.append(_("结尾语中只能用 {期限} 表示整改期限，不能使用其他花括号。"))
    for name, label in (
        ("issuing_authority", _("发文机关标志")),
        ("signature", _("署名")),
        ("seal_owner", _("用印机关")),
    ):
        if len((data.get(name) or "").strip()) > 100:
            errors.append(_("%(label)s不能超过 100 字。", label=label))
    if len((data.get("default_cc") or "").strip()) > 500:
        errors.append(_("默认抄送不能超过 500 字。"))
    offset = data.get("masthead_offset_mm")
    if offset not in (None, "") and not (0 <= int(offset) <= 80):
        errors.append(_("发文机关标志距版心上边缘应为 0 至 80 毫米。"))
    return errors


@transactional
def notice_kind_save(
    *, actor: User, kind: NoticeKind | None, data: dict, version: int | None = None
) -> NoticeKind:
    if not can(actor, "admin.manage"):
        raise NotAllowed(_("只有系统管理员可以维护通知书种类。"))
    if kind is not None:
        check_version(kind, version)
    errors = _validate_kind(data, kind.id if kind else None)
    if errors:
        raise DomainError(errors[0], errors)
    values = {
        "name": data["name"].strip(),
        "prefix": data["prefix"].strip(),
        "default_days": int(data["default_days"]),
        "requires_rectification": bool(data.get("requires_rectification")),
        "closing": (data.get("closing") or "").strip(),
        **{name: (data.get(name) or "").strip() for name in AUTHORITY_FIELDS},
        "default_cc": _cc(data.get("default_cc")),
        "masthead_offset_mm": 35
        if data.get("masthead_offset_mm") in (None, "")
        else int(data["masthead_offset_mm"]),
        "active": bool(data.get("active", True)),
        "sort": int(data.get("sort") or 0),
    }
    is_new = kind is None
    if kind is None:
        kind = NoticeKind()
        db.session.add(kind)
    edit_and_audit(
        kind,
        values,
        fields=KIND_FIELDS,
        before={} if is_new else None,
        actor=actor,
        action="notice_kind.create" if is_new else "notice_kind.update",
        record_type="notice_kind",
        summary=lambda: ("新建" if is_new else "修改") + f"通知书种类“{kind.name}”",
    )
    return kind


@transactional
def notice_kind_template_set(
    *, actor: User, kind: NoticeKind, upload: FileStorage, version: int | None = None
) -> NoticeKind:
    """Attach the office's own .docx template; one missing a required placeholder is refused."""
    if not can(actor, "admin.manage"):
        raise NotAllowed(_("只有系统管理员可以维护通知书模板。"))
    check_version(kind, version)
    data, file_kind = check_upload(upload)
    if file_kind != "docx":
        raise DomainError(_("模板须为 Word 文档（.docx）。"))
    check_template(data)
    name = safe_name(upload.filename or "模板.docx")
    before = kind.template_name
    kind.template = data
    kind.template_name = name
    db.session.flush()
    record_event(
        actor=actor,
        action="notice_kind.template",
        record_type="notice_kind",
        record_id=kind.id,
        summary=f"上传通知书种类“{kind.name}”的模板“{name}”",
        changes={"template_name": [before or None, name]},
    )
    return kind


@transactional
def notice_kind_template_clear(*, actor: User, kind: NoticeKind, version: int | None = None) -> NoticeKind:
    """Back to the built-in layout."""
    if not can(actor, "admin.manage"):
        raise NotAllowed(_("只有系统管理员可以维护通知书模板。"))
    check_version(kind, version)
    if kind.template_name:
        record_event(
            actor=actor,
            action="notice_kind.template",
            record_type="notice_kind",
            record_id=kind.id,
            summary=f"删除通知书种类“{kind.name}”的模板，改用内置版式",
            changes={"template_name": [kind.template_name, None]},
        )
    kind.template = None
    kind.template_name = ""
    return kind


# --- the holiday calendar -------------------------------------------------------------------


@transactional
def holiday_save(
    *,
    actor: User,
    day: date | None,
    is_workday: bool,
    name: str,
    holiday: Holiday | None = None,
    version=None,
) -> Holiday:
    if not can(actor, "admin.manage"):
        raise NotAllowed(_("只有系统管理员可以维护节假日。"))
    if day is None:
        raise DomainError(_("请填写日期。"))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写名称（如“国庆节”或“国庆节调休”）。"))
    other = db.session.scalar(select(Holiday).where(Holiday.day == day))
    if other is not None and other is not holiday:
        raise DomainError(_("%(days)s已在日历中，请直接修改该日。", days=zh_date(day)))
    if holiday is not None:
        check_version(holiday, version)
    is_new = holiday is None
    if holiday is None:
        holiday = Holiday()
        db.session.add(holiday)
    holiday.estimated = False  # entered or checked by the admin: no longer the app's estimate
    edit_and_audit(
        holiday,
        {"day": day, "is_workday": is_workday, "name": name},
        before={} if is_new else None,
        actor=actor,
        action="holiday.save",
        record_type="holiday",
        summary=f"{'添加' if is_new else '修改'}{zh_date(day)}：{name}（{'调休上班' if is_workday else '放假'}）",
    )
    return holiday


@transactional
def holiday_delete(*, actor: User, holiday: Holiday) -> None:
    if not can(actor, "admin.manage"):
        raise NotAllowed(_("只有系统管理员可以维护节假日。"))
    record_event(
        actor=actor,
        action="holiday.delete",
        record_type="holiday",
        record_id=holiday.id,
        summary=f"删除{zh_date(holiday.day)}：{holiday.name}",
        changes={"day": [holiday.day.isoformat(), None]},
    )
    db.session.delete(holiday)


def calendar_seed(*, commit: bool = True) -> int:
    """Add the chinese-calendar package's holidays and 调休 days that are not in the table yet.
    Idempotent, and it never overwrites a day the admin has edited."""
    have = set(db.session.scalars(select(Holiday.day)))
    added = 0
    for day, is_workday, name in package_days():
        if day in have:
            continue
        db.session.add(Holiday(day=day, is_workday=is_workday, name=name))
        added += 1
    if commit:
        db.session.commit()
    return added


def calendar_for_years(years: list[int]):
    rows = db.session.execute(
        select(Holiday.day, Holiday.is_workday).where(
            Holiday.day >= date(min(years), 1, 1), Holiday.day <= date(max(years), 12, 31)
        )
    ).all()
    return calendar_from_rows(rows)
