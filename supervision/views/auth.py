"""Login, logout and the language switch."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DomainError
from ..forms.auth import LoginForm
from ..services.auth import login_check, sessions_end
from ..sessions import session_bind
from ..urls import safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = login_check(
                username=form.username.data, password=form.password.data, ip=request.remote_addr or ""
            )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session at login (no fixation); the chosen language stays
            if lang:
                session["lang"] = lang
            login_user(user)
            session_bind(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


def end_this_session() -> None:
    """Sign out in this browser; the chosen language stays."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Ends the user's other sessions too: a cookie captured from this one must not outlive the logout.
    sessions_end(user=current_user)
    end_this_session()
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in ("zh_CN", "en"):
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))
