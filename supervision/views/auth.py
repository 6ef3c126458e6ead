"""Login, logout and the language switch."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DomainError
from ..forms.auth import LoginForm
from ..services.auth import SignIn, oidc_sign_in, sign_out
from ..sessions import login_method, session_bind
from ..sso import form_sign_in, oidc
from ..urls import safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")

PREVIOUS_LOGIN_KEY = "previous_login"
OIDC_NEXT_KEY = "oidc_next"
OIDC_ID_TOKEN_KEY = "oidc_id_token"


def start_session(result: SignIn) -> None:
    """A fresh session for the person just signed in (no fixation); the chosen language stays."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(result.user)
    session_bind(result.user, result.method)
    if result.previous_at is not None:
        # Shown once on the next page: an unknown earlier login is the user's cue to act.
        session[PREVIOUS_LOGIN_KEY] = [result.previous_at.isoformat(), result.previous_ip]


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            result = form_sign_in(
                username=form.username.data or "",
                password=form.password.data or "",
                ip=request.remote_addr or "",
            )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            start_session(result)
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/oidc/login")
def oidc_login():
    """Off to the unified identity service; it sends the person back to oidc_callback."""
    if not oidc.oidc_enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    session[OIDC_NEXT_KEY] = safe_next(request.args.get("next")) or ""
    try:
        return oidc.start(url_for("auth.oidc_callback", _external=True))
    except DomainError as error:
        return render_template("auth/sso_error.html", message=error.message), 503


@bp.route("/oidc/callback")
def oidc_callback():
    if not oidc.oidc_enabled():
        abort(404)
    next_path = session.pop(OIDC_NEXT_KEY, "")
    try:
        identity = oidc.finish()
        result = oidc_sign_in(username=identity.username, ip=request.remote_addr or "")
    except DomainError as error:
        return render_template("auth/sso_error.html", message=error.message), 403
    start_session(result)
    # For the provider's end-session call at logout (id_token_hint); signed in the cookie like the rest.
    session[OIDC_ID_TOKEN_KEY] = identity.id_token
    return redirect(next_path or url_for("main.home"))


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
    method = login_method()
    id_token = session.get(OIDC_ID_TOKEN_KEY)
    sign_out(user=current_user, method=method)
    end_this_session()
    flash(_("您已安全退出。"), "info")
    if method == "oidc" and oidc.oidc_enabled():
        # The provider's own session too, else its login page would sign the person straight back in.
        provider_logout = oidc.logout_url(id_token, url_for("auth.login", _external=True))
        if provider_logout:
            return redirect(provider_logout)
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in ("zh_CN", "en"):
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))
