"""Answers for htmx requests (autosaving rows) when they cannot get the row they asked for.

htmx swaps whatever a 2xx answer holds into the row, so a login page after a redirect would land
inside a table row; and it swaps nothing on a 4xx/5xx, so the user would see no reply at all. Here an
expired session sends the whole page to the login form (HX-Redirect), and an error is a short plain
text that static/js/app.js shows on the row, leaving what the user typed in place.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, flash, g, make_response, redirect, request
from flask_babel import gettext as _
from flask_login import login_url

from .extensions import login_manager
from .urls import safe_next


def is_htmx() -> bool:
    """True for a request sent by htmx (it sets the HX-Request header)."""
    return request.headers.get("HX-Request") == "true"


def current_page() -> str | None:
    """The path of the page the htmx request came from, if it is one of ours; else None."""
    parts = urlsplit(request.headers.get("HX-Current-URL", ""))
    if parts.netloc != request.host:
        return None
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def unauthorized() -> Response:
    """Flask-Login's answer for a visitor who must log in; htmx gets HX-Redirect to the login page."""
    if g.get("session_timed_out"):
        flash(_("登录已超时，请重新登录。"), "warning")
    else:
        flash(login_manager.login_message, login_manager.login_message_category)
    if not is_htmx():
        return redirect(login_url(login_manager.login_view, next_url=request.url))
    response = make_response("登录已过期，请重新登录。", 401)
    response.mimetype = "text/plain"
    response.headers["HX-Redirect"] = login_url(login_manager.login_view, next_url=current_page())
    return response


def error_response(code: int, message: str | None = None) -> Response:
    """A short Chinese message for the row that sent the request, with the error's status code."""
    response = make_response(message or ERROR_MESSAGES.get(code, ERROR_MESSAGES[500]), code)
    response.mimetype = "text/plain"
    return response


ERROR_MESSAGES = {
    400: "未保存：请求有误，请刷新页面后重试。",
    403: "未保存：你没有权限进行此操作。",
    404: "未保存：要保存的内容已不存在，请刷新页面。",
    413: "未保存：上传的文件太大。",
    500: "未保存：服务器出错，请稍后重试。",
}
