"""Assessment rounds, and one assessment: the page, saving or evaluating one indicator (an htmx
row), evidence files, reusing last year's explanations and the steps (submit … finalize)."""

from __future__ import annotations

from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ...errors import DomainError, NotAllowed
from ...extensions import db
from ...formatting import date_formatter, local_today
from ...forms import ActionForm
from ...forms.scorecards import RoundForm
from ...i18n import N_
from ...macros import status_badge
from ...models import RATINGS, UNIT_KINDS, Assessment, AssessmentRound, Indicator
from ...numbers import indicator_text
from ...parsing import form_int
from ...permissions import (
    can,
    can_evaluate,
    can_manage_roadmap_for_unit,
    can_self_assess,
    get_assessment_for_user_or_404,
    require,
)
from ...queries import assessment_page as page_queries
from ...queries import scorecards as queries
from ...scoring_indicators import is_weak
from ...services import scorecards as svc
from ...services.attachments import ACCEPT_ATTR
from ...sessions import csrf_token
from ...template_gettext import current_translations, kept_on_catalogue
from ...workflow import allowed_steps
from ..helpers import flash_domain_error, flash_form_errors, flash_repeat, page_arg, submit_once, url_around
from . import READ_ASSESSMENTS, bp
from .score_row import esc, roadmap_badges, score_list, score_row, weak_list

# --- rounds -----------------------------------------------------------------------------------


@bp.route("/rounds")
@require(*READ_ASSESSMENTS)
def rounds():
    if not can(current_user, "assessments.read_all"):
        return render_template("scorecards/my_assessments.html", **queries.my_assessments_page(current_user))
    return render_template("scorecards/rounds.html", **queries.rounds_page())


@bp.route("/rounds/new", methods=["GET", "POST"])
@require("assessments.open_round")
def round_new():
    form = RoundForm()
    data = queries.round_form_page()
    form.framework_id.choices = [
        (f.id, f.label + ("（示例）" if f.is_demo else "")) for f in data["frameworks"]
    ]
    if request.method == "GET":
        year = local_today().year
        while year in data["taken"]:
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
    return render_template("scorecards/round_form.html", form=form, units=data["units"], kinds=UNIT_KINDS)


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
    return render_template(
        "scorecards/round_detail.html",
        round_=round_,
        status=status,
        keyword=keyword,
        action_form=ActionForm(),
        **queries.round_detail_page(round_, status=status, keyword=keyword, page=page_arg()),
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


@bp.route("/assessments/<int:assessment_id>")
@require(*READ_ASSESSMENTS)
def assessment(assessment_id: int):
    assessment = page_queries.assessment_head_for_page(current_user, assessment_id)
    if assessment is None:
        abort(404)
    data = page_queries.assessment_page(current_user, assessment)
    mode = _mode(assessment)
    row_context = _row_context(assessment, mode, data)
    return render_template(
        "scorecards/assessment.html",
        assessment=assessment,
        mode=mode,
        steps=allowed_steps(assessment, current_user),
        ratings=row_context.ratings,
        row_context=row_context,
        score_list=score_list,
        weak_list=weak_list,
        weak_context=_weak_context(assessment, row_context)
        if assessment.status in ("evaluated", "finalized")
        else None,
        **data,
    )


def _translated_ratings() -> dict[str, str]:
    """The rating labels in the reader's language (see _row_texts)."""
    return _row_texts()[0]


def _row_texts() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """The rating labels in the reader's language; the same escaped; the rating select's options
    with each rating chosen ('' for none); the rows' fixed strings, escaped. The same on every
    request in a language: kept on the language's catalogue, as the templates' fixed strings are
    (template_gettext.py), instead of some thirty translations and escapes per request."""
    translations = current_translations()
    kept = translations.__dict__.get("_assessment_row_texts")
    if kept is None:
        ratings = {key: str(translations.ugettext(label)) for key, label in RATINGS.items()}
        labels = {key: esc(label) for key, label in ratings.items()}

        def options(chosen: str) -> str:
            return "".join(
                f'<option value="{esc(key)}" {"selected" if key == chosen else ""}>{label}</option>'
                for key, label in labels.items()
            )

        strings = {name: esc(translations.ugettext(text)) for name, text in _ROW_STRINGS.items()}
        kept = (ratings, labels, {chosen: options(chosen) for chosen in ("", *ratings)}, strings)
        translations.__dict__["_assessment_row_texts"] = kept
    return kept


def _row_context(assessment: Assessment, mode: str, data: dict) -> SimpleNamespace:
    """What every row of the assessment shares, computed once per request: the assessment's URL
    (the rows append /scores/<id>…; ids are integers), the CSRF token (sessions.csrf_token: the
    layout's, signed once per session's token, not anew), the translated ratings and
    the rows' fixed strings (score_row.py), each escaped once. Namespaces, not dicts: Jinja's
    `r.mode` tries an attribute first, and on a dict that is an exception per lookup."""
    ratings, labels, options, strings = _row_texts()
    previous_year = data["previous_year"]
    return SimpleNamespace(
        mode=mode,
        base=esc(url_for("scorecards.assessment", assessment_id=assessment.id)),
        csrf=esc(csrf_token()),
        ratings=ratings,
        labels=labels,
        options=options,
        prev_scores=data["prev_scores"],
        accept=esc(ACCEPT_ATTR),
        is_weak=is_weak,
        T=SimpleNamespace(
            **strings,
            previous_year=esc(_("%(year)s 年度", year=previous_year)) if previous_year else "",
        ),
    )


def _weak_context(assessment: Assessment, row_context: SimpleNamespace) -> SimpleNamespace:
    """What the weak table's rows share (score_row.weak_list), once per request: the links' URLs
    around the ids (one url_for each, not one a row), whether the reader may draw up a roadmap
    item (asked once), the badges and fixed texts as the template wrote them, kept per catalogue."""
    texts = kept_on_catalogue("_assessment_weak_texts", _weak_texts)
    new_before, new_after = url_around("scorecards.roadmap_new", "indicator", assessment=assessment.id)
    item_before, item_after = url_around("scorecards.roadmap_detail", "item_id")
    return SimpleNamespace(
        **texts,
        badges=roadmap_badges(),
        labels=row_context.labels,
        badge=lambda status: status_badge("roadmap", status),
        can_manage=can_manage_roadmap_for_unit(current_user, assessment.unit_id),
        new_url=lambda indicator_id: f"{esc(new_before)}{indicator_id}{esc(new_after)}",
        item_base=esc(item_before),
        item_after=esc(item_after),
        cn_date=date_formatter(),
    )


def _weak_texts(gettext) -> dict:
    """The weak table's fixed texts as the template's _() made them (the catalogue's text, trusted)."""

    def text(string: str) -> str:
        return str(Markup(gettext(string)) % {})

    return {
        "none": text("没有短板指标"),
        "draw_up": text("制定路线图"),
        "not_drawn": text("尚未制定"),
    }


# The rows' fixed strings (score_row.py's `r.T`), marked for the catalogue here.
_ROW_STRINGS = dict(
    points=N_("分值"),
    method=N_("评价方式"),
    responsible=N_("责任单位"),
    self=N_("自评"),
    evaluation=N_("评估"),
    self_rating=N_("自评等次"),
    choose=N_("— 请选择 —"),
    score=N_("得分"),
    self_score=N_("自评得分"),
    save=N_("保存"),
    explanation_hint=N_("自评说明（做法、数据、佐证材料名称）"),
    explanation=N_("自评说明"),
    upload_evidence=N_("上传佐证材料"),
    evidence=N_("佐证材料"),
    upload=N_("上传"),
    not_rated=N_("未评价"),
    eval_rating=N_("评估等次"),
    confirm_self=N_("按自评确认"),
    eval_score=N_("评估得分"),
    comment=N_("评估意见"),
    weak=N_("短板"),
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
    button that puts them back to be corrected. Only this row is read, whatever the framework's size.
    """
    row = queries.score_row(assessment, indicator)
    return render_template(
        "scorecards/_score_row_response.html",
        error=error,
        saved=saved,
        refused=_refused_values(row["line"]) if error else {},
        row_context=_row_context(assessment, _mode(assessment), row),
        score_row=score_row,
        **row,
    )


def _refused_values(stored: queries.ScoreLine) -> dict[str, str]:
    """The posted values that differ from the stored ones (what a refusal would otherwise lose);
    an indicator not scored yet has None for each."""
    if request.endpoint == "scorecards.score_save":
        keep = {"rating": stored.self_rating, "score": stored.self_score, "explanation": stored.explanation}
    else:
        keep = {
            "rating": stored.evaluated_rating,
            "score": stored.evaluated_score,
            "comment": stored.comment,
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


def _row_change(assessment_id: int, indicator_id: int, change, message) -> object:
    """Check the row's form, apply `change(assessment, indicator)` and answer with the row."""
    assessment = get_assessment_for_user_or_404(assessment_id, current_user)
    indicator = _leaf_or_404(assessment, indicator_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    error = None
    try:
        change(assessment, indicator)
    except DomainError as exc:
        error = exc.message
    return _after_row_change(assessment, indicator, error, message(indicator))


@bp.route("/assessments/<int:assessment_id>/scores/<int:indicator_id>", methods=["POST"])
@require("assessments.self_assess")
def score_save(assessment_id: int, indicator_id: int):
    return _row_change(
        assessment_id,
        indicator_id,
        lambda assessment, indicator: svc.score_save(
            actor=current_user,
            assessment=assessment,
            indicator=indicator,
            rating=request.form.get("rating") or None,
            score_text=request.form.get("score"),
            explanation=request.form.get("explanation", ""),
            version=_form_int("version"),
        ),
        lambda indicator: f"指标 {indicator.code} 已保存。",
    )


@bp.route("/assessments/<int:assessment_id>/scores/<int:indicator_id>/files", methods=["POST"])
@require("assessments.self_assess")
def score_files(assessment_id: int, indicator_id: int):
    return _row_change(
        assessment_id,
        indicator_id,
        lambda assessment, indicator: svc.score_attach(
            actor=current_user,
            assessment=assessment,
            indicator=indicator,
            uploads=request.files.getlist("files"),
        ),
        lambda _indicator: "佐证材料已上传。",
    )


@bp.route("/assessments/<int:assessment_id>/scores/<int:indicator_id>/evaluate", methods=["POST"])
@require("assessments.evaluate")
def score_evaluate(assessment_id: int, indicator_id: int):
    return _row_change(
        assessment_id,
        indicator_id,
        lambda assessment, indicator: svc.score_evaluate(
            actor=current_user,
            assessment=assessment,
            indicator=indicator,
            rating=request.form.get("rating") or None,
            score_text=request.form.get("score"),
            comment=request.form.get("comment", ""),
            version=_form_int("version"),
        ),
        lambda indicator: f"指标 {indicator.code} 的评估已保存。",
    )


def _form_int(name: str) -> int | None:
    return form_int(request.form.get(name), minimum=0)


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


# action → (capability, the step's service, the message once done)
_ACTIONS = {
    "submit": (
        "assessments.self_assess",
        lambda a, version: svc.assessment_submit(actor=current_user, assessment=a, version=version),
        "自评已提交。",
    ),
    "return": (
        "assessments.evaluate",
        lambda a, _version: svc.assessment_return(
            actor=current_user, assessment=a, reason=request.form.get("reason", "")
        ),
        "已退回单位修改。",
    ),
    "evaluate": (
        "assessments.evaluate",
        lambda a, version: svc.assessment_evaluate(actor=current_user, assessment=a, version=version),
        "评估已完成，待负责人定稿。",
    ),
    "finalize": (
        "assessments.finalize",
        lambda a, version: svc.assessment_finalize(actor=current_user, assessment=a, version=version),
        "已定稿。",
    ),
}


@bp.route("/assessments/<int:assessment_id>/<action>", methods=["POST"])
@require("assessments.self_assess", "assessments.evaluate", "assessments.finalize")
def assessment_action(assessment_id: int, action: str):
    if action not in _ACTIONS:
        abort(404)
    capability, step, message = _ACTIONS[action]
    if not can(current_user, capability):
        abort(403)
    assessment = get_assessment_for_user_or_404(assessment_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        step(assessment, _form_int("version"))
    except NotAllowed:
        abort(403)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(message, "success")
    return redirect(url_for("scorecards.assessment", assessment_id=assessment.id))
