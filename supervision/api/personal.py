"""The caller (who the token speaks for), their notifications, and the year's figures."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..figures import year_figures
from ..formatting import local_today
from ..models import Notification
from .common import PageArgs, d, order, page_of, paginate, sort_arg
from .org import need

blp = Blueprint("api_personal", __name__, url_prefix="/api/v1", description="本人、通知与年度数据")


class MeSchema(Schema):
    id = fields.Integer(required=True, **d("用户编号"))
    username = fields.String(required=True, **d("用户名"))
    display_name = fields.String(required=True, **d("姓名"))
    role = fields.String(required=True, **d("角色：admin、lead、inspector、liaison"))
    unit_id = fields.Integer(allow_none=True, **d("所属单位编号"))
    token_scope = fields.String(
        allow_none=True, **d("本次请求所用令牌的权限范围（read 或 read-write）；浏览器登录时为 null")
    )


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """本人（令牌所代表的用户）"""
        from flask import g

        token = g.get("api_token")
        return {
            **{f: getattr(current_user, f) for f in ("id", "username", "display_name", "role", "unit_id")},
            "token_scope": token.scope if token else None,
        }


class NotificationSchema(Schema):
    id = fields.Integer(required=True, **d("通知编号"))
    kind = fields.String(required=True, **d("类别，如 notice_issued、item_submitted、reminder"))
    text = fields.String(required=True, **d("内容"))
    link = fields.String(required=True, **d("相关页面的站内路径"))
    created_at = fields.DateTime(required=True, **d("时间（UTC）"))
    read_at = fields.DateTime(allow_none=True, **d("已读时间；未读为 null"))


NOTIFICATION_SORTS = {"created_at": Notification.created_at, "id": Notification.id}


class NotificationArgs(PageArgs):
    unread = fields.Boolean(**d("只列未读（true）"))
    sort = sort_arg(NOTIFICATION_SORTS, "-created_at")


@blp.route("/notifications")
class Notifications(MethodView):
    @blp.arguments(NotificationArgs, location="query")
    @blp.response(200, page_of(NotificationSchema, "NotificationPage"))
    def get(self, args):
        """本人的站内通知"""
        from sqlalchemy import select

        query = select(Notification).where(Notification.user_id == current_user.id)
        if args.get("unread"):
            query = query.where(Notification.read_at.is_(None))
        return paginate(order(query, NOTIFICATION_SORTS, args["sort"], Notification.id), args)


class FiguresSchema(Schema):
    year = fields.Integer(required=True, **d("年度"))
    tasks_run = fields.Integer(required=True, **d("开展的督察任务数（不含草稿）"))
    tasks_by_kind = fields.Dict(keys=fields.String(), values=fields.Integer(), **d("按任务类型的任务数"))
    findings_counted = fields.Integer(required=True, **d("发现问题数（不含已撤销）"))
    findings_by_category = fields.Dict(keys=fields.String(), values=fields.Integer(), **d("按分类的问题数"))
    findings_by_severity = fields.Dict(
        keys=fields.String(), values=fields.Integer(), **d("按严重程度的问题数")
    )
    notices_issued = fields.Integer(required=True, **d("下发通知书数"))
    notices_closed = fields.Integer(required=True, **d("已销号数"))
    notices_open = fields.Integer(required=True, **d("整改中数"))
    notices_overdue = fields.Integer(required=True, **d("逾期数"))
    items_total = fields.Integer(required=True, **d("整改事项数"))
    items_accepted = fields.Integer(required=True, **d("已通过的整改事项数"))
    rectification_rate = fields.Float(
        allow_none=True, **d("整改完成率（%，保留位数同页面）；无事项时为 null")
    )
    files_reviewed = fields.Integer(required=True, **d("评查案卷数"))
    files_excellent = fields.Integer(required=True, **d("优秀案卷数"))
    campaigns = fields.Integer(required=True, **d("开展的评查活动数"))
    assessments_total = fields.Integer(required=True, **d("指标评估数"))
    assessments_finalized = fields.Integer(required=True, **d("已定稿的指标评估数"))


@blp.route("/figures/<int(min=2000, max=2100):year>")
class Figures(MethodView):
    @blp.response(200, FiguresSchema)
    def get(self, year):
        """一年的统计数据（同“年度数据”页面，法治办负责人与系统管理员）"""
        need("dashboard.view")
        fig = year_figures(current_user, year, local_today())
        data = {name: getattr(fig, name) for name in FiguresSchema._declared_fields if name != "year"}
        data["year"] = year
        return data
