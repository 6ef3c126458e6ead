"""Indicator frameworks, assessments with their indicator scores, and the roadmap; saving a
self-assessment score (the unit's liaison) and evaluating one (an inspector), through
services.scorecards."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..extensions import db
from ..limits import TEXT_MAX
from ..models import Assessment, AssessmentRound, Framework, Indicator, IndicatorScore, RoadmapItem
from ..permissions import (
    assessments_for_user,
    get_assessment_for_user_or_404,
    get_roadmap_item_for_user_or_404,
    roadmap_items_for_user,
)
from ..queries.scorecards import framework_indicators, score_of
from ..services import scorecards as svc
from .common import (
    ID,
    PageArgs,
    check_version,
    d,
    expected_version,
    loads,
    order,
    page_of,
    paginate,
    requires,
    sort_arg,
    with_etag,
)
from .org import need

blp = Blueprint("api_scorecards", __name__, url_prefix="/api/v1", description="示范创建指标、评估与路线图")


class FrameworkSchema(Schema):
    id = fields.Integer(required=True, **d("指标体系编号"))
    name = fields.String(required=True, **d("名称"))
    version = fields.Integer(required=True, **d("指标体系的版次"))
    year = fields.Integer(allow_none=True, **d("适用年度"))
    description = fields.String(**d("说明"))
    level_names = fields.List(fields.String(), **d("各级指标的名称，如 一级指标、二级指标"))


class IndicatorSchema(Schema):
    id = fields.Integer(required=True, **d("指标编号"))
    parent_id = fields.Integer(allow_none=True, **d("上级指标编号"))
    code = fields.String(required=True, **d("指标代码，如 1.2.3"))
    level = fields.Integer(required=True, **d("层级，从 1 开始"))
    text = fields.String(required=True, **d("指标内容"))
    max_points = fields.Float(required=True, **d("分值"))
    method = fields.String(**d("评价方式"))
    applies_to = fields.String(**d("适用的单位类别（逗号分隔）"))
    is_leaf = fields.Boolean(required=True, **d("是否末级指标（可评分）"))


class FrameworkDetailSchema(FrameworkSchema):
    indicators = fields.Method("_indicators", required=True, **d("全部指标，按顺序"))

    def _indicators(self, framework) -> list:
        return IndicatorSchema(many=True).dump(framework_indicators(framework.id))


@blp.route("/frameworks")
class Frameworks(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(FrameworkSchema, "FrameworkPage"))
    def get(self, args):
        """指标体系列表（法治办角色）"""
        need("reference.read")
        return paginate(select(Framework).order_by(Framework.id.desc()), args)


@blp.route("/frameworks/<id:framework_id>")
class FrameworkDetail(MethodView):
    @blp.response(200, FrameworkDetailSchema)
    def get(self, framework_id):
        """一个指标体系及其指标"""
        need("reference.read")
        framework = db.session.get(Framework, framework_id)
        if framework is None:
            abort(404)
        return framework


class ScoreSchema(Schema):
    id = fields.Integer(required=True, **d("评分记录编号"))
    indicator_id = fields.Integer(required=True, **d("指标编号"))
    self_rating = fields.String(allow_none=True, **d("自评等次"))
    self_score = fields.Float(allow_none=True, **d("自评得分"))
    explanation = fields.String(**d("自评说明"))
    evaluated_rating = fields.String(allow_none=True, **d("评估等次"))
    evaluated_score = fields.Float(allow_none=True, **d("评估得分"))
    comment = fields.String(**d("评估意见"))
    version = fields.Integer(required=True, **d("版本号；保存时带回，不一致则 409"))


class AssessmentSchema(Schema):
    id = fields.Integer(required=True, **d("评估编号"))
    round_id = fields.Integer(required=True, **d("评估轮次编号"))
    year = fields.Function(lambda a: a.round.year, required=True, **d("年度"))
    framework_id = fields.Function(lambda a: a.round.framework_id, required=True, **d("指标体系编号"))
    unit_id = fields.Integer(required=True, **d("被评估单位编号"))
    status = fields.String(
        required=True, **d("状态：draft 自评中、submitted 已提交、evaluated 已评估、finalized 已定稿")
    )
    submitted_at = fields.DateTime(allow_none=True, **d("提交自评时间（UTC）"))
    evaluated_at = fields.DateTime(allow_none=True, **d("评估完成时间（UTC）"))
    finalized_at = fields.DateTime(allow_none=True, **d("定稿时间（UTC）"))
    version = fields.Integer(required=True, **d("版本号"))


class AssessmentDetailSchema(AssessmentSchema):
    scores = fields.Method("_scores", required=True, **d("各指标的自评与评估"))

    def _scores(self, assessment) -> list:
        rows = db.session.scalars(
            select(IndicatorScore)
            .where(IndicatorScore.assessment_id == assessment.id)
            .order_by(IndicatorScore.id)
        )
        return ScoreSchema(many=True).dump(rows)


ASSESSMENT_SORTS = {"id": Assessment.id, "updated_at": Assessment.updated_at}
ASSESSMENT_STATUSES = ("draft", "submitted", "evaluated", "finalized")


class AssessmentArgs(PageArgs):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), **d("年度"))
    unit = fields.Integer(validate=ID, **d("单位编号"))
    round = fields.Integer(validate=ID, **d("评估轮次编号"))
    status = fields.String(validate=validate.OneOf(ASSESSMENT_STATUSES), **d("状态"))
    sort = sort_arg(ASSESSMENT_SORTS, "-id")


@blp.route("/assessments")
class Assessments(MethodView):
    @blp.arguments(AssessmentArgs, location="query")
    @blp.response(200, page_of(AssessmentSchema, "AssessmentPage"))
    def get(self, args):
        """指标评估列表（法治办、督察员全部；联络员本单位的）"""
        query = assessments_for_user(current_user)
        if args.get("year"):
            query = query.where(
                Assessment.round_id.in_(
                    select(AssessmentRound.id).where(AssessmentRound.year == args["year"])
                )
            )
        if args.get("unit"):
            query = query.where(Assessment.unit_id == args["unit"])
        if args.get("round"):
            query = query.where(Assessment.round_id == args["round"])
        if args.get("status"):
            query = query.where(Assessment.status == args["status"])
        return paginate(order(query, ASSESSMENT_SORTS, args["sort"], Assessment.id), args)


@blp.route("/assessments/<id:assessment_id>")
class AssessmentDetail(MethodView):
    @blp.response(200, AssessmentDetailSchema)
    def get(self, assessment_id):
        """一份指标评估及各指标的评分"""
        assessment = get_assessment_for_user_or_404(assessment_id, current_user)
        return with_etag(assessment, assessment)


class ScoreInput(Schema):
    rating = fields.String(allow_none=True, validate=validate.Length(max=10), **d("等次（按指标的评价方式）"))
    score = fields.String(allow_none=True, validate=validate.Length(max=20), **d("得分（数字文本，如 3.5）"))
    version = fields.Integer(validate=ID, **d("该指标评分记录的版本号；首次保存可不填"))


class SelfScoreInput(ScoreInput):
    explanation = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX), **d("自评说明"))


class EvaluationInput(ScoreInput):
    comment = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX), **d("评估意见"))


def _indicator(indicator_id: int) -> Indicator:
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        abort(404)
    return indicator


def _existing_score(assessment: Assessment, indicator: Indicator, body: dict) -> int | None:
    version = expected_version(body)
    record = score_of(assessment, indicator)
    if record is not None:
        check_version(record, version)
    return version


@blp.route("/assessments/<id:assessment_id>/indicators/<id:indicator_id>/self-score")
class SelfScore(MethodView):
    @requires("assessments.self_assess")
    @loads("assessment", get_assessment_for_user_or_404, "assessment_id")
    @blp.arguments(SelfScoreInput)
    @blp.response(200, ScoreSchema)
    def post(self, body, assessment, indicator_id):
        """保存一项自评（被评估单位联络员；规则同页面）"""
        indicator = _indicator(indicator_id)
        version = _existing_score(assessment, indicator, body)
        return svc.score_save(
            actor=current_user,
            assessment=assessment,
            indicator=indicator,
            rating=body.get("rating"),
            score_text=body.get("score"),
            explanation=body["explanation"],
            version=version,
        )


@blp.route("/assessments/<id:assessment_id>/indicators/<id:indicator_id>/evaluation")
class Evaluation(MethodView):
    @requires("assessments.evaluate")
    @loads("assessment", get_assessment_for_user_or_404, "assessment_id")
    @blp.arguments(EvaluationInput)
    @blp.response(200, ScoreSchema)
    def post(self, body, assessment, indicator_id):
        """评估一项指标（督察员，非本单位）"""
        indicator = _indicator(indicator_id)
        version = _existing_score(assessment, indicator, body)
        return svc.score_evaluate(
            actor=current_user,
            assessment=assessment,
            indicator=indicator,
            rating=body.get("rating"),
            score_text=body.get("score"),
            comment=body["comment"],
            version=version,
        )


class RoadmapSchema(Schema):
    id = fields.Integer(required=True, **d("路线图事项编号"))
    indicator_id = fields.Integer(required=True, **d("针对的指标编号"))
    unit_id = fields.Integer(required=True, **d("单位编号"))
    assessment_id = fields.Integer(allow_none=True, **d("来源评估编号"))
    year = fields.Integer(required=True, **d("年度"))
    measure = fields.String(required=True, **d("提升措施"))
    owner = fields.String(required=True, **d("责任人或责任科室"))
    due_date = fields.Date(required=True, **d("完成期限"))
    status = fields.String(required=True, **d("状态：planned 计划、in_progress 推进中、done 已完成"))
    progress = fields.String(**d("进展情况"))
    version = fields.Integer(required=True, **d("版本号"))


ROADMAP_SORTS = {"id": RoadmapItem.id, "due_date": RoadmapItem.due_date}


class RoadmapArgs(PageArgs):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), **d("年度"))
    unit = fields.Integer(validate=ID, **d("单位编号"))
    status = fields.String(validate=validate.Length(max=20), **d("状态"))
    sort = sort_arg(ROADMAP_SORTS, "due_date")


@blp.route("/roadmap")
class Roadmap(MethodView):
    @blp.arguments(RoadmapArgs, location="query")
    @blp.response(200, page_of(RoadmapSchema, "RoadmapPage"))
    def get(self, args):
        """路线图事项（法治办全部；联络员本单位的）"""
        query = roadmap_items_for_user(current_user)
        for arg, column in (
            ("year", RoadmapItem.year),
            ("unit", RoadmapItem.unit_id),
            ("status", RoadmapItem.status),
        ):
            if args.get(arg):
                query = query.where(column == args[arg])
        return paginate(order(query, ROADMAP_SORTS, args["sort"], RoadmapItem.id), args)


@blp.route("/roadmap/<id:item_id>")
class RoadmapDetail(MethodView):
    @blp.response(200, RoadmapSchema)
    def get(self, item_id):
        """一个路线图事项"""
        item = get_roadmap_item_for_user_or_404(item_id, current_user)
        return with_etag(item, item)


class AssessmentVersion(Schema):
    version = fields.Integer(validate=ID, **d("评估的版本号；不一致则 409（也可用 If-Match）"))


def _assessment_step(assessment: Assessment, body: dict | None, call) -> tuple:
    version = expected_version(body)
    check_version(assessment, version)
    call(assessment, version)
    return assessment, 200, {"ETag": f'W/"{assessment.version}"'}


@blp.route("/assessments/<id:assessment_id>/submit")
class AssessmentSubmit(MethodView):
    @requires("assessments.self_assess")
    @loads("assessment", get_assessment_for_user_or_404, "assessment_id")
    @blp.arguments(AssessmentVersion, required=False)
    @blp.response(200, AssessmentDetailSchema)
    def post(self, body, assessment):
        """提交自评（被评估单位联络员；每项适用指标都须已评）"""
        return _assessment_step(
            assessment, body, lambda a, v: svc.assessment_submit(actor=current_user, assessment=a, version=v)
        )


@blp.route("/assessments/<id:assessment_id>/evaluate")
class AssessmentEvaluate(MethodView):
    @requires("assessments.evaluate")
    @loads("assessment", get_assessment_for_user_or_404, "assessment_id")
    @blp.arguments(AssessmentVersion, required=False)
    @blp.response(200, AssessmentDetailSchema)
    def post(self, body, assessment):
        """完成评估（督察员，非本单位；未改动的指标按自评确认）"""
        return _assessment_step(
            assessment,
            body,
            lambda a, v: svc.assessment_evaluate(actor=current_user, assessment=a, version=v),
        )
