"""Indicator frameworks: the list, one framework, import, the import template, export, editing."""

from __future__ import annotations

import csv
import io
from itertools import combinations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError, ImportRejected
from ...exports import scorecards as exports
from ...exports.sheets import csv_text
from ...extensions import db
from ...forms.scorecards import FrameworkImportForm, IndicatorForm
from ...models import UNIT_KINDS, Framework, Indicator
from ...permissions import require
from ...queries import scorecards as queries
from ...services import frameworks as svc
from ...tabular import read_rows, template_xlsx
from ..helpers import XLSX_MIME, download, flash_domain_error, flash_form_errors
from . import bp

TEMPLATE_ROWS = [
    ["一级指标", "1", "", "政府职能依法全面履行", "", "", "", "区司法局"],
    ["二级指标", "1.1", "1", "深化简政放权", "", "", "", ""],
    [
        "三级指标",
        "1.1.1",
        "1.1",
        "行政许可事项全部纳入清单管理并向社会公布。",
        "2",
        "资料审查",
        "区政府、部门",
        "区审改办",
    ],
    [
        "三级指标",
        "1.1.2",
        "1.1",
        "行政规范性文件报备率、及时率、规范率均达100%。",
        "2",
        "备案系统核查",
        "",
        "各制定机关",
    ],
]
TEMPLATE_NOTES = [
    "每行一项指标。“编码”“内容”必填；一级指标的“上级编码”留空，其余填写上级指标的编码。",
    "层级不限（可以是三级，也可以更多）；“层级名称”写该行所在层级的名称，如“一级指标”，同一层级须一致。",
    "“分值”只需填写最末一级指标；全部留空表示各项等权（每项 1 分）。上级指标的分值为下级之和，可留空。",
    "“适用单位类型”填写：区政府、部门、镇乡街道，多个用顿号分隔；留空表示全部适用。",
    "“评价方式”如：资料审查、平台数据核查、实地核查、第三方评估。",
    "任何一行有错误时，整个文件都不会导入，系统会列出每一行的行号和原因。",
    "导入后如同名指标体系已存在，则作为新版本保存；已被评估轮次使用的版本已冻结，不会被修改。",
]


@bp.route("/frameworks")
@require("reference.read")
def frameworks():
    return render_template("scorecards/frameworks.html", **queries.frameworks_page())


def _framework_or_404(framework_id: int) -> Framework:
    framework = db.session.get(Framework, framework_id)
    if framework is None:
        abort(404)
    return framework


@bp.route("/frameworks/<int:framework_id>")
@require("reference.read")
def framework_detail(framework_id: int):
    framework = _framework_or_404(framework_id)
    return render_template(
        "scorecards/framework_detail.html",
        framework=framework,
        **queries.framework_page(current_user, framework),
    )


@bp.route("/frameworks/import", methods=["GET", "POST"])
@require("admin.manage")
def framework_import():
    form = FrameworkImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            rows = read_rows(form.file.data, required=svc.FRAMEWORK_REQUIRED)
            framework = svc.framework_import(
                actor=current_user,
                name=form.name.data,
                year=form.year.data,
                description=form.description.data,
                rows=rows,
            )
        except ImportRejected as error:
            flash(error.message, "danger")
            errors = error.errors
        except DomainError as error:
            flash_domain_error(error)
        else:
            flash(_("已导入“%(label)s”。", label=framework.label), "success")
            return redirect(url_for("scorecards.framework_detail", framework_id=framework.id))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("scorecards/framework_import.html", form=form, errors=errors)


def kind_combinations() -> list[str]:
    """Every non-empty set of unit kinds as the template writes it (区政府、部门 …), for a drop-down."""
    labels = list(UNIT_KINDS.values())
    return ["、".join(c) for n in range(1, len(labels) + 1) for c in combinations(labels, n)]


@bp.route("/frameworks/template.xlsx")
@require("reference.read")
def framework_template():
    data = template_xlsx(
        "指标体系",
        svc.FRAMEWORK_COLUMNS,
        TEMPLATE_ROWS,
        TEMPLATE_NOTES,
        suggestions={"适用单位类型": kind_combinations()},
    )
    return download(data, "指标体系导入模板.xlsx", XLSX_MIME)


@bp.route("/frameworks/<int:framework_id>/export.<fmt>")
@require("reference.read")
def framework_export(framework_id: int, fmt: str):
    framework = _framework_or_404(framework_id)
    rows = svc.framework_export_rows(framework)
    name = f"{framework.name}_第{framework.version}版"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(svc.FRAMEWORK_COLUMNS)
        writer.writerows([csv_text(value) for value in row] for row in rows)
        return download(out.getvalue().encode("utf-8-sig"), f"{name}.csv", "text/csv")
    if fmt == "xlsx":
        return download(
            exports.framework_xlsx(framework, svc.FRAMEWORK_COLUMNS, rows), f"{name}.xlsx", XLSX_MIME
        )
    abort(404)


@bp.route("/frameworks/<int:framework_id>/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@require("admin.manage")
def indicator_edit(framework_id: int, indicator_id: int):
    framework = _framework_or_404(framework_id)
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None or indicator.framework_id != framework.id:
        abort(404)
    form = IndicatorForm(obj=indicator)
    if request.method == "GET":
        form.kinds.data = indicator.kinds
        form.max_points.data = f"{indicator.max_points:g}"
    if form.validate_on_submit():
        try:
            svc.indicator_update(actor=current_user, indicator=indicator, data=form.data)
        except DomainError as error:
            flash_domain_error(error)
        else:
            flash(_("指标 %(code)s 已保存。", code=indicator.code), "success")
            return redirect(url_for("scorecards.framework_detail", framework_id=framework.id))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template(
        "scorecards/indicator_form.html", form=form, framework=framework, indicator=indicator
    )
