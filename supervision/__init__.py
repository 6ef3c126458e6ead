"""督察通 (Supervision Tracker): the application factory."""

from __future__ import annotations

import functools
import logging
import time
from pathlib import Path

from babel import Locale
from flask import Flask, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, gettext
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, htmx
from .extensions import babel, csrf, db, login_manager, migrate
from .i18n import N_, install_vocabulary

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from .template_env import SupervisionEnvironment

    app.jinja_environment = SupervisionEnvironment  # before app.jinja_env is first made
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.DEFAULTS)
    app.config.update(config.from_environment(app.instance_path))
    if test_config is not None:
        app.config.update(test_config)
    app.config["SECRET_KEY"] = config.secret_key(app.config, app.instance_path)
    app.config["MAX_CONTENT_LENGTH"] = (app.config["MAX_UPLOAD_MB"] * 10 + 5) * 1024 * 1024
    if app.config["TRUSTED_PROXIES"] > 0:
        # The client's address and scheme from the proxies' headers; without the setting the headers
        # are ignored, since a client could send them itself. The Host header is passed on as it is.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    logging.basicConfig(level=app.config["LOG_LEVEL"])

    register_sync_check(app)
    from .sessions import CookieSessions

    app.session_interface = CookieSessions()
    register_extensions(app)
    register_input_checks(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_session_rules(app)
    register_commands(app)
    return app


def register_sync_check(app: Flask) -> None:
    """Flask asks of every hook and view, on every request, whether it is an `async def` (some
    eleven inspect calls a page); the answer for a function does not change, so it is kept."""
    ensure_sync = app.ensure_sync
    checked: dict = {}

    def ensure_sync_once(func):
        try:
            return checked[func]
        except KeyError:
            pass
        except TypeError:  # not hashable: asked each time
            return ensure_sync(func)
        answer = ensure_sync(func)
        if len(checked) < 10_000:  # hooks and views; a function made per call is asked each time
            checked[func] = answer
        return answer

    app.ensure_sync = ensure_sync_once  # type: ignore[method-assign]


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Foreign keys on, WAL mode and a busy timeout for SQLite; nothing for other databases."""
    if dbapi_connection.__class__.__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


@functools.cache
def _locale(code: str) -> Locale:
    """The Locale of a language code, parsed once (Flask-Babel parses a string on every request)."""
    return Locale.parse(code)


def _select_locale() -> Locale:
    languages = ("zh_CN", "en")
    if not has_request_context():
        return _locale("zh_CN")
    if request.path.startswith("/api/"):  # API clients say it in the header (problems.english)
        english = request.accept_languages.best_match(["zh-CN", "zh", "en"]) == "en"
        return _locale("en" if english else "zh_CN")
    chosen = session.get("lang")
    if chosen in languages:
        return _locale(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return _locale(current_user.locale)
    return _locale("zh_CN")


def register_extensions(app: Flask) -> None:
    from . import models, search
    from .pg_description import describe_lazily
    from .read_commits import end_reads_with_commit

    db.init_app(app)
    with app.app_context():
        db_ping_when_idle(db.engine, app.config["DATABASE_PING_IDLE_SECONDS"])
        end_reads_with_commit(db.engine, app.config["DATABASE_PREPARED"])
        describe_lazily(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=models.base.render_migration_item,
        include_name=search.include_name,  # the search index lives in migration 0011, not the models
    )
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )
    install_vocabulary(app)
    login_manager.init_app(app)
    _current_user_from_contexts()
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("请先登录。")
    login_manager.localize_callback = gettext  # flashed in the reader's language
    login_manager.login_message_category = "warning"
    login_manager.unauthorized_handler(htmx.unauthorized)

    @login_manager.user_loader
    def load_user(user_id: str):
        from .sessions import session_is_current

        try:
            uid = int(user_id)
        except ValueError:
            return None
        # One query for the user, their unit (the layout shows it) and the bell's unread count.
        loaded = _signed_in_user(uid)
        if loaded is None:
            return None
        user, unread = loaded
        # A session from before a logout, password change, reset or deactivation: not signed in.
        if not session_is_current(user):
            return None
        g.unread_count = unread
        return user


def _flask_login_get_user():
    """Flask-Login's _get_user (what `current_user` resolves through), reading the request's
    contexts directly: the same steps (outside a request None; not loaded yet, the login manager
    loads it; then g's _login_user), without three proxy lookups on each of a page's many uses."""
    from flask.globals import _cv_app, _cv_request

    request_ctx = _cv_request.get(None)
    if request_ctx is None:
        return None
    namespace = _cv_app.get().g.__dict__
    if "_login_user" not in namespace:
        request_ctx.app.login_manager._load_user()
    return namespace["_login_user"]


def _current_user_from_contexts() -> None:
    """Let `current_user` resolve through _flask_login_get_user: its proxy calls the module's
    _get_user by name on each use. Only over the function it was written against (the test
    compares the two in every state); any other Flask-Login keeps its own."""
    import flask_login.utils

    original = flask_login.utils._get_user
    if original is _flask_login_get_user:
        return
    if _source_of(original) != _FLASK_LOGIN_GET_USER:
        return
    flask_login.utils._get_user = _flask_login_get_user
    _current_user_from_contexts.original = original


_FLASK_LOGIN_GET_USER = """def _get_user():
    if has_request_context():
        if "_login_user" not in g:
            current_app.login_manager._load_user()

        return g._login_user

    return None
"""


@functools.cache
def _source_of(function) -> str | None:
    import inspect

    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return None


CHECKED_IN_AT = "supervision.checked_in_at"


def db_ping_when_idle(engine: Engine, idle_seconds: float | None) -> None:
    """Check a pooled connection before use only if it has lain idle for `idle_seconds`.

    pool_pre_ping pings on every checkout, one round trip more per request on PostgreSQL for a
    question whose answer changes only when the server restarts or drops an idle connection. A
    connection in steady use is handed out as it is; one idle longer (or after a quiet spell, when
    a server's idle timeout may have closed it) is pinged as pool_pre_ping does, and one that fails
    is replaced before the request sees it (SQLAlchemy's pessimistic disconnect handling). A server
    restarted while connections are busy is noticed on their next statement, and the whole pool is
    then renewed. `idle_seconds` 0 pings on every checkout, None never.
    """
    from sqlalchemy import exc

    if idle_seconds is None or engine.pool._pre_ping:
        return
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def checked_in(dbapi_connection, connection_record) -> None:
        connection_record.info[CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection, connection_record, connection_proxy) -> None:
        last = connection_record.info.get(CHECKED_IN_AT)
        if last is None or time.monotonic() - last < idle_seconds:
            return  # just connected, or in use a moment ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError("pooled connection lost while idle") from error
            raise
        if not alive:
            raise exc.DisconnectionError("pooled connection lost while idle")


@functools.cache
def _user_statement():
    """The signed-in user's query, built once: constructing it cost more than running it."""
    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import joinedload

    from .models import User

    return (
        select(User, unread_count_of(User.id))
        .options(joinedload(User.unit))
        .where(User.id == bindparam("user_id"))
    )


@functools.cache
def _user_columns_statement():
    """The signed-in user's query as columns: the user's, their unit's (NULL without one) and the
    unread count, with the attribute names they fill; built once."""
    from sqlalchemy import bindparam, select

    from .models import Unit, User

    user_columns, unit_columns = list(User.__table__.c), list(Unit.__table__.c)
    statement = (
        select(*user_columns, *unit_columns, unread_count_of(User.id))
        .select_from(User)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.id == bindparam("user_id"))
    )
    user_keys = tuple(User.__mapper__.get_property_by_column(c).key for c in user_columns)
    unit_keys = tuple(Unit.__mapper__.get_property_by_column(c).key for c in unit_columns)
    return statement, user_keys, unit_keys


def _signed_in_user(uid: int):
    """(User, unread count) of `uid`, or None: _user_statement's answer, at a third of the cost.

    The ORM's execution and loading of one user and their unit cost some 200 µs a request, most of
    it around the statement. Here the same columns are read on the session's connection and the
    User and Unit are made as the ORM makes them: every column set as loaded, `user.unit` set
    without history, each made persistent in the session (make_transient_to_detached, then put in its identity map), so
    they are the session's objects as a query's would be (a flush writes their changes, a commit
    expires them, anything else they relate to loads lazily). Should the session already hold
    either one (a page that read users before asking for current_user), the ORM's query, which
    returns the held object.
    """
    from sqlalchemy.orm import make_transient_to_detached
    from sqlalchemy.orm.attributes import instance_state

    from .models import Unit, User

    statement, user_keys, unit_keys = _user_columns_statement()
    session = db.session()
    row = session.connection().execute(statement, {"user_id": uid}).first()
    if row is None:
        return None
    held = session.identity_map
    n = len(user_keys)
    unit_id = row[n + unit_keys.index("id")]
    if held and (
        User.__mapper__.identity_key_from_primary_key((uid,)) in held
        or (unit_id is not None and Unit.__mapper__.identity_key_from_primary_key((unit_id,)) in held)
    ):
        return tuple(session.execute(_user_statement(), {"user_id": uid}).one())
    unit = None
    if unit_id is not None:
        unit = Unit.__mapper__.class_manager.new_instance()
        unit.__dict__.update(zip(unit_keys, row[n : n + len(unit_keys)], strict=True))
        make_transient_to_detached(unit)
    user = User.__mapper__.class_manager.new_instance()
    values = user.__dict__
    values.update(zip(user_keys, row[:n], strict=True))
    values["unit"] = unit  # as joinedload sets it: no history, no backref into unit.users
    make_transient_to_detached(user)
    # Into the identity map as a query's rows go: Session.add would walk every relationship of
    # both mappers for its save-update cascade (a third of this function), to find just the unit.
    for obj in (unit, user) if unit is not None else (user,):
        session._update_impl(instance_state(obj))
    return user, row[-1]


def register_input_checks(app: Flask) -> None:
    from .parsing import IdConverter, refuse_nul_characters

    # Before the blueprints: each rule binds its converter when it is added.
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_characters)


def register_blueprints(app: Flask) -> None:
    from .api import init_api
    from .views import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    init_api(app)


def register_errorhandlers(app: Flask) -> None:
    from flask import jsonify, make_response, render_template
    from flask_wtf.csrf import CSRFError

    from .parsing import BadArgument

    def render_error(code: int, message: str | None = None):
        if request.path.startswith("/api/"):
            from .api.problems import problem

            return problem(code, message)
        if request.path == "/healthz":
            return jsonify(error=code), code
        if htmx.is_htmx():
            return htmx.error_response(code, message and f"未保存：{message}")
        return render_template(f"errors/{code}.html", message=message), code

    @app.errorhandler(403)
    def forbidden(error):
        return render_error(403)

    @app.errorhandler(404)
    def not_found(error):
        return render_error(404)

    @app.errorhandler(405)
    def method_not_allowed(error):
        # An action's address typed or bookmarked (GET on a POST-only route): say so in the layout.
        response = make_response(render_error(405))
        response.headers["Allow"] = ", ".join(error.valid_methods or [])
        return response

    @app.errorhandler(413)
    def too_large(error):
        return render_error(413)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if htmx.is_htmx() and not current_user.is_authenticated:
            return htmx.unauthorized()  # the session (and its token) expired: log in again
        return render_error(400, "页面已过期或请求缺少安全令牌，请刷新页面后重试。")

    @app.errorhandler(400)
    def bad_request(error):
        return render_error(400, error.description if isinstance(error, BadArgument) else None)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)


def register_template_helpers(app: Flask) -> None:
    from . import (
        filters,
        formatting,
        macros,
        nav,
        numbers,
        permissions,
        scoring_indicators,
        sessions,
        template_gettext,
        workflow,
    )
    from .exports import pdf
    from .forms import new_form_token
    from .views.helpers import url_base

    app.jinja_env.filters["cn_date"] = formatting.cn_date
    app.jinja_env.filters["cn_datetime"] = formatting.cn_datetime
    # One filter per kind of figure, each at its one precision (numbers.py).
    app.jinja_env.filters["score"] = numbers.score_text
    app.jinja_env.filters["points"] = numbers.indicator_text
    app.jinja_env.filters["rate"] = numbers.rate_text
    app.jinja_env.filters["days"] = numbers.days_text
    app.jinja_env.globals.update(
        can=lambda cap: permissions.can(_signed_in_now(), cap),
        can_any=lambda *caps: permissions.can_any(_signed_in_now(), *caps),
        nav_for=nav.nav_for,
        layout_for=nav.layout_for,
        fixed_url=nav.fixed_url,  # url_for of an endpoint without arguments, built once
        status_label=workflow.status_label,
        status_badge_html=macros.status_badge,  # _macros/ui.html's status_badge
        pagination_html=macros.pagination,  # _macros/ui.html's pagination
        timeline_html=macros.timeline,  # _macros/ui.html's timeline
        status_labels=workflow.status_labels,  # a list page's labels, translated once
        url_base=url_base,  # a list page's row links: url_base(endpoint, key) ~ id
        get_locale=get_locale,
        search_max=filters.SEARCH_MAX_CHARS,  # every search box's maxlength
        weak_percent=scoring_indicators.weak_percent(),  # the 短板 threshold stated on the pages
        new_form_token=new_form_token,
        pdf_available=lambda: pdf.pdf_available(),  # looked up at each call (tests replace it)
    )
    for name, rule in permissions.TEMPLATE_RULES.items():
        app.jinja_env.globals[name] = _bound_to_current_user(rule)
    template_gettext.install(app)
    # csrf_token() once per request and signed once per session's token (sessions.csrf_token), in
    # place of Flask-WTF's global and the context processor that puts it in every template's context.
    app.jinja_env.globals["csrf_token"] = sessions.csrf_token
    processors = app.template_context_processors[None]
    processors[:] = [f for f in processors if getattr(f, "__module__", "") != "flask_wtf.csrf"]

    @app.context_processor
    def inject_globals():
        from flask.globals import _cv_app

        app_ctx = _cv_app.get(None)  # every render asks: g read once, not through its proxy
        namespace = app_ctx.g.__dict__ if app_ctx is not None else {}
        user = namespace.get("_login_user")
        return {
            "office_name": app.config["OFFICE_NAME"],
            "unread_count": (
                namespace["unread_count"]
                if "unread_count" in namespace and user is not None and user.is_authenticated
                else _unread_count()
            ),
            "previous_login_text": namespace.get("previous_login_text"),
        }


def _bound_to_current_user(rule):
    """rule(user, *args) as rule(*args) for templates, asked about whoever is signed in."""
    return lambda *args: rule(_signed_in_now(), *args)


_NOT_LOADED = object()


def _signed_in_now():
    """What `current_user` stands for: the user Flask-Login loaded for this request (or its
    anonymous user), read from `g` without the proxy's lookups (a page's can() and rules ask for it
    dozens of times); not loaded yet, or outside a request, `current_user` itself."""
    from flask.globals import _cv_app, _cv_request

    if _cv_request.get(None) is None:
        return current_user
    user = _cv_app.get().g.__dict__.get("_login_user", _NOT_LOADED)
    return current_user if user is _NOT_LOADED else user


def unread_count_of(user_id):
    """The number of unread notifications of `user_id` (a value or a column), as a scalar subquery."""
    from sqlalchemy import func, select

    from .models import Notification

    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def _unread_count() -> int:
    """Unread notifications for the bell: read with the user (load_user), or counted now if a commit
    since then may have changed it (see _forget_unread_count_on_commit)."""
    if not (current_user and current_user.is_authenticated):
        return 0
    if "unread_count" not in g:
        from sqlalchemy import select

        g.unread_count = db.session.scalar(select(unread_count_of(current_user.id)))
    return g.unread_count


@event.listens_for(Session, "after_commit")
def _forget_unread_count_on_commit(session) -> None:
    """A commit may have added or read notifications: the bell counts again when it is shown."""
    if has_app_context():
        g.pop("unread_count", None)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _csp(app: Flask) -> str:
    """The policy; logout's redirect to the OpenID provider's end-session page is a form's target too."""
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return CSP
    from urllib.parse import urlsplit

    parts = urlsplit(issuer)
    return CSP.replace("form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", _csp(app))
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


# Pages a user whose password must be changed may still reach: the change itself and the way out.
PASSWORD_CHANGE_OPEN = {
    "account.password",
    "account.logout_everywhere",
    "auth.logout",
    "auth.set_language",
    "main.healthz",
    "static",
}


def register_session_rules(app: Flask) -> None:
    from flask import redirect, url_for

    from .formatting import cn_datetime

    @app.before_request
    def password_change_first():
        if request.endpoint is None or request.endpoint in PASSWORD_CHANGE_OPEN:
            return None
        if not current_user.is_authenticated:
            return None
        from .services.auth import password_change_due
        from .sessions import login_method

        if not password_change_due(current_user, method=login_method()):
            return None
        target = url_for("account.password")
        if htmx.is_htmx():
            response = app.make_response(("请先修改密码。", 401))
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target)

    @app.before_request
    def previous_login():
        """The previous login's time and address, once, on the first page after a login."""
        from datetime import datetime

        from .views.auth import PREVIOUS_LOGIN_KEY

        if PREVIOUS_LOGIN_KEY not in session or request.method != "GET" or htmx.is_htmx():
            return
        if request.endpoint in (None, "static", "main.healthz"):
            return
        at, ip = session.pop(PREVIOUS_LOGIN_KEY)
        # On g, not read from the session by a template: a page may render partials before itself.
        g.previous_login_text = (
            "上次登录：" + cn_datetime(datetime.fromisoformat(at)) + (f"，来自 {ip}" if ip else "")
        )


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
