"""Registers (台账) as .xlsx, the forms an office files; each scoped and filtered like its page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from .. import registers
from ..exports.sheets import single_sheet_xlsx
from ..extensions import db
from ..filters import COUNTED
from ..formatting import local_today, zh_date
from ..i18n import in_chinese
from ..models import AssessmentRound, Unit
from ..parsing import id_arg
from ..permissions import can, can_any, get_unit_for_user_or_404, require
from .dashboard import chosen_year, year_choices
from .helpers import XLSX_MIME, download
from .suggest import chosen_unit

bp = Blueprint("registers", __name__, url_prefix="/registers")

# register → the capabilities of the page it comes from
SOURCES = {
    "findings": ("findings.read_all", "tasks.read_assigned"),
    "rectification": ("notices.read_all", "notices.read_own_unit"),
    "notices": ("notices.read_all",),
    "reviews": ("reviews.read_all", "reviews.score", "reviews.read_own_unit"),
    "assessments": ("assessments.read_all", "assessments.self_assess"),
}
ALL_SOURCES = tuple(sorted({cap for caps in SOURCES.values() for cap in caps}))


def _unit_filter() -> int | None:
    unit_id = id_arg("unit")
    if unit_id is None:
        return None
    # A unit outside the viewer's scope is simply not a filter they can use.
    return get_unit_for_user_or_404(unit_id, current_user).id


@in_chinese
def _subtitle(year: int | None, unit_id: int | None) -> str:
    parts = [f"年度：{year}年" if year else "全部年度"]
    if unit_id:
        parts.append("单位：" + db.session.get(Unit, unit_id).name)
    parts.append(f"导出日期：{zh_date(local_today())}")
    return "    ".join(parts)


@bp.route("/")
@require(*ALL_SOURCES)
def index():
    year = chosen_year()
    unit_choice = chosen_unit()
    rounds = registers.rounds_for(current_user)
    allowed = {name for name, caps in SOURCES.items() if can_any(current_user, *caps)}
    return render_template(
        "registers/index.html",
        year=year,
        years=year_choices(),
        unit_choice=unit_choice,
        pick_unit=can(current_user, "reference.read"),
        rounds=rounds,
        allowed=allowed,
        unit_id=unit_choice[0] if unit_choice else None,
    )


@bp.route("/findings.xlsx")
@require(*SOURCES["findings"])
def findings():
    """督察问题台账, with the findings list's filters (year, unit, category, severity, status, keyword)."""
    from .tasks import finding_filter_args

    filters = finding_filter_args()
    _unit_filter()  # a unit outside the viewer's scope is a 404
    year = filters.get("year")
    rows = registers.finding_rows(current_user, filters)  # streamed: counted, then read in chunks
    title = f"{year}年度督察问题台账" if year else "督察问题台账"
    data = single_sheet_xlsx(
        "督察问题台账",
        title,
        _subtitle(year, filters.get("unit"))
        + f"    问题数：{len(rows)}"
        + ("（不含已撤销）" if filters.get("status") == COUNTED else ""),
        registers.FINDING_COLUMNS,
        rows,
        total=len(rows),
        centred=(1, 4, 5, 8, 9, 10),
    )
    return download(data, f"{title}.xlsx", XLSX_MIME)


@bp.route("/rectification.xlsx")
@require(*SOURCES["rectification"])
def rectification():
    year, unit_id = chosen_year(), _unit_filter()
    rows = registers.rectification_rows(current_user, year=year, unit_id=unit_id, today=local_today())
    data = single_sheet_xlsx(
        "整改台账",
        f"{year}年度整改台账",
        _subtitle(year, unit_id) + f"    整改事项：{len(rows)}",
        registers.RECTIFICATION_COLUMNS,
        rows,
        total=len(rows),
        centred=(1, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    )
    return download(data, f"{year}年度整改台账.xlsx", XLSX_MIME)


@bp.route("/reviews.xlsx")
@require(*SOURCES["reviews"])
def reviews():
    year, unit_id = chosen_year(), _unit_filter()
    rows = registers.review_rows(current_user, year=year, unit_id=unit_id)
    data = single_sheet_xlsx(
        "评查结果表",
        f"{year}年度行政执法案卷评查结果表",
        _subtitle(year, unit_id) + f"    案卷数：{len(rows)}",
        registers.REVIEW_COLUMNS,
        rows,
        total=len(rows),
        centred=(1, 6, 7, 8, 9, 10),
    )
    return download(data, f"{year}年度案卷评查结果表.xlsx", XLSX_MIME)


@bp.route("/assessments.xlsx")
@require(*SOURCES["assessments"])
def assessments():
    round_id = id_arg("round")
    round_ = db.session.get(AssessmentRound, round_id) if round_id else None
    if round_ is None:
        abort(404)
    unit_id = _unit_filter()
    rows = registers.assessment_rows(current_user, round_id=round_.id, unit_id=unit_id)
    data = single_sheet_xlsx(
        "指标自评汇总表",
        f"{round_.title} 指标自评汇总表",
        _subtitle(round_.year, unit_id) + f"    条目：{len(rows)}",
        registers.ASSESSMENT_COLUMNS,
        rows,
        total=len(rows),
        centred=(1, 3, 5, 6, 7, 8, 9),
    )
    return download(data, f"{round_.year}年度指标自评汇总表.xlsx", XLSX_MIME)
