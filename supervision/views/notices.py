"""Notices: lists, drafting, sign-off, the unit's responses, verification, print and .docx,
the register (发文登记簿), notice kinds and the holiday calendar; home-page panels."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from .. import registers
from ..calendar import WorkCalendar, load_calendar, working_days_between
from ..calendar_estimate import FIRST_YEAR, LAST_YEAR
from ..errors import DomainError
from ..exports.notice_template import PLACEHOLDERS
from ..exports.notices import (
    cn_ordinal,
    deadline_sentence,
    default_intro,
    document_mark,
    notice_authority,
    notice_docx,
    problem_text,
    register_xlsx,
)
from ..exports.official import masthead_size, signature_indents
from ..exports.title_break import break_title
from ..extensions import db
from ..filters import contains
from ..formatting import cn_date, local_today
from ..forms import ActionForm
from ..forms.notices import (
    CalendarYearForm,
    EscalationForm,
    ExtensionDecisionForm,
    ExtensionForm,
    HolidayForm,
    HolidayNoticeForm,
    NoticeDraftForm,
    NoticeKindForm,
    ReportForm,
)
from ..models import (
    Attachment,
    AuditEvent,
    Escalation,
    ExtensionRequest,
    Holiday,
    Notice,
    NoticeItem,
    NoticeKind,
    Rectification,
    Unit,
    User,
    Verification,
)
from ..parsing import MAX_YEAR, MIN_YEAR, BadNumber, form_id, form_int, id_arg, parse_int, year_arg
from ..permissions import (
    can,
    can_edit_draft,
    get_notice_for_user_or_404,
    get_notice_item_for_user_or_404,
    get_unit_for_user_or_404,
    is_notice_unit,
    notice_events_for_user,
    notices_for_user,
    require,
    verifiable_notices_for_user,
)
from ..services import calendar as calendar_svc
from ..services import notices as svc
from ..services.attachments import ACCEPT_ATTR
from ..workflow import allowed_steps
from .helpers import (
    DOCX_MIME,
    XLSX_MIME,
    download,
    flash_domain_error,
    flash_edit_error,
    flash_form_errors,
    flash_repeat,
    form_version,
    page_arg,
    submit_once,
)

bp = Blueprint("notices", __name__, url_prefix="/notices")

STATUSES = ["draft", "submitted", "issued", "acknowledged", "closed", "voided"]


# --- helpers --------------------------------------------------------------------------------


def deadline_info(notice: Notice, today: date, calendar: WorkCalendar) -> dict | None:
    """Working days left (negative: overdue), for an open notice with a deadline."""
    if notice.deadline is None or notice.status not in Notice.OPEN_STATUSES:
        return None
    left = working_days_between(today, notice.deadline, calendar)
    return {
        "left": left,
        "overdue": notice.deadline < today,
        "soon": 0 <= left <= 3,
        "weekends_only": not calendar.covers(notice.deadline.year) or not calendar.covers(today.year),
    }


def item_counts(notice_ids: list[int]) -> dict[int, dict]:
    """Per notice: items in total, accepted, awaiting verification — one aggregate query."""
    if not notice_ids:
        return {}
    rows = db.session.execute(
        select(
            NoticeItem.notice_id,
            func.count(NoticeItem.id),
            func.sum(case((NoticeItem.status == "accepted", 1), else_=0)),
            func.sum(case((NoticeItem.status == "submitted", 1), else_=0)),
        )
        .where(NoticeItem.notice_id.in_(notice_ids))
        .group_by(NoticeItem.notice_id)
    ).all()
    return {nid: {"total": t, "accepted": a or 0, "submitted": s or 0} for nid, t, a, s in rows}


def _overdue_clause(today: date):
    return (Notice.status.in_(Notice.OPEN_STATUSES)) & (Notice.deadline < today)


def _back(notice: Notice):
    return redirect(_detail_url(notice))


def _detail_url(notice: Notice) -> str:
    return url_for("notices.detail", notice_id=notice.id)


def _parse_items(form) -> list[tuple[int, str]]:
    items = []
    for raw in request.form.getlist("finding"):
        fid = form_id(raw)
        if fid is None:
            continue
        items.append((fid, request.form.get(f"requirement-{fid}", "")))
    return items


def _draft_data(form: NoticeDraftForm, unit_id: int) -> svc.DraftData:
    return svc.DraftData(
        kind_id=form.kind_id.data,
        unit_id=unit_id,
        title=form.title.data or "",
        intro=form.intro.data or "",
        requirements=form.requirements.data or "",
        time_limit_days=form.time_limit_days.data,
        fixed_deadline=form.fixed_deadline.data,
        items=_parse_items(form),
        cc=form.cc.data or "",
    )


def _kinds(active_only: bool = True) -> list[NoticeKind]:
    query = select(NoticeKind).order_by(NoticeKind.sort, NoticeKind.id)
    if active_only:
        query = query.where(NoticeKind.active.is_(True))
    return list(db.session.scalars(query))


# --- lists ----------------------------------------------------------------------------------


@bp.route("/")
@require("notices.read_all")
def index():
    today = local_today()
    query = notices_for_user(current_user).options(joinedload(Notice.kind), joinedload(Notice.unit))
    status = request.args.get("status", "")
    kind_id = id_arg("kind")
    unit_id = id_arg("unit")
    overdue = request.args.get("overdue") == "1"
    mine = request.args.get("mine") == "1"
    keyword = request.args.get("q", "").strip()
    year = year_arg()
    if year:  # the year of the document number (the dashboard links here)
        query = query.where(Notice.year == year)
    if status in STATUSES:
        query = query.where(Notice.status == status)
    elif status == "open":
        query = query.where(Notice.status.in_(Notice.OPEN_STATUSES))
    if kind_id:
        query = query.where(Notice.kind_id == kind_id)
    if unit_id:
        query = query.where(Notice.unit_id == unit_id)
    if overdue:
        query = query.where(_overdue_clause(today))
    if mine:
        query = query.where(Notice.drafted_by_id == current_user.id)
    pending_extension = request.args.get("extension") == "pending"
    if pending_extension:
        query = query.where(
            Notice.id.in_(select(ExtensionRequest.notice_id).where(ExtensionRequest.decision.is_(None)))
        )
    if keyword:
        units_named = select(Unit.id).where(
            or_(contains(Unit.name, keyword), contains(Unit.short_name, keyword))
        )
        query = query.where(
            or_(
                contains(Notice.doc_number, keyword),
                contains(Notice.title, keyword),
                Notice.unit_id.in_(units_named),
            )
        )
    page = db.paginate(
        query.order_by(Notice.updated_at.desc(), Notice.id.desc()),
        page=page_arg(),
        per_page=20,
        error_out=False,
    )
    calendar = load_calendar(today, *(n.deadline for n in page.items))
    counts = item_counts([n.id for n in page.items])
    # At city or province scale a drop-down of every unit is too heavy: units are found by name in
    # the search box; a link from elsewhere may still pass ?unit=<id>, shown as a removable chip.
    unit_name = db.session.scalar(select(Unit.name).where(Unit.id == unit_id)) if unit_id else None
    return render_template(
        "notices/index.html",
        page=page,
        counts=counts,
        info={n.id: deadline_info(n, today, calendar) for n in page.items},
        kinds=_kinds(active_only=False),
        unit_name=unit_name,
        statuses=STATUSES,
        status=status,
        kind_id=kind_id,
        unit_id=unit_id,
        overdue=overdue,
        mine=mine,
        keyword=keyword,
        today=today,
    )


@bp.route("/unit")
@require("notices.read_own_unit")
def mine():
    """本单位通知: the liaison's own unit's notices, open ones first, with working days left."""
    today = local_today()
    base = notices_for_user(current_user).options(joinedload(Notice.kind))
    open_notices = db.session.scalars(
        base.where(Notice.status.in_(Notice.OPEN_STATUSES)).order_by(Notice.deadline, Notice.id)
    ).all()
    page = db.paginate(
        base.where(Notice.status.not_in(Notice.OPEN_STATUSES)).order_by(
            Notice.issue_date.desc(), Notice.id.desc()
        ),
        page=page_arg(),
        per_page=20,
        error_out=False,
    )
    calendar = load_calendar(today, *(n.deadline for n in open_notices))
    counts = item_counts([n.id for n in open_notices] + [n.id for n in page.items])
    return render_template(
        "notices/mine.html",
        open_notices=open_notices,
        page=page,
        counts=counts,
        info={n.id: deadline_info(n, today, calendar) for n in open_notices},
        today=today,
    )


# --- drafting -------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@require("notices.draft")
def new():
    unit_id = id_arg("unit")
    if not unit_id:
        return render_template("notices/choose_unit.html", units=svc.units_with_open_findings(current_user))
    unit = get_unit_for_user_or_404(unit_id, current_user)
    kinds = _kinds()
    form = NoticeDraftForm()
    form.kind_id.choices = [(k.id, k.name) for k in kinds]
    findings = svc.open_findings_for_notice(current_user, unit.id)
    if request.method == "GET":
        kind = kinds[0] if kinds else None
        wanted = id_arg("kind")
        kind = next((k for k in kinds if k.id == wanted), kind)
        if kind:
            form.kind_id.data = kind.id
            form.title.data = svc.default_title(unit, kind)
            form.time_limit_days.data = kind.default_days
            form.cc.data = kind.default_cc
        selected = {f.id: svc.default_requirement(f) for f in findings}
    else:
        selected = dict(_parse_items(form))
    if form.validate_on_submit():
        try:
            done = submit_once(
                lambda: svc.notice_create(
                    actor=current_user, data=_draft_data(form, unit.id), today=local_today()
                ),
                _detail_url,
            )
        except DomainError as error:
            flash_domain_error(error)
        else:
            if done.repeated:
                flash_repeat()
            else:
                flash(_("通知书草稿已保存。核对无误后请提交签发。"), "success")
            return redirect(done.url)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template(
        "notices/form.html",
        form=form,
        unit=unit,
        notice=None,
        findings=findings,
        selected=selected,
        requirements_by_id={f.id: selected.get(f.id) or svc.default_requirement(f) for f in findings},
        kinds=kinds,
        titles={k.id: svc.default_title(unit, k) for k in kinds},
        preview=_deadline_preview(form.time_limit_days.data, form.fixed_deadline.data),
    )


def _deadline_preview(days: int | None, fixed: date | None) -> dict:
    """If issued today: the deadline the draft would get, and whether the calendar covers the year.

    Days outside 1..MAX_DAYS give no deadline: 2,900,000 working days would stall a worker for seconds.
    """
    today = local_today()
    calendar = load_calendar(today)
    result = {"today": today, "deadline": None, "weekends_only": not calendar.covers(today.year)}
    if fixed:
        result["deadline"] = fixed
    elif days is not None and 1 <= days <= svc.MAX_DAYS:
        probe = Notice(time_limit_days=days)
        result["deadline"] = svc.notice_deadline_for(probe, today, calendar)
    if result["deadline"] is not None:
        result["weekends_only"] = result["weekends_only"] or not calendar.covers(result["deadline"].year)
    return result


@bp.route("/deadline-preview")
@require("notices.draft")
def deadline_preview():
    """The draft form's preview as the kind, the days or the fixed deadline change (notices.js)."""
    try:
        days = parse_int(request.args.get("days"), minimum=1, maximum=svc.MAX_DAYS)
        fixed = date.fromisoformat(request.args["deadline"]) if request.args.get("deadline") else None
    except BadNumber:
        return jsonify(text="", error=f"整改期限应为 1 至 {svc.MAX_DAYS} 个工作日。", weekends_only=False)
    except ValueError:
        return jsonify(text="", error="截止日期格式不正确。", weekends_only=False)
    if fixed and (problem := svc.fixed_deadline_problem(fixed, local_today())):
        return jsonify(text="", error=problem, weekends_only=False)
    preview = _deadline_preview(days, fixed)
    text = ""
    if preview["deadline"]:
        text = _(
            "如今日（%(t)s）签发，截止日期为 %(d)s。",
            t=cn_date(preview["today"]),
            d=cn_date(preview["deadline"]),
        )
    return jsonify(text=text, error="", weekends_only=preview["weekends_only"])


@bp.route("/<int:notice_id>/edit", methods=["GET", "POST"])
@require("notices.draft")
def edit(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    if not can_edit_draft(current_user, notice):
        abort(403)
    if notice.status != "draft":
        flash(_("只有草稿状态的通知书可以修改。"), "warning")
        return _back(notice)
    kinds = _kinds()
    form = NoticeDraftForm(obj=notice)
    form.kind_id.choices = [(k.id, k.name) for k in kinds]
    on_notice = [item.finding for item in notice.items]
    others = svc.open_findings_for_notice(current_user, notice.unit_id, notice.id)
    findings = on_notice + [f for f in others if f.id not in {x.id for x in on_notice}]
    if request.method == "GET":
        form.version.data = notice.version
        selected = {item.finding_id: item.requirement for item in notice.items}
    else:
        selected = dict(_parse_items(form))
    if form.validate_on_submit():
        try:
            svc.notice_update(
                actor=current_user,
                notice=notice,
                data=_draft_data(form, notice.unit_id),
                today=local_today(),
                version=form_version(form),
            )
        except DomainError as error:
            flash_edit_error(error, form, notice)
        else:
            flash(_("通知书草稿已保存。"), "success")
            return _back(notice)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template(
        "notices/form.html",
        form=form,
        unit=notice.unit,
        notice=notice,
        findings=findings,
        selected=selected,
        requirements_by_id={f.id: selected.get(f.id) or svc.default_requirement(f) for f in findings},
        kinds=kinds,
        titles={k.id: svc.default_title(notice.unit, k) for k in kinds},
        preview=_deadline_preview(form.time_limit_days.data, form.fixed_deadline.data),
    )


# --- detail and print -----------------------------------------------------------------------


def _load_notice(notice_id: int) -> Notice:
    """The notice with everything its page shows, in a few queries; a 404 if out of scope."""
    notice = (
        db.session.scalars(
            notices_for_user(current_user)
            .options(
                joinedload(Notice.kind),
                joinedload(Notice.unit),
                joinedload(Notice.task),
                joinedload(Notice.drafted_by),
                joinedload(Notice.approved_by),
                joinedload(Notice.acknowledged_by),
                selectinload(Notice.items).joinedload(NoticeItem.finding),
                selectinload(Notice.items)
                .selectinload(NoticeItem.rectifications)
                .joinedload(Rectification.submitted_by),
                selectinload(Notice.items).selectinload(NoticeItem.verifications).joinedload(Verification.by),
            )
            .where(Notice.id == notice_id)
        )
        .unique()
        .one_or_none()
    )
    if notice is None:
        abort(404)
    return notice


@bp.route("/<int:notice_id>")
@require("notices.read_all", "notices.read_own_unit")
def detail(notice_id: int):
    notice = _load_notice(notice_id)
    today = local_today()
    report_ids = [r.id for item in notice.items for r in item.rectifications]
    files: dict[int, list[Attachment]] = {}
    if report_ids:
        for a in db.session.scalars(
            select(Attachment)
            .where(Attachment.owner_type == "rectification", Attachment.owner_id.in_(report_ids))
            .order_by(Attachment.id)
        ):
            files.setdefault(a.owner_id, []).append(a)
    extensions = db.session.scalars(
        select(ExtensionRequest)
        .options(joinedload(ExtensionRequest.requested_by), joinedload(ExtensionRequest.decided_by))
        .where(ExtensionRequest.notice_id == notice.id)
        .order_by(ExtensionRequest.id)
    ).all()
    escalations = db.session.scalars(
        select(Escalation)
        .options(joinedload(Escalation.by))
        .where(Escalation.notice_id == notice.id)
        .order_by(Escalation.on_date, Escalation.id)
    ).all()
    events_query = (
        notice_events_for_user(current_user, notice).options(joinedload(AuditEvent.actor)).limit(200)
    )
    events = db.session.scalars(events_query).all()
    calendar = load_calendar(today, notice.deadline)
    steps = {s.action for s in allowed_steps(notice, current_user)}
    return render_template(
        "notices/detail.html",
        notice=notice,
        files=files,
        extensions=extensions,
        escalations=escalations,
        pending_extension=next((e for e in extensions if e.decision is None), None),
        events=events,
        info=deadline_info(notice, today, calendar),
        steps=steps,
        today=today,
        is_unit=is_notice_unit(current_user, notice),
        report_form=ReportForm(formdata=None, completed_on=today),
        extension_form=ExtensionForm(formdata=None),
        decision_form=ExtensionDecisionForm(formdata=None),
        escalation_form=EscalationForm(formdata=None, on_date=today),
        action_form=ActionForm(),
        accept=ACCEPT_ATTR,
        preview=None if notice.deadline else _preview_for(notice, today),
    )


def _preview_for(notice: Notice, today: date) -> dict | None:
    if notice.status not in ("draft", "submitted"):
        return None
    calendar = load_calendar(today)
    deadline = svc.notice_deadline_for(notice, today, calendar)
    return {
        "deadline": deadline,
        "weekends_only": not calendar.covers(today.year)
        or (deadline is not None and not calendar.covers(deadline.year)),
    }


def _issued_deadline(notice: Notice) -> date | None:
    """The deadline as issued: an approved extension changes the deadline, not the document."""
    first = db.session.scalar(
        select(ExtensionRequest.old_deadline)
        .where(ExtensionRequest.notice_id == notice.id, ExtensionRequest.decision == "approved")
        .order_by(ExtensionRequest.id)
        .limit(1)
    )
    return first or notice.deadline


def _document_context(notice: Notice) -> dict:
    authority = notice_authority(notice, current_app.config["OFFICE_NAME"])
    dated = cn_date(notice.issue_date) if notice.issue_date else "（签发日期）"
    return {
        "notice": notice,
        "office_name": current_app.config["OFFICE_NAME"],
        "authority": authority,
        "masthead_pt": masthead_size(authority.masthead),
        "signature_right": min(signature_indents(authority.signature, dated)),
        "mark": document_mark(notice),
        "title_lines": break_title(notice.title, words=(notice.kind.name,)),
        "intro": notice.intro or default_intro(notice),
        "closing": deadline_sentence(notice, _issued_deadline(notice)),
        "cn_ordinal": cn_ordinal,
        "problem_text": problem_text,
    }


@bp.route("/<int:notice_id>/print")
@require("notices.read_all", "notices.read_own_unit")
def print_view(notice_id: int):
    notice = _load_notice(notice_id)
    return render_template("notices/print.html", **_document_context(notice))


@bp.route("/<int:notice_id>.docx")
@require("notices.read_all", "notices.read_own_unit")
def docx(notice_id: int):
    notice = _load_notice(notice_id)
    data = notice_docx(notice, current_app.config["OFFICE_NAME"], _issued_deadline(notice))
    name = (notice.doc_number or f"通知书草稿{notice.id}") + ".docx"
    return download(data, name, DOCX_MIME)


# --- status changes -------------------------------------------------------------------------


def _act(notice: Notice, func, ok: str, **kwargs):
    try:
        func(actor=current_user, notice=notice, **kwargs)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(ok, "success")
    return _back(notice)


def _add_once(notice: Notice, func, ok: str, **kwargs):
    """_act for a step that adds a record (an extension request, an escalation): once per form token."""
    try:
        done = submit_once(
            lambda: func(actor=current_user, notice=notice, **kwargs), lambda _record: _detail_url(notice)
        )
    except DomainError as error:
        flash_domain_error(error)
        return _back(notice)
    if done.repeated:
        flash_repeat()
    else:
        flash(ok, "success")
    return redirect(done.url)


def _version_arg() -> int | None:
    return form_id(request.form.get("version"))


@bp.route("/<int:notice_id>/submit", methods=["POST"])
@require("notices.draft")
def submit(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    return _act(notice, svc.notice_submit, "已提交签发。", version=_version_arg())


@bp.route("/<int:notice_id>/return", methods=["POST"])
@require("notices.issue")
def return_(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    return _act(notice, svc.notice_return, "已退回起草人修改。", reason=request.form.get("reason", ""))


@bp.route("/<int:notice_id>/issue", methods=["POST"])
@require("notices.issue")
def issue(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    try:
        svc.notice_issue(actor=current_user, notice=notice, today=local_today(), version=_version_arg())
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(
            _(
                "已签发，文号 %(doc_number)s，已通知%(name)s联络员。",
                doc_number=notice.doc_number,
                name=notice.unit.name,
            ),
            "success",
        )
    return _back(notice)


@bp.route("/<int:notice_id>/void", methods=["POST"])
@require("notices.void")
def void(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    return _act(notice, svc.notice_void, "通知书已作废。", reason=request.form.get("reason", ""))


@bp.route("/<int:notice_id>/acknowledge", methods=["POST"])
@require("notices.respond")
def acknowledge(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    return _act(notice, svc.notice_acknowledge, "已签收。")


@bp.route("/<int:notice_id>/items/<int:item_id>/report", methods=["POST"])
@require("notices.respond")
def report(notice_id: int, item_id: int):
    notice, item = get_notice_item_for_user_or_404(notice_id, item_id, current_user)
    form = ReportForm()
    if not form.validate():
        flash_form_errors(form)
        return _back(notice)
    try:
        svc.item_report(
            actor=current_user,
            notice=notice,
            item=item,
            measures=form.measures.data or "",
            completed_on=form.completed_on.data,
            uploads=request.files.getlist("files"),
            today=local_today(),
        )
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("第%(seq)s项整改报告已报送，等待核查。", seq=item.seq), "success")
    return redirect(url_for("notices.detail", notice_id=notice.id, _anchor=f"item-{item.id}"))


@bp.route("/<int:notice_id>/items/<int:item_id>/accept", methods=["POST"])
@require("notices.verify")
def accept(notice_id: int, item_id: int):
    notice, item = get_notice_item_for_user_or_404(notice_id, item_id, current_user)
    try:
        svc.item_accept(actor=current_user, notice=notice, item=item)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(
            _("全部事项已通过，通知书已销号。")
            if notice.status == "closed"
            else _("第%(seq)s项核查通过。", seq=item.seq),
            "success",
        )
    return redirect(url_for("notices.detail", notice_id=notice.id, _anchor=f"item-{item.id}"))


@bp.route("/<int:notice_id>/items/<int:item_id>/return", methods=["POST"])
@require("notices.verify")
def return_item(notice_id: int, item_id: int):
    notice, item = get_notice_item_for_user_or_404(notice_id, item_id, current_user)
    try:
        svc.item_return(actor=current_user, notice=notice, item=item, reason=request.form.get("reason", ""))
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("第%(seq)s项已退回整改。", seq=item.seq), "success")
    return redirect(url_for("notices.detail", notice_id=notice.id, _anchor=f"item-{item.id}"))


@bp.route("/<int:notice_id>/extensions", methods=["POST"])
@require("notices.respond")
def extension_new(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    form = ExtensionForm()
    if not form.validate():
        flash_form_errors(form)
        return _back(notice)
    return _add_once(
        notice,
        svc.extension_request,
        "延期申请已提交，等待审批。",
        reason=form.reason.data or "",
        requested_deadline=form.requested_deadline.data,
        today=local_today(),
    )


@bp.route("/<int:notice_id>/extensions/<int:ext_id>/decide", methods=["POST"])
@require("notices.extend")
def extension_decide(notice_id: int, ext_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    ext = db.session.get(ExtensionRequest, ext_id)
    if ext is None or ext.notice_id != notice.id:
        abort(404)
    form = ExtensionDecisionForm()
    if not form.validate():
        flash_form_errors(form)
        return _back(notice)
    return _act(
        notice,
        svc.extension_decide,
        "延期申请已处理。",
        ext=ext,
        approve=form.decision.data == "approve",
        new_deadline=form.new_deadline.data,
        note=form.note.data or "",
    )


@bp.route("/<int:notice_id>/escalations", methods=["POST"])
@require("notices.escalate")
def escalate(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    form = EscalationForm()
    if not form.validate():
        flash_form_errors(form)
        return _back(notice)
    return _add_once(
        notice,
        svc.escalation_add,
        "督办措施已记录。",
        kind=form.kind.data,
        on_date=form.on_date.data,
        note=form.note.data or "",
        today=local_today(),
    )


# --- the register ---------------------------------------------------------------------------


def _register_query():
    query = (
        notices_for_user(current_user)
        .options(joinedload(Notice.kind), joinedload(Notice.unit), joinedload(Notice.approved_by))
        .where(Notice.doc_number.is_not(None))
    )
    year = year_arg()
    prefix = request.args.get("prefix", "").strip()
    if year:
        query = query.where(Notice.year == year)
    if prefix:
        query = query.where(Notice.doc_prefix == prefix)
    return query.order_by(Notice.year.desc(), Notice.doc_prefix, Notice.seq.desc()), year, prefix


@bp.route("/register")
@require("notices.read_all")
def register():
    query, year, prefix = _register_query()
    page = db.paginate(query, page=page_arg(), per_page=50, error_out=False)
    series = db.session.execute(
        select(Notice.doc_prefix, Notice.year, func.count(Notice.id), func.max(Notice.seq))
        .where(Notice.doc_number.is_not(None))
        .group_by(Notice.doc_prefix, Notice.year)
        .order_by(Notice.year.desc(), Notice.doc_prefix)
    ).all()
    years = sorted({s[1] for s in series}, reverse=True)
    prefixes = sorted({s[0] for s in series})
    return render_template(
        "notices/register.html",
        page=page,
        series=series,
        years=years,
        prefixes=prefixes,
        year=year,
        prefix=prefix,
    )


@bp.route("/register.xlsx")
@require("notices.read_all")
def register_export():
    query, year, prefix = _register_query()
    rows = registers.notice_register_rows(db.session.scalars(query))
    title = f"{current_app.config['OFFICE_NAME']}发文登记簿" + (f"（{year}年）" if year else "")
    name = "发文登记簿" + (f"{year}" if year else "") + (f"-{prefix}" if prefix else "") + ".xlsx"
    return download(register_xlsx(rows, title), name, XLSX_MIME)


# --- notice kinds (admin) -------------------------------------------------------------------


@bp.route("/kinds")
@require("reference.read")
def kinds():
    return render_template("notices/kinds.html", kinds=_kinds(active_only=False), year=local_today().year)


@bp.route("/kinds/new", methods=["GET", "POST"])
@bp.route("/kinds/<int:kind_id>/edit", methods=["GET", "POST"])
@require("admin.manage")
def kind_form(kind_id: int | None = None):
    kind = db.session.get(NoticeKind, kind_id) if kind_id else None
    if kind_id and kind is None:
        abort(404)
    form = NoticeKindForm(obj=kind)
    if request.method == "GET" and kind is not None:
        form.version.data = kind.version
    if form.validate_on_submit():
        try:
            if kind is None:
                submit_once(
                    lambda: svc.notice_kind_save(actor=current_user, kind=None, data=form.data),
                    lambda _kind: url_for("notices.kinds"),
                )
            else:
                svc.notice_kind_save(
                    actor=current_user, kind=kind, data=form.data, version=form_version(form)
                )
        except DomainError as error:
            flash_edit_error(error, form, kind)
        else:
            flash(_("通知书种类已保存。"), "success")
            return redirect(url_for("notices.kinds"))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template(
        "notices/kind_form.html", form=form, kind=kind, action_form=ActionForm(), placeholders=PLACEHOLDERS
    )


@bp.route("/kinds/<int:kind_id>/template", methods=["POST"])
@require("admin.manage")
def kind_template(kind_id: int):
    """Upload (or, with `clear`, remove) the kind's own .docx template."""
    kind = db.session.get(NoticeKind, kind_id) or abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    version = request.form.get("version", type=int)
    try:
        if request.form.get("clear"):
            svc.notice_kind_template_clear(actor=current_user, kind=kind, version=version)
            flash(_("已删除模板，该种类改用内置版式。"), "success")
        else:
            upload = request.files.get("template")
            if upload is None or not upload.filename:
                raise DomainError(_("请选择要上传的模板文件（.docx）。"))
            svc.notice_kind_template_set(actor=current_user, kind=kind, upload=upload, version=version)
            flash(_("模板已上传，该种类的通知书按模板生成 Word 文档。"), "success")
    except DomainError as error:
        flash_domain_error(error)
    return redirect(url_for("notices.kind_form", kind_id=kind.id))


# --- the holiday calendar (admin) -----------------------------------------------------------


@bp.route("/holidays", methods=["GET", "POST"])
@require("reference.read")
def holidays():
    year = year_arg(default=local_today().year)
    form = HolidayForm()
    if request.method == "POST":
        if not can(current_user, "admin.manage"):
            abort(403)
        if form.validate_on_submit():
            try:
                added = calendar_svc.holiday_add_range(
                    actor=current_user,
                    first=form.day.data,
                    last=form.last_day.data,
                    name=form.name.data,
                    is_workday=form.is_workday.data,
                )
            except DomainError as error:
                flash_domain_error(error)
            else:
                flash(
                    _("已添加到节假日日历。") if added == 1 else _("已添加 %(n)s 天到节假日日历。", n=added),
                    "success",
                )
                return redirect(url_for("notices.holidays", year=form.day.data.year))
        else:
            flash_form_errors(form)
    return _holidays_page(year, form=form)


def _holidays_page(year: int, form=None, notice_form=None, plan=None):
    """The year's table, its status (confirmed, package, estimated) and the admin's forms."""
    year = min(max(year, FIRST_YEAR), LAST_YEAR)
    rows = db.session.scalars(
        select(Holiday)
        .where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
        .order_by(Holiday.day)
    ).all()
    notice_form = notice_form or HolidayNoticeForm(formdata=None, year=year)
    return render_template(
        "notices/holidays.html",
        rows=rows,
        year=year,
        form=form or HolidayForm(formdata=None),
        status=calendar_svc.calendar_year_status(year, list(rows)),
        notice_form=notice_form,
        confirm_form=CalendarYearForm(formdata=None),
        plan=plan,
        action_form=ActionForm(),
    )


@bp.route("/holidays/import", methods=["POST"])
@require("admin.manage")
def holidays_import():
    """Paste the 国务院办公厅 notice: first a preview of the days read from it, then 保存."""
    notice_form = HolidayNoticeForm()
    year = notice_form.year.data if isinstance(notice_form.year.data, int) else local_today().year
    if not notice_form.validate_on_submit():
        flash_form_errors(notice_form)
        return _holidays_page(year, notice_form=notice_form)
    try:
        if notice_form.save.data:
            plan = calendar_svc.holiday_import(actor=current_user, year=year, text=notice_form.text.data)
            saved = sum(1 for p in plan if p.action not in ("drop", "keep"))
            flash(_("已导入 %(y)s 年的 %(n)s 天。核对无误后请确认该年度日历。", y=year, n=saved), "success")
            return redirect(url_for("notices.holidays", year=year))
        days = calendar_svc.holiday_notice_read(notice_form.text.data, year)
    except DomainError as error:
        notice_form.text.errors = [*notice_form.text.errors, error.message]
        return _holidays_page(year, notice_form=notice_form)
    return _holidays_page(year, notice_form=notice_form, plan=calendar_svc.holiday_import_plan(year, days))


@bp.route("/holidays/<int:year>/estimate", methods=["POST"])
@require("admin.manage")
def holidays_estimate(year: int):
    try:
        added = calendar_svc.holidays_estimate(actor=current_user, year=year)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(
            _("已预估 %(n)s 天法定节假日（标“预估”，调休上班日未预估）。", n=added)
            if added
            else _("预估的日子都已在日历中。"),
            "success",
        )
    return redirect(url_for("notices.holidays", year=year))


@bp.route("/holidays/<int:year>/confirm", methods=["POST"])
@require("admin.manage")
def holidays_confirm(year: int):
    form = CalendarYearForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("notices.holidays", year=year))
    try:
        calendar_svc.calendar_year_confirm(actor=current_user, year=year, source=form.source.data)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已确认 %(y)s 年的节假日日历：该年度的期限不再提示“未确认”。", y=year), "success")
    return redirect(url_for("notices.holidays", year=year))


@bp.route("/holidays/<int:year>/unconfirm", methods=["POST"])
@require("admin.manage")
def holidays_unconfirm(year: int):
    try:
        calendar_svc.calendar_year_unconfirm(actor=current_user, year=year)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已撤销 %(y)s 年日历的确认。", y=year), "success")
    return redirect(url_for("notices.holidays", year=year))


@bp.route("/holidays/<int:holiday_id>/edit", methods=["GET", "POST"])
@require("admin.manage")
def holiday_edit(holiday_id: int):
    holiday = db.session.get(Holiday, holiday_id)
    if holiday is None:
        abort(404)
    form = HolidayForm(obj=holiday)
    if request.method == "GET":
        form.version.data = holiday.version
    if form.validate_on_submit():
        try:
            svc.holiday_save(
                actor=current_user,
                day=form.day.data,
                is_workday=form.is_workday.data,
                name=form.name.data,
                holiday=holiday,
                version=form_version(form),
            )
        except DomainError as error:
            flash_edit_error(error, form, holiday)
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("notices.holidays", year=holiday.day.year))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("notices/holiday_form.html", form=form, holiday=holiday)


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
@require("admin.manage")
def holiday_delete(holiday_id: int):
    holiday = db.session.get(Holiday, holiday_id)
    if holiday is None:
        abort(404)
    year = holiday.day.year
    svc.holiday_delete(actor=current_user, holiday=holiday)
    flash(_("已从日历中删除。"), "success")
    return redirect(url_for("notices.holidays", year=year))


@bp.route("/holidays/seed", methods=["POST"])
@require("admin.manage")
def holidays_seed():
    added = svc.calendar_seed()
    flash(
        _("已从 chinese-calendar 数据补充 %(n)s 天。", n=added) if added else _("日历已是最新，无需补充。"),
        "success",
    )
    for year in calendar_svc.calendar_estimate_upcoming(local_today()):
        flash(_("%(y)s 年：已按往年规律预估法定节假日（待确认）。", y=year), "info")
    return redirect(
        url_for(
            "notices.holidays", year=form_int(request.form.get("year"), minimum=MIN_YEAR, maximum=MAX_YEAR)
        )
    )


# --- home-page panels -----------------------------------------------------------------------


def liaison_panel(user: User):
    today = local_today()
    notices = db.session.scalars(
        notices_for_user(user)
        .options(joinedload(Notice.kind))
        .where(Notice.status.in_(Notice.OPEN_STATUSES))
        .order_by(Notice.deadline, Notice.id)
        .limit(20)
    ).all()
    calendar = load_calendar(today, *(n.deadline for n in notices))
    counts = item_counts([n.id for n in notices])
    return "notices/_panel_liaison.html", {
        "notices": notices,
        "info": {n.id: deadline_info(n, today, calendar) for n in notices},
        "counts": counts,
    }


def inspector_panel(user: User):
    items = db.session.scalars(
        select(NoticeItem)
        .join(Notice, Notice.id == NoticeItem.notice_id)
        .options(joinedload(NoticeItem.notice).joinedload(Notice.unit), joinedload(NoticeItem.finding))
        .where(
            NoticeItem.status == "submitted",
            Notice.status == "acknowledged",
            Notice.id.in_(verifiable_notices_for_user(user).with_only_columns(Notice.id)),
        )
        .order_by((Notice.drafted_by_id == user.id).desc(), Notice.deadline, NoticeItem.id)
        .limit(15)
    ).all()
    drafts = db.session.scalars(
        select(Notice)
        .options(joinedload(Notice.unit))
        .where(Notice.drafted_by_id == user.id, Notice.status == "draft")
        .order_by(Notice.updated_at.desc())
        .limit(10)
    ).all()
    return "notices/_panel_inspector.html", {"items": items, "drafts": drafts}


def lead_panel(user: User):
    today = local_today()
    waiting = db.session.scalars(
        select(Notice)
        .options(joinedload(Notice.unit), joinedload(Notice.kind), joinedload(Notice.drafted_by))
        .where(Notice.status == "submitted")
        .order_by(Notice.updated_at)
        .limit(15)
    ).all()
    stats = db.session.execute(
        select(
            func.count(Notice.id).filter(Notice.status.in_(Notice.OPEN_STATUSES)),
            func.count(Notice.id).filter(_overdue_clause(today)),
            func.count(Notice.id).filter(Notice.status == "submitted"),
            select(func.count(ExtensionRequest.id))
            .where(ExtensionRequest.decision.is_(None))
            .scalar_subquery(),
        )
    ).one()
    return "notices/_panel_lead.html", {
        "waiting": waiting,
        "open_count": stats[0],
        "overdue_count": stats[1],
        "waiting_count": stats[2],
        "pending_extensions": stats[3],
    }
