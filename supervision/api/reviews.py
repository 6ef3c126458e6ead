"""Case-file review campaigns and their case files (a liaison: published campaigns of their unit, and
their own unit's sampled files with the results)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..models import CaseFile, ReviewCampaign
from ..permissions import (
    campaigns_for_user,
    can,
    case_files_for_user,
    get_campaign_for_user_or_404,
    get_case_file_for_user_or_404,
    get_upload_campaign_for_user_or_404,
)
from ..services import case_files as casefile_svc
from ..services import review_reports
from .common import ID, PageArgs, d, loads, order, page_of, paginate, requires, sort_arg, with_etag

blp = Blueprint("api_reviews", __name__, url_prefix="/api/v1", description="案卷评查")

CAMPAIGN_STATUSES = ("draft", "sampling", "reviewing", "published")


class CampaignSchema(Schema):
    id = fields.Integer(required=True, **d("评查活动编号"))
    year = fields.Integer(required=True, **d("年度"))
    title = fields.String(required=True, **d("名称"))
    rubric_id = fields.Integer(required=True, **d("评查标准编号"))
    case_types = fields.List(fields.String(), required=True, **d("评查的案件类型"))
    sample_size = fields.Integer(required=True, **d("每单位每类案件抽取的案卷数"))
    reviewers_per_file = fields.Integer(required=True, **d("每份案卷的评查人数"))
    deadline = fields.Date(allow_none=True, **d("评查截止日期"))
    status = fields.String(
        required=True, **d("状态：draft 筹备、sampling 已抽样、reviewing 评查中、published 已公布")
    )
    published_at = fields.DateTime(allow_none=True, **d("发布时间（UTC）"))
    version = fields.Integer(required=True, **d("版本号"))


CAMPAIGN_SORTS = {"id": ReviewCampaign.id, "year": ReviewCampaign.year}


class CampaignArgs(PageArgs):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), **d("年度"))
    status = fields.String(validate=validate.OneOf(CAMPAIGN_STATUSES), **d("状态"))
    sort = sort_arg(CAMPAIGN_SORTS, "-id")


@blp.route("/campaigns")
class Campaigns(MethodView):
    @blp.arguments(CampaignArgs, location="query")
    @blp.response(200, page_of(CampaignSchema, "CampaignPage"))
    def get(self, args):
        """评查活动列表（法治办全部；评查人本人参加的；联络员：已发布且含本单位的）"""
        query = campaigns_for_user(current_user)
        if args.get("year"):
            query = query.where(ReviewCampaign.year == args["year"])
        if args.get("status"):
            query = query.where(ReviewCampaign.status == args["status"])
        return paginate(order(query, CAMPAIGN_SORTS, args["sort"], ReviewCampaign.id), args)


@blp.route("/campaigns/<id:campaign_id>")
class CampaignDetail(MethodView):
    @blp.response(200, CampaignSchema)
    def get(self, campaign_id):
        """一个评查活动"""
        campaign = get_campaign_for_user_or_404(campaign_id, current_user)
        return with_etag(campaign, campaign)


class CaseFileSchema(Schema):
    id = fields.Integer(required=True, **d("案卷编号"))
    campaign_id = fields.Integer(required=True, **d("评查活动编号"))
    unit_id = fields.Integer(required=True, **d("办案单位编号"))
    case_number = fields.String(required=True, **d("案号"))
    case_type = fields.String(required=True, **d("案件类型"))
    title = fields.String(required=True, **d("案件名称"))
    decision_date = fields.Date(allow_none=True, **d("决定日期"))
    sampled = fields.Boolean(required=True, **d("是否抽中评查"))
    final_score = fields.Float(allow_none=True, **d("最终得分；未评完为 null"))
    grade = fields.String(allow_none=True, **d("等次：优秀、合格、不合格等；未定为 null"))
    excellent = fields.Boolean(required=True, **d("是否评为优秀案卷"))
    divergent = fields.Boolean(required=True, **d("评查人之间分歧超出允许范围，待裁定"))
    version = fields.Integer(required=True, **d("版本号"))


FILE_SORTS = {"id": CaseFile.id, "case_number": CaseFile.case_number, "final_score": CaseFile.final_score}


class CaseFileArgs(PageArgs):
    unit = fields.Integer(validate=ID, **d("办案单位编号"))
    sampled = fields.Boolean(**d("只列抽中的（true）或未抽中的（false）"))
    sort = sort_arg(FILE_SORTS, "id")


@blp.route("/campaigns/<id:campaign_id>/case-files")
class CampaignCaseFiles(MethodView):
    @blp.arguments(CaseFileArgs, location="query")
    @blp.response(200, page_of(CaseFileSchema, "CaseFilePage"))
    def get(self, args, campaign_id):
        """一个评查活动的案卷及结果（可见范围同页面）"""
        campaign = get_campaign_for_user_or_404(campaign_id, current_user)
        query = case_files_for_user(current_user).where(CaseFile.campaign_id == campaign.id)
        if args.get("unit"):
            query = query.where(CaseFile.unit_id == args["unit"])
        if "sampled" in args:
            query = query.where(CaseFile.sampled.is_(args["sampled"]))
        return paginate(order(query, FILE_SORTS, args["sort"], CaseFile.id), args)


@blp.route("/case-files/<id:file_id>")
class CaseFileDetail(MethodView):
    @blp.response(200, CaseFileSchema)
    def get(self, file_id):
        """一份案卷"""
        case_file = get_case_file_for_user_or_404(file_id, current_user)
        return with_etag(case_file, case_file)


class CaseFileRow(Schema):
    case_number = fields.String(required=True, validate=validate.Length(max=80), **d("案号"))
    title = fields.String(required=True, validate=validate.Length(max=300), **d("案件名称"))
    case_type = fields.String(required=True, validate=validate.Length(max=20), **d("案件类型，如 行政处罚"))
    decision_date = fields.Date(allow_none=True, **d("决定日期"))
    handlers = fields.String(load_default="", validate=validate.Length(max=200), **d("承办人"))


class CaseFileImport(Schema):
    unit_id = fields.Integer(required=True, validate=ID, **d("办案单位编号（须在本次评查范围内）"))
    case_files = fields.List(
        fields.Nested(CaseFileRow), required=True, validate=validate.Length(min=1, max=5000), **d("案卷清单")
    )


class ImportResultSchema(Schema):
    created = fields.Integer(required=True, **d("导入的案卷数"))


def _upload_campaign(campaign_id: int, user):
    """As the page: the lead any campaign they see; a liaison those still taking their unit's list."""
    if can(user, "casefiles.upload"):
        return get_campaign_for_user_or_404(campaign_id, user)
    return get_upload_campaign_for_user_or_404(campaign_id, user)


@blp.route("/campaigns/<id:campaign_id>/case-files/import")
class CaseFilesImport(MethodView):
    @requires("casefiles.upload", "casefiles.upload_own_unit")
    @loads("campaign", _upload_campaign, "campaign_id")
    @blp.arguments(CaseFileImport)
    @blp.response(201, ImportResultSchema)
    def post(self, body, campaign):
        """导入一个单位的案卷清单（全部通过才导入；规则同页面的表格导入）"""
        rows = [
            (
                number,
                {
                    "案号": row["case_number"],
                    "案件名称": row["title"],
                    "案件类型": row["case_type"],
                    "决定日期": row["decision_date"].isoformat() if row.get("decision_date") else "",
                    "承办人": row["handlers"],
                },
            )
            for number, row in enumerate(body["case_files"], start=1)
        ]
        result = casefile_svc.casefiles_import(
            actor=current_user, campaign=campaign, unit_id=body["unit_id"], rows=rows
        )
        return {"created": result.created}


class UnitResultSchema(Schema):
    unit_id = fields.Integer(required=True, **d("单位编号"))
    unit_name = fields.String(required=True, **d("单位名称"))
    files = fields.Integer(required=True, **d("抽中评查的案卷数"))
    average = fields.Float(allow_none=True, **d("平均分（只计已定分的案卷）"))
    excellent = fields.Integer(required=True, **d("优秀案卷数"))


class GradeCountSchema(Schema):
    grade = fields.String(required=True, **d("等次"))
    files = fields.Integer(required=True, **d("案卷数"))


class ResultsSchema(Schema):
    campaign_id = fields.Integer(required=True, **d("评查活动编号"))
    status = fields.String(required=True, **d("评查活动状态；评查中与已公布时才有结果"))
    overall = fields.Float(allow_none=True, **d("全部已定分案卷的平均分（联络员为 null：只看本单位）"))
    units = fields.List(fields.Nested(UnitResultSchema), required=True, **d("各单位结果（联络员只见本单位）"))
    grades = fields.List(fields.Nested(GradeCountSchema), required=True, **d("等次分布"))


@blp.route("/campaigns/<id:campaign_id>/results")
class CampaignResults(MethodView):
    @blp.response(200, ResultsSchema)
    def get(self, campaign_id):
        """评查结果：各单位平均分与等次分布（同页面：法治办与评查人全部；联络员本单位的已公布结果）"""
        campaign = get_campaign_for_user_or_404(campaign_id, current_user)
        whole = can(current_user, "reviews.read_all") or can(current_user, "reviews.score")
        unit_id = None if whole else current_user.unit_id
        result = {
            "campaign_id": campaign.id,
            "status": campaign.status,
            "overall": None,
            "units": [],
            "grades": [],
        }
        if campaign.status in ("reviewing", "published"):
            result["overall"] = review_reports.overall_average(campaign.id) if whole else None
            result["units"] = [
                {"unit_id": u, "unit_name": name, "files": n, "average": avg, "excellent": exc}
                for u, name, n, avg, exc in review_reports.unit_averages(campaign.id, unit_id=unit_id)
            ]
            result["grades"] = [
                {"grade": g, "files": n}
                for g, n in review_reports.grade_distribution(campaign, unit_id=unit_id)
            ]
        return result
