"""Units and users (reference data): read only; the API writes no accounts or units at all, so a token
can never manage them."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..filters import contains
from ..models import ROLES, UNIT_KINDS, Unit, User
from ..permissions import (
    can,
    can_any,
    can_read_user_details,
    get_unit_for_user_or_404,
    get_user_or_404,
    units_for_user,
)
from .common import PageArgs, d, order, page_of, paginate, sort_arg

blp = Blueprint("api_org", __name__, url_prefix="/api/v1", description="单位与用户（只读）")


def need(*capabilities: str) -> None:
    """The role's capability, as the page's @require asks it; 403 otherwise."""
    if not can_any(current_user, *capabilities):
        abort(403)


class UnitSchema(Schema):
    id = fields.Integer(required=True, **d("单位编号"))
    name = fields.String(required=True, **d("单位全称"))
    short_name = fields.String(required=True, **d("简称"))
    kind = fields.String(required=True, **d("类别：district 区政府、department 部门、town 镇乡街道"))
    code = fields.String(allow_none=True, **d("统一社会信用代码或单位代码"))
    active = fields.Boolean(required=True, **d("是否在用"))
    version = fields.Integer(required=True, **d("版本号，每次修改加一"))


UNIT_SORTS = {"id": Unit.id, "name": Unit.name}


class UnitArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=50), **d("按名称或简称查找（包含即可）"))
    kind = fields.String(validate=validate.OneOf(list(UNIT_KINDS)), **d("单位类别"))
    active = fields.Boolean(**d("只列在用（true）或已停用（false）的单位"))
    sort = sort_arg(UNIT_SORTS, "id")


@blp.route("/units")
class Units(MethodView):
    @blp.arguments(UnitArgs, location="query")
    @blp.response(200, page_of(UnitSchema, "UnitPage"))
    def get(self, args):
        """单位列表（法治办可见全部；联络员只见本单位）"""
        query = units_for_user(current_user)
        if args.get("q"):
            query = query.where(contains(Unit.name, args["q"]) | contains(Unit.short_name, args["q"]))
        if args.get("kind"):
            query = query.where(Unit.kind == args["kind"])
        if "active" in args:
            query = query.where(Unit.active.is_(args["active"]))
        return paginate(order(query, UNIT_SORTS, args["sort"], Unit.id), args)


@blp.route("/units/<id:unit_id>")
class UnitDetail(MethodView):
    @blp.response(200, UnitSchema)
    def get(self, unit_id):
        """一个单位"""
        return get_unit_for_user_or_404(unit_id, current_user)


class UserSchema(Schema):
    id = fields.Integer(required=True, **d("用户编号"))
    display_name = fields.String(required=True, **d("姓名"))
    role = fields.String(required=True, **d("角色：admin、lead、inspector、liaison"))
    unit_id = fields.Integer(allow_none=True, **d("所属单位编号"))
    active = fields.Boolean(required=True, **d("账号是否在用"))
    username = fields.String(**d("用户名（仅系统管理员与本人可见）"))
    phone = fields.String(**d("电话（仅系统管理员与本人可见）"))
    email = fields.String(**d("邮箱（仅系统管理员与本人可见）"))
    version = fields.Integer(required=True, **d("版本号"))


def _user_view(user: User) -> dict:
    """Contact details only for those the pages show them to (permissions.can_read_user_details)."""
    data = {f: getattr(user, f) for f in ("id", "display_name", "role", "unit_id", "active", "version")}
    if can_read_user_details(current_user, user):
        data.update(username=user.username, phone=user.phone, email=user.email)
    return data


USER_SORTS = {"id": User.id, "display_name": User.display_name, "role": User.role}


class UserArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=50), **d("按姓名查找（系统管理员也可按用户名）"))
    role = fields.String(validate=validate.OneOf(list(ROLES)), **d("角色"))
    unit = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), **d("所属单位编号"))
    active = fields.Boolean(**d("只列在用（true）或已停用（false）的账号"))
    sort = sort_arg(USER_SORTS, "id")


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserArgs, location="query")
    @blp.response(200, page_of(UserSchema, "UserPage"))
    def get(self, args):
        """用户列表（法治办角色可见；联系方式仅系统管理员可见）"""
        need("reference.read")
        query = select(User).options(joinedload(User.unit))
        if args.get("q"):
            by_username = contains(User.username, args["q"]) if can(current_user, "admin.manage") else False
            query = query.where(or_(by_username, contains(User.display_name, args["q"])))
        if args.get("role"):
            query = query.where(User.role == args["role"])
        if args.get("unit"):
            query = query.where(User.unit_id == args["unit"])
        if "active" in args:
            query = query.where(User.active.is_(args["active"]))
        page = paginate(order(query, USER_SORTS, args["sort"], User.id), args)
        page["items"] = [_user_view(u) for u in page["items"]]
        return page


@blp.route("/users/<id:user_id>")
class UserDetail(MethodView):
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """一个用户"""
        need("reference.read")
        return _user_view(get_user_or_404(user_id))
