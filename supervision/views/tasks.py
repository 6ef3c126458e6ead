"""Supervision tasks and their findings: lists, the task page, forms, evidence, the ledger export."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from ..errors import DomainError, NotAllowed
from ..extensions import db
from ..filters import contains, filter_findings
from ..formatting import local_today
from ..forms import ActionForm
from ..forms.tasks import CategoryForm, FindingForm, TaskForm
from ..models import (
    SEVERITIES,
    TASK_KINDS,
    Attachment,
    AuditEvent,
    Finding,
    FindingCategory,
    InspectorProfile,
    Notice,
    NoticeItem,
    SupervisionTask,
    TaskInspector,
    Unit,
    User,
    task_unit,
)
from ..parsing import form_id, id_arg, year_arg
from ..permissions import (
    audit_events_for_record,
    can,
    can_edit_finding,
    can_record_finding_for_unit,
    can_record_finding_in,
    findings_for_user,
    get_finding_for_user_or_404,
    get_task_for_user_or_404,
    notices_for_user,
    require,
    tasks_for_user,
)
from ..services import tasks as service
from ..services.attachments import ACCEPT_ATTR
from ..workflow import MACHINES, allowed_steps
from .helpers import (
    XLSX_MIME,
    download,
    flash_domain_error,
    flash_edit_error,
    flash_form_errors,
    flash_repeat,
    form_version,
    page_arg,
    submit_once,
)
from .suggest import chosen_inspector, chosen_unit

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

READ = ("tasks.read_all", "tasks.read_assigned")
FINDINGS_READ = ("findings.read_all", "tasks.read_assigned")
PER_PAGE = 20
FINDINGS_PER_PAGE = 30
SORTS = {
    "new": (SupervisionTask.period_start.desc(), SupervisionTask.id.desc()),
    "old": (SupervisionTask.period_start.asc(), SupervisionTask.id.asc()),
    "code": (SupervisionTask.code.asc(),),
    "title": (SupervisionTask.title.asc(),),
}


def _finding_counts(task_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per task: total findings (dismissed excluded), open ones, serious ones; one grouped query."""
    if not task_ids:
        return {}
    rows = db.session.execute(
        select(
            Finding.task_id,
            func.count(Finding.id),
            func.sum(case((Finding.status == "open", 1), else_=0)),
            func.sum(case((Finding.severity == "serious", 1), else_=0)),
        )
        .where(Finding.task_id.in_(task_ids), Finding.status != "dismissed")
        .group_by(Finding.task_id)
    ).all()
    return {tid: {"total": t or 0, "open": o or 0, "serious": s or 0} for tid, t, o, s in rows}


def _unit_counts(task_ids: list[int]) -> dict[int, int]:
    if not task_ids:
        return {}
    return dict(
        db.session.execute(
            select(task_unit.c.task_id, func.count())
            .where(task_unit.c.task_id.in_(task_ids))
            .group_by(task_unit.c.task_id)
        ).all()
    )


def _leaders(task_ids: list[int]) -> dict[int, tuple[str, int]]:
    """Per task: (team leader's name, number of inspectors)."""
    if not task_ids:
        return {}
    result: dict[int, tuple[str, int]] = {}
    rows = db.session.execute(
        select(TaskInspector.task_id, TaskInspector.is_leader, User.display_name)
        .join(User, User.id == TaskInspector.user_id)
        .where(TaskInspector.task_id.in_(task_ids))
    ).all()
    names: dict[int, str] = {}
    sizes: dict[int, int] = defaultdict(int)
    for task_id, is_leader, name in rows:
        sizes[task_id] += 1
        if is_leader:
            names[task_id] = name
    for task_id in task_ids:
        result[task_id] = (names.get(task_id, ""), sizes.get(task_id, 0))
    return result


# --- task list ------------------------------------------------------------------------------


@bp.route("/")
@require(*READ)
def index():
    query = tasks_for_user(current_user)
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    year = year_arg()
    unit_choice, inspector_choice = chosen_unit(), chosen_inspector()
    unit_id = unit_choice[0] if unit_choice else None
    inspector_id = inspector_choice[0] if inspector_choice else None
    keyword = request.args.get("q", "").strip()
    sort = request.args.get("sort", "new")
    if status in MACHINES["task"].statuses:
        query = query.where(SupervisionTask.status == status)
    if kind in TASK_KINDS:
        query = query.where(SupervisionTask.kind == kind)
    if year:
        query = query.where(SupervisionTask.year == year)
    if unit_id:
        query = query.where(
            SupervisionTask.id.in_(select(task_unit.c.task_id).where(task_unit.c.unit_id == unit_id))
        )
    if inspector_id:
        query = query.where(
            SupervisionTask.id.in_(select(TaskInspector.task_id).where(TaskInspector.user_id == inspector_id))
        )
    if keyword:
        query = query.where(
            or_(
                contains(SupervisionTask.title, keyword),
                contains(SupervisionTask.code, keyword),
                contains(SupervisionTask.basis, keyword),
            )
        )
    query = query.order_by(*SORTS.get(sort, SORTS["new"]))
    page = db.paginate(query, page=page_arg(), per_page=PER_PAGE, error_out=False)
    ids = [t.id for t in page.items]
    years = list(
        db.session.scalars(
            tasks_for_user(current_user)
            .with_only_columns(SupervisionTask.year)
            .distinct()
            .order_by(SupervisionTask.year.desc())
        )
    )
    return render_template(
        "tasks/index.html",
        page=page,
        counts=_finding_counts(ids),
        unit_counts=_unit_counts(ids),
        leaders=_leaders(ids),
        statuses=MACHINES["task"].statuses,
        kinds=TASK_KINDS,
        years=years,
        unit_choice=unit_choice,
        inspector_choice=inspector_choice,
        pick_inspector=can(current_user, "tasks.read_all"),
        args={
            "status": status,
            "kind": kind,
            "year": year,
            "unit": unit_id,
            "inspector": inspector_id,
            "q": keyword,
            "sort": sort,
        },
        mine=not can(current_user, "tasks.read_all"),
    )


# --- the task form --------------------------------------------------------------------------


def _picker_context(task: SupervisionTask | None, form: TaskForm) -> dict:
    """The rows for the unit and inspector checkbox lists (one query each)."""
    today = local_today()
    units = db.session.execute(
        select(Unit.id, Unit.name, Unit.short_name, Unit.kind, Unit.code)
        .where(Unit.active.is_(True))
        .order_by(Unit.kind, Unit.id)
    ).all()
    inspectors = db.session.execute(
        select(
            User.id,
            User.display_name,
            User.unit_id,
            Unit.name,
            InspectorProfile.specialties,
            InspectorProfile.term_end,
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(InspectorProfile, InspectorProfile.user_id == User.id)
        .where(User.in_inspector_pool)
        .order_by(Unit.id, User.display_name)
    ).all()
    if form.is_submitted():
        chosen_units = set(form.unit_ids.data or [])
        chosen_inspectors = set(form.inspector_ids.data or [])
        leader = form_id(request.form.get("leader_id"))
    elif task is not None:
        chosen_units = {u.id for u in task.units}
        chosen_inspectors = {m.user_id for m in task.members}
        leader = next((m.user_id for m in task.members if m.is_leader), None)
    else:
        chosen_units, chosen_inspectors, leader = set(), set(), None
    return {
        "unit_rows": units,
        "inspector_rows": inspectors,
        "chosen_units": chosen_units,
        "chosen_inspectors": chosen_inspectors,
        "leader": leader,
        "today": today,
    }


def _task_data(form: TaskForm) -> dict:
    data = form.data
    data["unit_ids"] = form.unit_ids.data or []
    data["inspector_ids"] = form.inspector_ids.data or []
    data["leader_id"] = form_id(request.form.get("leader_id"))
    return data


def _warn_own_units(task: SupervisionTask) -> None:
    conflicts = service.own_unit_conflicts(task.units, [m.user for m in task.members])
    if conflicts:
        flash(
            _(
                "提醒：以下督察员的所在单位在本任务的督察范围内，他们不能对本人所在单位记录问题：%(names)s",
                names="、".join(f"{u.display_name}（{u.unit.name if u.unit else ''}）" for u in conflicts),
            ),
            "warning",
        )


@bp.route("/new", methods=["GET", "POST"])
@require("tasks.manage")
def new():
    form = TaskForm()
    if request.method == "GET":
        form.kind.data = "special"
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: service.task_create(actor=current_user, data=_task_data(form)),
                lambda task: url_for("tasks.detail", task_id=task.id),
            )
        except DomainError as error:
            flash_domain_error(error)
        else:
            if done.repeated:
                flash_repeat()
            else:
                task = done.record
                flash(
                    _("已新建督察任务“%(title)s”（草稿）。确认无误后请点击“启动”。", title=task.title),
                    "success",
                )
                _warn_own_units(task)
            return redirect(done.url)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("tasks/form.html", form=form, task=None, **_picker_context(None, form))


@bp.route("/<int:task_id>/edit", methods=["GET", "POST"])
@require("tasks.manage")
def edit(task_id: int):
    task = get_task_for_user_or_404(task_id, current_user)
    if task.status != "draft":
        flash(_("只有草稿状态的任务可以修改。"), "warning")
        return redirect(url_for("tasks.detail", task_id=task.id))
    form = TaskForm(obj=task)
    if request.method == "GET":
        form.version.data = task.version
    if form.validate_on_submit():
        try:
            service.task_update(
                actor=current_user, task=task, data=_task_data(form), version=form_version(form)
            )
        except DomainError as error:
            flash_edit_error(error, form, task)
            task = get_task_for_user_or_404(task_id, current_user)
        else:
            flash(_("任务已保存。"), "success")
            _warn_own_units(task)
            return redirect(url_for("tasks.detail", task_id=task.id))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("tasks/form.html", form=form, task=task, **_picker_context(task, form))


@bp.route("/<int:task_id>/step/<action>", methods=["POST"])
@require("tasks.manage")
def step(task_id: int, action: str):
    task = get_task_for_user_or_404(task_id, current_user)
    try:
        service.task_transition(
            actor=current_user, task=task, action=action, reason=request.form.get("reason", "")
        )
    except NotAllowed:
        abort(403)
    except DomainError as error:
        flash_domain_error(error)
    else:
        done = {
            "activate": "任务已启动，督察员现在可以记录问题。",
            "close": "任务已结束。",
            "reopen": "任务已重新开启。",
        }
        flash(done[action], "success")
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.route("/<int:task_id>/files", methods=["POST"])
@require("tasks.manage")
def files(task_id: int):
    task = get_task_for_user_or_404(task_id, current_user)
    try:
        count = service.task_add_files(actor=current_user, task=task, uploads=request.files.getlist("files"))
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已上传 %(count)s 个任务材料。", count=count), "success")
    return redirect(url_for("tasks.detail", task_id=task_id))


# --- the task page --------------------------------------------------------------------------


def finding_filter_args() -> dict:
    return {
        "unit": id_arg("unit"),
        "severity": request.args.get("severity", ""),
        "category": request.args.get("category", ""),
        "status": request.args.get("status", ""),
        "q": request.args.get("q", "").strip(),
        "year": year_arg(),
    }


def _file_counts(finding_ids: list[int]) -> dict[int, int]:
    if not finding_ids:
        return {}
    return dict(
        db.session.execute(
            select(Attachment.owner_id, func.count(Attachment.id))
            .where(Attachment.owner_type == "finding", Attachment.owner_id.in_(finding_ids))
            .group_by(Attachment.owner_id)
        ).all()
    )


def _timeline(record_type: str, record_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            audit_events_for_record(current_user, record_type, record_id)
            .options(joinedload(AuditEvent.actor))
            .limit(100)
        )
    )


@bp.route("/<int:task_id>")
@require(*READ)
def detail(task_id: int):
    task = get_task_for_user_or_404(task_id, current_user)
    members = list(
        db.session.scalars(
            select(TaskInspector)
            .where(TaskInspector.task_id == task.id)
            .options(joinedload(TaskInspector.user).joinedload(User.unit))
            .order_by(TaskInspector.is_leader.desc(), TaskInspector.user_id)
        )
    )
    units = db.session.execute(
        select(Unit.id, Unit.name)
        .join(task_unit, task_unit.c.unit_id == Unit.id)
        .where(task_unit.c.task_id == task.id)
        .order_by(Unit.kind, Unit.id)
    ).all()
    unit_names = dict(units)
    # The units × severity table: one grouped query; units without findings are summarised.
    matrix: dict[int, dict[str, int]] = defaultdict(lambda: {k: 0 for k in SEVERITIES})
    for unit_id, severity, count in db.session.execute(
        select(Finding.unit_id, Finding.severity, func.count(Finding.id))
        .where(Finding.task_id == task.id, Finding.status != "dismissed")
        .group_by(Finding.unit_id, Finding.severity)
    ):
        matrix[unit_id][severity] = count
    matrix_rows = sorted(
        ((uid, unit_names.get(uid, ""), sev, sum(sev.values())) for uid, sev in matrix.items()),
        key=lambda row: (-row[3], row[1]),
    )
    totals = {k: sum(r[2][k] for r in matrix_rows) for k in SEVERITIES}
    args = finding_filter_args()
    findings_query = filter_findings(
        select(Finding)
        .where(Finding.task_id == task.id)
        .options(joinedload(Finding.unit), joinedload(Finding.inspector)),
        args,
    ).order_by(Finding.found_on.desc(), Finding.id.desc())
    page = db.paginate(findings_query, page=page_arg(), per_page=FINDINGS_PER_PAGE, error_out=False)
    conflicts = [m.user for m in members if m.user.unit_id in unit_names]
    files = list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.owner_type == "task", Attachment.owner_id == task.id)
            .order_by(Attachment.uploaded_at)
        )
    )
    return render_template(
        "tasks/detail.html",
        task=task,
        members=members,
        units=units,
        matrix_rows=matrix_rows,
        totals=totals,
        severities=SEVERITIES,
        page=page,
        file_counts=_file_counts([f.id for f in page.items]),
        args=args,
        categories=service.finding_category_names(include_inactive=True),
        finding_statuses=MACHINES["finding"].statuses,
        can_record=task.status == "active" and can_record_finding_in(current_user, task),
        conflicts=conflicts,
        steps=allowed_steps(task, current_user),
        events=_timeline("task", task.id),
        files=files,
        accept=ACCEPT_ATTR,
    )


@bp.route("/<int:task_id>/ledger.xlsx")
@require(*READ)
def ledger(task_id: int):
    from ..exports.tasks import findings_ledger_xlsx

    task = get_task_for_user_or_404(task_id, current_user)
    findings = list(
        db.session.scalars(
            select(Finding)
            .where(Finding.task_id == task.id)
            .options(joinedload(Finding.unit), joinedload(Finding.inspector))
            .order_by(Finding.unit_id, Finding.found_on, Finding.id)
        )
    )
    data = findings_ledger_xlsx(task, findings)
    return download(data, f"督察问题台账_{task.code}.xlsx", XLSX_MIME)


# --- findings -------------------------------------------------------------------------------


def _finding_form_choices(form: FindingForm, task: SupervisionTask | None, finding: Finding | None) -> None:
    if task is not None:
        rows = db.session.execute(
            select(Unit.id, Unit.name)
            .join(task_unit, task_unit.c.unit_id == Unit.id)
            .where(task_unit.c.task_id == task.id)
            .order_by(Unit.kind, Unit.id)
        ).all()
        # The inspector's own unit is left out: they may not record findings against it.
        choices = [(uid, name) for uid, name in rows if can_record_finding_for_unit(current_user, uid)]
    else:
        choices = [(finding.unit_id, finding.unit.name)] if finding else []
    form.unit_id.choices = [(0, _("请选择单位")), *choices]
    names = service.finding_category_names()
    if finding is not None and finding.category not in names:
        names.append(finding.category)
    form.category.choices = [("", _("请选择分类")), *((n, n) for n in names)]
    from ..services.scorecards import indicator_choices

    form.indicator_id.choices = [
        (0, _("不对应具体指标")),
        *indicator_choices(finding.indicator_id if finding else None),
    ]


def _finding_data(form: FindingForm) -> dict:
    data = form.data
    data["unit_id"] = form.unit_id.data or None
    data["indicator_id"] = form.indicator_id.data or None
    return data


@bp.route("/<int:task_id>/findings/new", methods=["GET", "POST"])
@require("findings.record")
def finding_new(task_id: int):
    task = get_task_for_user_or_404(task_id, current_user)
    if not can_record_finding_in(current_user, task):
        abort(404)
    if task.status != "active":
        flash(_("任务不在进行中，不能记录问题。"), "warning")
        return redirect(url_for("tasks.detail", task_id=task.id))
    form = FindingForm()
    _finding_form_choices(form, task, None)
    if request.method == "GET":
        form.found_on.data = local_today()
        form.unit_id.data = form_id(request.args.get("unit")) or form.unit_id.data
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: service.finding_create(
                    actor=current_user,
                    task=task,
                    data=_finding_data(form),
                    uploads=request.files.getlist("files"),
                ),
                lambda finding: url_for("tasks.finding_detail", finding_id=finding.id),
            )
        except NotAllowed:
            abort(403)
        except DomainError as error:
            flash_domain_error(error)
            flash(_("表单内容已保留；如选择了佐证材料，请重新选择。"), "info")
        else:
            if done.repeated:
                flash_repeat()
            else:
                flash(_("问题已记录。"), "success")
            return redirect(done.url)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("tasks/finding_form.html", form=form, task=task, finding=None, accept=ACCEPT_ATTR)


@bp.route("/findings")
@require(*FINDINGS_READ)
def findings():
    """Every finding the user may see, across tasks (and those from reviews and assessments)."""
    args = finding_filter_args()
    unit_choice = chosen_unit()
    args["unit"] = unit_choice[0] if unit_choice else None
    task_id = id_arg("task")
    query = filter_findings(
        findings_for_user(current_user).options(
            joinedload(Finding.unit), joinedload(Finding.inspector), joinedload(Finding.task)
        ),
        args,
    )
    if task_id:
        query = query.where(Finding.task_id == task_id)
    page = db.paginate(
        query.order_by(Finding.found_on.desc(), Finding.id.desc()),
        page=page_arg(),
        per_page=FINDINGS_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "tasks/findings.html",
        page=page,
        args=args,
        unit_choice=unit_choice,
        export_args={k: v for k, v in args.items() if v},
        severities=SEVERITIES,
        categories=service.finding_category_names(include_inactive=True),
        finding_statuses=MACHINES["finding"].statuses,
        file_counts=_file_counts([f.id for f in page.items]),
        years=list(range(local_today().year, local_today().year - 6, -1)),
    )


@bp.route("/findings/<int:finding_id>")
@require(*FINDINGS_READ)
def finding_detail(finding_id: int):
    finding = get_finding_for_user_or_404(finding_id, current_user)
    evidence = list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.owner_type == "finding", Attachment.owner_id == finding.id)
            .order_by(Attachment.uploaded_at, Attachment.id)
        )
    )
    editable = (
        can_edit_finding(current_user, finding)
        and finding.status == "open"
        and (finding.task is None or finding.task.status == "active")
    )
    return render_template(
        "tasks/finding_detail.html",
        finding=finding,
        evidence=evidence,
        editable=editable,
        can_dismiss=finding.status == "open" and can(current_user, "findings.dismiss"),
        events=_timeline("finding", finding.id),
        notices=_notices_carrying(finding),
        accept=ACCEPT_ATTR,
        action_form=ActionForm(),
    )


def _notices_carrying(finding: Finding) -> list[Notice]:
    """The notices that carry the finding, of those the viewer may see (a voided one too)."""
    return list(
        db.session.scalars(
            notices_for_user(current_user)
            .join(NoticeItem, NoticeItem.notice_id == Notice.id)
            .where(NoticeItem.finding_id == finding.id)
            .order_by(Notice.id)
        )
    )


@bp.route("/findings/<int:finding_id>/edit", methods=["GET", "POST"])
@require("findings.record")
def finding_edit(finding_id: int):
    finding = get_finding_for_user_or_404(finding_id, current_user)
    if not can_edit_finding(current_user, finding):
        abort(403)
    if finding.status != "open" or (finding.task is not None and finding.task.status != "active"):
        flash(_("该问题已不能修改（问题不是待处理状态，或任务不在进行中）。"), "warning")
        return redirect(url_for("tasks.finding_detail", finding_id=finding.id))
    form = FindingForm(obj=finding)
    _finding_form_choices(form, finding.task, finding)
    if request.method == "GET":
        form.version.data = finding.version
    if form.validate_on_submit():
        try:
            service.finding_update(
                actor=current_user, finding=finding, data=_finding_data(form), version=form_version(form)
            )
        except DomainError as error:
            flash_edit_error(error, form, finding)
            finding = get_finding_for_user_or_404(finding_id, current_user)
        else:
            flash(_("问题记录已保存。"), "success")
            return redirect(url_for("tasks.finding_detail", finding_id=finding.id))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template(
        "tasks/finding_form.html", form=form, task=finding.task, finding=finding, accept=ACCEPT_ATTR
    )


@bp.route("/findings/<int:finding_id>/files", methods=["POST"])
@require("findings.record")
def finding_files(finding_id: int):
    finding = get_finding_for_user_or_404(finding_id, current_user)
    try:
        count = service.finding_add_files(
            actor=current_user, finding=finding, uploads=request.files.getlist("files")
        )
    except NotAllowed:
        abort(403)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已补充 %(count)s 个佐证材料。", count=count), "success")
    return redirect(url_for("tasks.finding_detail", finding_id=finding_id))


@bp.route("/findings/<int:finding_id>/dismiss", methods=["POST"])
@require("findings.dismiss")
def finding_dismiss(finding_id: int):
    finding = get_finding_for_user_or_404(finding_id, current_user)
    try:
        service.finding_dismiss(actor=current_user, finding=finding, reason=request.form.get("reason", ""))
    except NotAllowed:
        abort(403)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("问题已撤销。"), "success")
    return redirect(url_for("tasks.finding_detail", finding_id=finding_id))


# --- finding categories ---------------------------------------------------------------------


@bp.route("/categories", methods=["GET", "POST"])
@require("tasks.manage", "admin.manage")
def categories():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: service.finding_category_add(actor=current_user, name=form.name.data),
                lambda _category: url_for("tasks.categories"),
            )
        except DomainError as error:
            flash_domain_error(error)
        else:
            if done.repeated:
                flash_repeat()
            else:
                flash(_("已新增问题分类“%(name)s”。", name=form.name.data.strip()), "success")
            return redirect(done.url)
    elif form.is_submitted():
        flash_form_errors(form)
    rows = list(
        db.session.scalars(select(FindingCategory).order_by(FindingCategory.sort_order, FindingCategory.id))
    )
    usage = dict(
        db.session.execute(select(Finding.category, func.count(Finding.id)).group_by(Finding.category)).all()
    )
    return render_template("tasks/categories.html", form=form, rows=rows, usage=usage)


@bp.route("/categories/<int:category_id>/active", methods=["POST"])
@require("tasks.manage", "admin.manage")
def category_active(category_id: int):
    category = db.session.get(FindingCategory, category_id)
    if category is None:
        abort(404)
    service.finding_category_set_active(
        actor=current_user, category=category, active=request.form.get("active") == "1"
    )
    flash(_("问题分类已更新。"), "success")
    return redirect(url_for("tasks.categories"))


# --- home panels ----------------------------------------------------------------------------


def inspector_panel(user: User):
    my_tasks = select(TaskInspector.task_id).where(TaskInspector.user_id == user.id)
    tasks = list(
        db.session.scalars(
            select(SupervisionTask)
            .where(SupervisionTask.id.in_(my_tasks), SupervisionTask.status == "active")
            .order_by(SupervisionTask.period_end)
            .limit(10)
        )
    )
    counts = db.session.execute(
        select(
            select(func.count(SupervisionTask.id))
            .where(SupervisionTask.id.in_(my_tasks), SupervisionTask.status == "active")
            .scalar_subquery(),
            select(func.count(SupervisionTask.id)).where(SupervisionTask.id.in_(my_tasks)).scalar_subquery(),
            select(func.count(Finding.id))
            .where(Finding.inspector_id == user.id, Finding.status != "dismissed")
            .scalar_subquery(),
            select(func.count(Finding.id))
            .where(Finding.inspector_id == user.id, Finding.status == "open")
            .scalar_subquery(),
        )
    ).one()
    leaders = _leaders([t.id for t in tasks])
    return "tasks/_home_inspector.html", {
        "tasks": tasks,
        "active_count": counts[0],
        "task_count": counts[1],
        "finding_count": counts[2],
        "open_count": counts[3],
        "finding_counts": _finding_counts([t.id for t in tasks]),
        "leaders": leaders,
    }


def lead_panel(user: User):
    tasks = list(
        db.session.scalars(
            select(SupervisionTask)
            .where(SupervisionTask.status == "active")  # drafts are counted in their own card
            .order_by(SupervisionTask.period_end, SupervisionTask.id)
            .limit(10)
        )
    )
    ids = [t.id for t in tasks]
    counts = db.session.execute(
        select(
            select(func.count(SupervisionTask.id))
            .where(SupervisionTask.status == "active")
            .scalar_subquery(),
            select(func.count(SupervisionTask.id)).where(SupervisionTask.status == "draft").scalar_subquery(),
            select(func.count(Finding.id)).where(Finding.status == "open").scalar_subquery(),
            select(func.count(Finding.id))
            .where(Finding.status == "open", Finding.severity == "serious")
            .scalar_subquery(),
        )
    ).one()
    return "tasks/_home_lead.html", {
        "tasks": tasks,
        "active_count": counts[0],
        "draft_count": counts[1],
        "open_count": counts[2],
        "serious_count": counts[3],
        "finding_counts": _finding_counts(ids),
        "unit_counts": _unit_counts(ids),
        "leaders": _leaders(ids),
    }
