"""Errors as application/problem+json (RFC 9457): a stable `type`, a title and detail in the caller's
language (Chinese; English with Accept-Language: en), and field errors for 422."""

from __future__ import annotations

from flask import Response, json, request

from ..errors import DomainError, ImportRejected, InvalidTransition, NotAllowed, StaleEdit

PROBLEM_MIME = "application/problem+json"
TYPE_BASE = "urn:supervision:problem:"

# status → (slug of the stable type, Chinese title, English title, Chinese detail, English detail)
_STATUS = {
    400: ("bad-request", "请求有误", "Bad request", "请求格式不正确。", "The request is malformed."),
    401: (
        "unauthenticated",
        "需要身份认证",
        "Authentication required",
        "请在请求头 Authorization 中提供有效的访问令牌（Bearer）。",
        "Send a valid personal access token as `Authorization: Bearer …`.",
    ),
    403: ("forbidden", "无权操作", "Forbidden", "您没有执行此操作的权限。", "You may not do this."),
    404: (
        "not-found",
        "未找到",
        "Not found",
        "记录不存在，或您无权查看。",
        "No such record, or not yours to see.",
    ),
    405: (
        "method-not-allowed",
        "方法不允许",
        "Method not allowed",
        "该地址不支持此请求方法。",
        "Method not allowed here.",
    ),
    409: (
        "conflict",
        "记录已变化",
        "Conflict",
        "该记录已被他人修改，或当前状态不允许此操作；请重新读取后再试。",
        "The record changed or its state does not allow this; read it again and retry.",
    ),
    413: ("too-large", "内容过大", "Payload too large", "上传内容超过大小限制。", "The upload is too large."),
    415: (
        "unsupported-media-type",
        "格式不支持",
        "Unsupported media type",
        "请求体格式不支持。",
        "Unsupported body.",
    ),
    422: (
        "invalid",
        "内容未通过校验",
        "Validation failed",
        "提交的内容有误，请按字段错误修改。",
        "The request failed validation; see the field errors.",
    ),
    428: (
        "precondition-required",
        "缺少版本号",
        "Precondition required",
        "请提供 version。",
        "Send the version.",
    ),
    429: (
        "rate-limited",
        "请求过于频繁",
        "Too many requests",
        "请求次数超过限制，请稍后再试（见 Retry-After）。",
        "Rate limit exceeded; retry after the Retry-After seconds.",
    ),
    500: (
        "server-error",
        "服务器错误",
        "Internal server error",
        "服务器出错，请稍后再试。",
        "Server error; try later.",
    ),
}
# A domain error's own slug, so that clients can tell a stale edit from a refused step.
_DOMAIN = [
    (StaleEdit, 409, "stale-version"),
    (InvalidTransition, 409, "invalid-transition"),
    (NotAllowed, 403, "not-allowed"),
    (ImportRejected, 422, "import-rejected"),
    (DomainError, 422, "domain-rule"),
]


def english() -> bool:
    """English when the client asks for it first; Chinese otherwise."""
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    return best == "en"


def problem(
    status: int,
    detail: str | None = None,
    *,
    slug: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
) -> Response:
    known = _STATUS.get(status) or _STATUS[500 if status >= 500 else 400]
    en = english()
    body = {
        "type": TYPE_BASE + (slug or known[0]),
        "title": known[2] if en else known[1],
        "status": status,
        "detail": detail or (known[4] if en else known[3]),
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MIME)
    response.headers["Content-Language"] = "en" if en else "zh-CN"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def domain_problem(error: DomainError) -> Response:
    """A service's refusal: its own (Chinese) message is the detail, each rule's message an error."""
    for cls, status, slug in _DOMAIN:
        if isinstance(error, cls):
            errors = {"_schema": error.errors} if error.errors else None
            return problem(status, error.message, slug=slug, errors=errors)
    raise error  # pragma: no cover


def http_problem(error) -> Response:
    """An HTTPException (abort, webargs validation, Flask-Limiter) as a problem."""
    data = getattr(error, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    headers = dict(data.get("headers") or {})
    status = error.code or 500
    detail = data.get("message")
    if status == 429:
        headers.setdefault("Retry-After", str(_retry_after()))
        detail = None
    if isinstance(errors, dict) and len(errors) == 1 and set(errors) <= {"json", "query", "form", "files"}:
        errors = next(iter(errors.values()))  # webargs nests by location; one location is the usual case
    return problem(status, detail, errors=errors if isinstance(errors, dict) else None, headers=headers)


def _retry_after() -> int:
    """Seconds until the caller's window resets (at least 1)."""
    import time

    from . import limiter

    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()) + 1)
