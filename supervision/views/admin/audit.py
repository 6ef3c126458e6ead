"""The whole audit trail, newest first, filterable by record type, actor and action."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...filters import contains
from ...models import AuditEvent
from ...permissions import require
from ..helpers import page_arg
from . import bp


@bp.route("/audit")
@require("admin.manage")
def audit():
    query = select(AuditEvent).options(joinedload(AuditEvent.actor))
    record_type = request.args.get("type", "").strip()
    action = request.args.get("action", "").strip()
    if record_type:
        query = query.where(AuditEvent.record_type == record_type)
    if action:
        query = query.where(contains(AuditEvent.action, action))
    page = db.paginate(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
        page=page_arg(),
        per_page=50,
        error_out=False,
    )
    return render_template("admin/audit.html", page=page, record_type=record_type, action=action)
