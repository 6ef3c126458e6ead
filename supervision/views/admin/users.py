"""Users: list, create, edit, deactivate, reset password, import; each user's audit timeline."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...forms import ActionForm
from ...forms.admin import UserForm
from ...models import ROLES, User, utcnow
from ...parsing import id_arg
from ...permissions import get_user_or_404, require
from ...queries import admin as queries
from ...services import org
from ...tabular import template_xlsx
from ..helpers import (
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
from . import bp, import_page


@bp.route("/users")
@require("reference.read")
def users():
    args = {
        "q": request.args.get("q", "").strip(),
        "role": request.args.get("role", ""),
        "unit": id_arg("unit"),
        "state": request.args.get("state", "active"),
    }
    return render_template(
        "admin/users.html",
        **queries.users_page(current_user, args, page_arg()),
        roles=ROLES,
        keyword=args["q"],
        role=args["role"],
        unit_id=args["unit"],
        state=args["state"],
    )


def _user_data(form: UserForm) -> dict:
    data = dict(form.data)
    data["unit_id"] = data.get("unit_id") or None
    return data


@bp.route("/users/new", methods=["GET", "POST"])
@require("admin.manage")
def user_new():
    form = UserForm()
    form.unit_id.choices = queries.unit_choices()
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: org.user_create(
                    actor=current_user, data=_user_data(form), password=form.password.data or ""
                ),
                lambda user: url_for("admin.user_detail", user_id=user.id),
            )
        except DomainError as error:
            flash_domain_error(error)
        else:
            if done.repeated:
                flash_repeat()
            else:
                flash(_("已新建用户“%(name)s”。", name=done.record.display_name), "success")
            return redirect(done.url)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>")
@require("reference.read")
def user_detail(user_id: int):
    return _render_detail(get_user_or_404(user_id))


def _render_detail(user: User, new_password: str | None = None):
    return render_template(
        "admin/user_detail.html",
        user=user,
        **queries.user_page(current_user, user),
        action_form=ActionForm(),
        new_password=new_password,
        now=utcnow(),
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("admin.manage")
def user_edit(user_id: int):
    user = get_user_or_404(user_id)
    form = UserForm(obj=user)
    form.unit_id.choices = queries.unit_choices()
    if request.method == "GET":
        form.version.data = user.version
        form.unit_id.data = user.unit_id or 0
    if form.validate_on_submit():
        try:
            org.user_update(actor=current_user, user=user, data=_user_data(form), version=form_version(form))
        except DomainError as error:
            flash_edit_error(error, form, user)
        else:
            flash(_("用户信息已保存。"), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@require("admin.manage")
def user_set_active(user_id: int):
    user = get_user_or_404(user_id)
    active = request.form.get("active") == "1"
    try:
        org.user_set_active(actor=current_user, user=user, active=active)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(
            _("已启用用户“%(name)s”。", name=user.display_name)
            if active
            else _("已停用用户“%(name)s”。", name=user.display_name),
            "success",
        )
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@require("admin.manage")
def user_reset_password(user_id: int):
    user = get_user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("admin.user_detail", user_id=user.id))
    try:
        password = org.user_reset_password(actor=current_user, user=user)
    except DomainError as error:
        flash_domain_error(error)
        if user.id == current_user.id:
            return redirect(url_for("account.password"))
        return redirect(url_for("admin.user_detail", user_id=user.id))
    # Shown in this answer only (no-store), never in a flash message: those travel in the session cookie.
    return _render_detail(user, new_password=password)


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
@require("admin.manage")
def user_end_sessions(user_id: int):
    user = get_user_or_404(user_id)
    if ActionForm().validate_on_submit():
        org.user_end_sessions(actor=current_user, user=user)
        flash(_("已结束“%(name)s”的所有登录会话。", name=user.display_name), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/import", methods=["GET", "POST"])
@require("admin.manage")
def users_import():
    return import_page(
        title="批量导入用户",
        required=["用户名", "姓名", "角色", "初始密码"],
        importer=org.users_import,
        noun="用户",
        list_endpoint="admin.users",
        template_endpoint="admin.users_template",
    )


@bp.route("/users/import/template.xlsx")
@require("admin.manage")
def users_template():
    data = template_xlsx(
        "用户",
        org.USER_COLUMNS,
        [
            ["zhangwei", "张伟", "督察员", "区司法局", "13800000000", "", "Change2026"],
            ["lily", "李丽", "单位联络员", "横街镇", "", "", "Change2026"],
        ],
        [
            "每行一个用户。用户名、姓名、角色、初始密码必填。",
            "角色填写：系统管理员、法治办负责人、督察员、单位联络员。",
            "所属单位填写系统中已有单位的全称或简称；单位联络员必须填写所属单位。",
            "初始密码至少 8 位；用户首次登录时须修改密码。",
            "任何一行有错误时，整个文件都不会导入，系统会列出每一行的错误。",
        ],
        choices={"角色": list(ROLES.values())},
        suggestions={"所属单位": queries.unit_names()},
    )
    return download(data, "用户导入模板.xlsx", XLSX_MIME)
