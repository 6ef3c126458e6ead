"""The improvement roadmap: the list (filters, export), a new item for a weak indicator, editing,
one item and its steps."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...exports import scorecards as exports
from ...extensions import db
from ...formatting import local_today
from ...forms import ActionForm
from ...forms.scorecards import RoadmapForm
from ...models import Indicator
from ...parsing import id_arg, year_arg
from ...permissions import can, get_assessment_for_user_or_404, get_roadmap_item_for_user_or_404, require
from ...queries import scorecards as queries
from ...services import roadmap as svc
from ...urls import safe_next
from ...workflow import allowed_steps
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
from ..suggest import chosen_unit
from . import READ_ROADMAP, bp


def _filters() -> dict:
    """The list's filters from the query string. The office picks any unit (by id, or by the name
    typed in the picker); a unit sees only its own."""
    unit_choice = chosen_unit() if can(current_user, "scorecards.read_all") else None
    return {
        "unit": unit_choice[0] if unit_choice else id_arg("unit"),
        "unit_choice": unit_choice,
        "year": year_arg(),
        "status": request.args.get("status", ""),
        "overdue": request.args.get("overdue", ""),
        "q": request.args.get("q", "").strip(),
    }


@bp.route("/roadmap")
@require(*READ_ROADMAP)
def roadmap():
    filters = _filters()
    today = local_today()
    return render_template(
        "scorecards/roadmap.html",
        filters=filters,
        pick_unit=can(current_user, "scorecards.read_all"),
        unit_choice=filters["unit_choice"],
        today=today,
        **queries.roadmap_page(current_user, filters, today, page_arg()),
    )


@bp.route("/roadmap/export.xlsx")
@require(*READ_ROADMAP)
def roadmap_export():
    today = local_today()
    rows = queries.roadmap_export_rows(current_user, _filters(), today)  # streamed: counted, then in chunks
    return download(exports.roadmap_xlsx(rows, today, total=len(rows)), "短板整改路线图.xlsx", XLSX_MIME)


@bp.route("/roadmap/new", methods=["GET", "POST"])
@require("roadmap.manage", "roadmap.update_own_unit")
def roadmap_new():
    assessment = get_assessment_for_user_or_404(id_arg("assessment") or 0, current_user)
    indicator = db.session.get(Indicator, id_arg("indicator") or 0)
    if indicator is None or indicator.framework_id != assessment.round.framework_id:
        abort(404)
    form = RoadmapForm()
    if request.method == "GET":
        form.owner.data = ""
        form.due_date.data = date(assessment.round.year + 1, 6, 30)
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: svc.roadmap_item_create(
                    actor=current_user, assessment=assessment, indicator=indicator, data=form.data
                ),
                lambda _item: url_for("scorecards.assessment", assessment_id=assessment.id, _anchor="weak"),
            )
        except DomainError as error:
            flash_domain_error(error)
        else:
            if done.repeated:
                flash_repeat()
            else:
                flash(_("已为指标 %(code)s 制定路线图。", code=indicator.code), "success")
            return redirect(done.url)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template(
        "scorecards/roadmap_form.html", form=form, item=None, assessment=assessment, indicator=indicator
    )


@bp.route("/roadmap/<int:item_id>/edit", methods=["GET", "POST"])
@require("roadmap.manage", "roadmap.update_own_unit")
def roadmap_edit(item_id: int):
    item = get_roadmap_item_for_user_or_404(item_id, current_user)
    form = RoadmapForm(obj=item)
    if request.method == "GET":
        form.version.data = item.version
    if form.validate_on_submit():
        try:
            svc.roadmap_item_update(actor=current_user, item=item, data=form.data, version=form_version(form))
        except DomainError as error:
            flash_edit_error(error, form, item)
        else:
            flash(_("路线图事项已保存。"), "success")
            return redirect(url_for("scorecards.roadmap_detail", item_id=item.id))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template(
        "scorecards/roadmap_form.html",
        form=form,
        item=item,
        assessment=item.assessment,
        indicator=item.indicator,
    )


@bp.route("/roadmap/<int:item_id>")
@require(*READ_ROADMAP)
def roadmap_detail(item_id: int):
    item = get_roadmap_item_for_user_or_404(item_id, current_user)
    return render_template(
        "scorecards/roadmap_detail.html",
        item=item,
        steps=allowed_steps(item, current_user),
        today=local_today(),
        **queries.roadmap_item_page(current_user, item),
    )


@bp.route("/roadmap/<int:item_id>/<action>", methods=["POST"])
@require("roadmap.manage")
def roadmap_step(item_id: int, action: str):
    item = get_roadmap_item_for_user_or_404(item_id, current_user)
    if action not in ("start", "complete") or not ActionForm().validate_on_submit():
        abort(404)
    try:
        svc.roadmap_item_step(actor=current_user, item=item, action=action)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("状态已更新。"), "success")
    target = safe_next(request.form.get("next"))
    return redirect(target or url_for("scorecards.roadmap_detail", item_id=item.id))
