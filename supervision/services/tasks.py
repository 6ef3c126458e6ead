"""Supervision tasks, their findings and the finding categories: create, edit, move on, audit, commit."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from ..audit import diff, record_event, snapshot
from ..errors import DomainError, InvalidTransition, NotAllowed
from ..extensions import db
from ..formatting import local_today, zh_date
from ..models import (
    DEFAULT_FINDING_CATEGORIES,
    SEVERITIES,
    TASK_KINDS,
    Finding,
    FindingCategory,
    InspectorProfile,
    SupervisionTask,
    TaskInspector,
    Unit,
    User,
    task_unit,
    utcnow,
)
from ..parsing import MAX_YEAR, MIN_YEAR
from ..permissions import (
    authorize,
    can,
    can_any,
    can_edit_finding,
    can_record_finding_for_unit,
    can_record_finding_in,
    is_on_task,
)
from ..queries.tasks import finding_category_names, indicator_exists
from ..workflow import transition
from .attachments import attachments_add
from .transaction import attach_and_audit, check_version, edit_and_audit, transactional, transactional_retry

TASK_FIELDS = ["title", "kind", "basis", "description", "period_start", "period_end"]
FINDING_FIELDS = ["unit_id", "category", "severity", "description", "legal_basis", "found_on", "indicator_id"]


def _fail(errors: list[str]) -> None:
    if errors:
        raise DomainError(errors[0], errors)


def _text(data: dict, key: str) -> str:
    return (data.get(key) or "").strip()


def _unit_label(unit_id: int | None) -> str:
    unit = db.session.get(Unit, unit_id) if unit_id else None
    return unit.name if unit else ""


# --- finding categories ---------------------------------------------------------------------


def finding_categories_ensure() -> int:
    """Create the default categories if the list is empty (idempotent). The caller commits."""
    if db.session.scalar(select(func.count(FindingCategory.id))):
        return 0
    for order, name in enumerate(DEFAULT_FINDING_CATEGORIES, start=1):
        db.session.add(FindingCategory(name=name, sort_order=order * 10, active=True))
    db.session.flush()
    return len(DEFAULT_FINDING_CATEGORIES)


@transactional
def finding_category_add(*, actor: User, name: str) -> FindingCategory:
    authorize(can_any(actor, "tasks.manage", "admin.manage"), "您没有维护问题分类的权限。")
    finding_categories_ensure()
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写分类名称。"))
    if len(name) > 20:
        raise DomainError(_("分类名称不能超过 20 个字。"))
    if db.session.scalar(select(FindingCategory.id).where(FindingCategory.name == name)):
        raise DomainError(_("分类“%(name)s”已存在。", name=name))
    last = db.session.scalar(select(func.max(FindingCategory.sort_order))) or 0
    category = FindingCategory(name=name, sort_order=last + 10, active=True)
    db.session.add(category)
    db.session.flush()
    record_event(
        actor=actor,
        action="finding_category.create",
        record_type="finding_category",
        record_id=category.id,
        summary=f"新增问题分类“{name}”",
    )
    return category


@transactional
def finding_category_set_active(*, actor: User, category: FindingCategory, active: bool) -> None:
    authorize(can_any(actor, "tasks.manage", "admin.manage"), "您没有维护问题分类的权限。")
    if category.active == active:
        return
    category.active = active
    db.session.flush()
    record_event(
        actor=actor,
        action="finding_category.activate" if active else "finding_category.deactivate",
        record_type="finding_category",
        record_id=category.id,
        summary=("启用" if active else "停用") + f"问题分类“{category.name}”",
        changes={"active": [not active, active]},
    )


# --- tasks ----------------------------------------------------------------------------------


def _next_task_code(year: int) -> str:
    prefix = f"DC-{year}-"
    last = db.session.scalar(
        select(func.max(SupervisionTask.code)).where(SupervisionTask.code.like(prefix + "%"))
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:03d}"


def _task_value_errors(values: dict) -> list[str]:
    """The task's own fields: a title, a known kind, a period within the years the office keeps."""
    errors = []
    if not values["title"]:
        errors.append(_("请填写任务名称。"))
    elif len(values["title"]) > 200:
        errors.append(_("任务名称不能超过 200 个字。"))
    if values["kind"] not in TASK_KINDS:
        errors.append(_("任务类型无效，应为：%(kinds)s。", kinds="、".join(TASK_KINDS.values())))
    if not values["period_start"] or not values["period_end"]:
        errors.append(_("请填写督察期间的开始和结束日期。"))
    elif values["period_end"] < values["period_start"]:
        errors.append(_("督察期间的结束日期不能早于开始日期。"))
    elif values["period_start"].year < MIN_YEAR or values["period_end"].year > MAX_YEAR:
        errors.append(_("督察期间应在 %(first)s 年至 %(last)s 年之间。", first=MIN_YEAR, last=MAX_YEAR))
    return errors


def _task_units(unit_ids: set[int], errors: list[str]) -> list[Unit]:
    """The chosen target units; each must exist and be in use (problems go to `errors`)."""
    if not unit_ids:
        errors.append(_("请至少选择一个被督察单位。"))
        return []
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.id)))
    if len(units) != len(unit_ids):
        errors.append(_("所选被督察单位中有不存在的单位。"))
    inactive = [u.name for u in units if not u.active]
    if inactive:
        errors.append(_("以下单位已停用，不能作为督察对象：%(units)s。", units="、".join(inactive)))
    return units


def _inspector_refusal(user: User, profile: InspectorProfile | None, today: date) -> str | None:
    """Why an inspector may not join a new task, or None: out of the pool, or their term is over."""
    if not user.in_inspector_pool:
        return _("“%(display_name)s”不是在用的督察员，不能编入任务。", display_name=user.display_name)
    if profile is not None and profile.term_expired(today):
        return _(
            "督察员“%(display_name)s”的任期已于 %(term_end)s 届满，不能编入新任务。",
            display_name=user.display_name,
            term_end=f"{profile.term_end:%Y-%m-%d}",
        )
    return None


def _task_inspectors(
    inspector_ids: set[int], leader_id: int | None, today: date, errors: list[str]
) -> list[User]:
    """The chosen team: each from the pool and within their term, the leader one of them."""
    if not inspector_ids:
        errors.append(_("请至少选择一名督察员。"))
        return []
    rows = db.session.execute(
        select(User, InspectorProfile)
        .outerjoin(InspectorProfile, InspectorProfile.user_id == User.id)
        .where(User.id.in_(inspector_ids))
        .order_by(User.id)
    ).all()
    if len(rows) != len(inspector_ids):
        errors.append(_("所选督察员中有不存在的用户。"))
    inspectors: list[User] = []
    for user, profile in rows:
        refusal = _inspector_refusal(user, profile, today)
        if refusal:
            errors.append(refusal)
        inspectors.append(user)
    if leader_id is None:
        errors.append(_("请从所选督察员中指定一名组长。"))
    elif leader_id not in inspector_ids:
        errors.append(_("组长必须是所选督察员之一。"))
    return inspectors


def _prepare_task(data: dict, *, today: date) -> tuple[dict, list[Unit], list[User], int | None]:
    """Validate a task form; returns (values, units, inspectors, leader id) or raises DomainError."""
    values = {
        "title": _text(data, "title"),
        "kind": data.get("kind"),
        "basis": _text(data, "basis"),
        "description": _text(data, "description"),
        "period_start": data.get("period_start"),
        "period_end": data.get("period_end"),
    }
    errors = _task_value_errors(values)
    unit_ids = {int(u) for u in data.get("unit_ids") or []}
    inspector_ids = {int(i) for i in data.get("inspector_ids") or []}
    leader_id = int(data["leader_id"]) if data.get("leader_id") else None
    units = _task_units(unit_ids, errors)
    inspectors = _task_inspectors(inspector_ids, leader_id, today, errors)
    _fail(errors)
    return values, units, inspectors, leader_id


def own_unit_conflicts(units: list[Unit], inspectors: list[User]) -> list[User]:
    """Inspectors whose home unit is among the targets (they may not record findings against it)."""
    unit_ids = {u.id for u in units}
    return [i for i in inspectors if i.unit_id in unit_ids]


def _set_members(task: SupervisionTask, inspectors: list[User], leader_id: int | None) -> None:
    current = {m.user_id: m for m in task.members}
    wanted = {u.id for u in inspectors}
    for user_id, member in list(current.items()):
        if user_id not in wanted:
            task.members.remove(member)
    for user in inspectors:
        member = current.get(user.id)
        if member is None:
            member = TaskInspector(user_id=user.id)
            task.members.append(member)
        member.is_leader = user.id == leader_id


def _task_snapshot(task: SupervisionTask) -> dict:
    data = snapshot(task, TASK_FIELDS)
    data["units"] = sorted(u.name for u in task.units)
    data["inspectors"] = sorted(
        m.user.display_name + ("（组长）" if m.is_leader else "") for m in task.members
    )
    return data


# Two leads saving at the same moment may draw the same code; the unique index refuses the second,
# which then simply tries the next number (a fresh transaction each time).
@transactional_retry(attempts=3, message="任务编号分配冲突，请稍后重试。")
def task_create(*, actor: User, data: dict, today: date | None = None) -> SupervisionTask:
    if not can(actor, "tasks.manage"):
        raise NotAllowed(_("您没有新建督察任务的权限。"))
    values, units, inspectors, leader_id = _prepare_task(data, today=today or local_today())
    task = SupervisionTask(
        **values,
        code=_next_task_code(values["period_start"].year),
        year=values["period_start"].year,
        status="draft",
        created_by_id=actor.id,
    )
    task.units = units
    db.session.add(task)
    _set_members(task, inspectors, leader_id)
    db.session.flush()
    record_event(
        actor=actor,
        action="task.create",
        record_type="task",
        record_id=task.id,
        summary=f"新建督察任务“{task.title}”（{task.code}）",
        changes=diff({}, _task_snapshot(task)),
    )
    return task


@transactional
def task_update(
    *, actor: User, task: SupervisionTask, data: dict, version: int | None = None, today: date | None = None
) -> SupervisionTask:
    if not can(actor, "tasks.manage"):
        raise NotAllowed(_("您没有修改督察任务的权限。"))
    check_version(task, version)
    if task.status != "draft":
        raise InvalidTransition(_("只有草稿状态的任务可以修改。"))
    values, units, inspectors, leader_id = _prepare_task(data, today=today or local_today())
    before = _task_snapshot(task)
    for key, value in values.items():
        setattr(task, key, value)
    task.year = values["period_start"].year
    task.units = units
    _set_members(task, inspectors, leader_id)
    db.session.flush()
    db.session.expire(task, ["members"])
    changes = diff(before, _task_snapshot(task))
    if changes:
        # A change to members or units alone must still bump the version (optimistic locking).
        task.updated_at = utcnow()
        db.session.flush()
        record_event(
            actor=actor,
            action="task.update",
            record_type="task",
            record_id=task.id,
            summary=f"修改督察任务“{task.title}”",
            changes=changes,
        )
    return task


@transactional
def task_transition(*, actor: User, task: SupervisionTask, action: str, reason: str = "") -> SupervisionTask:
    """activate / close / reopen, through the workflow table."""
    authorize(can(actor, "tasks.manage"), "您没有管理督察任务的权限。")
    if action not in ("activate", "close", "reopen"):
        raise InvalidTransition(_("未知的操作。"))
    if action == "activate" and (not task.units or not task.members):
        raise InvalidTransition(_("任务没有被督察单位或督察员，不能启动。"))
    transition(task, action, actor=actor, reason=reason)
    return task


def task_activate(*, actor: User, task: SupervisionTask) -> SupervisionTask:
    return task_transition(actor=actor, task=task, action="activate")


def task_close(*, actor: User, task: SupervisionTask) -> SupervisionTask:
    return task_transition(actor=actor, task=task, action="close")


def task_reopen(*, actor: User, task: SupervisionTask, reason: str) -> SupervisionTask:
    return task_transition(actor=actor, task=task, action="reopen", reason=reason)


@transactional
def task_add_files(*, actor: User, task: SupervisionTask, uploads: list[FileStorage]) -> int:
    if not can(actor, "tasks.manage"):
        raise NotAllowed(_("您没有为任务上传材料的权限。"))
    added = attach_and_audit(
        actor=actor,
        owner_type="task",
        owner_id=task.id,
        uploads=uploads,
        action="task.attach",
        record_type="task",
        record_id=task.id,
        summary="上传任务材料",
    )
    return len(added)


# --- findings -------------------------------------------------------------------------------


def is_member(task: SupervisionTask, user: User) -> bool:
    return is_on_task(user, task.id)


def _finding_unit_errors(unit_id: int | None, task: SupervisionTask | None, actor: User) -> list[str]:
    """The finding's unit: chosen, within the task's targets, and not the inspector's own (回避)."""
    errors = []
    if unit_id is None:
        errors.append(_("请选择问题所在单位。"))
    elif task is not None:
        in_scope = db.session.scalar(
            select(func.count())
            .select_from(task_unit)
            .where(task_unit.c.task_id == task.id, task_unit.c.unit_id == unit_id)
        )
        if not in_scope:
            errors.append(_("该单位不在本任务的督察范围内。"))
    if unit_id is not None and not can_record_finding_for_unit(actor, unit_id):
        errors.append(_("督察员不能对本人所在单位记录问题（回避）。"))
    return errors


def _finding_text_errors(values: dict) -> list[str]:
    """The finding's category, severity and texts."""
    errors = []
    if values["category"] not in finding_category_names(include_inactive=False):
        errors.append(_("请选择有效的问题分类。"))
    if values["severity"] not in SEVERITIES:
        errors.append(_("请选择问题严重程度：%(severities)s。", severities="、".join(SEVERITIES.values())))
    if not values["description"]:
        errors.append(_("请填写发现的问题。"))
    elif len(values["description"]) > 5000:
        errors.append(_("问题描述不能超过 5000 字。"))
    if len(values["legal_basis"]) > 2000:
        errors.append(_("依据条款不能超过 2000 字。"))
    return errors


def _found_on_error(found_on: date | None, task: SupervisionTask | None, today: date) -> str | None:
    """The day found: given, not in the future, not before the task's period or the years kept."""
    if not found_on:
        return _("请填写发现日期。")
    if found_on > today:
        return _("发现日期不能晚于今天。")
    if task is not None and found_on < task.period_start:
        return _("发现日期不能早于任务的督察期间开始日期（%(day)s）。", day=zh_date(task.period_start))
    if found_on.year < MIN_YEAR:
        return _("发现日期不能早于 %(year)s 年。", year=MIN_YEAR)
    return None


def _prepare_finding(data: dict, *, task: SupervisionTask | None, actor: User, today: date) -> dict:
    values = {
        "unit_id": int(data["unit_id"]) if data.get("unit_id") else None,
        "category": _text(data, "category"),
        "severity": data.get("severity"),
        "description": _text(data, "description"),
        "legal_basis": _text(data, "legal_basis"),
        "found_on": data.get("found_on"),
        "indicator_id": int(data["indicator_id"]) if data.get("indicator_id") else None,
    }
    errors = _finding_unit_errors(values["unit_id"], task, actor) + _finding_text_errors(values)
    found_on_error = _found_on_error(values["found_on"], task, today)
    if found_on_error:
        errors.append(found_on_error)
    if values["indicator_id"] is not None and not indicator_exists(values["indicator_id"]):
        errors.append(_("所选的示范指标不存在。"))
    _fail(errors)
    return values


def _require_active_member(task: SupervisionTask, actor: User) -> None:
    if not can_record_finding_in(actor, task):
        raise NotAllowed(_("只有本任务的督察员可以记录问题。"))
    if task.status != "active":
        raise InvalidTransition(_("任务不在进行中，不能记录或修改问题。"))


@transactional
def finding_create(
    *,
    actor: User,
    task: SupervisionTask,
    data: dict,
    uploads: list[FileStorage] | None = None,
    today: date | None = None,
) -> Finding:
    _require_active_member(task, actor)
    values = _prepare_finding(data, task=task, actor=actor, today=today or local_today())
    finding = Finding(**values, task_id=task.id, inspector_id=actor.id, status="open")
    db.session.add(finding)
    db.session.flush()
    files = attachments_add(actor=actor, owner_type="finding", owner_id=finding.id, uploads=uploads or [])
    changes = diff({}, snapshot(finding, FINDING_FIELDS))
    if files:
        changes["evidence"] = [None, [f.original_name for f in files]]
    record_event(
        actor=actor,
        action="finding.create",
        record_type="finding",
        record_id=finding.id,
        summary=f"在任务“{task.title}”中记录问题（{_unit_label(finding.unit_id)}，{finding.category}）",
        changes=changes,
        unit_id=finding.unit_id,
    )
    return finding


def _require_editable(finding: Finding, actor: User) -> None:
    if not can_edit_finding(actor, finding):
        raise NotAllowed(_("只有记录该问题的督察员本人可以修改。"))
    if finding.status != "open":
        raise InvalidTransition(_("问题已不是“待处理”状态，不能再修改。"))
    if finding.task is not None and finding.task.status != "active":
        raise InvalidTransition(_("任务不在进行中，不能记录或修改问题。"))


@transactional
def finding_update(
    *, actor: User, finding: Finding, data: dict, version: int | None = None, today: date | None = None
) -> Finding:
    _require_editable(finding, actor)
    check_version(finding, version)
    values = _prepare_finding(data, task=finding.task, actor=actor, today=today or local_today())
    edit_and_audit(
        finding,
        values,
        fields=FINDING_FIELDS,
        actor=actor,
        action="finding.update",
        record_type="finding",
        summary="修改问题记录",
        unit_id=lambda: finding.unit_id,
    )
    return finding


@transactional
def finding_add_files(
    *, actor: User, finding: Finding, uploads: list[FileStorage], version: int | None = None
) -> int:
    _require_editable(finding, actor)
    check_version(finding, version)
    added = attach_and_audit(
        actor=actor,
        owner_type="finding",
        owner_id=finding.id,
        uploads=uploads,
        action="finding.attach",
        record_type="finding",
        record_id=finding.id,
        summary="补充佐证材料",
        unit_id=finding.unit_id,
        empty_message="请选择要上传的佐证材料。",
        evidence_change=True,
    )
    return len(added)


@transactional
def finding_dismiss(*, actor: User, finding: Finding, reason: str) -> Finding:
    authorize(can(actor, "findings.dismiss"), "您没有撤销问题的权限。")
    transition(finding, "dismiss", actor=actor, reason=reason)
    finding.dismiss_reason = (reason or "").strip()
    return finding
