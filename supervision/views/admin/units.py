"""Units: list, create, edit, deactivate, import; each unit's page with its audit timeline."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...forms import ActionForm
from ...forms.admin import UnitForm, UploadForm
from ...models import UNIT_KINDS
from ...permissions import get_unit_for_user_or_404, require
from ...queries import admin as queries
from ...services import org
from ...services.attachments import ACCEPT_ATTR
from ...tabular import template_xlsx
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
from . import bp, import_page


@bp.route("/units")
@require("reference.read")
def units():
    args = {
        "q": request.args.get("q", "").strip(),
        "kind": request.args.get("kind", ""),
        "state": request.args.get("state", "active"),
    }
    return render_template(
        "admin/units.html",
        **queries.units_page(current_user, args, page_arg()),
        kinds=UNIT_KINDS,
        keyword=args["q"],
        kind=args["kind"],
        state=args["state"],
    )


@bp.route("/units/new", methods=["GET", "POST"])
@require("admin.manage")
def unit_new():
    form = UnitForm()
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: org.unit_create(actor=current_user, data=form.data),
                lambda unit: url_for("admin.unit_detail", unit_id=unit.id),
            )
        except DomainError as error:
            flash_domain_error(error)
        else:
            if done.repeated:
                flash_repeat()
            else:
                flash(_("已新建单位“%(name)s”。", name=done.record.name), "success")
            return redirect(done.url)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("admin/unit_form.html", form=form, unit=None)


@bp.route("/units/<int:unit_id>")
@require("reference.read")
def unit_detail(unit_id: int):
    unit = get_unit_for_user_or_404(unit_id, current_user)
    return render_template(
        "admin/unit_detail.html",
        unit=unit,
        **queries.unit_page(current_user, unit),
        action_form=ActionForm(),
        upload_form=UploadForm(),
        accept=ACCEPT_ATTR,
    )


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@require("admin.manage")
def unit_edit(unit_id: int):
    unit = get_unit_for_user_or_404(unit_id, current_user)
    form = UnitForm(obj=unit)
    if request.method == "GET":
        form.version.data = unit.version
    if form.validate_on_submit():
        try:
            org.unit_update(actor=current_user, unit=unit, data=form.data, version=form_version(form))
        except DomainError as error:
            flash_edit_error(error, form, unit)
        else:
            flash(_("单位信息已保存。"), "success")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("admin/unit_form.html", form=form, unit=unit)


@bp.route("/units/<int:unit_id>/active", methods=["POST"])
@require("admin.manage")
def unit_set_active(unit_id: int):
    unit = get_unit_for_user_or_404(unit_id, current_user)
    active = request.form.get("active") == "1"
    org.unit_set_active(actor=current_user, unit=unit, active=active)
    flash(
        _("已启用单位“%(name)s”。", name=unit.name)
        if active
        else _("已停用单位“%(name)s”。", name=unit.name),
        "success",
    )
    return redirect(url_for("admin.unit_detail", unit_id=unit.id))


@bp.route("/units/<int:unit_id>/files", methods=["POST"])
@require("admin.manage")
def unit_files(unit_id: int):
    unit = get_unit_for_user_or_404(unit_id, current_user)
    uploads = request.files.getlist("files")
    try:
        added = org.unit_add_files(actor=current_user, unit=unit, uploads=uploads)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已上传 %(count)s 个附件。", count=len(added)), "success")
    return redirect(url_for("admin.unit_detail", unit_id=unit.id))


@bp.route("/units/import", methods=["GET", "POST"])
@require("admin.manage")
def units_import():
    return import_page(
        title="批量导入单位",
        required=["单位名称", "类型"],
        importer=org.units_import,
        noun="单位",
        list_endpoint="admin.units",
        template_endpoint="admin.units_template",
    )


@bp.route("/units/import/template.xlsx")
@require("admin.manage")
def units_template():
    data = template_xlsx(
        "单位",
        org.UNIT_COLUMNS,
        [["区文化广电旅游体育局", "区文广旅体局", "部门", "330203-018"], ["集士港镇", "", "镇乡街道", ""]],
        [
            "每行一个单位。“单位名称”和“类型”必填。",
            "类型填写：区政府、部门、镇乡街道。",
            "单位名称、编码不得与已有单位重复。",
            "任何一行有错误时，整个文件都不会导入，系统会列出每一行的错误。",
        ],
        choices={"类型": list(UNIT_KINDS.values())},
    )
    return download(data, "单位导入模板.xlsx", XLSX_MIME)
