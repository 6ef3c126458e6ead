"""The task list, the task form, the task page and its findings ledger."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError, NotAllowed
from ...formatting import local_today
from ...forms.tasks import TaskForm
from ...models import SEVERITIES, SupervisionTask
from ...parsing import form_id, year_arg
from ...permissions import can, can_record_finding_in, get_task_for_user_or_404, require
from ...queries import tasks as queries
from ...services import tasks as service
from ...services.attachments import ACCEPT_ATTR
from ...workflow import MACHINES, allowed_steps
from ..helpers import (
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
from ..suggest import chosen_inspector, chosen_unit
from . import READ, bp, finding_filter_args
from .finding_rows import finding_rows
from .task_list import task_list_page

# --- task list ------------------------------------------------------------------------------


@bp.route("/")
@require(*READ)
def index():
    year = year_arg()
    unit_choice, inspector_choice = chosen_unit(), chosen_inspector()
    args = {
        "status": request.args.get("status", ""),
        "kind": request.args.get("kind", ""),
        "year": year,
        "unit": unit_choice[0] if unit_choice else None,
        "inspector": inspector_choice[0] if inspector_choice else None,
        "q": request.args.get("q", "").strip(),
        "sort": request.args.get("sort", "new"),
    }
    listed = queries.task_list(current_user, args, page_arg())
    mine = not can(current_user, "tasks.read_all")
    content = task_list_page(
        listed["page"],
        listed["years"],
        args,
        unit_choice,
        inspector_choice,
        pick_inspector=not mine,
        mine=mine,
        can_manage=can(current_user, "tasks.manage"),
    )
    return render_template("tasks/index.html", mine=mine, content=content)


# --- the task form --------------------------------------------------------------------------


def _picker_context(task: SupervisionTask | None, form: TaskForm) -> dict:
    """The unit and inspector checkbox lists and what is ticked in them."""
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
        **queries.task_form_rows(),
        "chosen_units": chosen_units,
        "chosen_inspectors": chosen_inspectors,
        "leader": leader,
        "today": local_today(),
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


@bp.route("/<int:task_id>")
@require(*READ)
def detail(task_id: int):
    task = get_task_for_user_or_404(task_id, current_user)
    args = finding_filter_args()
    return render_template(
        "tasks/detail.html",
        task=task,
        **queries.task_page(current_user, task, args, page_arg()),
        severities=SEVERITIES,
        args=args,
        categories=queries.finding_category_names(include_inactive=True),
        finding_statuses=MACHINES["finding"].statuses,
        can_record=task.status == "active" and can_record_finding_in(current_user, task),
        steps=allowed_steps(task, current_user),
        accept=ACCEPT_ATTR,
        finding_rows=finding_rows,
    )


@bp.route("/<int:task_id>/ledger.xlsx")
@require(*READ)
def ledger(task_id: int):
    from ...exports.tasks import findings_ledger_xlsx

    task = get_task_for_user_or_404(task_id, current_user)
    data = findings_ledger_xlsx(task, queries.ledger_findings(task))
    return download(data, f"督察问题台账_{task.code}.xlsx", XLSX_MIME)
