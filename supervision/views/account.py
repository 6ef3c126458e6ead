"""The signed-in user's own account: password, sessions and personal access tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import DomainError
from ..extensions import db
from ..forms import ActionForm
from ..forms.auth import ApiTokenForm, PasswordChangeForm
from ..models import ApiToken, utcnow
from ..permissions import can_revoke_token
from ..queries.api_tokens import tokens_of
from ..services.api_tokens import token_create, token_revoke
from ..services.auth import password_change_due, sessions_end
from ..services.org import password_change
from ..sessions import login_method, session_bind
from ..urls import safe_next
from .auth import end_this_session
from .helpers import flash_domain_error, flash_form_errors

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            revoked = password_change(
                user=current_user, current=form.current.data, new=form.new.data, confirm=form.confirm.data
            )
        except DomainError as error:
            flash_domain_error(error)
        else:
            session_bind(current_user)  # the other sessions end, this one goes on
            flash(_("密码已修改，其他设备上的登录已退出。"), "success")
            if revoked:
                flash(
                    _("您的 %(n)s 个访问令牌已随之撤销，使用它们的系统需换用新令牌。", n=revoked), "warning"
                )
            return redirect(url_for("main.home"))
    elif form.is_submitted():
        flash_form_errors(form)
    due = password_change_due(current_user, method=login_method())
    reason = None
    if due:
        reason = (
            "您的密码由管理员设置，请先修改为只有您本人知道的密码，然后才能继续使用系统。"
            if current_user.must_change_password
            else "您的密码已超过有效期，请先修改密码，然后才能继续使用系统。"
        )
    return render_template("account/password.html", form=form, reason=reason)


@bp.route("/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    if ActionForm().validate_on_submit():
        sessions_end(user=current_user, everywhere=True)
        end_this_session()
        flash(_("已退出所有设备上的登录，请重新登录。"), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("account.password"))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = ApiTokenForm()
    secret = None
    if form.validate_on_submit():
        try:
            _token, secret = token_create(
                actor=current_user, name=form.name.data, scope=form.scope.data, days=form.days.data
            )
        except DomainError as error:
            flash_domain_error(error)
        else:
            flash(_("访问令牌已创建。请立即复制保存：它只显示这一次。"), "success")
            form = ApiTokenForm(formdata=None)
    elif form.is_submitted():
        flash_form_errors(form)
    # The secret is rendered into this one response only (no redirect, so it is never stored anywhere).
    return render_template(
        "account/tokens.html",
        form=form,
        tokens=tokens_of(current_user),
        secret=secret,
        action_form=ActionForm(),
        now=utcnow(),
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def token_revoke_view(token_id: int):
    token = db.session.get(ApiToken, token_id)
    # Another user's token looks missing unless one is the admin (who revokes any).
    if token is None or not can_revoke_token(current_user, token):
        return redirect(url_for("account.tokens"))
    if ActionForm().validate_on_submit():
        try:
            token_revoke(actor=current_user, token=token)
        except DomainError as error:
            flash_domain_error(error)
        else:
            flash(_("访问令牌“%(name)s”已撤销。", name=token.name), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("account.tokens"))
