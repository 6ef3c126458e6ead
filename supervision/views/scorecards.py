"""Indicator frameworks, assessment rounds, self-assessment and evaluation, scorecards, roadmap."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from ..errors import DomainError, ImportRejected, NotAllowed
from ..exports import scorecards as exports
from ..exports.sheets import csv_text
from ..extensions import db
from ..filters import contains
from ..formatting import local_today
from ..forms import ActionForm
from ..forms.scorecards import FrameworkImportForm, IndicatorForm, RoadmapForm, RoundForm
from ..models import (
    RATINGS,
    UNIT_KINDS,
    Assessment,
    AssessmentRound,
    Attachment,
    Finding,
    Framework,
    Indicator,
    IndicatorScore,
    RoadmapItem,
    Unit,
)
from ..numbers import indicator_text
from ..parsing import form_int, id_arg, year_arg
from ..permissions import (
    assessments_for_user,
    assessments_to_evaluate_for_user,
    audit_events_for_record,
    can,
    can_evaluate,
    can_self_assess,
    get_assessment_for_user_or_404,
    get_roadmap_item_for_user_or_404,
    get_scorecard_unit_for_user_or_404,
    require,
    roadmap_items_for_user,
)
from ..scoring_indicators import band, is_weak, unit_score
from ..services import scorecard_reports as reports
from ..services import scorecards as svc
from ..services.attachments import ACCEPT_ATTR
from ..tabular import read_rows, template_xlsx
from ..urls import safe_next
from ..workflow import allowed_steps
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
from .suggest import chosen_unit

bp = Blueprint("scorecards", __name__, url_prefix="/scorecards")

READ_SCORECARDS = ("scorecards.read_all", "scorecards.read_own_unit")
READ_ASSESSMENTS = ("assessments.read_all", "assessments.self_assess")
READ_ROADMAP = ("roadmap.manage", "scorecards.read_all", "roadmap.update_own_unit")


@bp.route("/")
@require(*READ_SCORECARDS)
def index():
    if can(current_user, "scorecards.read_all"):
        return redirect(url_for("scorecards.office"))
    if current_user.unit_id is None:
        abort(404)
    return redirect(url_for("scorecards.unit", unit_id=current_user.unit_id))


# --- frameworks -------------------------------------------------------------------------------


@bp.route("/frameworks")
@require("reference.read")
def frameworks():
    items = db.session.scalars(select(Framework).order_by(Framework.name, Framework.version.desc())).all()
    counts = dict(
        db.session.execute(
            select(Indicator.framework_id, func.count(Indicator.id))
            .where(Indicator.is_leaf.is_(True))
            .group_by(Indicator.framework_id)
        ).all()
    )
    rounds = dict(
        db.session.execute(
            select(AssessmentRound.framework_id, func.count(AssessmentRound.id)).group_by(
                AssessmentRound.framework_id
            )
        ).all()
    )
    return render_template("scorecards/frameworks.html", items=items, counts=counts, rounds=rounds)


def _framework_or_404(framework_id: int) -> Framework:
    framework = db.session.get(Framework, framework_id)
    if framework is None:
        abort(404)
    return framework


@bp.route("/frameworks/<int:framework_id>")
@require("reference.read")
def framework_detail(framework_id: int):
    framework = _framework_or_404(framework_id)
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.framework_id == framework.id).order_by(Indicator.position)
    ).all()
    kinds = svc.leaf_counts_by_kind(framework.id)
    events = db.session.scalars(
        audit_events_for_record(current_user, "framework", framework.id).limit(50)
    ).all()
    return render_template(
        "scorecards/framework_detail.html",
        framework=framework,
        indicators=indicators,
        kinds=kinds,
        events=events,
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
    from itertools import combinations

    labels = list(UNIT_KINDS.values())
    return ["、".join(c) for n in range(1, len(labels) + 1) for c in combinations(labels, n)]


@bp.route("/frameworks/template.xlsx")
@require("reference.read")
def framework_template():
    data = template_xlsx(
        "指标体系",
        svc.FRAMEWORK_COLUMNS,
        [
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
        ],
        [
            "每行一项指标。“编码”“内容”必填；一级指标的“上级编码”留空，其余填写上级指标的编码。",
            "层级不限（可以是三级，也可以更多）；“层级名称”写该行所在层级的名称，如“一级指标”，同一层级须一致。",
            "“分值”只需填写最末一级指标；全部留空表示各项等权（每项 1 分）。上级指标的分值为下级之和，可留空。",
            "“适用单位类型”填写：区政府、部门、镇乡街道，多个用顿号分隔；留空表示全部适用。",
            "“评价方式”如：资料审查、平台数据核查、实地核查、第三方评估。",
            "任何一行有错误时，整个文件都不会导入，系统会列出每一行的行号和原因。",
            "导入后如同名指标体系已存在，则作为新版本保存；已被评估轮次使用的版本已冻结，不会被修改。",
        ],
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


# --- rounds -----------------------------------------------------------------------------------


@bp.route("/rounds")
@require(*READ_ASSESSMENTS)
def rounds():
    if not can(current_user, "assessments.read_all"):
        own = db.session.scalars(
            assessments_for_user(current_user)
            .options(joinedload(Assessment.round))
            .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
            .order_by(AssessmentRound.year.desc())
        ).all()
        totals = reports.totals_for([a.id for a in own if a.status == "finalized"])
        return render_template("scorecards/my_assessments.html", items=own, totals=totals)
    items = db.session.scalars(
        select(AssessmentRound)
        .options(joinedload(AssessmentRound.framework))
        .order_by(AssessmentRound.year.desc())
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for round_id, status, n in db.session.execute(
        select(Assessment.round_id, Assessment.status, func.count(Assessment.id)).group_by(
            Assessment.round_id, Assessment.status
        )
    ):
        counts.setdefault(round_id, {})[status] = n
    return render_template("scorecards/rounds.html", items=items, counts=counts)


@bp.route("/rounds/new", methods=["GET", "POST"])
@require("assessments.open_round")
def round_new():
    form = RoundForm()
    frameworks = db.session.scalars(
        select(Framework).order_by(Framework.name, Framework.version.desc())
    ).all()
    form.framework_id.choices = [(f.id, f.label + ("（示例）" if f.is_demo else "")) for f in frameworks]
    units = db.session.execute(
        select(Unit.id, Unit.name, Unit.kind).where(Unit.active.is_(True)).order_by(Unit.kind, Unit.id)
    ).all()
    if request.method == "GET":
        taken = set(db.session.scalars(select(AssessmentRound.year)))
        year = local_today().year
        while year in taken:
            year += 1
        form.year.data = year
        form.title.data = f"{year}年度法治政府建设示范指标自评"
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: svc.round_open(
                    actor=current_user,
                    framework_id=form.framework_id.data,
                    year=form.year.data,
                    title=form.title.data,
                    deadline=form.deadline.data,
                    unit_ids=form.unit_ids.data,
                    all_units=form.all_units.data,
                ),
                lambda round_: url_for("scorecards.round_detail", round_id=round_.id),
            )
        except DomainError as error:
            flash_domain_error(error)
        else:
            if done.repeated:
                flash_repeat()
            else:
                flash(_("已开启评估轮次“%(title)s”。", title=done.record.title), "success")
            return redirect(done.url)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("scorecards/round_form.html", form=form, units=units, kinds=UNIT_KINDS)


def _round_or_404(round_id: int) -> AssessmentRound:
    round_ = db.session.get(AssessmentRound, round_id)
    if round_ is None:
        abort(404)
    return round_


@bp.route("/rounds/<int:round_id>")
@require("assessments.read_all")
def round_detail(round_id: int):
    round_ = _round_or_404(round_id)
    status = request.args.get("status", "")
    keyword = request.args.get("q", "").strip()
    query = (
        select(Assessment)
        .join(Unit, Unit.id == Assessment.unit_id)
        .options(joinedload(Assessment.unit))
        .where(Assessment.round_id == round_.id)
    )
    if status in ("draft", "submitted", "evaluated", "finalized"):
        query = query.where(Assessment.status == status)
    if keyword:
        query = query.where(or_(contains(Unit.name, keyword), contains(Unit.short_name, keyword)))
    page = db.paginate(query.order_by(Unit.kind, Unit.id), page=page_arg(), per_page=50, error_out=False)
    ids = [a.id for a in page.items]
    progress = reports.progress_for(ids)
    totals = reports.totals_for(ids)
    kinds = svc.leaf_counts_by_kind(round_.framework_id)
    counts = svc.status_counts(round_.id)
    return render_template(
        "scorecards/round_detail.html",
        round_=round_,
        page=page,
        progress=progress,
        totals=totals,
        kinds=kinds,
        counts=counts,
        status=status,
        keyword=keyword,
        action_form=ActionForm(),
    )


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@require("assessments.open_round")
def round_close(round_id: int):
    round_ = _round_or_404(round_id)
    if ActionForm().validate_on_submit():
        try:
            svc.round_close(actor=current_user, round_=round_)
        except DomainError as error:
            flash_domain_error(error)
        else:
            flash(_("评估轮次已结束。"), "success")
    return redirect(url_for("scorecards.round_detail", round_id=round_.id))


# --- one assessment ---------------------------------------------------------------------------


def _mode(assessment: Assessment) -> str:
    """What this user does on the page: self (liaison, draft), evaluate (inspector), or read."""
    if (
        assessment.status == "draft"
        and assessment.round.status == "open"
        and can_self_assess(current_user, assessment)
    ):
        return "self"
    if assessment.status == "submitted" and can_evaluate(current_user, assessment):
        return "evaluate"
    return "read"


def _assessment_context(assessment: Assessment) -> dict:
    leaves = svc.applicable_leaves(assessment)
    scores = {
        s.indicator_id: s
        for s in db.session.scalars(
            select(IndicatorScore).where(IndicatorScore.assessment_id == assessment.id)
        )
    }
    files: dict[int, list[Attachment]] = {}
    score_ids = [s.id for s in scores.values()]
    if score_ids:
        for a in db.session.scalars(
            select(Attachment)
            .where(Attachment.owner_type == "indicator_score", Attachment.owner_id.in_(score_ids))
            .order_by(Attachment.id)
        ):
            files.setdefault(a.owner_id, []).append(a)
    parents = {
        i.id: i
        for i in db.session.scalars(
            select(Indicator).where(
                Indicator.framework_id == assessment.round.framework_id, Indicator.is_leaf.is_(False)
            )
        )
    }
    rated = sum(1 for i in leaves if scores.get(i.id) and scores[i.id].self_rating)
    self_total = unit_score(
        (i.area_id, s.self_rating, s.self_score, i.max_points)
        for i in leaves
        if (s := scores.get(i.id)) is not None
    ).total
    eval_total = unit_score(
        (i.area_id, s.evaluated_rating, s.evaluated_score, i.max_points)
        for i in leaves
        if (s := scores.get(i.id)) is not None
    ).total
    weak = [
        i
        for i in leaves
        if (s := scores.get(i.id)) is not None
        and is_weak(s.evaluated_rating, s.evaluated_score, i.max_points)
    ]
    roadmap = {
        item.indicator_id: item
        for item in db.session.scalars(
            select(RoadmapItem).where(
                RoadmapItem.unit_id == assessment.unit_id,
                RoadmapItem.indicator_id.in_([i.id for i in weak] or [0]),
            )
        )
    }
    previous, prev_scores = svc.previous_scores(assessment)
    return {
        "previous": previous,
        "prev_scores": prev_scores,
        "leaves": leaves,
        "scores": scores,
        "files": files,
        "parents": parents,
        "rated": rated,
        "total": len(leaves),
        "self_total": self_total,
        "eval_total": eval_total,
        "weak": weak,
        "roadmap": roadmap,
    }


@bp.route("/assessments/<int:assessment_id>")
@require(*READ_ASSESSMENTS)
def assessment(assessment_id: int):
    assessment = get_assessment_for_user_or_404(assessment_id, current_user)
    context = _assessment_context(assessment)
    events = db.session.scalars(
        audit_events_for_record(current_user, "assessment", assessment.id).limit(30)
    ).all()
    return render_template(
        "scorecards/assessment.html",
        assessment=assessment,
        mode=_mode(assessment),
        steps=allowed_steps(assessment, current_user),
        ratings=RATINGS,
        accept=ACCEPT_ATTR,
        events=events,
        action_form=ActionForm(),
        **context,
    )


def _leaf_or_404(assessment: Assessment, indicator_id: int) -> Indicator:
    indicator = db.session.get(Indicator, indicator_id)
    if (
        indicator is None
        or indicator.framework_id != assessment.round.framework_id
        or not indicator.is_leaf
        or not indicator.applies(assessment.unit.kind)
    ):
        abort(404)
    return indicator


def _row_response(
    assessment: Assessment, indicator: Indicator, error: str | None = None, saved: bool = False
):
    """The htmx answer: the indicator's row again, plus the progress counter out of band.

    The row always shows what is stored. On a refusal nothing was saved, so showing the refused
    values in the inputs would pass them off as saved; they go into the message instead, with a
    button that puts them back to be corrected.
    """
    context = _assessment_context(assessment)
    stored = context["scores"].get(indicator.id)
    mode = _mode(assessment)
    refused = _refused_values(stored) if error else {}
    return render_template(
        "scorecards/_score_row_response.html",
        assessment=assessment,
        i=indicator,
        s=stored,
        mode=mode,
        ratings=RATINGS,
        accept=ACCEPT_ATTR,
        error=error,
        saved=saved,
        refused=refused,
        **context,
    )


def _refused_values(stored: IndicatorScore | None) -> dict[str, str]:
    """The posted values that differ from the stored ones (what a refusal would otherwise lose)."""
    if request.endpoint == "scorecards.score_save":
        keep = {
            "rating": stored.self_rating if stored else None,
            "score": stored.self_score if stored else None,
            "explanation": stored.explanation if stored else None,
        }
    else:
        keep = {
            "rating": stored.evaluated_rating if stored else None,
            "score": stored.evaluated_score if stored else None,
            "comment": stored.comment if stored else None,
        }
    refused = {}
    for name, value in keep.items():
        typed = request.form.get(name)
        if typed is None:
            continue
        shown = "" if value is None else (indicator_text(value, empty="") if name == "score" else str(value))
        if typed.strip() != shown.strip():
            refused[name] = typed
    return refused


def _after_row_change(assessment: Assessment, indicator: Indicator, error: str | None, message: str):
    if request.headers.get("HX-Request"):
        return _row_response(assessment, indicator, error=error, saved=error is None)
    if error:
        flash(error, "danger")
    else:
        flash(message, "success")
    return redirect(
        url_for("scorecards.assessment", assessment_id=assessment.id, _anchor=f"ind-{indicator.id}")
    )


@bp.route("/assessments/<int:assessment_id>/scores/<int:indicator_id>", methods=["POST"])
@require("assessments.self_assess")
def score_save(assessment_id: int, indicator_id: int):
    assessment = get_assessment_for_user_or_404(assessment_id, current_user)
    indicator = _leaf_or_404(assessment, indicator_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    error = None
    try:
        svc.score_save(
            actor=current_user,
            assessment=assessment,
            indicator=indicator,
            rating=request.form.get("rating") or None,
            score_text=request.form.get("score"),
            explanation=request.form.get("explanation", ""),
            version=_form_int("version"),
        )
    except DomainError as exc:
        error = exc.message
    return _after_row_change(assessment, indicator, error, f"指标 {indicator.code} 已保存。")


@bp.route("/assessments/<int:assessment_id>/scores/<int:indicator_id>/files", methods=["POST"])
@require("assessments.self_assess")
def score_files(assessment_id: int, indicator_id: int):
    assessment = get_assessment_for_user_or_404(assessment_id, current_user)
    indicator = _leaf_or_404(assessment, indicator_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    error = None
    try:
        svc.score_attach(
            actor=current_user,
            assessment=assessment,
            indicator=indicator,
            uploads=request.files.getlist("files"),
        )
    except DomainError as exc:
        error = exc.message
    return _after_row_change(assessment, indicator, error, "佐证材料已上传。")


@bp.route("/assessments/<int:assessment_id>/scores/<int:indicator_id>/evaluate", methods=["POST"])
@require("assessments.evaluate")
def score_evaluate(assessment_id: int, indicator_id: int):
    assessment = get_assessment_for_user_or_404(assessment_id, current_user)
    indicator = _leaf_or_404(assessment, indicator_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    error = None
    try:
        svc.score_evaluate(
            actor=current_user,
            assessment=assessment,
            indicator=indicator,
            rating=request.form.get("rating") or None,
            score_text=request.form.get("score"),
            comment=request.form.get("comment", ""),
            version=_form_int("version"),
        )
    except DomainError as exc:
        error = exc.message
    return _after_row_change(assessment, indicator, error, f"指标 {indicator.code} 的评估已保存。")


def _form_int(name: str) -> int | None:
    return form_int(request.form.get(name), minimum=0)


_ACTIONS = {
    "submit": ("assessments.self_assess", "自评已提交。"),
    "return": ("assessments.evaluate", "已退回单位修改。"),
    "evaluate": ("assessments.evaluate", "评估已完成，待负责人定稿。"),
    "finalize": ("assessments.finalize", "已定稿。"),
}


@bp.route("/assessments/<int:assessment_id>/reuse-previous", methods=["POST"])
@require("assessments.self_assess")
def assessment_reuse_previous(assessment_id: int):
    """沿用上年: last year's explanations into this year's empty ones (the text only)."""
    assessment = get_assessment_for_user_or_404(assessment_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        count = svc.assessment_reuse_previous(actor=current_user, assessment=assessment)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(
            _(
                "已沿用上一年度的自评说明 %(count)s 项。等次和得分请逐项重新评定，并补充本年度的佐证材料。",
                count=count,
            ),
            "success",
        )
    return redirect(url_for("scorecards.assessment", assessment_id=assessment.id))


@bp.route("/assessments/<int:assessment_id>/<action>", methods=["POST"])
@require("assessments.self_assess", "assessments.evaluate", "assessments.finalize")
def assessment_action(assessment_id: int, action: str):
    if action not in _ACTIONS:
        abort(404)
    capability, message = _ACTIONS[action]
    if not can(current_user, capability):
        abort(403)
    assessment = get_assessment_for_user_or_404(assessment_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    version = _form_int("version")
    try:
        if action == "submit":
            svc.assessment_submit(actor=current_user, assessment=assessment, version=version)
        elif action == "return":
            svc.assessment_return(
                actor=current_user, assessment=assessment, reason=request.form.get("reason", "")
            )
        elif action == "evaluate":
            svc.assessment_evaluate(actor=current_user, assessment=assessment, version=version)
        else:
            svc.assessment_finalize(actor=current_user, assessment=assessment, version=version)
    except NotAllowed:
        abort(403)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(message, "success")
    return redirect(url_for("scorecards.assessment", assessment_id=assessment.id))


# --- scorecards -------------------------------------------------------------------------------


def _chosen_round() -> tuple[AssessmentRound | None, list[AssessmentRound]]:
    rounds = reports.rounds_with_results()
    wanted = id_arg("round")
    chosen = next((r for r in rounds if r.id == wanted), rounds[0] if rounds else None)
    return chosen, rounds


@bp.route("/office")
@require("scorecards.read_all")
def office():
    round_, rounds = _chosen_round()
    board = reports.office_scorecard(round_) if round_ else None
    # The ranking is paged (the heatmap draws every unit from data.json); bands and the
    # distribution count every unit.
    per_page = 50
    total = len(board["rows"]) if board else 0
    pages = max(1, -(-total // per_page))
    page = min(page_arg(), pages)
    shown = board["rows"][(page - 1) * per_page : page * per_page] if board else []
    return render_template(
        "scorecards/office.html",
        round_=round_,
        rounds=rounds,
        board=board,
        shown=shown,
        page=page,
        pages=pages,
    )


@bp.route("/office/data.json")
@require("scorecards.read_all")
def office_data():
    round_, _chosen = _chosen_round()
    if round_ is None:
        return jsonify(
            units=[],
            totals=[],
            bands=[],
            areas=[],
            area_names=[],
            heat=[],
            histogram={"labels": [], "counts": []},
        )
    return jsonify(reports.chart_data(reports.office_scorecard(round_)))


@bp.route("/office/export.xlsx")
@require("scorecards.read_all")
def office_export():
    round_, _chosen = _chosen_round()
    if round_ is None:
        abort(404)
    board = reports.office_scorecard(round_)
    data = exports.office_xlsx(round_, board, reports.office_unit_sheets(round_, board["rows"]))
    return download(data, f"{round_.year}年度指标评估记分卡.xlsx", XLSX_MIME)


@bp.route("/rollup")
@require("scorecards.read_all")
def rollup():
    round_, rounds = _chosen_round()
    data = reports.rollup(round_) if round_ else None
    units = (
        db.session.scalar(
            select(func.count(Assessment.id)).where(Assessment.round_id == round_.id, reports.FINALIZED)
        )
        if round_
        else 0
    )
    return render_template("scorecards/rollup.html", round_=round_, rounds=rounds, data=data, units=units)


@bp.route("/rollup/<int:indicator_id>")
@require("scorecards.read_all")
def rollup_indicator(indicator_id: int):
    """How every unit stands on one indicator in a round (two queries)."""
    round_, rounds = _chosen_round()
    indicator = db.session.get(Indicator, indicator_id)
    if round_ is None or indicator is None or indicator.framework_id != round_.framework_id:
        abort(404)
    rows = db.session.execute(
        select(
            Unit.id,
            Unit.name,
            IndicatorScore.self_rating,
            IndicatorScore.self_score,
            IndicatorScore.evaluated_rating,
            IndicatorScore.evaluated_score,
            IndicatorScore.comment,
        )
        .join(Assessment, Assessment.id == IndicatorScore.assessment_id)
        .join(Unit, Unit.id == Assessment.unit_id)
        .where(
            IndicatorScore.indicator_id == indicator.id,
            Assessment.round_id == round_.id,
            reports.FINALIZED,
        )
        .order_by(func.coalesce(IndicatorScore.evaluated_score, 999), Unit.kind, Unit.id)
    ).all()
    findings = dict(
        db.session.execute(
            select(Finding.unit_id, func.count(Finding.id))
            .where(Finding.indicator_id == indicator.id)
            .group_by(Finding.unit_id)
        ).all()
    )
    return render_template(
        "scorecards/rollup_indicator.html",
        round_=round_,
        rounds=rounds,
        indicator=indicator,
        rows=rows,
        findings=findings,
        ratings=RATINGS,
        is_weak=is_weak,
    )


def _unit_years(unit_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(AssessmentRound.year)
            .join(Assessment, Assessment.round_id == AssessmentRound.id)
            .where(Assessment.unit_id == unit_id, reports.FINALIZED)
            .order_by(AssessmentRound.year.desc())
        )
    )


@bp.route("/units/<int:unit_id>")
@require(*READ_SCORECARDS)
def unit(unit_id: int):
    unit = get_scorecard_unit_for_user_or_404(unit_id, current_user)
    years = _unit_years(unit.id)
    year = year_arg()
    assessment = reports.unit_assessment_for_year(unit.id, year if year in years else None)
    card = reports.unit_scorecard(assessment) if assessment else None
    trend = reports.unit_trend(unit.id)
    return render_template(
        "scorecards/unit.html",
        unit=unit,
        years=years,
        assessment=assessment,
        card=card,
        trend=trend,
        band=band,
        today=local_today(),
    )


@bp.route("/units/<int:unit_id>/indicators/<int:indicator_id>")
@require(*READ_SCORECARDS)
def unit_indicator(unit_id: int, indicator_id: int):
    unit = get_scorecard_unit_for_user_or_404(unit_id, current_user)
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        abort(404)
    records = reports.unit_indicator_records(unit.id, indicator.id)
    roadmap = db.session.scalars(
        select(RoadmapItem)
        .where(RoadmapItem.unit_id == unit.id, RoadmapItem.indicator_id == indicator.id)
        .order_by(RoadmapItem.due_date)
    ).all()
    findings = None
    if can(current_user, "findings.read_all") or can(current_user, "findings.record"):
        from ..permissions import findings_for_user

        findings = reports.finding_lines(unit.id, indicator.id, findings_for_user(current_user))
    files: list[Attachment] = []
    if records:
        files = db.session.scalars(
            select(Attachment)
            .where(
                Attachment.owner_type == "indicator_score",
                Attachment.owner_id.in_([r[0].id for r in records]),
            )
            .order_by(Attachment.id)
        ).all()
    return render_template(
        "scorecards/unit_indicator.html",
        unit=unit,
        indicator=indicator,
        records=records,
        roadmap=roadmap,
        findings=findings,
        files=files,
        today=local_today(),
    )


# --- roadmap ----------------------------------------------------------------------------------


def _roadmap_query():
    query = (
        roadmap_items_for_user(current_user)
        .join(Unit, Unit.id == RoadmapItem.unit_id)
        .join(Indicator, Indicator.id == RoadmapItem.indicator_id)
        .options(joinedload(RoadmapItem.unit), joinedload(RoadmapItem.indicator))
    )
    # The office picks any unit (by id, or by the name typed in the picker); a unit sees only its own.
    unit_choice = chosen_unit() if can(current_user, "scorecards.read_all") else None
    filters = {
        "unit": unit_choice[0] if unit_choice else id_arg("unit"),
        "unit_choice": unit_choice,
        "year": year_arg(),
        "status": request.args.get("status", ""),
        "overdue": request.args.get("overdue", ""),
        "q": request.args.get("q", "").strip(),
    }
    if filters["unit"]:
        query = query.where(RoadmapItem.unit_id == filters["unit"])
    if filters["year"]:
        query = query.where(RoadmapItem.year == filters["year"])
    if filters["status"] in ("planned", "in_progress", "done"):
        query = query.where(RoadmapItem.status == filters["status"])
    if filters["overdue"]:
        query = query.where(RoadmapItem.status != "done", RoadmapItem.due_date < local_today())
    if filters["q"]:
        q = filters["q"]
        query = query.where(
            or_(contains(RoadmapItem.measure, q), contains(Indicator.text, q), Indicator.code == q)
        )
    return query.order_by(RoadmapItem.status == "done", RoadmapItem.due_date, RoadmapItem.id), filters


@bp.route("/roadmap")
@require(*READ_ROADMAP)
def roadmap():
    query, filters = _roadmap_query()
    page = db.paginate(query, page=page_arg(), per_page=30, error_out=False)
    years = list(db.session.scalars(select(RoadmapItem.year).distinct().order_by(RoadmapItem.year.desc())))
    return render_template(
        "scorecards/roadmap.html",
        page=page,
        filters=filters,
        pick_unit=can(current_user, "scorecards.read_all"),
        unit_choice=filters["unit_choice"],
        years=years,
        today=local_today(),
    )


@bp.route("/roadmap/export.xlsx")
@require(*READ_ROADMAP)
def roadmap_export():
    query, _filters = _roadmap_query()
    items = db.session.scalars(query.limit(20000)).all()
    return download(exports.roadmap_xlsx(items, local_today()), "短板整改路线图.xlsx", XLSX_MIME)


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
    events = db.session.scalars(audit_events_for_record(current_user, "roadmap", item.id).limit(50)).all()
    return render_template(
        "scorecards/roadmap_detail.html",
        item=item,
        events=events,
        steps=allowed_steps(item, current_user),
        today=local_today(),
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


# --- home panels ------------------------------------------------------------------------------


def liaison_panel(user):
    """The unit's current self-assessment with its progress, and its latest total."""
    if user.unit_id is None:
        return "scorecards/_home_liaison.html", {"current": None}
    current = db.session.scalar(
        select(Assessment)
        .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
        .options(joinedload(Assessment.round), joinedload(Assessment.unit))
        .where(Assessment.unit_id == user.unit_id, AssessmentRound.status == "open")
        .order_by(AssessmentRound.year.desc())
        .limit(1)
    )
    total = rated = 0
    if current is not None:
        total = svc.leaf_counts_by_kind(current.round.framework_id).get(current.unit.kind, 0)
        rated = reports.progress_for([current.id]).get(current.id, 0)
    last = reports.unit_assessment_for_year(user.unit_id, None)
    last_total = reports.totals_for([last.id]).get(last.id) if last else None
    open_items = db.session.execute(
        select(
            func.count(RoadmapItem.id), func.sum(case((RoadmapItem.due_date < local_today(), 1), else_=0))
        ).where(RoadmapItem.unit_id == user.unit_id, RoadmapItem.status != "done")
    ).one()
    return "scorecards/_home_liaison.html", {
        "current": current,
        "rated": rated,
        "total": total,
        "last": last,
        "last_total": last_total,
        "open_items": open_items[0] or 0,
        "overdue_items": open_items[1] or 0,
    }


def lead_panel(user):
    """The ranking summary of the latest finalized year and the assessments awaiting sign-off."""
    rounds = reports.rounds_with_results()
    board = reports.office_scorecard(rounds[0]) if rounds else None
    waiting = db.session.scalar(select(func.count(Assessment.id)).where(Assessment.status == "evaluated"))
    overdue = db.session.scalar(
        select(func.count(RoadmapItem.id)).where(
            RoadmapItem.status != "done", RoadmapItem.due_date < local_today()
        )
    )
    return "scorecards/_home_lead.html", {
        "round": rounds[0] if rounds else None,
        "board": board,
        "waiting": waiting or 0,
        "overdue": overdue or 0,
    }


def inspector_panel(user):
    """Submitted self-assessments waiting for an evaluation (not the inspector's own unit's)."""
    query = assessments_to_evaluate_for_user(user).options(
        joinedload(Assessment.unit), joinedload(Assessment.round)
    )
    items = db.session.scalars(query.order_by(Assessment.submitted_at).limit(10)).all()
    count = db.session.scalar(
        select(func.count()).select_from(query.with_only_columns(Assessment.id).order_by(None).subquery())
    )
    return "scorecards/_home_inspector.html", {"rows": items, "count": count or 0}
