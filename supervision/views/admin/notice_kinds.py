"""Notice kinds (通知书种类): the list, the form, and the kind's own .docx template."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...exports.notice_template import PLACEHOLDERS
from ...extensions import db
from ...formatting import local_today
from ...forms import ActionForm
from ...forms.notices import NoticeKindForm
from ...models import NoticeKind
from ...permissions import require
from ...queries.notices import notice_kinds as all_kinds
from ...services import notice_kinds as svc
from ..helpers import flash_domain_error, flash_edit_error, flash_form_errors, form_version, submit_once
from . import bp


@bp.route("/notice-kinds")
@require("reference.read")
def notice_kinds():
    return render_template(
        "admin/notice_kinds.html", kinds=all_kinds(active_only=False), year=local_today().year
    )


def _save(form: NoticeKindForm, kind: NoticeKind | None) -> None:
    """A new kind once per form token; an edit against the version the form was drawn from."""
    if kind is None:
        submit_once(
            lambda: svc.notice_kind_save(actor=current_user, kind=None, data=form.data),
            lambda _kind: url_for("admin.notice_kinds"),
        )
    else:
        svc.notice_kind_save(actor=current_user, kind=kind, data=form.data, version=form_version(form))


@bp.route("/notice-kinds/new", methods=["GET", "POST"])
@bp.route("/notice-kinds/<int:kind_id>/edit", methods=["GET", "POST"])
@require("admin.manage")
def notice_kind_form(kind_id: int | None = None):
    kind = db.get_or_404(NoticeKind, kind_id) if kind_id else None
    form = NoticeKindForm(obj=kind)
    if request.method == "GET" and kind is not None:
        form.version.data = kind.version
    if form.validate_on_submit():
        try:
            _save(form, kind)
        except DomainError as error:
            flash_edit_error(error, form, kind)
        else:
            flash(_("通知书种类已保存。"), "success")
            return redirect(url_for("admin.notice_kinds"))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template(
        "admin/notice_kind_form.html",
        form=form,
        kind=kind,
        action_form=ActionForm(),
        placeholders=PLACEHOLDERS,
    )


@bp.route("/notice-kinds/<int:kind_id>/template", methods=["POST"])
@require("admin.manage")
def notice_kind_template(kind_id: int):
    """Upload (or, with `clear`, remove) the kind's own .docx template."""
    kind = db.get_or_404(NoticeKind, kind_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    version = request.form.get("version", type=int)
    try:
        if request.form.get("clear"):
            svc.notice_kind_template_clear(actor=current_user, kind=kind, version=version)
            flash(_("已删除模板，该种类改用内置版式。"), "success")
        else:
            upload = request.files.get("template")
            if upload is None or not upload.filename:
                raise DomainError(_("请选择要上传的模板文件（.docx）。"))
            svc.notice_kind_template_set(actor=current_user, kind=kind, upload=upload, version=version)
            flash(_("模板已上传，该种类的通知书按模板生成 Word 文档。"), "success")
    except DomainError as error:
        flash_domain_error(error)
    return redirect(url_for("admin.notice_kind_form", kind_id=kind.id))
