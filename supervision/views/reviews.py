"""Case-file review (案卷评查): campaigns, case-file lists, sampling, cross-review scoring, results."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from .. import scoring
from ..errors import DomainError, ImportRejected, NotAllowed, StaleEdit
from ..exports import reviews as exports
from ..extensions import db
from ..formatting import local_today
from ..forms import ActionForm
from ..forms.reviews import (
    CampaignForm,
    CaseFileImportForm,
    ReassignForm,
    RubricImportForm,
    SampleForm,
    SettleForm,
)
from ..models import (
    CASE_TYPES,
    AuditEvent,
    CaseFile,
    Finding,
    ReviewAssignment,
    ReviewCampaign,
    ReviewDeduction,
    Rubric,
    RubricItem,
    Unit,
    User,
)
from ..numbers import score_text
from ..parsing import BadNumber, form_id, form_int, id_arg, parse_decimal, year_arg
from ..permissions import (
    assignments_for_user,
    audit_events_for_record,
    campaigns_for_user,
    can,
    can_score,
    case_files_for_user,
    case_list_units_for_user,
    get_assignment_for_user_or_404,
    get_campaign_for_user_or_404,
    get_case_file_for_user_or_404,
    get_upload_campaign_for_user_or_404,
    require,
    unit_upload_campaigns_for_user,
)
from ..services import reviews as svc
from ..tabular import read_rows, template_xlsx
from .helpers import (
    DOCX_MIME,
    XLSX_MIME,
    download,
    flash_domain_error,
    flash_edit_error,
    flash_form_errors,
    flash_repeat,
    flash_stale_form,
    form_version,
    page_arg,
    stale_rows,
    submit_once,
)

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

READ_CAPS = ("reviews.read_all", "reviews.score", "reviews.read_own_unit")


def _redirect_campaign(campaign_id: int):
    return redirect(url_for("reviews.campaign_detail", campaign_id=campaign_id))


def _redirect_file(file_id: int):
    return redirect(url_for("reviews.file_detail", file_id=file_id))


# --- index --------------------------------------------------------------------------------


@bp.route("/")
@require(*READ_CAPS)
def index():
    if can(current_user, "reviews.read_all"):
        return _campaign_list()
    if can(current_user, "reviews.score"):
        return _my_assignments()
    return _unit_campaigns()


def _campaign_list():
    query = campaigns_for_user(current_user).options(joinedload(ReviewCampaign.rubric))
    year = year_arg()
    status = request.args.get("status", "")
    if year:
        query = query.where(ReviewCampaign.year == year)
    if status:
        query = query.where(ReviewCampaign.status == status)
    page = db.paginate(
        query.order_by(ReviewCampaign.year.desc(), ReviewCampaign.id.desc()),
        page=page_arg(),
        per_page=20,
        error_out=False,
    )
    ids = [c.id for c in page.items]
    counts = {}
    if ids:
        rows = db.session.execute(
            select(
                CaseFile.campaign_id,
                func.count(CaseFile.id),
                func.count(CaseFile.id).filter(CaseFile.sampled.is_(True)),
                func.count(CaseFile.id).filter(CaseFile.excellent.is_(True)),
            )
            .where(CaseFile.campaign_id.in_(ids))
            .group_by(CaseFile.campaign_id)
        )
        counts = {r[0]: {"pool": r[1], "sampled": r[2], "excellent": r[3]} for r in rows}
        for cid, total, done in db.session.execute(
            select(
                CaseFile.campaign_id,
                func.count(ReviewAssignment.id),
                func.count(ReviewAssignment.id).filter(ReviewAssignment.status == "submitted"),
            )
            .join(ReviewAssignment, ReviewAssignment.case_file_id == CaseFile.id)
            .where(CaseFile.campaign_id.in_(ids))
            .group_by(CaseFile.campaign_id)
        ):
            counts.setdefault(cid, {}).update(assignments=total, submitted=done)
    years = db.session.scalars(
        select(ReviewCampaign.year).distinct().order_by(ReviewCampaign.year.desc())
    ).all()
    return render_template(
        "reviews/index.html", page=page, counts=counts, year=year, status=status, years=years
    )


def _my_assignments():
    status = request.args.get("status", "assigned")
    campaign_id = id_arg("campaign")
    query = (
        assignments_for_user(current_user)
        .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
        .join(ReviewCampaign, ReviewCampaign.id == CaseFile.campaign_id)
        .options(
            joinedload(ReviewAssignment.case_file).joinedload(CaseFile.unit),
            joinedload(ReviewAssignment.case_file).joinedload(CaseFile.campaign),
        )
    )
    if status in ("assigned", "submitted"):
        query = query.where(ReviewAssignment.status == status)
    if campaign_id:
        query = query.where(CaseFile.campaign_id == campaign_id)
    page = db.paginate(
        query.order_by(ReviewCampaign.deadline, CaseFile.unit_id, CaseFile.case_number),
        page=page_arg(),
        per_page=30,
        error_out=False,
    )
    return render_template("reviews/my_assignments.html", page=page, status=status, campaign_id=campaign_id)


def _unit_campaigns():
    page = db.paginate(
        campaigns_for_user(current_user).order_by(ReviewCampaign.year.desc(), ReviewCampaign.id.desc()),
        page=page_arg(),
        per_page=20,
        error_out=False,
    )
    return render_template(
        "reviews/unit_campaigns.html",
        page=page,
        drafts=db.session.scalars(unit_upload_campaigns_for_user(current_user)).all(),
    )


# --- campaign set-up ----------------------------------------------------------------------


def _campaign_form_choices(form: CampaignForm) -> tuple[list, list]:
    rubrics = db.session.execute(
        select(Rubric.id, Rubric.name, Rubric.edition).order_by(Rubric.name, Rubric.edition.desc())
    ).all()
    form.rubric_id.choices = [(rid, f"{name}（第{edition}版）") for rid, name, edition in rubrics]
    units = db.session.execute(
        select(Unit.id, Unit.name, Unit.kind).where(Unit.active.is_(True)).order_by(Unit.kind, Unit.id)
    ).all()
    reviewers = db.session.execute(
        select(User.id, User.display_name, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.in_inspector_pool)
        .order_by(User.id)
    ).all()
    form.unit_ids.choices = [(u.id, u.name) for u in units]
    form.reviewer_ids.choices = [(r[0], r[1]) for r in reviewers]
    return units, reviewers


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
        default = db.session.scalar(
            select(Rubric.id).where(Rubric.is_default.is_(True)).order_by(Rubric.edition.desc())
        )
        if default:
            form.rubric_id.data = default
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: svc.campaign_create(actor=current_user, data=_campaign_data(form)),
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
            svc.campaign_update(
                actor=current_user, campaign=campaign, data=_campaign_data(form), version=form_version(form)
            )
        except DomainError as error:
            flash_edit_error(error, form, campaign)
        else:
            flash(_("评查活动设置已保存。"), "success")
            return _redirect_campaign(campaign.id)
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
        return _unit_results(campaign)
    rubric = db.session.get(Rubric, campaign.rubric_id)
    progress = svc.campaign_progress(campaign.id)
    show = request.args.get("show", "")
    unit_filter = id_arg("unit")
    files_query = (
        select(CaseFile)
        .where(CaseFile.campaign_id == campaign.id)
        .options(
            joinedload(CaseFile.unit),
            selectinload(CaseFile.assignments).joinedload(ReviewAssignment.reviewer),
        )
    )
    if campaign.status != "draft" and show != "pool":
        files_query = files_query.where(CaseFile.sampled.is_(True))
    if show == "divergent":
        files_query = files_query.where(CaseFile.divergent.is_(True))
    elif show == "excellent":
        files_query = files_query.where(CaseFile.excellent.is_(True))
    if unit_filter:
        files_query = files_query.where(CaseFile.unit_id == unit_filter)
    files = db.paginate(
        files_query.order_by(CaseFile.unit_id, CaseFile.case_type, CaseFile.case_number),
        page=page_arg(),
        per_page=50,
        error_out=False,
    )
    stats = {}
    if campaign.status in ("reviewing", "published"):
        stats = {
            "overall": svc.overall_average(campaign.id),
            "averages": svc.unit_averages(campaign.id),
            "grades": svc.grade_distribution(campaign),
            "common": svc.frequent_deductions(campaign.id),
        }
    pool_by_unit = dict(
        db.session.execute(
            select(CaseFile.unit_id, func.count(CaseFile.id))
            .where(CaseFile.campaign_id == campaign.id)
            .group_by(CaseFile.unit_id)
        ).all()
    )
    events = db.session.scalars(
        audit_events_for_record(current_user, "campaign", campaign.id)
        .options(joinedload(AuditEvent.actor))
        .limit(50)
    ).all()
    blockers = svc.publish_blockers(campaign) if campaign.status == "reviewing" else []
    reviewer_progress = []
    if campaign.status == "reviewing":
        reviewer_progress = db.session.execute(
            select(
                User.display_name,
                func.count(ReviewAssignment.id),
                func.count(ReviewAssignment.id).filter(ReviewAssignment.status == "submitted"),
            )
            .join(ReviewAssignment, ReviewAssignment.reviewer_id == User.id)
            .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
            .where(CaseFile.campaign_id == campaign.id)
            .group_by(User.id, User.display_name)
            .order_by(User.id)
        ).all()
    return render_template(
        "reviews/campaign_detail.html",
        campaign=campaign,
        rubric=rubric,
        progress=progress,
        files=files,
        stats=stats,
        show=show,
        unit_filter=unit_filter,
        pool_by_unit=pool_by_unit,
        events=events,
        blockers=blockers,
        reviewer_progress=reviewer_progress,
        sample_form=SampleForm(),
        action_form=ActionForm(),
    )


def _unit_results(campaign: ReviewCampaign):
    """A liaison's view of a published campaign: their unit's files, scores and deductions, no names."""
    unit_id = current_user.unit_id
    files = db.paginate(
        case_files_for_user(current_user)
        .where(CaseFile.campaign_id == campaign.id)
        .order_by(CaseFile.case_type, CaseFile.case_number),
        page=page_arg(),
        per_page=30,
        error_out=False,
    )
    ids = [f.id for f in files.items]
    deductions: dict[int, list] = defaultdict(list)
    if ids:
        rows = db.session.execute(
            select(
                ReviewAssignment.case_file_id,
                ReviewAssignment.id,
                RubricItem.category,
                RubricItem.text,
                RubricItem.is_veto,
                ReviewDeduction.points,
                ReviewDeduction.note,
            )
            .join(ReviewDeduction, ReviewDeduction.assignment_id == ReviewAssignment.id)
            .join(RubricItem, RubricItem.id == ReviewDeduction.item_id)
            .where(
                ReviewAssignment.case_file_id.in_(ids),
                ReviewAssignment.status == "submitted",
                (ReviewDeduction.points > 0) | RubricItem.is_veto,
            )
            .order_by(ReviewAssignment.case_file_id, ReviewAssignment.id, RubricItem.order)
        )
        order: dict[int, dict[int, int]] = defaultdict(dict)
        for file_id, assignment_id, category, text, veto, points, note in rows:
            n = order[file_id].setdefault(assignment_id, len(order[file_id]) + 1)
            deductions[file_id].append(
                {
                    "reviewer_no": n,
                    "category": category,
                    "text": text,
                    "veto": veto,
                    "points": points,
                    "note": note,
                }
            )
    rubric = db.session.get(Rubric, campaign.rubric_id)
    return render_template(
        "reviews/unit_results.html",
        campaign=campaign,
        rubric=rubric,
        files=files,
        deductions=deductions,
        averages=svc.unit_averages(campaign.id, unit_id=unit_id),
        grades=svc.grade_distribution(campaign, unit_id=unit_id),
        common=svc.frequent_deductions(campaign.id, limit=5, unit_id=unit_id),
    )


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
            result = svc.casefiles_import(
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
                return _redirect_campaign(campaign.id)
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
        svc.CASEFILE_COLUMNS,
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


# --- sampling and assignment --------------------------------------------------------------


@bp.route("/campaigns/<int:campaign_id>/sample", methods=["POST"])
@require("reviews.manage")
def campaign_sample(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    form = SampleForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _redirect_campaign(campaign.id)
    try:
        notes = svc.campaign_sample(actor=current_user, campaign=campaign, seed=form.seed.data)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(
            _("已随机抽取案卷（随机种子 %(seed)s，相同种子可复现抽样结果）。", seed=campaign.seed), "success"
        )
        for note in notes:
            flash(note, "warning")
    return _redirect_campaign(campaign.id)


@bp.route("/campaigns/<int:campaign_id>/unsample", methods=["POST"])
@require("reviews.manage")
def campaign_unsample(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        count = svc.campaign_unsample(
            actor=current_user, campaign=campaign, reason=request.form.get("reason", "")
        )
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已撤销抽样（原抽取 %(count)s 卷）。可补充案卷清单后重新抽取。", count=count), "success")
    return _redirect_campaign(campaign.id)


@bp.route("/files/<int:file_id>/sampled", methods=["POST"])
@require("reviews.manage")
def file_sampled(file_id: int):
    case_file = get_case_file_for_user_or_404(file_id, current_user)
    sampled = request.form.get("sampled") == "1"
    try:
        svc.casefile_set_sampled(
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


@bp.route("/campaigns/<int:campaign_id>/assign", methods=["POST"])
@require("reviews.manage")
def campaign_assign(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    try:
        count = svc.campaign_assign(actor=current_user, campaign=campaign)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已分配 %(count)s 份评查任务（交叉评查，回避本单位）。", count=count), "success")
    return _redirect_campaign(campaign.id)


@bp.route("/campaigns/<int:campaign_id>/publish", methods=["POST"])
@require("reviews.manage")
def campaign_publish(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    try:
        svc.campaign_publish(actor=current_user, campaign=campaign)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("评查结果已公布，各单位可查看本单位案卷的得分和扣分情况。"), "success")
    return _redirect_campaign(campaign.id)


# --- exports ------------------------------------------------------------------------------


def _problems_by_file(campaign_id: int) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(ReviewAssignment.case_file_id, RubricItem.text)
        .join(ReviewDeduction, ReviewDeduction.assignment_id == ReviewAssignment.id)
        .join(RubricItem, RubricItem.id == ReviewDeduction.item_id)
        .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
        .where(
            CaseFile.campaign_id == campaign_id,
            ReviewAssignment.status == "submitted",
            (ReviewDeduction.points > 0) | RubricItem.is_veto,
        )
        .order_by(ReviewAssignment.case_file_id, RubricItem.order)
    )
    out: dict[int, list[str]] = defaultdict(list)
    for file_id, text in rows:
        if text not in out[file_id]:
            out[file_id].append(text)
    return out


def _sampled_files(campaign_id: int) -> list[CaseFile]:
    return db.session.scalars(
        select(CaseFile)
        .where(CaseFile.campaign_id == campaign_id, CaseFile.sampled.is_(True))
        .options(joinedload(CaseFile.unit), selectinload(CaseFile.assignments))
        .order_by(CaseFile.unit_id, CaseFile.case_type, CaseFile.case_number)
    ).all()


@bp.route("/campaigns/<int:campaign_id>/results.xlsx")
@require("reviews.read_all")
def campaign_results_xlsx(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    data = exports.results_xlsx(campaign, _sampled_files(campaign.id), _problems_by_file(campaign.id))
    return download(data, f"{campaign.title}-评查结果表.xlsx", XLSX_MIME)


@bp.route("/campaigns/<int:campaign_id>/report.docx")
@require("reviews.read_all")
def campaign_report_docx(campaign_id: int):
    campaign = get_campaign_for_user_or_404(campaign_id, current_user)
    files = _sampled_files(campaign.id)
    data = exports.report_docx(
        campaign,
        office_name=current_app.config["OFFICE_NAME"],
        authority=current_app.config.get("REVIEW_REPORT_AUTHORITY", ""),
        progress=svc.campaign_progress(campaign.id),
        overall=svc.overall_average(campaign.id),
        averages=svc.unit_averages(campaign.id),
        grades=svc.grade_distribution(campaign),
        common=svc.frequent_deductions(campaign.id),
        excellent=[f for f in files if f.excellent],
        failed=[f for f in files if f.is_final and f.grade == scoring.FAIL_GRADE],
        today=local_today(),
    )
    return download(data, f"{campaign.title}-评查情况通报.docx", DOCX_MIME)


# --- one file -----------------------------------------------------------------------------


@bp.route("/files/<int:file_id>")
@require(*READ_CAPS)
def file_detail(file_id: int):
    case_file = get_case_file_for_user_or_404(file_id, current_user)
    if not can(current_user, "reviews.read_all"):
        if can(current_user, "reviews.score"):
            mine = db.session.scalar(
                assignments_for_user(current_user).where(ReviewAssignment.case_file_id == case_file.id)
            )
            return redirect(url_for("reviews.assignment_detail", assignment_id=mine.id))
        return redirect(
            url_for("reviews.campaign_detail", campaign_id=case_file.campaign_id) + f"#file-{file_id}"
        )
    campaign = case_file.campaign
    rubric = db.session.get(Rubric, campaign.rubric_id)
    assignments = db.session.scalars(
        select(ReviewAssignment)
        .where(ReviewAssignment.case_file_id == case_file.id)
        .options(
            joinedload(ReviewAssignment.reviewer),
            selectinload(ReviewAssignment.deductions).joinedload(ReviewDeduction.item),
        )
        .order_by(ReviewAssignment.id)
    ).all()
    findings = db.session.scalars(
        select(Finding).where(Finding.case_file_id == case_file.id).order_by(Finding.id)
    ).all()
    # The file's own events and its reviews' (submitted, returned …), newest first.
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            ((AuditEvent.record_type == "case_file") & (AuditEvent.record_id == case_file.id))
            | (
                (AuditEvent.record_type == "assignment")
                & AuditEvent.record_id.in_([a.id for a in assignments])
            )
        )
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(50)
    ).all()
    reassign_forms = {}
    if campaign.status == "reviewing" and can(current_user, "reviews.manage"):
        taken = {a.reviewer_id for a in assignments}
        candidates = db.session.execute(
            select(User.id, User.display_name, Unit.short_name)
            .outerjoin(Unit, Unit.id == User.unit_id)
            .where(User.in_inspector_pool, User.id.not_in(taken))
            .where((User.unit_id.is_(None)) | (User.unit_id != case_file.unit_id))
            .order_by(User.id)
        ).all()
        for a in assignments:
            if a.status == "assigned":
                form = ReassignForm(prefix=f"a{a.id}")
                form.reviewer_id.choices = [(c[0], f"{c[1]}（{c[2] or '—'}）") for c in candidates]
                reassign_forms[a.id] = form
    settle_form = SettleForm()
    if case_file.final_score is not None:
        settle_form.score.data = Decimal(str(case_file.final_score))
    return render_template(
        "reviews/file_detail.html",
        case_file=case_file,
        campaign=campaign,
        rubric=rubric,
        assignments=assignments,
        findings=findings,
        events=events,
        settle_form=settle_form,
        reassign_forms=reassign_forms,
        top_grade=scoring.grade_labels(rubric.band_pairs)[0],
        spread=scoring.spread([a.total for a in assignments if a.total is not None]),
    )


@bp.route("/files/<int:file_id>/settle", methods=["POST"])
@require("reviews.manage")
def file_settle(file_id: int):
    case_file = get_case_file_for_user_or_404(file_id, current_user)
    form = SettleForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _redirect_file(case_file.id)
    try:
        svc.casefile_settle(
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
    return _redirect_file(case_file.id)


@bp.route("/files/<int:file_id>/excellent", methods=["POST"])
@require("reviews.manage")
def file_excellent(file_id: int):
    case_file = get_case_file_for_user_or_404(file_id, current_user)
    excellent = request.form.get("excellent") == "1"
    try:
        svc.casefile_set_excellent(actor=current_user, case_file=case_file, excellent=excellent)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已评为优秀案卷。") if excellent else _("已取消优秀案卷。"), "success")
    return _redirect_file(case_file.id)


@bp.route("/files/<int:file_id>/findings", methods=["POST"])
@require("reviews.manage")
def file_findings(file_id: int):
    case_file = get_case_file_for_user_or_404(file_id, current_user)
    try:
        findings = svc.findings_from_casefile(actor=current_user, case_file=case_file)
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
    return _redirect_file(case_file.id)


# --- scoring ------------------------------------------------------------------------------


def _parse_points(text: str) -> float | str | None:
    try:
        value = parse_decimal(text)
    except BadNumber:
        return "bad"
    return None if value is None else float(value)


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@require("reviews.score", "reviews.read_all")
def assignment_detail(assignment_id: int):
    assignment = get_assignment_for_user_or_404(assignment_id, current_user)
    case_file = assignment.case_file
    campaign = case_file.campaign
    rubric = db.session.scalar(
        select(Rubric).where(Rubric.id == campaign.rubric_id).options(selectinload(Rubric.items))
    )
    editable = (
        can_score(current_user, assignment)
        and assignment.status == "assigned"
        and campaign.status == "reviewing"
    )
    values = {d.item_id: {"points": d.points, "note": d.note} for d in assignment.deductions}
    comment = assignment.comment
    errors: list[str] = []
    if request.method == "POST":
        if not can_score(current_user, assignment):
            abort(403)
        form = ActionForm()
        if not form.validate_on_submit():
            abort(400)
        entries, vetoes, values, bad = {}, {}, {}, []
        for item in rubric.items:
            if item.is_veto:
                if request.form.get(f"veto-{item.id}") == "1":
                    note = request.form.get(f"note-{item.id}", "")
                    vetoes[item.id] = note
                    values[item.id] = {"points": 0, "note": note, "veto": True}
                continue
            raw = request.form.get(f"points-{item.id}", "")
            points = _parse_points(raw)
            note = request.form.get(f"note-{item.id}", "")
            values[item.id] = {"points": raw, "note": note}
            if points == "bad":
                bad.append(f"“{item.text}”：扣分“{raw}”不是数字。")
                continue
            entries[item.id] = svc.Entry(points, note)
        comment = request.form.get("comment", "")
        submit = request.form.get("action") == "submit"
        try:
            if bad:
                raise DomainError(bad[0], bad)
            svc.assignment_save(
                actor=current_user,
                assignment=assignment,
                entries=entries,
                vetoes=vetoes,
                comment=comment,
                submit=submit,
                version=form_int(request.form.get("version"), minimum=0)
                or 0,  # none sent: refused, never unchecked
            )
        except StaleEdit:
            # Someone saved this review meanwhile: keep what was typed, take the current version and
            # show what is stored now beside it, so that a deliberate second save goes through.
            flash_stale_form()
            assignment = db.session.get(ReviewAssignment, assignment_id)
            stored = {d.item_id: d.points for d in assignment.deductions}
            g.stale_edit = stale_rows(
                [
                    (
                        item.text,
                        _points_text(stored.get(item.id)),
                        _points_text(values.get(item.id, {}).get("points")),
                    )
                    for item in rubric.items
                    if not item.is_veto
                ]
                + [("评查意见", assignment.comment, comment)]
            )
        except DomainError as error:
            errors = error.errors or [error.message]
            flash(
                _("未保存：%(problem)s", problem=errors[0])
                + (_("（共 %(count)s 处问题）", count=len(errors)) if len(errors) > 1 else ""),
                "danger",
            )
            assignment = db.session.get(ReviewAssignment, assignment_id)
        else:
            if submit:
                flash(_("评分已提交：%(total)s 分。", total=score_text(assignment.total)), "success")
                return redirect(url_for("reviews.index"))
            flash(_("已暂存评分，可稍后继续。"), "success")
            return redirect(url_for("reviews.assignment_detail", assignment_id=assignment.id))
    else:
        for d in assignment.deductions:
            if d.item.is_veto:
                values[d.item_id]["veto"] = True
    groups: list[tuple[str, float | None, list]] = []
    for category in [c["name"] for c in rubric.categories]:
        groups.append(
            (category, rubric.category_max.get(category), [i for i in rubric.items if i.category == category])
        )
    vetoes_items = [i for i in rubric.items if i.is_veto]
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.record_type == "assignment", AuditEvent.record_id == assignment.id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(20)
    ).all()
    return render_template(
        "reviews/assignment.html",
        assignment=assignment,
        case_file=case_file,
        campaign=campaign,
        rubric=rubric,
        groups=groups,
        veto_items=vetoes_items,
        values=values,
        comment=comment,
        editable=editable,
        errors=errors,
        events=events,
        bands="|".join(f"{label}:{minimum:g}" for label, minimum in rubric.band_pairs),
    )


@bp.route("/assignments/<int:assignment_id>/return", methods=["POST"])
@require("reviews.manage")
def assignment_return(assignment_id: int):
    assignment = get_assignment_for_user_or_404(assignment_id, current_user)
    try:
        svc.assignment_return(
            actor=current_user, assignment=assignment, reason=request.form.get("reason", "")
        )
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已退回%(display_name)s重新评分。", display_name=assignment.reviewer.display_name), "success")
    return _redirect_file(assignment.case_file_id)


@bp.route("/assignments/<int:assignment_id>/reassign", methods=["POST"])
@require("reviews.manage")
def assignment_reassign(assignment_id: int):
    assignment = get_assignment_for_user_or_404(assignment_id, current_user)
    reviewer_id = form_id(request.form.get(f"a{assignment.id}-reviewer_id")) or form_id(
        request.form.get("reviewer_id")
    )
    try:
        svc.assignment_reassign(actor=current_user, assignment=assignment, reviewer_id=reviewer_id or 0)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已改派给%(display_name)s。", display_name=assignment.reviewer.display_name), "success")
    return _redirect_file(assignment.case_file_id)


# --- rubrics ------------------------------------------------------------------------------


@bp.route("/rubrics")
@require("reference.read")
def rubrics():
    items = db.session.execute(
        select(Rubric, func.count(RubricItem.id))
        .outerjoin(RubricItem, RubricItem.rubric_id == Rubric.id)
        .group_by(Rubric.id)
        .order_by(Rubric.name, Rubric.edition.desc())
    ).all()
    return render_template("reviews/rubrics.html", rubrics=items)


@bp.route("/rubrics/<int:rubric_id>")
@require("reference.read")
def rubric_detail(rubric_id: int):
    rubric = db.session.scalar(
        select(Rubric).where(Rubric.id == rubric_id).options(selectinload(Rubric.items))
    )
    if rubric is None:
        abort(404)
    used_by = db.session.scalars(
        select(ReviewCampaign).where(ReviewCampaign.rubric_id == rubric.id).order_by(ReviewCampaign.id.desc())
    ).all()
    events = db.session.scalars(
        audit_events_for_record(current_user, "rubric", rubric.id)
        .options(joinedload(AuditEvent.actor))
        .limit(30)
    ).all()
    return render_template("reviews/rubric_detail.html", rubric=rubric, used_by=used_by, events=events)


@bp.route("/rubrics/<int:rubric_id>/export.xlsx")
@require("reference.read")
def rubric_export(rubric_id: int):
    rubric = db.session.get(Rubric, rubric_id)
    if rubric is None:
        abort(404)
    return download(exports.rubric_xlsx(rubric), f"{rubric.name}（第{rubric.edition}版）.xlsx", XLSX_MIME)


@bp.route("/rubrics/import", methods=["GET", "POST"])
@require("admin.manage")
def rubric_import():
    form = RubricImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: svc.rubric_import(
                    actor=current_user, data=form.file.data.read(), name=form.name.data or ""
                ),
                lambda rubric: url_for("reviews.rubric_detail", rubric_id=rubric.id),
            )
        except ImportRejected as error:
            flash(error.message, "danger")
            errors = error.errors
        except DomainError as error:
            flash_domain_error(error)
            errors = error.errors
        else:
            if done.repeated:
                flash_repeat()
            else:
                flash(_("已导入评查标准“%(name)s”。", name=done.record.label), "success")
            return redirect(done.url)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("reviews/rubric_import.html", form=form, errors=errors)


def _points_text(points) -> str:
    """Deducted points as typed or stored, for comparing them (3, 3.0 and "3" are the same)."""
    value = _parse_points(str(points)) if points not in (None, "") else 0.0
    return f"{value:g}" if isinstance(value, float) else str(points)


NEW_ITEM_ROWS = 3  # blank rows on the edit form for new items
VETO_CHOICE = "__veto__"


@bp.route("/rubrics/<int:rubric_id>/edit", methods=["GET", "POST"])
@require("admin.manage")
def rubric_edit(rubric_id: int):
    rubric = db.session.scalar(
        select(Rubric).where(Rubric.id == rubric_id).options(selectinload(Rubric.items))
    )
    if rubric is None:
        abort(404)
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        bands, items, bad = [], {}, []
        for n in range(1, 7):
            label = request.form.get(f"band-label-{n}", "").strip()
            minimum = _parse_points(request.form.get(f"band-min-{n}", ""))
            if label and label != scoring.FAIL_GRADE:
                if not isinstance(minimum, float):
                    bad.append(f"等级“{label}”的最低分不是数字。")
                else:
                    bands.append((label, minimum))
        removed = {item.id for item in rubric.items if request.form.get(f"remove-{item.id}")}
        added = []
        for n in range(1, NEW_ITEM_ROWS + 1):
            text = request.form.get(f"new-text-{n}", "").strip()
            if not text:
                continue  # a blank row is not an item
            category = request.form.get(f"new-category-{n}", "")
            veto = category == VETO_CHOICE
            top = 0.0 if veto else _parse_points(request.form.get(f"new-max-{n}", ""))
            if not isinstance(top, float):
                bad.append(f"新增项目“{text}”的最高扣分不是数字。")
                continue
            added.append((category, text, top, request.form.get(f"new-guidance-{n}", ""), veto))
        for item in rubric.items:
            if item.id in removed:
                continue
            raw = request.form.get(f"max-{item.id}")
            top = item.max_points if raw is None else _parse_points(raw)
            if not item.is_veto and not isinstance(top, float):
                bad.append(f"“{item.text}”的最高扣分不是数字。")
                continue
            items[item.id] = {
                "text": request.form.get(f"text-{item.id}", item.text),
                "max": 0 if item.is_veto else top,
                "guidance": request.form.get(f"guidance-{item.id}", item.guidance),
            }
        try:
            if bad:
                raise DomainError(bad[0], bad)
            result = svc.rubric_revise(
                actor=current_user,
                rubric=rubric,
                note=request.form.get("note", ""),
                bands=bands,
                items=items,
                version=form_int(request.form.get("version"), minimum=0)
                or 0,  # none sent: refused, never unchecked
                added=added,
                removed=removed,
            )
        except DomainError as error:
            if isinstance(error, StaleEdit):
                flash_stale_form()
                db.session.refresh(rubric)
                g.stale_edit = stale_rows([("备注", rubric.note, request.form.get("note", ""))])
            else:
                flash_domain_error(error)
        else:
            if result.id != rubric.id:
                flash(
                    _("该标准已被评查活动使用，修改已保存为新版本“%(label)s”。", label=result.label),
                    "success",
                )
            else:
                flash(_("评查标准已保存。"), "success")
            return redirect(url_for("reviews.rubric_detail", rubric_id=result.id))
    return render_template("reviews/rubric_edit.html", rubric=rubric)


# --- home panels --------------------------------------------------------------------------


def reviewer_panel(user: User):
    query = (
        assignments_for_user(user)
        .where(ReviewAssignment.status == "assigned")
        .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
        .join(ReviewCampaign, ReviewCampaign.id == CaseFile.campaign_id)
        .where(ReviewCampaign.status == "reviewing")
    )
    count = db.session.scalar(query.with_only_columns(func.count(ReviewAssignment.id)))
    pending = db.session.scalars(
        query.options(
            joinedload(ReviewAssignment.case_file).joinedload(CaseFile.unit),
            joinedload(ReviewAssignment.case_file).joinedload(CaseFile.campaign),
        )
        .order_by(ReviewCampaign.deadline, ReviewAssignment.id)
        .limit(8)
    ).all()
    return "reviews/_panel_reviewer.html", {"count": count, "pending": pending}


def lead_panel(user: User):
    campaigns = db.session.scalars(
        campaigns_for_user(user)
        .where(ReviewCampaign.status != "published")
        .order_by(ReviewCampaign.year.desc(), ReviewCampaign.id.desc())
        .limit(5)
    ).all()
    ids = [c.id for c in campaigns]
    progress = {}
    if ids:
        for cid, total, done, unsettled in db.session.execute(
            select(
                CaseFile.campaign_id,
                func.count(ReviewAssignment.id),
                func.count(ReviewAssignment.id).filter(ReviewAssignment.status == "submitted"),
                func.count(func.distinct(CaseFile.id)).filter(
                    CaseFile.divergent.is_(True), CaseFile.settled_reason == ""
                ),
            )
            .join(ReviewAssignment, ReviewAssignment.case_file_id == CaseFile.id)
            .where(CaseFile.campaign_id.in_(ids))
            .group_by(CaseFile.campaign_id)
        ):
            progress[cid] = {"total": total, "done": done, "unsettled": unsettled}
    return "reviews/_panel_lead.html", {"campaigns": campaigns, "progress": progress}


def liaison_panel(user: User):
    published = db.session.scalars(
        campaigns_for_user(user)
        .order_by(ReviewCampaign.published_at.desc(), ReviewCampaign.id.desc())
        .limit(3)
    ).all()
    ids = [c.id for c in published]
    figures = {}
    if ids and user.unit_id is not None:
        for cid, files, avg, excellent in db.session.execute(
            select(
                CaseFile.campaign_id,
                func.count(CaseFile.id),
                func.avg(CaseFile.final_score),
                func.count(CaseFile.id).filter(CaseFile.excellent.is_(True)),
            )
            .where(
                CaseFile.campaign_id.in_(ids), CaseFile.unit_id == user.unit_id, CaseFile.sampled.is_(True)
            )
            .group_by(CaseFile.campaign_id)
        ):
            figures[cid] = {
                "files": files,
                "avg": float(avg) if avg is not None else None,
                "excellent": excellent,
            }
    return "reviews/_panel_liaison.html", {
        "published": published,
        "figures": figures,
        "drafts": db.session.scalars(unit_upload_campaigns_for_user(user)).all(),
    }
