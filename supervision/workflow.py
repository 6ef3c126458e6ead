"""Every status of every record, the table of allowed transitions, and transition().

Each machine is the whole truth for its record (DESIGN §4). transition() is the only code that
changes a status: it checks the step is allowed from the current status, that the actor's role
may take it, that a reason is given where one is required, and writes the AuditEvent in the same
transaction. Object-level rules (the inspector is on the task, nobody issues their own draft …)
are checked by the services before they call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .audit import record_event
from .errors import InvalidTransition, NotAllowed
from .extensions import db
from .limits import REASON_MAX, check_length
from .permissions import can


@dataclass(frozen=True)
class Step:
    action: str
    source: str
    target: str
    capability: str
    label: Any
    reason_required: bool = False


@dataclass(frozen=True)
class Machine:
    record_type: str
    statuses: dict[str, Any]
    steps: tuple[Step, ...]

    def step(self, action: str, source: str) -> Step | None:
        for step in self.steps:
            if step.action == action and step.source == source:
                return step
        return None

    def label(self, status: str) -> str:
        return str(self.statuses.get(status, status))


def _steps(*rows: tuple) -> tuple[Step, ...]:
    return tuple(Step(*row) for row in rows)


MACHINES: dict[str, Machine] = {
    "task": Machine(
        "task",
        {"draft": _l("草稿"), "active": _l("进行中"), "closed": _l("已结束")},
        _steps(
            ("activate", "draft", "active", "tasks.manage", _l("启动")),
            ("close", "active", "closed", "tasks.manage", _l("结束")),
            ("reopen", "closed", "active", "tasks.manage", _l("重新开启"), True),
        ),
    ),
    "finding": Machine(
        "finding",
        {
            "open": _l("待处理"),
            "noticed": _l("已发通知"),
            "resolved": _l("已整改"),
            "dismissed": _l("已撤销"),
        },
        _steps(
            ("notice", "open", "noticed", "notices.issue", _l("随通知下发")),
            ("release", "noticed", "open", "notices.void", _l("通知作废，退回待处理")),
            ("resolve", "noticed", "resolved", "notices.verify", _l("整改通过")),
            ("dismiss", "open", "dismissed", "findings.dismiss", _l("撤销"), True),
        ),
    ),
    "notice": Machine(
        "notice",
        {
            "draft": _l("草稿"),
            "submitted": _l("待签发"),
            "issued": _l("已下发"),
            "acknowledged": _l("已签收"),
            "closed": _l("已销号"),
            "voided": _l("已作废"),
        },
        _steps(
            ("submit", "draft", "submitted", "notices.draft", _l("提交签发")),
            ("return", "submitted", "draft", "notices.issue", _l("退回修改"), True),
            ("issue", "submitted", "issued", "notices.issue", _l("签发")),
            ("acknowledge", "issued", "acknowledged", "notices.respond", _l("签收")),
            ("close", "acknowledged", "closed", "notices.verify", _l("销号")),
            ("void", "draft", "voided", "notices.void", _l("作废"), True),
            ("void", "submitted", "voided", "notices.void", _l("作废"), True),
            ("void", "issued", "voided", "notices.void", _l("作废"), True),
            ("void", "acknowledged", "voided", "notices.void", _l("作废"), True),
        ),
    ),
    "notice_item": Machine(
        "notice_item",
        {
            "pending": _l("待整改"),
            "submitted": _l("待核查"),
            "accepted": _l("已通过"),
            "returned": _l("已退回"),
        },
        _steps(
            ("report", "pending", "submitted", "notices.respond", _l("提交整改报告")),
            ("report", "returned", "submitted", "notices.respond", _l("重新提交整改报告")),
            ("accept", "submitted", "accepted", "notices.verify", _l("核查通过")),
            ("return", "submitted", "returned", "notices.verify", _l("退回整改"), True),
        ),
    ),
    "campaign": Machine(
        "campaign",
        {
            "draft": _l("筹备"),
            "sampling": _l("已抽样"),
            "reviewing": _l("评查中"),
            "published": _l("已公布"),
        },
        _steps(
            ("sample", "draft", "sampling", "reviews.manage", _l("抽取案卷")),
            ("unsample", "sampling", "draft", "reviews.manage", _l("撤销抽样"), True),
            ("assign", "sampling", "reviewing", "reviews.manage", _l("分配评查")),
            ("publish", "reviewing", "published", "reviews.manage", _l("公布结果")),
        ),
    ),
    "assignment": Machine(
        "assignment",
        {"assigned": _l("待评分"), "submitted": _l("已提交")},
        _steps(
            ("submit", "assigned", "submitted", "reviews.score", _l("提交评分")),
            ("return", "submitted", "assigned", "reviews.manage", _l("退回重评"), True),
        ),
    ),
    "assessment": Machine(
        "assessment",
        {
            "draft": _l("自评中"),
            "submitted": _l("已提交"),
            "evaluated": _l("已评估"),
            "finalized": _l("已定稿"),
        },
        _steps(
            ("submit", "draft", "submitted", "assessments.self_assess", _l("提交自评")),
            ("return", "submitted", "draft", "assessments.evaluate", _l("退回单位"), True),
            ("evaluate", "submitted", "evaluated", "assessments.evaluate", _l("完成评估")),
            ("finalize", "evaluated", "finalized", "assessments.finalize", _l("定稿")),
        ),
    ),
    "round": Machine(
        "round",
        {"open": _l("进行中"), "closed": _l("已结束")},
        _steps(("close", "open", "closed", "assessments.open_round", _l("结束轮次"))),
    ),
    "roadmap": Machine(
        "roadmap",
        {"planned": _l("计划中"), "in_progress": _l("推进中"), "done": _l("已完成")},
        _steps(
            ("start", "planned", "in_progress", "roadmap.manage", _l("开始推进")),
            ("complete", "in_progress", "done", "roadmap.manage", _l("完成")),
            ("complete", "planned", "done", "roadmap.manage", _l("完成")),
        ),
    ),
}


def machine_for(record: Any) -> Machine:
    return MACHINES[record.__workflow__]


def status_label(record_type: str, status: str) -> str:
    return MACHINES[record_type].label(status)


def status_labels(record_type: str) -> dict[str, str]:
    """Every status of the record type with its label, translated once (a list page's rows)."""
    return {status: str(label) for status, label in MACHINES[record_type].statuses.items()}


def allowed_steps(record: Any, user: Any) -> list[Step]:
    """The steps this user's role may take from the record's current status (for buttons)."""
    machine = machine_for(record)
    return [s for s in machine.steps if s.source == record.status and can(user, s.capability)]


def transition(
    record: Any,
    action: str,
    *,
    actor: Any,
    reason: str = "",
    summary: str = "",
    unit_id: int | None = None,
    system: bool = False,
) -> Step:
    """Apply one step to the record and audit it. Raises InvalidTransition or NotAllowed.

    `system=True` is for steps that follow from another audited step by the same actor
    (a finding becoming `noticed` when its notice is issued): the table still decides
    whether the step exists, but the actor's capability was checked for the parent step.
    """
    machine = machine_for(record)
    step = machine.step(action, record.status)
    if step is None:
        raise InvalidTransition(
            _("当前状态为“%(status)s”，不能执行此操作。", status=machine.label(record.status))
        )
    if not system and not can(actor, step.capability):
        raise NotAllowed(_("您没有执行此操作的权限。"))
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise InvalidTransition(_("“%(label)s”必须填写理由。", label=step.label))
    check_length(reason, REASON_MAX, "理由")
    before = record.status
    record.status = step.target
    db.session.flush()  # assigns ids and bumps the version before the event is written
    with force_locale("zh_CN"):  # the record is kept in Chinese whatever the actor's language
        text = summary or f"{step.label}：{machine.label(before)} → {machine.label(step.target)}"
    if reason:
        text += f"（理由：{reason}）"
    record_event(
        actor=actor,
        action=f"{machine.record_type}.{action}",
        record_type=machine.record_type,
        record_id=record.id,
        summary=text,
        changes={"status": [before, step.target], **({"reason": reason} if reason else {})},
        unit_id=unit_id if unit_id is not None else getattr(record, "unit_id", None),
    )
    return step
