"""What every API area shares: the problem and page schemas, paging and sorting, the version check."""

from __future__ import annotations

import math
from functools import wraps

from flask import abort, request, url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from ..errors import StaleEdit
from ..extensions import db
from ..parsing import MAX_ID
from ..permissions import can_any

# An id in a body field, bounded like every id in a URL (parsing.MAX_ID): no integer overflow.
ID = validate.Range(min=1, max=MAX_ID)


def d(text: str) -> dict:
    """A field's OpenAPI description (Chinese, like the pages)."""
    return {"metadata": {"description": text}}


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    class Meta:
        description = "错误说明（RFC 9457 application/problem+json）"

    type = fields.String(required=True, **d("错误类型的固定标识（URI），客户端据此区分错误"))
    title = fields.String(required=True, **d("错误标题（中文；请求头 Accept-Language: en 时为英文）"))
    status = fields.Integer(required=True, **d("HTTP 状态码"))
    detail = fields.String(**d("本次错误的具体说明"))
    instance = fields.String(**d("出错的请求路径"))
    errors = fields.Dict(**d("字段错误：字段名 → 错误说明列表"))


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000), **d("页码，从 1 开始"))
    per_page = fields.Integer(
        load_default=20, validate=validate.Range(min=1, max=100), **d("每页条数，最多 100")
    )


class LinksSchema(Schema):
    self = fields.String(**d("本页地址"))
    first = fields.String(**d("第一页地址"))
    last = fields.String(**d("最后一页地址"))
    prev = fields.String(allow_none=True, **d("上一页地址；没有时为 null"))
    next = fields.String(allow_none=True, **d("下一页地址；没有时为 null"))


_PAGE_SCHEMAS: dict[str, type[Schema]] = {}


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """The paged envelope of a list of `item` (one named schema per item, for the document)."""
    if name not in _PAGE_SCHEMAS:
        _PAGE_SCHEMAS[name] = Schema.from_dict(
            {
                "items": fields.List(fields.Nested(item), required=True, **d("本页记录")),
                "total": fields.Integer(required=True, **d("符合条件的记录总数")),
                "page": fields.Integer(required=True, **d("页码")),
                "per_page": fields.Integer(required=True, **d("每页条数")),
                "pages": fields.Integer(required=True, **d("总页数")),
                "links": fields.Nested(LinksSchema, required=True, **d("翻页链接")),
            },
            name=name,
        )
    return _PAGE_SCHEMAS[name]


def sort_arg(choices: dict[str, object], default: str) -> fields.String:
    names = sorted(choices) + sorted(f"-{c}" for c in choices)
    return fields.String(
        load_default=default,
        validate=validate.OneOf(names),
        **d("排序字段；前加 - 为倒序。可选：" + "、".join(names)),
    )


def order(query: Select, choices: dict[str, object], sort: str, tiebreak) -> Select:
    column = choices[sort.lstrip("-")]
    primary = column.desc() if sort.startswith("-") else column.asc()
    return query.order_by(primary, tiebreak.desc() if sort.startswith("-") else tiebreak.asc())


def paginate(query: Select, args: dict) -> dict:
    """One page of a scoped, filtered, ordered query, with the total and the links."""
    page, per_page = args["page"], args["per_page"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    pages = max(1, math.ceil(total / per_page))

    def link(number: int) -> str:
        values = {**request.view_args, **request.args.to_dict(), "page": number, "per_page": per_page}
        return url_for(request.endpoint, **values)

    return {
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "links": {
            "self": link(page),
            "first": link(1),
            "last": link(pages),
            "prev": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if page < pages else None,
        },
    }


class VersionSchema(Schema):
    version = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        **d("读取时记录的版本号（version）；与当前版本不同则拒绝（409），什么也不改。也可用请求头 If-Match"),
    )


def expected_version(body: dict | None) -> int | None:
    """The version the client read: the body's `version`, else an If-Match ETag ("3" or W/"3")."""
    if body and body.get("version") is not None:
        return body["version"]
    header = request.headers.get("If-Match", "").strip()
    if header.startswith("W/"):
        header = header[2:]
    header = header.strip('"')
    return int(header) if header.isdigit() and len(header) < 10 else None


def check_version(record, version: int | None) -> None:
    """A stale version is refused before anything is written (the services recheck at commit)."""
    if version is not None and record.version != version:
        raise StaleEdit()


def with_etag(response_body, record):
    """The record's version as a weak ETag, so that If-Match can send it back."""
    return response_body, 200, {"ETag": f'W/"{record.version}"'}


def requires(*capabilities: str):
    """The role's capability (as the page's @require asks it), checked before the body is parsed, so a
    refused caller learns nothing from validation errors; 403 otherwise."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can_any(current_user, *capabilities):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def loads(name: str, loader, *ids: str):
    """Resolve the URL's ids to the record through a scoped `get_*_for_user_or_404` before the body is
    parsed (out of scope looks like missing: 404); the view receives the record as `name`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            values = [kwargs.pop(key) for key in ids]
            kwargs[name] = loader(*values, current_user)
            return view(*args, **kwargs)

        return wrapped

    return decorator
