"""Campaigns: the index (by role), set-up, the campaign page, its workflow steps and its exports."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...exports import reviews as exports
from ...formatting import local_today
from ...forms import ActionForm
from ...forms.reviews import CampaignForm, SampleForm
from ...parsing import id_arg, year_arg
from ...permissions import can, get_campaign_for_user_or_404, require
from ...queries import reviews as q
from ...services import reviews as campaign_svc
from ..helpers import (
    DOCX_MIME,
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
from . import READ_CAPS, bp, redirect_campaign

# --- index --------------------------------------------------------------------------------


@bp.route("/")
@require(*READ_CAPS)
def index():
    if can(current_user, "reviews.read_all"):
        year, status = year_arg(), request.args.get("status", "")
        data = q.campaign_list_page(current_user, year=year, status=status, page=page_arg())
        return render_template("reviews/index.html", **data, year=year, status=status)
    if can(current_user, "reviews.score"):
        status = request.args.get("status", "assigned")
        campaign_id = id_arg("campaign")
        data = q.my_assignments_page(current_user, status=status, campaign_id=campaign_id, page=page_arg())
        return render_template("reviews/my_assignments.html", **data, status=status, campaign_id=campaign_id)
    return render_template(
        "reviews/unit_campaigns.html", **q.unit_campaigns_page(current_user, page=page_arg())
    )


# --- campaign set-up ----------------------------------------------------------------------


def _campaign_form_choices(form: CampaignForm) -> tuple[list, list]:
    options = q.campaign_form_options()
    form.rubric_id.choices = options["rubrics"]
    form.unit_ids.choices = [(u.id, u.name) for u in options["units"]]
    form.reviewer_ids.choices = [(r[0], r[1]) for r in options["reviewers"]]
    return options["units"], options["reviewers"]


def _campaign_data(form: CampaignForm) -> dict:
    return {
        "year": form.year.data,
        "title": form.title.data,
        "rubric_id": form.rubric_id.data,
        "case_types": form.case_types.data,
        "sample_size": form.sample_size.data,
        "reviewers_per_file": form.reviewers_per_file.data,
        "divergence_margin": float(form.divergence_margin.data)
        if form.divergence_margin.data is not None
        else None,
        "deadline": form.deadline.data,
        "unit_ids": form.unit_ids.data,
        "reviewer_ids": form.reviewer_ids.data,
    }


@bp.route("/campaigns/new", methods=["GET", "POST"])
@require("reviews.manage")
def campaign_new():
    form = CampaignForm()
    units, reviewers = _campaign_form_choices(form)
    if request.method == "GET":
        form.year.data = local_today().year
        form.case_types.data = ["行政处罚"]
        default = q.default_rubric_id()
        if default:
            form.rubric_id.data = default
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: campaign_svc.campaign_create(actor=current_user, data=_campaign_data(form)),
                lambda campaign: url_for("reviews.campaign_detail", campaign_id=campaign.id),
            )
        except DomainError as error:
            flash_domain_error(error)
        else:
            if done.repeated:
                flash_repeat()
            else:
                flash(_("已新建评查活动。下一步：导入各单位的案卷清单，然后随机抽取。"), "success")
            return redirect(done.url)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template(
        "reviews/campaign_form.html", form=form, campaign=None, units=units, reviewers=reviewers
    )


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@require("reviews.manage")
def campaign_edit(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    form = CampaignForm(obj=campaign)
    units, reviewers = _campaign_form_choices(form)
    if request.method == "GET":
        form.version.data = campaign.version
        form.unit_ids.data = [u.id for u in campaign.units]
        form.reviewer_ids.data = [u.id for u in campaign.reviewers]
        form.divergence_margin.data = Decimal(str(campaign.divergence_margin))
    if form.validate_on_submit():
        try:
            campaign_svc.campaign_update(
                actor=current_user, campaign=campaign, data=_campaign_data(form), version=form_version(form)
            )
        except DomainError as error:
            flash_edit_error(error, form, campaign)
        else:
            flash(_("评查活动设置已保存。"), "success")
            return redirect_campaign(campaign.id)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template(
        "reviews/campaign_form.html", form=form, campaign=campaign, units=units, reviewers=reviewers
    )


# --- campaign page ------------------------------------------------------------------------


@bp.route("/campaigns/<int:campaign_id>")
@require(*READ_CAPS)
def campaign_detail(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    if not can(current_user, "reviews.read_all"):
        if can(current_user, "reviews.score"):
            return redirect(url_for("reviews.index", campaign=campaign.id, status="all"))
        return render_template(
            "reviews/unit_results.html",
            campaign=campaign,
            **q.unit_results_page(current_user, campaign, page=page_arg()),
        )
    show = request.args.get("show", "")
    unit_filter = id_arg("unit")
    data = q.campaign_page(current_user, campaign, show=show, unit_id=unit_filter, page=page_arg())
    return render_template(
        "reviews/campaign_detail.html",
        campaign=campaign,
        **data,
        show=show,
        unit_filter=unit_filter,
        sample_form=SampleForm(),
        action_form=ActionForm(),
    )


# --- the campaign's steps: draw, undo the draw, assign, publish ----------------------------


@bp.route("/campaigns/<int:campaign_id>/sample", methods=["POST"])
@require("reviews.manage")
def campaign_sample(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    form = SampleForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect_campaign(campaign.id)
    try:
        notes = campaign_svc.campaign_sample(actor=current_user, campaign=campaign, seed=form.seed.data)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(
            _("已随机抽取案卷（随机种子 %(seed)s，相同种子可复现抽样结果）。", seed=campaign.seed), "success"
        )
        for note in notes:
            flash(note, "warning")
    return redirect_campaign(campaign.id)


@bp.route("/campaigns/<int:campaign_id>/unsample", methods=["POST"])
@require("reviews.manage")
def campaign_unsample(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        count = campaign_svc.campaign_unsample(
            actor=current_user, campaign=campaign, reason=request.form.get("reason", "")
        )
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已撤销抽样（原抽取 %(count)s 卷）。可补充案卷清单后重新抽取。", count=count), "success")
    return redirect_campaign(campaign.id)


@bp.route("/campaigns/<int:campaign_id>/assign", methods=["POST"])
@require("reviews.manage")
def campaign_assign(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    try:
        count = campaign_svc.campaign_assign(actor=current_user, campaign=campaign)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已分配 %(count)s 份评查任务（交叉评查，回避本单位）。", count=count), "success")
    return redirect_campaign(campaign.id)


@bp.route("/campaigns/<int:campaign_id>/publish", methods=["POST"])
@require("reviews.manage")
def campaign_publish(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    try:
        campaign_svc.campaign_publish(actor=current_user, campaign=campaign)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("评查结果已公布，各单位可查看本单位案卷的得分和扣分情况。"), "success")
    return redirect_campaign(campaign.id)


# --- exports ------------------------------------------------------------------------------


@bp.route("/campaigns/<int:campaign_id>/results.xlsx")
@require("reviews.read_all")
def campaign_results_xlsx(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    data = exports.results_xlsx(campaign, *q.campaign_results(campaign))
    return download(data, f"{campaign.title}-评查结果表.xlsx", XLSX_MIME)


@bp.route("/campaigns/<int:campaign_id>/report.docx")
@require("reviews.read_all")
def campaign_report_docx(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    data = exports.report_docx(
        campaign,
        office_name=current_app.config["OFFICE_NAME"],
        authority=current_app.config.get("REVIEW_REPORT_AUTHORITY", ""),
        **q.campaign_report_figures(campaign),
        today=local_today(),
    )
    return download(data, f"{campaign.title}-评查情况通报.docx", DOCX_MIME)
