"""The whole audit trail, newest first, filterable by record type, actor and action."""

from __future__ import annotations

from flask import render_template, request

from ...permissions import require
from ...queries import admin as queries
from ..helpers import page_arg
from . import bp


@bp.route("/audit")
@require("admin.manage")
def audit():
    args = {"type": request.args.get("type", "").strip(), "action": request.args.get("action", "").strip()}
    return render_template(
        "admin/audit.html",
        page=queries.audit_page(args, page_arg()),
        record_type=args["type"],
        action=args["action"],
    )
