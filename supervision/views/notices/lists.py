"""The lists: 通知书 (the office's list and search), 本单位通知 (the liaison's), and the register
(发文登记簿) with its .xlsx."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from ... import registers
from ...exports.notices import register_xlsx
from ...formatting import local_today
from ...parsing import id_arg, year_arg
from ...permissions import require
from ...queries import notices as read
from ..helpers import XLSX_MIME, download, page_arg, url_base
from . import bp, list_rows


def _filters() -> read.NoticeFilters:
    return read.NoticeFilters(
        status=request.args.get("status", ""),
        kind_id=id_arg("kind"),
        unit_id=id_arg("unit"),
        year=year_arg(),
        overdue=request.args.get("overdue") == "1",
        drafted_by_me=request.args.get("mine") == "1",
        pending_extension=request.args.get("extension") == "pending",
        keyword=request.args.get("q", "").strip(),
    )


@bp.route("/")
@require("notices.read_all")
def index():
    today = local_today()
    filters = _filters()
    data = read.notice_list_page(current_user, filters, page_arg(), today)
    detail_base = url_base("notices.detail", "notice_id")
    return render_template(
        "notices/index.html",
        **data,
        rows=list_rows.notice_rows(data["page"].items, data["info"], data["counts"], detail_base),
        labels=list_rows.texts().labels,
        statuses=read.STATUSES,
        status=filters.status,
        kind_id=filters.kind_id,
        unit_id=filters.unit_id,
        overdue=filters.overdue,
        mine=filters.drafted_by_me,
        keyword=filters.keyword,
        today=today,
    )


@bp.route("/unit")
@require("notices.read_own_unit")
def mine():
    """本单位通知: the liaison's own unit's notices, open ones first, with working days left."""
    today = local_today()
    data = read.unit_notices_page(current_user, page_arg(), today)
    detail_base = url_base("notices.detail", "notice_id")
    return render_template(
        "notices/mine.html",
        **data,
        open_rows=list_rows.unit_open_rows(data["open_notices"], data["info"], data["counts"], detail_base),
        closed_rows=list_rows.unit_closed_rows(data["page"].items, detail_base),
        today=today,
    )


def _register_args() -> tuple[int | None, str]:
    return year_arg(), request.args.get("prefix", "").strip()


@bp.route("/register")
@require("notices.read_all")
def register():
    year, prefix = _register_args()
    return render_template(
        "notices/register.html",
        **read.register_page(current_user, year, prefix, page_arg()),
        year=year,
        prefix=prefix,
    )


@bp.route("/register.xlsx")
@require("notices.read_all")
def register_export():
    year, prefix = _register_args()
    rows = registers.notice_register_rows(current_user, year, prefix)  # streamed: counted, then in chunks
    title = f"{current_app.config['OFFICE_NAME']}发文登记簿" + (f"（{year}年）" if year else "")
    name = "发文登记簿" + (f"{year}" if year else "") + (f"-{prefix}" if prefix else "") + ".xlsx"
    return download(register_xlsx(rows, title, total=len(rows)), name, XLSX_MIME)
