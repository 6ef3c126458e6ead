"""Findings: recording and editing one, its page, evidence and dismissal, the list across tasks."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError, NotAllowed
from ...formatting import local_today
from ...forms import ActionForm
from ...forms.tasks import FindingForm
from ...models import SEVERITIES, Finding, SupervisionTask
from ...parsing import form_id, id_arg
from ...permissions import (
    can,
    can_edit_finding,
    can_record_finding_for_unit,
    can_record_finding_in,
    get_finding_for_user_or_404,
    get_task_for_user_or_404,
    require,
)
from ...queries import tasks as queries
from ...services import tasks as service
from ...services.attachments import ACCEPT_ATTR
from ...workflow import MACHINES
from ..helpers import (
    flash_domain_error,
    flash_edit_error,
    flash_form_errors,
    flash_repeat,
    form_version,
    page_arg,
    submit_once,
)
from ..suggest import chosen_unit
from . import FINDINGS_READ, bp, finding_filter_args
from .finding_filter import findings_filter
from .finding_rows import finding_rows

# --- the finding form -----------------------------------------------------------------------


def _finding_form_choices(form: FindingForm, task: SupervisionTask | None, finding: Finding | None) -> None:
    if task is not None:
        rows = queries.task_unit_rows(task)
        # The inspector's own unit is left out: they may not record findings against it.
        choices = [(uid, name) for uid, name in rows if can_record_finding_for_unit(current_user, uid)]
    else:
        choices = [(finding.unit_id, finding.unit.name)] if finding else []
    form.unit_id.choices = [(0, _("请选择单位")), *choices]
    names = queries.finding_category_names()
    if finding is not None and finding.category not in names:
        names.append(finding.category)
    form.category.choices = [("", _("请选择分类")), *((n, n) for n in names)]
    form.indicator_id.choices = [
        (0, _("不对应具体指标")),
        *queries.indicator_choices(finding.indicator_id if finding else None),
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


# --- the findings list and the finding page -------------------------------------------------


@bp.route("/findings")
@require(*FINDINGS_READ)
def findings():
    """Every finding the user may see, across tasks (and those from reviews and assessments)."""
    args = finding_filter_args()
    unit_choice = chosen_unit()
    args["unit"] = unit_choice[0] if unit_choice else None
    today = local_today()
    return render_template(
        "tasks/findings.html",
        **queries.findings_list(current_user, args, id_arg("task"), page_arg()),
        args=args,
        unit_choice=unit_choice,
        export_args={k: v for k, v in args.items() if v},
        severities=SEVERITIES,
        categories=queries.finding_category_names_kept(include_inactive=True),
        finding_statuses=MACHINES["finding"].statuses,
        years=list(range(today.year, today.year - 6, -1)),
        finding_rows=finding_rows,
        findings_filter=findings_filter,
    )


@bp.route("/findings/<int:finding_id>")
@require(*FINDINGS_READ)
def finding_detail(finding_id: int):
    finding = get_finding_for_user_or_404(finding_id, current_user)
    editable = (
        can_edit_finding(current_user, finding)
        and finding.status == "open"
        and (finding.task is None or finding.task.status == "active")
    )
    return render_template(
        "tasks/finding_detail.html",
        finding=finding,
        **queries.finding_page(current_user, finding),
        editable=editable,
        can_dismiss=finding.status == "open" and can(current_user, "findings.dismiss"),
        accept=ACCEPT_ATTR,
        action_form=ActionForm(),
    )


# --- evidence and dismissal -----------------------------------------------------------------


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
