"""Scorecards: one unit's (its finalized assessment of a year) and the office board of a round, as
services.scorecard_reports computes them for the pages."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from ..extensions import db
from ..models import AssessmentRound
from ..permissions import get_scorecard_unit_for_user_or_404
from ..services import scorecard_reports as reports
from .common import d
from .org import need

blp = Blueprint("api_boards", __name__, url_prefix="/api/v1", description="记分卡")


class AreaScoreSchema(Schema):
    id = fields.Integer(required=True, **d("一级指标（领域）编号"))
    code = fields.String(required=True, **d("领域代码"))
    text = fields.String(required=True, **d("领域名称"))
    percent = fields.Float(allow_none=True, **d("得分率（%）；无可计分指标时为 null"))


class LineSchema(Schema):
    indicator_id = fields.Integer(required=True, **d("指标编号"))
    code = fields.String(required=True, **d("指标代码"))
    max_points = fields.Float(required=True, **d("分值"))
    evaluated_rating = fields.String(allow_none=True, **d("评估等次"))
    evaluated_score = fields.Float(allow_none=True, **d("评估得分"))
    weak = fields.Boolean(required=True, **d("是否薄弱指标"))
    findings = fields.Integer(required=True, **d("该单位与此指标相关的督察问题数"))
    roadmap_item_id = fields.Integer(allow_none=True, **d("对应的路线图事项编号"))


class UnitScorecardSchema(Schema):
    unit_id = fields.Integer(required=True, **d("单位编号"))
    assessment_id = fields.Integer(required=True, **d("所依据的已定稿评估编号"))
    year = fields.Integer(required=True, **d("年度"))
    total = fields.Float(allow_none=True, **d("总分（保留位数同页面）"))
    areas = fields.List(fields.Nested(AreaScoreSchema), required=True, **d("各领域得分率"))
    lines = fields.List(fields.Nested(LineSchema), required=True, **d("各指标"))


class UnitScorecardArgs(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), **d("年度；不填为最近一年"))


@blp.route("/scorecards/units/<id:unit_id>")
class UnitScorecard(MethodView):
    @blp.arguments(UnitScorecardArgs, location="query")
    @blp.response(200, UnitScorecardSchema)
    def get(self, args, unit_id):
        """一个单位的记分卡（法治办全部；联络员本单位）；该年没有定稿评估时 404"""
        unit = get_scorecard_unit_for_user_or_404(unit_id, current_user)
        assessment = reports.unit_assessment_for_year(unit.id, args.get("year"))
        if assessment is None:
            abort(404)
        card = reports.unit_scorecard(assessment)
        score = card["score"]
        return {
            "unit_id": unit.id,
            "assessment_id": assessment.id,
            "year": assessment.round.year,
            "total": score.total,
            "areas": [{**vars(a), "percent": score.area_percent(a.id)} for a in card["areas"]],
            "lines": [
                {
                    "indicator_id": line.indicator.id,
                    "code": line.indicator.code,
                    "max_points": line.indicator.max_points,
                    "evaluated_rating": line.score.evaluated_rating,
                    "evaluated_score": line.score.evaluated_score,
                    "weak": bool(line.weak),
                    "findings": line.findings,
                    "roadmap_item_id": line.roadmap.id if line.roadmap else None,
                }
                for line in card["lines"]
            ],
        }


class AreaSchema(Schema):
    id = fields.Integer(required=True, **d("一级指标（领域）编号"))
    code = fields.String(required=True, **d("领域代码"))
    text = fields.String(required=True, **d("领域名称"))


class BoardRowSchema(Schema):
    rank = fields.Integer(required=True, **d("名次（同分同名次）"))
    unit_id = fields.Integer(required=True, **d("单位编号"))
    name = fields.String(required=True, **d("单位简称"))
    kind = fields.String(required=True, **d("单位类别"))
    assessment_id = fields.Integer(required=True, **d("评估编号"))
    total = fields.Float(allow_none=True, **d("总分"))
    areas = fields.Dict(
        keys=fields.String(), values=fields.Float(allow_none=True), **d("领域编号 → 得分率（%）")
    )


class BoardSchema(Schema):
    round_id = fields.Integer(required=True, **d("评估轮次编号"))
    year = fields.Integer(required=True, **d("年度"))
    areas = fields.List(fields.Nested(AreaSchema), required=True, **d("领域"))
    rows = fields.List(fields.Nested(BoardRowSchema), required=True, **d("排名（已定稿的单位）"))
    average = fields.Float(allow_none=True, **d("平均分"))


@blp.route("/scorecards/rounds/<id:round_id>")
class OfficeBoard(MethodView):
    @blp.response(200, BoardSchema)
    def get(self, round_id):
        """一轮评估的总记分卡：排名与各领域得分率（法治办、督察员）"""
        need("scorecards.read_all")
        round_ = db.session.get(AssessmentRound, round_id)
        if round_ is None:
            abort(404)
        board = reports.office_scorecard(round_)
        return {
            "round_id": round_.id,
            "year": round_.year,
            "areas": [vars(a) for a in board["areas"]],
            "rows": [
                {
                    "rank": r.rank,
                    "unit_id": r.unit_id,
                    "name": r.name,
                    "kind": r.kind,
                    "assessment_id": r.assessment_id,
                    "total": r.total,
                    "areas": {str(k): v for k, v in r.areas.items()},
                }
                for r in board["rows"]
            ],
            "average": board["average"],
        }
