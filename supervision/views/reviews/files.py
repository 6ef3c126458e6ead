"""Case files: a unit's list (import and its template), a file in or out of the sample, one file's
page and the lead's decisions on it (settle the score, name it excellent, make findings)."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError, ImportRejected, NotAllowed
from ...forms.reviews import CaseFileImportForm, ReassignForm, SettleForm
from ...models import CASE_TYPES, ReviewCampaign
from ...numbers import score_text
from ...permissions import (
    can,
    case_list_units_for_user,
    get_campaign_for_user_or_404,
    get_case_file_for_user_or_404,
    get_upload_campaign_for_user_or_404,
    require,
)
from ...queries import reviews as q
from ...services import case_files as casefile_svc
from ...tabular import read_rows, template_xlsx
from ..helpers import XLSX_MIME, download, flash_domain_error, flash_form_errors
from . import READ_CAPS, bp, redirect_campaign, redirect_file

# --- case-file lists ----------------------------------------------------------------------


def _campaign_for_upload_or_404(campaign_id: int) -> ReviewCampaign:
    if can(current_user, "casefiles.upload"):
        return get_campaign_for_user_or_404(campaign_id, current_user)
    return get_upload_campaign_for_user_or_404(campaign_id, current_user)


@bp.route("/campaigns/<int:campaign_id>/import", methods=["GET", "POST"])
@require("casefiles.upload", "casefiles.upload_own_unit")
def casefiles_import(campaign_id: int):
    campaign = _campaign_for_upload_or_404(campaign_id)
    form = CaseFileImportForm()
    form.unit_id.choices = [(u.id, u.name) for u in case_list_units_for_user(current_user, campaign)]
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            rows = read_rows(form.file.data, required=["案号", "案件名称", "案件类型"])
            result = casefile_svc.casefiles_import(
                actor=current_user, campaign=campaign, unit_id=form.unit_id.data, rows=rows
            )
        except ImportRejected as error:
            flash(error.message, "danger")
            errors = error.errors
        except NotAllowed:
            abort(403)
        except DomainError as error:
            flash_domain_error(error)
        else:
            flash(_("已导入 %(created)s 卷案卷。", created=result.created), "success")
            if can(current_user, "reviews.read_all"):
                return redirect_campaign(campaign.id)
            return redirect(url_for("reviews.index"))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("reviews/casefile_import.html", form=form, errors=errors, campaign=campaign)


@bp.route("/campaigns/<int:campaign_id>/import/template.xlsx")
@require("casefiles.upload", "casefiles.upload_own_unit")
def casefiles_template(campaign_id: int):
    _campaign_for_upload_or_404(campaign_id)
    data = template_xlsx(
        "案卷清单",
        casefile_svc.CASEFILE_COLUMNS,
        [
            [
                "海市监罚〔2026〕12号",
                "某某餐饮店未按规定公示食品经营许可证案",
                "行政处罚",
                "2026-03-05",
                "张三、李四",
            ],
            ["海市监许〔2026〕88号", "某某超市食品经营许可", "行政许可", "2026-04-18", "王五"],
        ],
        [
            "每行一卷案卷。“案号”“案件名称”“案件类型”必填。",
            "案件类型填写：" + "、".join(CASE_TYPES) + "。",
            "决定日期写成 2026-03-05 或 2026年3月5日；承办人多人用顿号分隔。",
            "同一单位的案号不得重复。任何一行有错误时，整个文件都不会导入，系统会列出每一行的错误。",
        ],
        choices={"案件类型": list(CASE_TYPES)},
    )
    return download(data, "案卷清单导入模板.xlsx", XLSX_MIME)


@bp.route("/files/<int:file_id>/sampled", methods=["POST"])
@require("reviews.manage")
def file_sampled(file_id: int):
    case_file = get_case_file_for_user_or_404(file_id, current_user)
    sampled = request.form.get("sampled") == "1"
    try:
        casefile_svc.casefile_set_sampled(
            actor=current_user, case_file=case_file, sampled=sampled, reason=request.form.get("reason", "")
        )
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(
            _("已将案卷加入抽查：%(number)s", number=case_file.case_number)
            if sampled
            else _("已将案卷移出抽查：%(number)s", number=case_file.case_number),
            "success",
        )
    return redirect(url_for("reviews.campaign_detail", campaign_id=case_file.campaign_id, show="pool"))


# --- one file -----------------------------------------------------------------------------


@bp.route("/files/<int:file_id>")
@require(*READ_CAPS)
def file_detail(file_id: int):
    case_file = get_case_file_for_user_or_404(file_id, current_user)
    if not can(current_user, "reviews.read_all"):
        if can(current_user, "reviews.score"):
            mine = q.own_assignment_for_file(current_user, case_file)
            return redirect(url_for("reviews.assignment_detail", assignment_id=mine.id))
        return redirect(
            url_for("reviews.campaign_detail", campaign_id=case_file.campaign_id) + f"#file-{file_id}"
        )
    data = q.file_page(current_user, case_file)
    choices = [(c[0], f"{c[1]}（{c[2] or '—'}）") for c in data.pop("reassign_candidates")]
    reassign_forms = {}
    for a in data.pop("reassignable"):
        form = ReassignForm(prefix=f"a{a.id}")
        form.reviewer_id.choices = choices
        reassign_forms[a.id] = form
    settle_form = SettleForm()
    if case_file.final_score is not None:
        settle_form.score.data = Decimal(str(case_file.final_score))
    return render_template(
        "reviews/file_detail.html",
        case_file=case_file,
        **data,
        settle_form=settle_form,
        reassign_forms=reassign_forms,
    )


@bp.route("/files/<int:file_id>/settle", methods=["POST"])
@require("reviews.manage")
def file_settle(file_id: int):
    case_file = get_case_file_for_user_or_404(file_id, current_user)
    form = SettleForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect_file(case_file.id)
    try:
        casefile_svc.casefile_settle(
            actor=current_user, case_file=case_file, score=float(form.score.data), reason=form.reason.data
        )
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(
            _(
                "已裁定最终得分 %(final_score)s 分（%(grade)s）。",
                final_score=score_text(case_file.final_score),
                grade=case_file.grade,
            ),
            "success",
        )
    return redirect_file(case_file.id)


@bp.route("/files/<int:file_id>/excellent", methods=["POST"])
@require("reviews.manage")
def file_excellent(file_id: int):
    case_file = get_case_file_for_user_or_404(file_id, current_user)
    excellent = request.form.get("excellent") == "1"
    try:
        casefile_svc.casefile_set_excellent(actor=current_user, case_file=case_file, excellent=excellent)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已评为优秀案卷。") if excellent else _("已取消优秀案卷。"), "success")
    return redirect_file(case_file.id)


@bp.route("/files/<int:file_id>/findings", methods=["POST"])
@require("reviews.manage")
def file_findings(file_id: int):
    case_file = get_case_file_for_user_or_404(file_id, current_user)
    try:
        findings = casefile_svc.findings_from_casefile(actor=current_user, case_file=case_file)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(
            _(
                "已将 %(count)s 项扣分转为“%(name)s”的发现问题，可随通知书下发。",
                count=len(findings),
                name=case_file.unit.name,
            ),
            "success",
        )
    return redirect_file(case_file.id)
