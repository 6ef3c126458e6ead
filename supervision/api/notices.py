"""Notices with their items, reports and verifications; each step a POST to the notice's action,
through services.notices (the same validation, workflow, numbering, notifications and audit)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import selectinload

from ..formatting import local_today
from ..limits import REASON_MAX, TEXT_MAX
from ..models import Notice
from ..permissions import (
    get_notice_for_user_or_404,
    get_notice_item_for_user_or_404,
    notice_events_for_user,
    notices_for_user,
)
from ..queries.notices import STATUSES, NoticeFilters, filtered_notices, notice_extensions
from ..services import notice_extensions as extensions_svc
from ..services import notices as svc
from ..services import rectification as rectification_svc
from .common import (
    ID,
    PageArgs,
    VersionSchema,
    check_version,
    d,
    expected_version,
    loads,
    order,
    page_of,
    paginate,
    requires,
    sort_arg,
)

blp = Blueprint("api_notices", __name__, url_prefix="/api/v1", description="通知书与整改")


class RectificationSchema(Schema):
    id = fields.Integer(required=True, **d("整改报告编号"))
    measures = fields.String(required=True, **d("整改措施及成效"))
    completed_on = fields.Date(required=True, **d("整改完成日期"))
    submitted_by_id = fields.Integer(allow_none=True, **d("报送人用户编号"))
    submitted_at = fields.DateTime(required=True, **d("报送时间（UTC）"))


class VerificationSchema(Schema):
    id = fields.Integer(required=True, **d("核查记录编号"))
    rectification_id = fields.Integer(allow_none=True, **d("所核查的整改报告编号"))
    decision = fields.String(required=True, **d("核查结论：accept 通过、return 退回"))
    reason = fields.String(**d("退回理由"))
    by_id = fields.Integer(allow_none=True, **d("核查人用户编号"))
    at = fields.DateTime(required=True, **d("核查时间（UTC）"))


class ItemSchema(Schema):
    id = fields.Integer(required=True, **d("整改事项编号"))
    seq = fields.Integer(required=True, **d("序号"))
    finding_id = fields.Integer(required=True, **d("对应的督察问题编号"))
    requirement = fields.String(required=True, **d("整改要求"))
    status = fields.String(
        required=True, **d("状态：pending 待整改、submitted 待核查、accepted 已通过、returned 退回整改")
    )
    version = fields.Integer(required=True, **d("版本号"))
    rectifications = fields.List(fields.Nested(RectificationSchema), **d("整改报告（历次）"))
    verifications = fields.List(fields.Nested(VerificationSchema), **d("核查记录（历次）"))


class ExtensionSchema(Schema):
    id = fields.Integer(required=True, **d("延期申请编号"))
    reason = fields.String(required=True, **d("延期理由"))
    requested_deadline = fields.Date(required=True, **d("申请的新截止日期"))
    requested_at = fields.DateTime(required=True, **d("申请时间（UTC）"))
    decision = fields.String(allow_none=True, **d("审批结论：approved 同意、rejected 不同意；审批中为 null"))
    decision_note = fields.String(**d("审批意见"))
    new_deadline = fields.Date(allow_none=True, **d("同意后的新截止日期"))


class NoticeSchema(Schema):
    id = fields.Integer(required=True, **d("通知书编号"))
    doc_number = fields.String(allow_none=True, **d("文号，如 海法督〔2026〕3号；签发时编号，之前为 null"))
    kind_id = fields.Integer(required=True, **d("通知书种类编号"))
    kind = fields.Function(lambda n: n.kind.name, required=True, **d("通知书种类名称"))
    unit_id = fields.Integer(required=True, **d("被督察单位编号"))
    task_id = fields.Integer(allow_none=True, **d("来源督察任务编号"))
    title = fields.String(required=True, **d("标题"))
    intro = fields.String(**d("正文导语"))
    requirements = fields.String(**d("总体整改要求"))
    status = fields.String(
        required=True,
        **d(
            "状态：draft 草稿、submitted 待签发、issued 已下发、acknowledged 已签收、closed 已销号、voided 已作废"
        ),
    )
    year = fields.Integer(allow_none=True, **d("文号年度"))
    issue_date = fields.Date(allow_none=True, **d("签发日期"))
    deadline = fields.Date(allow_none=True, **d("整改截止日期"))
    overdue = fields.Function(
        lambda n: n.is_overdue(local_today()), required=True, **d("是否已逾期（截止日期已过仍未销号）")
    )
    acknowledged_at = fields.DateTime(allow_none=True, **d("签收时间（UTC）"))
    closed_at = fields.DateTime(allow_none=True, **d("销号时间（UTC）"))
    void_reason = fields.String(**d("作废理由"))
    version = fields.Integer(required=True, **d("版本号；办理时原样带回（或 If-Match），不一致则 409"))


class NoticeDetailSchema(NoticeSchema):
    items = fields.List(fields.Nested(ItemSchema), required=True, **d("整改事项"))
    extensions = fields.Method("_extensions", required=True, **d("延期申请"))

    def _extensions(self, notice) -> list:
        return ExtensionSchema(many=True).dump(notice_extensions(notice))


NOTICE_SORTS = {
    "updated_at": Notice.updated_at,
    "deadline": Notice.deadline,
    "issue_date": Notice.issue_date,
    "id": Notice.id,
}


class NoticeArgs(PageArgs):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), **d("文号年度"))
    unit = fields.Integer(validate=ID, **d("单位编号"))
    kind = fields.Integer(validate=ID, **d("通知书种类编号"))
    status = fields.String(validate=validate.OneOf([*STATUSES, "open"]), **d("状态；open 为已下发或已签收"))
    overdue = fields.Boolean(**d("只列逾期的（true）"))
    sort = sort_arg(NOTICE_SORTS, "-updated_at")


@blp.route("/notices")
class Notices(MethodView):
    @blp.arguments(NoticeArgs, location="query")
    @blp.response(200, page_of(NoticeSchema, "NoticePage"))
    def get(self, args):
        """通知书列表（法治办全部；联络员本单位已下发的）"""
        filters = NoticeFilters(
            status=args.get("status", ""),
            kind_id=args.get("kind"),
            unit_id=args.get("unit"),
            year=args.get("year"),
            overdue=bool(args.get("overdue")),
        )
        query = filtered_notices(current_user, filters, local_today()).options(selectinload(Notice.kind))
        return paginate(order(query, NOTICE_SORTS, args["sort"], Notice.id), args)


def _detail(notice: Notice):
    return notice, 200, {"ETag": f'W/"{notice.version}"'}


@blp.route("/notices/<id:notice_id>")
class NoticeDetail(MethodView):
    @blp.response(200, NoticeDetailSchema)
    def get(self, notice_id):
        """一份通知书，含整改事项、整改报告、核查记录与延期申请"""
        return _detail(get_notice_for_user_or_404(notice_id, current_user))


class ReasonSchema(VersionSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=REASON_MAX), **d("理由"))


def _step(notice: Notice, body: dict | None, call) -> tuple:
    version = expected_version(body)
    check_version(notice, version)
    call(notice, version)
    return _detail(notice)


@blp.route("/notices/<id:notice_id>/submit")
class NoticeSubmit(MethodView):
    @requires("notices.draft")
    @loads("notice", get_notice_for_user_or_404, "notice_id")
    @blp.arguments(VersionSchema, required=False)
    @blp.response(200, NoticeDetailSchema)
    def post(self, body, notice):
        """提交签发（起草人）"""
        return _step(notice, body, lambda n, v: svc.notice_submit(actor=current_user, notice=n, version=v))


@blp.route("/notices/<id:notice_id>/issue")
class NoticeIssue(MethodView):
    @requires("notices.issue")
    @loads("notice", get_notice_for_user_or_404, "notice_id")
    @blp.arguments(VersionSchema, required=False)
    @blp.response(200, NoticeDetailSchema)
    def post(self, body, notice):
        """签发：编文号、通知单位（法治办负责人，非起草人）"""
        return _step(
            notice,
            body,
            lambda n, v: svc.notice_issue(actor=current_user, notice=n, today=local_today(), version=v),
        )


@blp.route("/notices/<id:notice_id>/void")
class NoticeVoid(MethodView):
    @requires("notices.void")
    @loads("notice", get_notice_for_user_or_404, "notice_id")
    @blp.arguments(ReasonSchema)
    @blp.response(200, NoticeDetailSchema)
    def post(self, body, notice):
        """作废（法治办负责人）"""
        return _step(
            notice, body, lambda n, v: svc.notice_void(actor=current_user, notice=n, reason=body["reason"])
        )


@blp.route("/notices/<id:notice_id>/acknowledge")
class NoticeAcknowledge(MethodView):
    @requires("notices.respond")
    @loads("notice", get_notice_for_user_or_404, "notice_id")
    @blp.arguments(VersionSchema, required=False)
    @blp.response(200, NoticeDetailSchema)
    def post(self, body, notice):
        """签收（被督察单位联络员）"""
        return _step(
            notice, body, lambda n, v: rectification_svc.notice_acknowledge(actor=current_user, notice=n)
        )


class ExtensionInput(VersionSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=REASON_MAX), **d("延期理由"))
    requested_deadline = fields.Date(required=True, **d("申请的新截止日期，须晚于现截止日期"))


@blp.route("/notices/<id:notice_id>/extensions")
class NoticeExtensions(MethodView):
    @requires("notices.respond")
    @loads("notice", get_notice_for_user_or_404, "notice_id")
    @blp.arguments(ExtensionInput)
    @blp.response(200, NoticeDetailSchema)
    def post(self, body, notice):
        """申请延期（被督察单位联络员）"""
        return _step(
            notice,
            body,
            lambda n, v: extensions_svc.extension_request(
                actor=current_user,
                notice=n,
                reason=body["reason"],
                requested_deadline=body["requested_deadline"],
                today=local_today(),
            ),
        )


def _item_step(pair: tuple, body: dict | None, call) -> tuple:
    notice, item = pair
    check_version(item, expected_version(body))
    call(notice, item)
    return _detail(notice)


class ReportInput(Schema):
    measures = fields.String(
        required=True, validate=validate.Length(min=1, max=TEXT_MAX), **d("整改措施及成效")
    )
    completed_on = fields.Date(required=True, **d("整改完成日期，不晚于今天"))
    version = fields.Integer(validate=ID, **d("整改事项的版本号；不一致则 409"))


class EvidenceFiles(Schema):
    files = fields.List(Upload(), **d("佐证材料（可多份；格式与大小限制同页面）"))


@blp.route("/notices/<id:notice_id>/items/<id:item_id>/report")
class ItemReport(MethodView):
    @requires("notices.respond")
    @loads("pair", get_notice_item_for_user_or_404, "notice_id", "item_id")
    @blp.arguments(ReportInput, location="form")
    @blp.arguments(EvidenceFiles, location="files")
    @blp.response(200, NoticeDetailSchema)
    def post(self, body, files, pair):
        """报送一项整改情况，附佐证材料（multipart/form-data；被督察单位联络员）"""
        from flask import request

        return _item_step(
            pair,
            body,
            lambda n, i: rectification_svc.item_report(
                actor=current_user,
                notice=n,
                item=i,
                measures=body["measures"],
                completed_on=body["completed_on"],
                uploads=request.files.getlist("files"),
                today=local_today(),
            ),
        )


class ItemVersion(Schema):
    version = fields.Integer(validate=ID, **d("整改事项的版本号；不一致则 409（也可用 If-Match）"))


class ItemReason(ItemVersion):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=REASON_MAX), **d("退回理由"))


@blp.route("/notices/<id:notice_id>/items/<id:item_id>/accept")
class ItemAccept(MethodView):
    @requires("notices.verify")
    @loads("pair", get_notice_item_for_user_or_404, "notice_id", "item_id")
    @blp.arguments(ItemVersion, required=False)
    @blp.response(200, NoticeDetailSchema)
    def post(self, body, pair):
        """核查通过一项（督察员，回避规则同页面）"""
        return _item_step(pair, body, lambda n, i: svc.item_accept(actor=current_user, notice=n, item=i))


@blp.route("/notices/<id:notice_id>/items/<id:item_id>/return")
class ItemReturn(MethodView):
    @requires("notices.verify")
    @loads("pair", get_notice_item_for_user_or_404, "notice_id", "item_id")
    @blp.arguments(ItemReason)
    @blp.response(200, NoticeDetailSchema)
    def post(self, body, pair):
        """退回一项整改（督察员）"""
        return _item_step(
            pair,
            body,
            lambda n, i: svc.item_return(actor=current_user, notice=n, item=i, reason=body["reason"]),
        )


class DecisionInput(VersionSchema):
    approve = fields.Boolean(required=True, **d("true 同意延期，false 不同意"))
    new_deadline = fields.Date(allow_none=True, **d("同意时的新截止日期；不填则按申请的日期"))
    note = fields.String(load_default="", validate=validate.Length(max=REASON_MAX), **d("审批意见"))


@blp.route("/notices/<id:notice_id>/extensions/<id:ext_id>/decision")
class ExtensionDecision(MethodView):
    @requires("notices.extend")
    @loads("notice", get_notice_for_user_or_404, "notice_id")
    @blp.arguments(DecisionInput)
    @blp.response(200, NoticeDetailSchema)
    def post(self, body, notice, ext_id):
        """审批延期申请（法治办负责人）"""
        from ..extensions import db
        from ..models import ExtensionRequest

        ext = db.session.get(ExtensionRequest, ext_id)
        if ext is None or ext.notice_id != notice.id:
            abort(404)
        return _step(
            notice,
            body,
            lambda n, v: extensions_svc.extension_decide(
                actor=current_user,
                notice=n,
                ext=ext,
                approve=body["approve"],
                new_deadline=body.get("new_deadline"),
                note=body["note"],
            ),
        )


class DraftItemInput(Schema):
    finding_id = fields.Integer(required=True, validate=ID, **d("督察问题编号（该单位待处理的问题）"))
    requirement = fields.String(required=True, validate=validate.Length(min=1, max=TEXT_MAX), **d("整改要求"))


class DraftInput(Schema):
    kind_id = fields.Integer(required=True, validate=ID, **d("通知书种类编号"))
    unit_id = fields.Integer(required=True, validate=ID, **d("被督察单位编号"))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200), **d("标题"))
    intro = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX), **d("正文导语"))
    requirements = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX), **d("总体整改要求"))
    time_limit_days = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=250),
        **d("整改期限（工作日）；与固定截止日期二选一"),
    )
    fixed_deadline = fields.Date(allow_none=True, **d("固定截止日期"))
    items = fields.List(
        fields.Nested(DraftItemInput),
        required=True,
        validate=validate.Length(min=1, max=200),
        **d("整改事项，按顺序"),
    )


@blp.route("/notices/drafts")
class NoticeDrafts(MethodView):
    @requires("notices.draft")
    @blp.arguments(DraftInput)
    @blp.response(201, NoticeDetailSchema)
    def post(self, body):
        """起草通知书（督察员；从该单位待处理的问题中选取整改事项）"""
        data = svc.DraftData(
            kind_id=body["kind_id"],
            unit_id=body["unit_id"],
            title=body["title"],
            intro=body["intro"],
            requirements=body["requirements"],
            time_limit_days=body.get("time_limit_days"),
            fixed_deadline=body.get("fixed_deadline"),
            items=[(item["finding_id"], item["requirement"]) for item in body["items"]],
        )
        notice = svc.notice_create(actor=current_user, data=data, today=local_today())
        return notice, 201, {"ETag": f'W/"{notice.version}"'}


class EventSchema(Schema):
    id = fields.Integer(required=True, **d("记录编号"))
    at = fields.DateTime(required=True, **d("时间（UTC）"))
    actor_id = fields.Integer(allow_none=True, **d("操作人用户编号；系统自动为 null"))
    action = fields.String(required=True, **d("操作，如 notice.issue、notice_item.report"))
    record_type = fields.String(required=True, **d("对象：notice 通知书或 notice_item 整改事项"))
    record_id = fields.Integer(required=True, **d("对象编号"))
    summary = fields.String(required=True, **d("说明"))


@blp.route("/notices/<id:notice_id>/history")
class NoticeHistory(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(EventSchema, "EventPage"))
    def get(self, args, notice_id):
        """一份通知书的办理记录（签发、签收、报送、核查、延期……；单位只见签发后的）"""
        notice = get_notice_for_user_or_404(notice_id, current_user)
        return paginate(notice_events_for_user(current_user, notice), args)


class RegisterArgs(PageArgs):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), **d("文号年度"))
    prefix = fields.String(validate=validate.Length(max=20), **d("机关代字，如 海法督"))


@blp.route("/notices/register")
class NoticeRegister(MethodView):
    @requires("notices.read_all")
    @blp.arguments(RegisterArgs, location="query")
    @blp.response(200, page_of(NoticeSchema, "RegisterPage"))
    def get(self, args):
        """发文登记簿：已编号的通知书，按年度、代字、序号（法治办）"""
        query = (
            notices_for_user(current_user)
            .options(selectinload(Notice.kind))
            .where(Notice.doc_number.is_not(None))
        )
        if args.get("year"):
            query = query.where(Notice.year == args["year"])
        if args.get("prefix"):
            query = query.where(Notice.doc_prefix == args["prefix"])
        return paginate(query.order_by(Notice.year.desc(), Notice.doc_prefix, Notice.seq.desc()), args)
