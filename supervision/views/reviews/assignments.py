"""Assignments: a reviewer's score sheet (save or submit), and the lead returning or reassigning one."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError, StaleEdit
from ...extensions import db
from ...forms import ActionForm
from ...models import ReviewAssignment, Rubric
from ...numbers import score_text
from ...parsing import BadNumber, form_id, form_int, parse_decimal
from ...permissions import can_score, get_assignment_for_user_or_404, require
from ...queries import reviews as q
from ...services import review_scoring as scoring_svc
from ..helpers import flash_domain_error, flash_stale_form, stale_rows
from . import bp, redirect_file

# --- scoring ------------------------------------------------------------------------------


def _points_text(points) -> str:
    """Deducted points as typed or stored, for comparing them (3, 3.0 and "3" are the same)."""
    if points in (None, ""):
        return "0"
    try:
        value = parse_decimal(str(points))
    except BadNumber:
        value = None
    return str(points) if value is None else f"{float(value):g}"


def _read_score_sheet(rubric: Rubric) -> tuple[dict, dict, dict, list[str]]:
    """The posted sheet: (entries, veto notes, values to show again, problems with the numbers)."""
    entries, vetoes, values, bad = {}, {}, {}, []
    for item in rubric.items:
        note = request.form.get(f"note-{item.id}", "")
        if item.is_veto:
            if request.form.get(f"veto-{item.id}") == "1":
                vetoes[item.id] = note
                values[item.id] = {"points": 0, "note": note, "veto": True}
            continue
        raw = request.form.get(f"points-{item.id}", "")
        values[item.id] = {"points": raw, "note": note}
        try:
            points = parse_decimal(raw)
        except BadNumber:
            bad.append(f"“{item.text}”：扣分“{raw}”不是数字。")
            continue
        entries[item.id] = scoring_svc.Entry(None if points is None else float(points), note)
    return entries, vetoes, values, bad


def _stale_sheet(assignment: ReviewAssignment, rubric: Rubric, values: dict, comment: str) -> list[dict]:
    """What is stored now beside what was typed, for a save made on an older copy."""
    stored = {d.item_id: d.points for d in assignment.deductions}
    return stale_rows(
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


def _save_score_sheet(assignment: ReviewAssignment, rubric: Rubric) -> tuple:
    """Save or submit the posted sheet: (redirect, …) when saved, else (None, values, comment,
    errors) to show the sheet again as typed."""
    entries, vetoes, values, bad = _read_score_sheet(rubric)
    errors: list[str] = []
    comment = request.form.get("comment", "")
    submit = request.form.get("action") == "submit"
    try:
        if bad:
            raise DomainError(bad[0], bad)
        scoring_svc.assignment_save(
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
        g.stale_edit = _stale_sheet(db.session.get(ReviewAssignment, assignment.id), rubric, values, comment)
    except DomainError as error:
        errors = error.errors or [error.message]
        flash(
            _("未保存：%(problem)s", problem=errors[0])
            + (_("（共 %(count)s 处问题）", count=len(errors)) if len(errors) > 1 else ""),
            "danger",
        )
    else:
        if submit:
            flash(_("评分已提交：%(total)s 分。", total=score_text(assignment.total)), "success")
            return redirect(url_for("reviews.index")), values, comment, errors
        flash(_("已暂存评分，可稍后继续。"), "success")
        return (
            redirect(url_for("reviews.assignment_detail", assignment_id=assignment.id)),
            values,
            comment,
            errors,
        )
    return None, values, comment, errors


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@require("reviews.score", "reviews.read_all")
def assignment_detail(assignment_id: int):
    assignment = get_assignment_for_user_or_404(assignment_id, current_user)
    if request.method == "POST":
        if not can_score(current_user, assignment):
            abort(403)
        if not ActionForm().validate_on_submit():
            abort(400)
        saved, values, comment, errors = _save_score_sheet(
            assignment, q.scoring_rubric(assignment.case_file.campaign)
        )
        if saved is not None:
            return saved
        assignment = db.session.get(ReviewAssignment, assignment_id)
    else:
        values = {d.item_id: {"points": d.points, "note": d.note} for d in assignment.deductions}
        for d in assignment.deductions:
            if d.item.is_veto:
                values[d.item_id]["veto"] = True
        comment, errors = assignment.comment, []
    return render_template(
        "reviews/assignment.html",
        assignment=assignment,
        **q.assignment_page(current_user, assignment),
        values=values,
        comment=comment,
        errors=errors,
    )


# --- the lead: return a review, hand a file to another reviewer -----------------------------


@bp.route("/assignments/<int:assignment_id>/return", methods=["POST"])
@require("reviews.manage")
def assignment_return(assignment_id: int):
    assignment = get_assignment_for_user_or_404(assignment_id, current_user)
    try:
        scoring_svc.assignment_return(
            actor=current_user, assignment=assignment, reason=request.form.get("reason", "")
        )
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已退回%(display_name)s重新评分。", display_name=assignment.reviewer.display_name), "success")
    return redirect_file(assignment.case_file_id)


@bp.route("/assignments/<int:assignment_id>/reassign", methods=["POST"])
@require("reviews.manage")
def assignment_reassign(assignment_id: int):
    assignment = get_assignment_for_user_or_404(assignment_id, current_user)
    reviewer_id = form_id(request.form.get(f"a{assignment.id}-reviewer_id")) or form_id(
        request.form.get("reviewer_id")
    )
    try:
        scoring_svc.assignment_reassign(
            actor=current_user, assignment=assignment, reviewer_id=reviewer_id or 0
        )
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已改派给%(display_name)s。", display_name=assignment.reviewer.display_name), "success")
    return redirect_file(assignment.case_file_id)
