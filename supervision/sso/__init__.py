"""Sign-in through the office's directory (LDAP) or the unified identity service (OpenID Connect)."""

from __future__ import annotations

from flask import current_app

from ..services.auth import SignIn, login_check


def form_sign_in(*, username: str, password: str, ip: str) -> SignIn:
    """The login form's check: the directory when LDAP is set up, else the app's own password.

    With LDAP the local password still counts for the break-glass account alone, for when the
    directory is down.
    """
    glass = current_app.config["LOCAL_LOGIN_BREAK_GLASS"]
    if current_app.config["LDAP_URL"] and not (glass and (username or "").strip().lower() == glass):
        from .ldap import ldap_login_check

        return ldap_login_check(username=username, password=password, ip=ip)
    return login_check(username=username, password=password, ip=ip)
