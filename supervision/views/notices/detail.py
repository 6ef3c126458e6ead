"""A notice's page, its print view and .docx, and the office's steps on it: submit, return, issue,
void, verify each item, decide an extension, record an escalation."""

from __future__ import annotations

from flask import abort, current_app, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...exports.notices import (
    cn_ordinal,
    deadline_sentence,
    default_intro,
    document_mark,
    notice_authority,
    notice_docx,
    problem_text,
)
from ...exports.official import masthead_size, signature_indents
from ...exports.title_break import break_title
from ...extensions import db
from ...formatting import local_today, zh_date
from ...forms.notices import EscalationForm, ExtensionDecisionForm
from ...models import ExtensionRequest, Notice
from ...permissions import (
    can,
    get_notice_for_user_or_404,
    get_notice_item_for_user_or_404,
    is_notice_unit,
    require,
)
from ...queries import notices as read
from ...queries.notice_detail import notice_detail_page
from ...services import notice_extensions as extensions_svc
from ...services import notices as svc
from ...services.attachments import ACCEPT_ATTR
from ...workflow import allowed_steps
from ..helpers import DOCX_MIME, download, flash_domain_error, flash_form_errors
from . import bp
from .common import act, add_once, back, version_arg
from .detail_head import notice_head
from .detail_items import item_heads


@bp.route("/<int:notice_id>")
@require("notices.read_all", "notices.read_own_unit")
def detail(notice_id: int):
    today = local_today()
    user = current_user._get_current_object()
    page = notice_detail_page(user, notice_id, today)
    notice = page["notice"]
    # The page writes its forms out by hand; only the escalation form's choices are read, and only
    # when the form is shown (the other forms were built on every view and never used).
    escalating = can(user, "notices.escalate") and notice.is_overdue(today)
    steps = {s.action for s in allowed_steps(notice, user)}
    is_unit = is_notice_unit(user, notice)
    return render_template(
        "notices/detail.html",
        **page,
        steps=steps,
        today=today,
        is_unit=is_unit,
        escalation_form=EscalationForm(formdata=None, on_date=today) if escalating else None,
        accept=ACCEPT_ATTR,
        notice_head=notice_head(user, notice, steps, is_unit, page),
        item_heads=item_heads(page["items"], notice.kind.requires_rectification, page["files"]),
    )


def _document_context(notice: Notice) -> dict:
    authority = notice_authority(notice, current_app.config["OFFICE_NAME"])
    # The document's own words and dates are Chinese whatever the reader's interface (as in the .docx).
    dated = zh_date(notice.issue_date) if notice.issue_date else "（签发日期）"
    return {
        "notice": notice,
        "office_name": current_app.config["OFFICE_NAME"],
        "authority": authority,
        "masthead_pt": masthead_size(authority.masthead),
        "signature_right": min(signature_indents(authority.signature, dated)),
        "dated": dated,
        "printed": zh_date(notice.issue_date),
        "mark": document_mark(notice),
        "title_lines": break_title(notice.title, words=(notice.kind.name,)),
        "intro": notice.intro or default_intro(notice),
        "closing": deadline_sentence(notice, read.issued_deadline(notice)),
        "cn_ordinal": cn_ordinal,
        "problem_text": problem_text,
    }


@bp.route("/<int:notice_id>/print")
@require("notices.read_all", "notices.read_own_unit")
def print_view(notice_id: int):
    notice = read.notice_for_page_or_404(current_user, notice_id)
    return render_template("notices/print.html", **_document_context(notice))


@bp.route("/<int:notice_id>.docx")
@require("notices.read_all", "notices.read_own_unit")
def docx(notice_id: int):
    notice = read.notice_for_page_or_404(current_user, notice_id)
    data = notice_docx(notice, current_app.config["OFFICE_NAME"], read.issued_deadline(notice))
    name = (notice.doc_number or f"通知书草稿{notice.id}") + ".docx"
    return download(data, name, DOCX_MIME)


# --- the office's steps ---------------------------------------------------------------------


@bp.route("/<int:notice_id>/submit", methods=["POST"])
@require("notices.draft")
def submit(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    return act(notice, svc.notice_submit, "已提交签发。", version=version_arg())


@bp.route("/<int:notice_id>/return", methods=["POST"])
@require("notices.issue")
def return_(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    return act(notice, svc.notice_return, "已退回起草人修改。", reason=request.form.get("reason", ""))


@bp.route("/<int:notice_id>/issue", methods=["POST"])
@require("notices.issue")
def issue(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    try:
        svc.notice_issue(actor=current_user, notice=notice, today=local_today(), version=version_arg())
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
    return back(notice)


@bp.route("/<int:notice_id>/void", methods=["POST"])
@require("notices.void")
def void(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    return act(notice, svc.notice_void, "通知书已作废。", reason=request.form.get("reason", ""))


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
    return back(notice, _anchor=f"item-{item.id}")


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
    return back(notice, _anchor=f"item-{item.id}")


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
        return back(notice)
    return act(
        notice,
        extensions_svc.extension_decide,
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
        return back(notice)
    return add_once(
        notice,
        extensions_svc.escalation_add,
        "督办措施已记录。",
        kind=form.kind.data,
        on_date=form.on_date.data,
        note=form.note.data or "",
        today=local_today(),
    )
