"""The signed-in user's own account: profile and password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import DomainError
from ..forms import ActionForm
from ..forms.auth import PasswordChangeForm
from ..services.auth import sessions_end
from ..services.org import password_change
from ..sessions import session_bind
from .auth import end_this_session
from .helpers import flash_domain_error, flash_form_errors

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            password_change(
                user=current_user, current=form.current.data, new=form.new.data, confirm=form.confirm.data
            )
        except DomainError as error:
            flash_domain_error(error)
        else:
            session_bind(current_user)  # the other sessions end, this one goes on
            flash(_("密码已修改，其他设备上的登录已退出。"), "success")
            return redirect(url_for("main.home"))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("account/password.html", form=form)


@bp.route("/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    if ActionForm().validate_on_submit():
        sessions_end(user=current_user, everywhere=True)
        end_this_session()
        flash(_("已退出所有设备上的登录，请重新登录。"), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("account.password"))
