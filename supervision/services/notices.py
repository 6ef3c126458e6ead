"""Notices: draft, sign off (issue with a number), verify the unit's reports, close (销号), void.
The unit's side is in services/rectification.py, extensions and escalations in
services/notice_extensions.py, notice kinds in services/notice_kinds.py. Every change audited;
each function commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..audit import diff, record_event, snapshot
from ..errors import DomainError, InvalidTransition, NotAllowed
from ..extensions import db
from ..formatting import zh_date
from ..limits import NOTE_MAX
from ..models import (
    Finding,
    Notice,
    NoticeItem,
    NoticeKind,
    Rectification,
    Unit,
    User,
    Verification,
    utcnow,
)
from ..notice_deadlines import MAX_DAYS, check_deadline_bound, fixed_deadline_problem, notice_deadline_for
from ..numbering import format_number, next_number
from ..permissions import (
    can,
    can_edit_draft,
    can_issue_notice,
    findings_for_user,
    verify_refusal,
)
from ..queries.notices import findings_on_live_drafts
from ..workflow import machine_for, transition
from .notify import notify, unit_liaisons
from .transaction import check_version, transactional

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
AUTHORITY_FIELDS = ("issuing_authority", "signature", "seal_owner")


def _require_step(record, action: str) -> None:
    """Refuse early, with the workflow's message, a step the record's state does not allow."""
    machine = machine_for(record)
    if machine.step(action, record.status) is None:
        raise InvalidTransition(
            _("当前状态为“%(status)s”，不能执行此操作。", status=machine.label(record.status))
        )


def notice_link(notice: Notice) -> str:
    """The notice's page, for notifications."""
    return f"/notices/{notice.id}"


# --- drafting -----------------------------------------------------------------------------


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


def _header_errors(data: DraftData, kind: NoticeKind | None, unit: Unit | None, today: date) -> list[str]:
    """The kind, the addressee, the title, 抄送 and the time limit."""
    errors: list[str] = []
    if kind is None or not kind.active:
        errors.append(_("请选择通知书种类。"))
    if unit is None or not unit.active:
        errors.append(_("请选择主送单位。"))
    if not (data.title or "").strip():
        errors.append(_("标题不能为空。"))
    elif len(data.title.strip()) > 200:
        errors.append(_("标题不能超过200字。"))
    if len(cc_line(data.cc)) > 500:
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
    return errors


def _finding_error(number: int, finding: Finding, unit: Unit, taken: set[int]) -> str | None:
    """Why the item's finding cannot go on this notice, or None."""
    if finding.unit_id != unit.id:
        return _(
            "第%(number)s项：问题“%(description)s”不属于%(name)s。",
            number=number,
            description=finding.description[:20],
            name=unit.name,
        )
    if finding.status != "open":
        return _(
            "第%(number)s项：问题“%(description)s”已不是待处理状态。",
            number=number,
            description=finding.description[:20],
        )
    if finding.id in taken:
        return _(
            "第%(number)s项：问题“%(description)s”已列入另一份未签发的通知书。",
            number=number,
            description=finding.description[:20],
        )
    return None


def _requirement_error(number: int, requirement: str | None) -> str | None:
    if not (requirement or "").strip():
        return _("第%(number)s项：整改要求不能为空。", number=number)
    if len(requirement.strip()) > NOTE_MAX:
        return _("第%(number)s项：整改要求最多 %(NOTE_MAX)s 个字。", number=number, NOTE_MAX=NOTE_MAX)
    return None


def _item_errors(
    actor: User, data: DraftData, unit: Unit | None, notice_id: int | None
) -> tuple[list[str], dict[int, Finding]]:
    """Each item: a finding the user may use, of this unit, open, on no other draft; a requirement."""
    errors: list[str] = []
    if not data.items:
        errors.append(_("通知书至少需要一个整改事项（请勾选问题）。"))
    findings: dict[int, Finding] = {}
    ids = [fid for fid, _ in data.items]
    if len(set(ids)) != len(ids):
        errors.append(_("同一问题不能重复列入。"))
    if not ids or unit is None:
        return errors, findings
    visible = {f.id: f for f in db.session.scalars(findings_for_user(actor).where(Finding.id.in_(ids)))}
    taken = set(db.session.scalars(findings_on_live_drafts(notice_id).where(NoticeItem.finding_id.in_(ids))))
    for number, (fid, requirement) in enumerate(data.items, start=1):
        finding = visible.get(fid)
        if finding is None:
            errors.append(_("第%(number)s项：问题不存在或您无权使用。", number=number))
            continue
        for error in (_finding_error(number, finding, unit, taken), _requirement_error(number, requirement)):
            if error:
                errors.append(error)
        findings[fid] = finding
    return errors, findings


def _validate_draft(actor: User, data: DraftData, *, today: date, notice_id: int | None = None):
    kind = db.session.get(NoticeKind, data.kind_id) if data.kind_id else None
    unit = db.session.get(Unit, data.unit_id) if data.unit_id else None
    errors = _header_errors(data, kind, unit, today)
    item_errors, findings = _item_errors(actor, data, unit, notice_id)
    errors += item_errors
    if errors:
        raise DomainError(errors[0], errors)
    return kind, unit, findings


def cc_line(text: str | None) -> str:
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
        cc=cc_line(data.cc),
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
    notice.cc = cc_line(data.cc)
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
        notice_link(notice),
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
        notice_link(notice),
        kind="notice_returned",
    )
    return notice


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
        check_deadline_bound(deadline, today)
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
        notice_link(notice),
        kind="notice_issued",
    )
    notify(
        [notice.drafted_by_id],
        f"通知书“{notice.title}”已签发，文号 {notice.doc_number}。",
        notice_link(notice),
    )
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
            notice_link(notice),
            kind="notice_voided",
        )
    return notice


# --- verification and closing (销号) -----------------------------------------------------


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
        close_notice(actor, notice)
    notify(
        unit_liaisons(notice.unit_id),
        f"通知书 {notice.doc_number} 第{item.seq}项整改核查通过。"
        + ("全部事项已通过，通知书已销号。" if closed else ""),
        notice_link(notice),
        kind="item_accepted",
    )
    return item


def close_notice(actor: User, notice: Notice, *, system: bool = False) -> None:
    """销号: on verifying the last item, or (`system`) on receipt of a notice that needs no report."""
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
        notice_link(notice),
        kind="item_returned",
    )
    return item
