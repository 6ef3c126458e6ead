"""The unit's responses to a notice: acknowledge (签收), report an item's rectification, ask for an
extension."""

from __future__ import annotations

from flask import flash, request
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...formatting import local_today
from ...forms.notices import ExtensionForm, ReportForm
from ...permissions import get_notice_for_user_or_404, get_notice_item_for_user_or_404, require
from ...services import notice_extensions as extensions_svc
from ...services import rectification as rectification_svc
from ..helpers import flash_domain_error, flash_form_errors
from . import bp
from .common import act, add_once, back


@bp.route("/<int:notice_id>/acknowledge", methods=["POST"])
@require("notices.respond")
def acknowledge(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    return act(notice, rectification_svc.notice_acknowledge, "已签收。")


@bp.route("/<int:notice_id>/items/<int:item_id>/report", methods=["POST"])
@require("notices.respond")
def report(notice_id: int, item_id: int):
    notice, item = get_notice_item_for_user_or_404(notice_id, item_id, current_user)
    form = ReportForm()
    if not form.validate():
        flash_form_errors(form)
        return back(notice)
    try:
        rectification_svc.item_report(
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
    return back(notice, _anchor=f"item-{item.id}")


@bp.route("/<int:notice_id>/extensions", methods=["POST"])
@require("notices.respond")
def extension_new(notice_id: int):
    notice = get_notice_for_user_or_404(notice_id, current_user)
    form = ExtensionForm()
    if not form.validate():
        flash_form_errors(form)
        return back(notice)
    return add_once(
        notice,
        extensions_svc.extension_request,
        "延期申请已提交，等待审批。",
        reason=form.reason.data or "",
        requested_deadline=form.requested_deadline.data,
        today=local_today(),
    )
