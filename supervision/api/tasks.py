"""Supervision tasks and findings; recording a finding (services.tasks.finding_create)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import extract
from sqlalchemy.orm import selectinload

from ..filters import contains
from ..models import SEVERITIES, TASK_KINDS, Finding, SupervisionTask
from ..permissions import (
    findings_for_user,
    get_finding_for_user_or_404,
    get_task_for_user_or_404,
    tasks_for_user,
)
from ..services import tasks as service
from .common import ID, PageArgs, d, loads, order, page_of, paginate, requires, sort_arg, with_etag
from .org import need

blp = Blueprint("api_tasks", __name__, url_prefix="/api/v1", description="督察任务与督察问题")

TASK_STATUSES = ("draft", "active", "closed")
FINDING_STATUSES = ("open", "noticed", "resolved", "dismissed")


class TaskSchema(Schema):
    id = fields.Integer(required=True, **d("任务编号"))
    code = fields.String(required=True, **d("任务代码，如 DC-2026-001"))
    title = fields.String(required=True, **d("任务名称"))
    kind = fields.String(
        required=True, **d("类型：special 专项督察、monitor 专项监督、inspection 执法检查、other 其他")
    )
    basis = fields.String(**d("督察依据"))
    description = fields.String(**d("任务说明"))
    period_start = fields.Date(required=True, **d("开始日期"))
    period_end = fields.Date(required=True, **d("结束日期"))
    year = fields.Integer(required=True, **d("年度"))
    status = fields.String(required=True, **d("状态：draft 草稿、active 进行中、closed 已结束"))
    unit_ids = fields.Method("_unit_ids", required=True, **d("督察对象单位编号"))
    inspector_ids = fields.Method("_inspector_ids", required=True, **d("参加的督察员用户编号"))
    version = fields.Integer(required=True, **d("版本号"))

    def _unit_ids(self, task) -> list[int]:
        return [u.id for u in task.units]

    def _inspector_ids(self, task) -> list[int]:
        return [m.user_id for m in task.members]


TASK_SORTS = {
    "period_start": SupervisionTask.period_start,
    "code": SupervisionTask.code,
    "id": SupervisionTask.id,
}


class TaskArgs(PageArgs):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), **d("年度"))
    status = fields.String(validate=validate.OneOf(TASK_STATUSES), **d("状态"))
    kind = fields.String(validate=validate.OneOf(list(TASK_KINDS)), **d("任务类型"))
    q = fields.String(validate=validate.Length(max=50), **d("按名称或代码查找"))
    sort = sort_arg(TASK_SORTS, "-period_start")


@blp.route("/tasks")
class Tasks(MethodView):
    @blp.arguments(TaskArgs, location="query")
    @blp.response(200, page_of(TaskSchema, "TaskPage"))
    def get(self, args):
        """督察任务列表（法治办全部；督察员本人参加的）"""
        need("tasks.read_all", "tasks.read_assigned")
        query = tasks_for_user(current_user).options(
            selectinload(SupervisionTask.units), selectinload(SupervisionTask.members)
        )
        if args.get("year"):
            query = query.where(SupervisionTask.year == args["year"])
        if args.get("status"):
            query = query.where(SupervisionTask.status == args["status"])
        if args.get("kind"):
            query = query.where(SupervisionTask.kind == args["kind"])
        if args.get("q"):
            query = query.where(
                contains(SupervisionTask.title, args["q"]) | contains(SupervisionTask.code, args["q"])
            )
        return paginate(order(query, TASK_SORTS, args["sort"], SupervisionTask.id), args)


@blp.route("/tasks/<id:task_id>")
class TaskDetail(MethodView):
    @blp.response(200, TaskSchema)
    def get(self, task_id):
        """一个督察任务"""
        task = get_task_for_user_or_404(task_id, current_user)
        return with_etag(task, task)


class FindingSchema(Schema):
    id = fields.Integer(required=True, **d("问题编号"))
    task_id = fields.Integer(allow_none=True, **d("所属督察任务编号；案卷评查、指标评估中发现的问题为 null"))
    case_file_id = fields.Integer(allow_none=True, **d("来源案卷编号"))
    unit_id = fields.Integer(required=True, **d("问题所在单位编号"))
    inspector_id = fields.Integer(allow_none=True, **d("记录问题的督察员用户编号"))
    indicator_id = fields.Integer(allow_none=True, **d("关联的示范创建指标编号"))
    category = fields.String(required=True, **d("问题分类"))
    severity = fields.String(required=True, **d("严重程度：normal 一般、major 较重、serious 严重"))
    description = fields.String(required=True, **d("发现的问题"))
    legal_basis = fields.String(**d("依据条款"))
    found_on = fields.Date(required=True, **d("发现日期"))
    status = fields.String(
        required=True, **d("状态：open 待处理、noticed 已下发通知书、resolved 已整改、dismissed 已撤销")
    )
    version = fields.Integer(required=True, **d("版本号"))


FINDING_SORTS = {"found_on": Finding.found_on, "id": Finding.id, "severity": Finding.severity}


class FindingArgs(PageArgs):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), **d("发现年度"))
    unit = fields.Integer(validate=ID, **d("单位编号"))
    task = fields.Integer(validate=ID, **d("督察任务编号"))
    status = fields.String(validate=validate.OneOf(FINDING_STATUSES), **d("状态"))
    severity = fields.String(validate=validate.OneOf(list(SEVERITIES)), **d("严重程度"))
    category = fields.String(validate=validate.Length(max=20), **d("问题分类"))
    sort = sort_arg(FINDING_SORTS, "-found_on")


@blp.route("/findings")
class Findings(MethodView):
    @blp.arguments(FindingArgs, location="query")
    @blp.response(200, page_of(FindingSchema, "FindingPage"))
    def get(self, args):
        """督察问题列表（法治办全部；督察员本人任务中的）"""
        need("findings.read_all", "tasks.read_assigned")
        query = findings_for_user(current_user)
        if args.get("year"):
            query = query.where(extract("year", Finding.found_on) == args["year"])
        for arg, column in (("unit", Finding.unit_id), ("task", Finding.task_id), ("status", Finding.status)):
            if args.get(arg):
                query = query.where(column == args[arg])
        if args.get("severity"):
            query = query.where(Finding.severity == args["severity"])
        if args.get("category"):
            query = query.where(Finding.category == args["category"])
        return paginate(order(query, FINDING_SORTS, args["sort"], Finding.id), args)


@blp.route("/findings/<id:finding_id>")
class FindingDetail(MethodView):
    @blp.response(200, FindingSchema)
    def get(self, finding_id):
        """一个督察问题"""
        need("findings.read_all", "tasks.read_assigned")
        finding = get_finding_for_user_or_404(finding_id, current_user)
        return with_etag(finding, finding)


class FindingInput(Schema):
    unit_id = fields.Integer(required=True, validate=ID, **d("问题所在单位编号（须在任务的督察对象内）"))
    category = fields.String(
        required=True, validate=validate.Length(max=20), **d("问题分类（在用的分类名称）")
    )
    severity = fields.String(required=True, validate=validate.OneOf(list(SEVERITIES)), **d("严重程度"))
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000), **d("发现的问题"))
    legal_basis = fields.String(load_default="", validate=validate.Length(max=2000), **d("依据条款"))
    found_on = fields.Date(required=True, **d("发现日期，不晚于今天"))
    indicator_id = fields.Integer(allow_none=True, validate=ID, **d("关联的示范创建指标编号"))


@blp.route("/tasks/<id:task_id>/findings")
class TaskFindings(MethodView):
    @requires("findings.record")
    @loads("task", get_task_for_user_or_404, "task_id")
    @blp.arguments(FindingInput)
    @blp.response(201, FindingSchema)
    def post(self, data, task):
        """在任务中记录一个问题（本任务的督察员；规则与页面相同）"""
        return service.finding_create(actor=current_user, task=task, data=data)
