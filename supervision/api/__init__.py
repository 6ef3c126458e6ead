"""The JSON API under /api/v1/: flask-smorest blueprints over the same permission and
service layer as the pages, so a client never sees or does more than its user could in a browser.

Authentication: `Authorization: Bearer <personal access token>`. A signed-in browser session may read
(GET) but never write: API writes take tokens only, so no CSRF token is needed and none is accepted.
"""

from __future__ import annotations

import hashlib
import http
from functools import partial

from flask import Blueprint, Flask, current_app, g, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_smorest import Api as SmorestApi
from flask_smorest.spec import prepare_response
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from ..errors import DomainError
from ..extensions import csrf, db
from ..services.api_tokens import token_authenticate
from .common import ProblemSchema
from .problems import PROBLEM_MIME, domain_problem, http_problem, problem

PREFIX = "/api/v1"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Api(SmorestApi):
    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        """As flask-smorest's, but the errors documented as application/problem+json, which they are."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIME)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "错误（application/problem+json）", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIME)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException):
        if request.path.startswith(PREFIX + "/"):
            return http_problem(error)
        return error  # the pages keep their own error handling


def _rate_key() -> str:
    """Per token (its hash, so the limiter's storage never holds a secret); per address otherwise."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    return "addr:" + (get_remote_address() or "")


# X-RateLimit-* headers off: Flask-Limiter would put a Retry-After on every answer; the 429 sets its own.
limiter = Limiter(key_func=_rate_key, default_limits=[], headers_enabled=False)
_prepared: set[str] = set()  # blueprints (module-level objects) get their hooks once per process


class IdConverter(IntegerConverter):
    """A record id in a URL: 1 … 2³¹−1, so that no id overflows a database integer (a 404 beyond)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=2**31 - 1)


def _id_schema(converter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT") or "300 per minute"


def authenticate() -> object | None:
    """Every API request: a live Bearer token, or a session for reads; None lets the view run."""
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, secret = header.partition(" ")
        token = token_authenticate(secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            return problem(401, "访问令牌无效、已过期或已撤销。")
        g._login_user = token.user  # Flask-Login's current_user for this request only; no session
        g.api_token = token
        if request.method not in READ_METHODS and token.scope != "read-write":
            return problem(403, "只读令牌不能办理，请使用读写令牌。", slug="read-only-token")
        return None
    if not current_user.is_authenticated:
        return problem(401)
    if request.method not in READ_METHODS:
        return problem(401, "接口的写操作只接受访问令牌（Authorization: Bearer），不接受浏览器登录。")
    return None


def _domain_error(error: DomainError):
    db.session.rollback()  # nothing of a refused change stays in the session
    return domain_problem(error)


docs_bp = Blueprint("api", __name__, url_prefix=PREFIX)


@docs_bp.route("/docs")
def docs():
    """The browsable reference (Swagger UI, vendored under static/vendor/swagger-ui)."""
    return render_template("api/docs.html")


def _limit_api_only(app: Flask, names: set[str]) -> None:
    """Flask-Limiter hooks every request of the app, though only the API's blueprints have limits:
    its hooks run for those alone, so a page does not resolve an empty set of limits each time."""

    def ours(hook) -> bool:
        owner = hook.args[0] if isinstance(hook, partial) else getattr(hook, "__self__", None)
        return owner is limiter

    def before(hook):
        return lambda: hook() if request.blueprint in names else None

    def after(hook):
        return lambda response: hook(response) if request.blueprint in names else response

    def teardown(hook):
        return lambda error=None: hook(error) if request.blueprint in names else None

    for registry, wrap in (
        (app.before_request_funcs, before),
        (app.after_request_funcs, after),
        (app.teardown_request_funcs, teardown),
    ):
        hooks = registry.get(None, [])
        hooks[:] = [wrap(hook) if ours(hook) else hook for hook in hooks]


def init_api(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "督察通 API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "督察通的数据接口：与页面同一套权限与业务规则，令牌能做的不超过其用户在页面上能做的。"
                "认证：请求头 Authorization: Bearer <访问令牌>（在“账号 → 访问令牌”创建）。",
            },
            "servers": [{"url": "/"}],
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.url_map.converters["id"] = IdConverter
    api = Api(app)  # one per app: it holds the app's OpenAPI document
    api.register_converter(IdConverter, _id_schema)
    app.extensions["api"] = api
    limiter.init_app(app)
    _limit_api_only(app, {blueprint.name for blueprint in BLUEPRINTS})
    for blueprint in BLUEPRINTS:
        if blueprint.name not in _prepared:
            _prepared.add(blueprint.name)
            blueprint.before_request(authenticate)
            blueprint.register_error_handler(DomainError, _domain_error)
            limiter.limit(_rate_limit)(blueprint)
        csrf.exempt(blueprint)  # writes take a Bearer token only (authenticate), never a session
        api.register_blueprint(blueprint)
    app.register_blueprint(docs_bp)


from . import boards, notices, org, personal, reviews, scorecards, tasks  # noqa: E402

BLUEPRINTS = [org.blp, tasks.blp, notices.blp, reviews.blp, scorecards.blp, boards.blp, personal.blp]
