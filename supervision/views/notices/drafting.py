"""Drafting: choose the unit, the draft form (new and edit) and its deadline preview."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...formatting import cn_date, local_today
from ...forms.notices import NoticeDraftForm
from ...models import Notice, NoticeKind, Unit
from ...notice_deadlines import MAX_DAYS, fixed_deadline_problem
from ...parsing import BadNumber, form_id, id_arg, parse_int
from ...permissions import can_edit_draft, get_notice_for_user_or_404, get_unit_for_user_or_404, require
from ...queries import notices as read
from ...services import notices as svc
from ..helpers import (
    flash_domain_error,
    flash_edit_error,
    flash_form_errors,
    flash_repeat,
    form_version,
    submit_once,
)
from . import bp
from .common import back, detail_url


def _parse_items() -> list[tuple[int, str]]:
    """The ticked findings, in order, each with its requirement."""
    items = []
    for raw in request.form.getlist("finding"):
        fid = form_id(raw)
        if fid is None:
            continue
        items.append((fid, request.form.get(f"requirement-{fid}", "")))
    return items


def _draft_data(form: NoticeDraftForm, unit_id: int) -> svc.DraftData:
    return svc.DraftData(
        kind_id=form.kind_id.data,
        unit_id=unit_id,
        title=form.title.data or "",
        intro=form.intro.data or "",
        requirements=form.requirements.data or "",
        time_limit_days=form.time_limit_days.data,
        fixed_deadline=form.fixed_deadline.data,
        items=_parse_items(),
        cc=form.cc.data or "",
    )


def _prefill(form: NoticeDraftForm, unit: Unit, kinds: list[NoticeKind]) -> None:
    """A new draft starts from the kind asked for (?kind=) or the first: its title, days and 抄送."""
    wanted = id_arg("kind")
    kind = next((k for k in kinds if k.id == wanted), kinds[0] if kinds else None)
    if kind:
        form.kind_id.data = kind.id
        form.title.data = svc.default_title(unit, kind)
        form.time_limit_days.data = kind.default_days
        form.cc.data = kind.default_cc


def _form_page(form, unit: Unit, notice: Notice | None, kinds, findings, selected: dict):
    return render_template(
        "notices/form.html",
        form=form,
        unit=unit,
        notice=notice,
        findings=findings,
        selected=selected,
        requirements_by_id={f.id: selected.get(f.id) or svc.default_requirement(f) for f in findings},
        kinds=kinds,
        titles={k.id: svc.default_title(unit, k) for k in kinds},
        preview=read.draft_deadline_preview(
            form.time_limit_days.data, form.fixed_deadline.data, local_today()
        ),
    )


def _create(form: NoticeDraftForm, unit: Unit):
    """Save the new draft once per form token; None (errors flashed) if refused."""
    try:
        done = submit_once(
            lambda: svc.notice_create(
                actor=current_user, data=_draft_data(form, unit.id), today=local_today()
            ),
            detail_url,
        )
    except DomainError as error:
        flash_domain_error(error)
        return None
    if done.repeated:
        flash_repeat()
    else:
        flash(_("通知书草稿已保存。核对无误后请提交签发。"), "success")
    return redirect(done.url)


@bp.route("/new", methods=["GET", "POST"])
@require("notices.draft")
def new():
    unit_id = id_arg("unit")
    if not unit_id:
        return render_template("notices/choose_unit.html", units=read.units_with_open_findings(current_user))
    unit = get_unit_for_user_or_404(unit_id, current_user)
    kinds, findings = read.draft_form_choices(current_user, unit.id)
    form = NoticeDraftForm()
    form.kind_id.choices = [(k.id, k.name) for k in kinds]
    if request.method == "GET":
        _prefill(form, unit, kinds)
        selected = {f.id: svc.default_requirement(f) for f in findings}
    else:
        selected = dict(_parse_items())
    if form.validate_on_submit():
        if (done := _create(form, unit)) is not None:
            return done
    elif form.is_submitted():
        flash_form_errors(form)
    return _form_page(form, unit, None, kinds, findings, selected)


@bp.route("/deadline-preview")
@require("notices.draft")
def deadline_preview():
    """The draft form's preview as the kind, the days or the fixed deadline change (notices.js)."""
    try:
        days = parse_int(request.args.get("days"), minimum=1, maximum=MAX_DAYS)
        fixed = date.fromisoformat(request.args["deadline"]) if request.args.get("deadline") else None
    except BadNumber:
        return jsonify(text="", error=f"整改期限应为 1 至 {MAX_DAYS} 个工作日。", weekends_only=False)
    except ValueError:
        return jsonify(text="", error="截止日期格式不正确。", weekends_only=False)
    if fixed and (problem := fixed_deadline_problem(fixed, local_today())):
        return jsonify(text="", error=problem, weekends_only=False)
    preview = read.draft_deadline_preview(days, fixed, local_today())
    text = ""
    if preview["deadline"]:
        text = _(
            "如今日（%(t)s）签发，截止日期为 %(d)s。",
            t=cn_date(preview["today"]),
            d=cn_date(preview["deadline"]),
        )
    return jsonify(text=text, error="", weekends_only=preview["weekends_only"])


@bp.route("/<int:notice_id>/edit", methods=["GET", "POST"])
@require("notices.draft")
def edit(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    if not can_edit_draft(current_user, notice):
        abort(403)
    if notice.status != "draft":
        flash(_("只有草稿状态的通知书可以修改。"), "warning")
        return back(notice)
    kinds, findings = read.draft_form_choices(current_user, notice.unit_id, notice)
    form = NoticeDraftForm(obj=notice)
    form.kind_id.choices = [(k.id, k.name) for k in kinds]
    if request.method == "GET":
        form.version.data = notice.version
        selected = {item.finding_id: item.requirement for item in notice.items}
    else:
        selected = dict(_parse_items())
    if form.validate_on_submit():
        try:
            svc.notice_update(
                actor=current_user,
                notice=notice,
                data=_draft_data(form, notice.unit_id),
                today=local_today(),
                version=form_version(form),
            )
        except DomainError as error:
            flash_edit_error(error, form, notice)
        else:
            flash(_("通知书草稿已保存。"), "success")
            return back(notice)
    elif form.is_submitted():
        flash_form_errors(form)
    return _form_page(form, notice.unit, notice, kinds, findings, selected)
