"""The finding categories (问题分类) the office keeps."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...extensions import db
from ...forms.tasks import CategoryForm
from ...models import FindingCategory
from ...permissions import require
from ...queries import tasks as queries
from ...services import tasks as service
from ..helpers import flash_domain_error, flash_form_errors, flash_repeat, submit_once
from . import bp


@bp.route("/categories", methods=["GET", "POST"])
@require("tasks.manage", "admin.manage")
def categories():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: service.finding_category_add(actor=current_user, name=form.name.data),
                lambda _category: url_for("tasks.categories"),
            )
        except DomainError as error:
            flash_domain_error(error)
        else:
            if done.repeated:
                flash_repeat()
            else:
                flash(_("已新增问题分类“%(name)s”。", name=form.name.data.strip()), "success")
            return redirect(done.url)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("tasks/categories.html", form=form, **queries.categories_page())


@bp.route("/categories/<int:category_id>/active", methods=["POST"])
@require("tasks.manage", "admin.manage")
def category_active(category_id: int):
    category = db.session.get(FindingCategory, category_id)
    if category is None:
        abort(404)
    service.finding_category_set_active(
        actor=current_user, category=category, active=request.form.get("active") == "1"
    )
    flash(_("问题分类已更新。"), "success")
    return redirect(url_for("tasks.categories"))
