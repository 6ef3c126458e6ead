"""Which login sessions are still valid: the user's session version, and the session's own clock.

The session is a signed cookie, so ending it on the server means changing what it must match:
logout, 退出所有设备, a password change or reset, deactivation and an admin's 结束会话 move
`User.session_version` on, and every session (every captured copy of the cookie too) that holds the
old number is refused. The cookie also carries when the session began and when it was last used; the
server refuses it past SESSION_IDLE_MINUTES of silence or SESSION_MAX_HOURS after login, whatever
the browser does with the cookie.
"""

from __future__ import annotations

import time

from flask import current_app, g, session
from flask.globals import _cv_app, _cv_request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature
from sqlalchemy import update

from .extensions import db
from .models import User

SESSION_KEY = "session_version"
STARTED_KEY = "session_started"
SEEN_KEY = "session_seen"
METHOD_KEY = "login_method"

METHOD_LABELS = {"local": "本地密码", "ldap": "LDAP 目录", "oidc": "统一身份认证"}


def now_seconds() -> float:
    """The session clock: app.config["CLOCK"] (a function returning epoch seconds) in tests."""
    clock = current_app.config.get("CLOCK")
    return float(clock()) if clock else time.time()


def session_bind(user: User, method: str | None = None) -> None:
    """Mark the current session as one of the user's valid sessions (at login, after a password change).

    `method` is given at login (local, ldap or oidc) and starts the session's lifetime anew.
    """
    session[SESSION_KEY] = user.session_version
    if method is not None:
        stamp = int(now_seconds())
        session[METHOD_KEY] = method
        session[STARTED_KEY] = stamp
        session[SEEN_KEY] = stamp


def login_method() -> str:
    return session.get(METHOD_KEY, "local")


def session_is_current(user: User) -> bool:
    """True if the session holds the user's version and has been neither idle nor open too long.

    A session that is still valid is marked as used now (that is what the idle timeout counts from).
    """
    if session.get(SESSION_KEY) != user.session_version:
        return False
    config = current_app.config
    now = now_seconds()
    started, seen = session.get(STARTED_KEY), session.get(SEEN_KEY)
    if not isinstance(started, int | float) or not isinstance(seen, int | float):
        return False  # a session from before these rules, or one not made by session_bind
    if now - seen > config["SESSION_IDLE_MINUTES"] * 60 or now - started > config["SESSION_MAX_HOURS"] * 3600:
        g.session_timed_out = True  # the login page says why
        return False
    # Written at most once a minute, so that a page's many requests do not each send a new cookie.
    if now - seen >= 60:
        session[SEEN_KEY] = int(now)
    return True


def end_all_sessions(user: User) -> None:
    """Refuse every session the user has now; the caller commits.

    An UPDATE of its own, so that it neither counts as an edit of the user (their `version`, which
    an admin's open edit form holds, stays) nor loses a concurrent logout's increment.
    """
    db.session.execute(
        update(User).where(User.id == user.id).values(session_version=User.session_version + 1)
    )


CSRF_FIELD = "csrf_token"  # Flask-WTF's default: the session key of the raw token and g's of the signed one
SIGNED_TOKENS_KEPT = 10_000


def csrf_token() -> str:
    """The templates' csrf_token(): Flask-WTF's signed token of this session's raw token.

    Flask-WTF signs the raw token anew on every request (an HMAC and a timestamp, some 30 µs) and
    looks its settings up on each of a page's calls. With no time limit on tokens (the app's
    setting), any signature of the raw token is as good as a new one, so the one made first for a
    raw token is kept per app and given again; the raw token is the session's own secret, so two
    sessions never share one. With a time limit, or other field names or keys, Flask-WTF's answer.
    """
    app_ctx = _cv_app.get(None)  # the contexts the g, current_app and session proxies look up
    request_ctx = _cv_request.get(None)
    if app_ctx is None or request_ctx is None:
        return generate_csrf()  # outside a request: Flask-WTF's answer (and its error)
    namespace = app_ctx.g.__dict__
    token = namespace.get(CSRF_FIELD)
    if token is not None:
        return token
    config = app_ctx.app.config
    raw = request_ctx.session.get(CSRF_FIELD)
    if (
        not isinstance(raw, str)
        or config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None
        or config.get("WTF_CSRF_FIELD_NAME", CSRF_FIELD) != CSRF_FIELD
        or config.get("WTF_CSRF_SECRET_KEY") is not None
    ):
        return generate_csrf()
    kept = app_ctx.app.extensions.setdefault("supervision.csrf_tokens", {})
    token = kept.get(raw)
    if token is None:
        token = generate_csrf()
        if len(kept) >= SIGNED_TOKENS_KEPT:
            kept.clear()
        kept[raw] = token
    else:
        namespace[CSRF_FIELD] = token  # g's attribute, where Flask-WTF's forms look for it
    return token


VERIFIED_COOKIES_KEPT = 4096
_PLAIN = frozenset({str, int, float, bool, type(None)})  # values a session's copy may share


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session, its serializer made once per key rather than on each request
    (Flask builds one per request, and itsdangerous tries its JSON on an empty dict each time).

    A browser sends the same cookie on request after request (it changes only when the session
    does, and the idle clock is written at most once a minute), and checking it is the same work
    each time: two HMACs (the key derived, then the signature), base64, zlib and the tagged JSON,
    some 60 µs. So a cookie that passed is kept, as the exact string the browser sent, with its
    signing time and its contents as tagged JSON: the same string again is read from there, its age
    checked against the same limit as itsdangerous does, and any other string (another session, an
    altered cookie) is checked in full. Each request gets a session of its own, read from the JSON,
    so nothing one request changes in its session is seen by another. The kept cookies belong to
    the serializer of the keys that checked them and go with it when the keys change.
    """

    _kept: tuple | None = None

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = self._kept
        if kept is not None and kept[0] == keys:
            return kept[1]
        serializer = super().get_signing_serializer(app)
        if serializer is not None:
            self._kept = (keys, serializer, {})
        return serializer

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        verified = self._kept[2] if self._kept is not None and self._kept[1] is serializer else None
        if verified is not None:
            hit = verified.get(value)
            if hit is not None:
                age = int(time.time()) - hit[0]  # as itsdangerous's TimestampSigner counts it
                if 0 <= age <= max_age:
                    # Contents of plain values only: a copy of the dict (no value can be changed in
                    # place); anything else (a list of flashes, a tagged value) read from the JSON.
                    return self.session_class(hit[2] or self.serializer.loads(hit[1]))
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if verified is not None:
            if len(verified) >= VERIFIED_COOKIES_KEPT:
                verified.clear()
            plain = data if all(type(v) in _PLAIN for v in data.values()) else None
            verified[value] = (int(signed_at.timestamp()), self.serializer.dumps(data), plain)
        return self.session_class(data)
