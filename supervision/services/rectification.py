"""The unit's side of a notice: acknowledge (签收) and report each item's rectification (整改报告).
Every change audited; each function commits."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from ..errors import DomainError, NotAllowed
from ..extensions import db
from ..formatting import zh_date
from ..models import Notice, NoticeItem, Rectification, User, utcnow
from ..permissions import can, is_notice_unit
from ..workflow import transition
from .attachments import attachments_add
from .notices import close_notice, notice_link
from .notify import notify
from .transaction import transactional


def check_unit_liaison(actor: User, notice: Notice) -> None:
    """The unit's own liaison, and only them (checked before anything is written)."""
    if not can(actor, "notices.respond"):
        raise NotAllowed(_("您没有办理本单位通知书的权限。"))
    if not is_notice_unit(actor, notice):
        raise NotAllowed(_("只能处理本单位的通知书。"))


@transactional
def notice_acknowledge(*, actor: User, notice: Notice) -> Notice:
    check_unit_liaison(actor, notice)
    transition(notice, "acknowledge", actor=actor, summary=f"签收通知书 {notice.doc_number}")
    notice.acknowledged_by_id = actor.id
    notice.acknowledged_at = utcnow()
    if not notice.kind.requires_rectification:
        # An opinion or suggestion needs no report: receipt closes it.
        close_notice(actor, notice, system=True)
    notify(
        [notice.drafted_by_id], f"{notice.unit.name}已签收通知书 {notice.doc_number}。", notice_link(notice)
    )
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
    check_unit_liaison(actor, notice)
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
        notice_link(notice),
        kind="item_submitted",
    )
    return report
