"""Rubrics (评查标准): the list, one rubric's page, its xlsx export, importing one and editing one."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import scoring
from ...errors import DomainError, ImportRejected, StaleEdit
from ...exports import reviews as exports
from ...extensions import db
from ...forms import ActionForm
from ...forms.reviews import RubricImportForm
from ...models import Rubric
from ...parsing import BadNumber, form_int, parse_decimal
from ...permissions import require
from ...queries import reviews as q
from ...services import rubrics as rubric_svc
from ..helpers import (
    XLSX_MIME,
    download,
    flash_domain_error,
    flash_form_errors,
    flash_repeat,
    flash_stale_form,
    stale_rows,
    submit_once,
)
from . import bp

NEW_ITEM_ROWS = 3  # blank rows on the edit form for new items
BAND_ROWS = 6  # rows on the edit form for the grade bands
VETO_CHOICE = "__veto__"


def _rubric_or_404(rubric_id: int) -> Rubric:
    rubric = q.rubric_with_items(rubric_id)
    if rubric is None:
        abort(404)
    return rubric


@bp.route("/rubrics")
@require("reference.read")
def rubrics():
    return render_template("reviews/rubrics.html", rubrics=q.rubric_list())


@bp.route("/rubrics/<int:rubric_id>")
@require("reference.read")
def rubric_detail(rubric_id: int):
    rubric = _rubric_or_404(rubric_id)
    return render_template("reviews/rubric_detail.html", rubric=rubric, **q.rubric_page(current_user, rubric))


@bp.route("/rubrics/<int:rubric_id>/export.xlsx")
@require("reference.read")
def rubric_export(rubric_id: int):
    rubric = db.get_or_404(Rubric, rubric_id)
    return download(exports.rubric_xlsx(rubric), f"{rubric.name}（第{rubric.edition}版）.xlsx", XLSX_MIME)


@bp.route("/rubrics/import", methods=["GET", "POST"])
@require("admin.manage")
def rubric_import():
    form = RubricImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: rubric_svc.rubric_import(
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


# --- editing a rubric ---------------------------------------------------------------------


def _number(raw: str | None) -> float | None:
    """A number typed on the form (parse_decimal: finite, bounded), or None if blank or not one."""
    try:
        value = parse_decimal(raw)
    except BadNumber:
        return None
    return None if value is None else float(value)


def _posted_bands(bad: list[str]) -> list[tuple[str, float]]:
    bands = []
    for n in range(1, BAND_ROWS + 1):
        label = request.form.get(f"band-label-{n}", "").strip()
        minimum = _number(request.form.get(f"band-min-{n}", ""))
        if label and label != scoring.FAIL_GRADE:
            if minimum is None:
                bad.append(f"等级“{label}”的最低分不是数字。")
            else:
                bands.append((label, minimum))
    return bands


def _posted_new_items(bad: list[str]) -> list[tuple[str, str, float, str, bool]]:
    added = []
    for n in range(1, NEW_ITEM_ROWS + 1):
        text = request.form.get(f"new-text-{n}", "").strip()
        if not text:
            continue  # a blank row is not an item
        category = request.form.get(f"new-category-{n}", "")
        veto = category == VETO_CHOICE
        top = 0.0 if veto else _number(request.form.get(f"new-max-{n}", ""))
        if top is None:
            bad.append(f"新增项目“{text}”的最高扣分不是数字。")
            continue
        added.append((category, text, top, request.form.get(f"new-guidance-{n}", ""), veto))
    return added


def _posted_items(rubric: Rubric, removed: set[int], bad: list[str]) -> dict[int, dict]:
    items = {}
    for item in rubric.items:
        if item.id in removed:
            continue
        raw = request.form.get(f"max-{item.id}")
        top = item.max_points if raw is None else _number(raw)
        if not item.is_veto and top is None:
            bad.append(f"“{item.text}”的最高扣分不是数字。")
            continue
        items[item.id] = {
            "text": request.form.get(f"text-{item.id}", item.text),
            "max": 0 if item.is_veto else top,
            "guidance": request.form.get(f"guidance-{item.id}", item.guidance),
        }
    return items


def _revise(rubric: Rubric):
    """Save the posted edit: a redirect to the rubric (or its new version) once saved, else None."""
    bad: list[str] = []
    bands = _posted_bands(bad)
    removed = {item.id for item in rubric.items if request.form.get(f"remove-{item.id}")}
    added = _posted_new_items(bad)
    items = _posted_items(rubric, removed, bad)
    try:
        if bad:
            raise DomainError(bad[0], bad)
        result = rubric_svc.rubric_revise(
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
    except StaleEdit:
        flash_stale_form()
        db.session.refresh(rubric)
        g.stale_edit = stale_rows([("备注", rubric.note, request.form.get("note", ""))])
        return None
    except DomainError as error:
        flash_domain_error(error)
        return None
    if result.id != rubric.id:
        flash(_("该标准已被评查活动使用，修改已保存为新版本“%(label)s”。", label=result.label), "success")
    else:
        flash(_("评查标准已保存。"), "success")
    return redirect(url_for("reviews.rubric_detail", rubric_id=result.id))


@bp.route("/rubrics/<int:rubric_id>/edit", methods=["GET", "POST"])
@require("admin.manage")
def rubric_edit(rubric_id: int):
    rubric = _rubric_or_404(rubric_id)
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        saved = _revise(rubric)
        if saved is not None:
            return saved
    return render_template("reviews/rubric_edit.html", rubric=rubric)
