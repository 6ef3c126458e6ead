"""Extensions (延期) of an issued notice's deadline and escalations (约谈、挂牌督办、通报批评) of an
overdue one. Every change audited; each function commits."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit import record_event
from ..errors import DomainError, NotAllowed
from ..extensions import db
from ..formatting import zh_date
from ..models import ESCALATION_KINDS, Escalation, ExtensionRequest, Notice, User, utcnow
from ..notice_deadlines import check_deadline_bound
from ..permissions import can
from .notices import notice_link
from .notify import notify, unit_liaisons
from .rectification import check_unit_liaison
from .transaction import transactional


@transactional
def extension_request(
    *, actor: User, notice: Notice, reason: str, requested_deadline: date | None, today: date
) -> ExtensionRequest:
    check_unit_liaison(actor, notice)
    if notice.status not in Notice.OPEN_STATUSES or notice.deadline is None:
        raise DomainError(_("该通知书当前不能申请延期。"))
    if not (reason or "").strip():
        raise DomainError(_("请填写延期理由。"))
    if requested_deadline is None or requested_deadline <= notice.deadline:
        raise DomainError(_("申请的新截止日期应晚于现截止日期（%(day)s）。", day=zh_date(notice.deadline)))
    check_deadline_bound(requested_deadline, notice.issue_date or today, _("申请的新截止日期"))
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
        notice_link(notice),
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
            check_deadline_bound(new_deadline, notice.issue_date, _("新截止日期"))
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
        notice_link(notice),
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
        notice_link(notice),
        kind="escalation",
    )
    return escalation
