"""Scorecard exports: the ranking with a sheet per unit, the roadmap, a framework in import format."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from ..extensions import db
from ..formatting import zh_date
from ..i18n import in_chinese
from ..models import RATINGS, AssessmentRound, Framework, Indicator, IndicatorScore, RoadmapItem, Unit
from ..numbers import INDICATOR_PLACES, indicator_text, rounded
from ..scoring_indicators import is_weak
from ..workflow import status_label
from .sheets import (
    BORDER,
    HEADER_FILL,
    append_row,
    data_styles,
    fit_row_height,
    header_filter,
    landscape_a4,
    put,
    signature_block,
    write_head,
)

BAND_FILLS = {
    "green": PatternFill("solid", fgColor="D9F2E3"),
    "amber": PatternFill("solid", fgColor="FFF1CC"),
    "red": PatternFill("solid", fgColor="FADBD8"),
}


def _sheet(
    ws,
    title: str,
    subtitle: str,
    columns: list[tuple[str, int]],
    rows: list[list],
    fills=None,
    *,
    signed: bool = False,
) -> None:
    """A printable table like the registers; long texts wrap, and each row may have a band colour."""
    header_row = write_head(ws, title, subtitle, columns, title_size=15)
    widths = [width for _, width in columns]
    styles = data_styles(ws, {False: {}, True: {"wrap_text": True}})
    for index, values in enumerate(rows):
        fill = fills[index] if fills else None
        row = header_row + 1 + index
        for col, value in enumerate(values, start=1):
            cell = put(ws, row, col, value, styles[isinstance(value, str) and len(value) > 12])
            if fill is not None:
                cell.fill = fill
        fit_row_height(ws, row, values, widths)
    header_filter(ws, header_row, len(columns), header_row + len(rows))
    if signed:
        signature_block(ws, header_row + len(rows) + 1, len(columns))
    landscape_a4(ws)


def _figure(value: float | None) -> float | None:
    """An indicator figure as a number cell, at the one precision pages show it."""
    return rounded(value, INDICATOR_PLACES)


def _safe_title(name: str, used: set[str]) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, "")
    name = name[:28] or "单位"
    title, n = name, 2
    while title in used:
        title = f"{name[:25]}({n})"
        n += 1
    used.add(title)
    return title


@in_chinese
def office_xlsx(round_: AssessmentRound, board: dict) -> bytes:
    """A ranking sheet, then one sheet per unit with every indicator's rating and points."""
    wb = Workbook()
    ws = wb.active
    ws.title = "排名"
    areas = board["areas"]
    columns = [("名次", 6), ("单位", 22), ("总分", 8), ("等级", 6)] + [
        (f"{a.code} {a.short}", 12) for a in areas
    ]
    rows, fills = [], []
    for r in board["rows"]:
        rows.append(
            [r.rank, r.name, _figure(r.total), r.band[1]] + [_figure(r.areas.get(a.id)) for a in areas]
        )
        fills.append(BAND_FILLS.get(r.band[0]))
    _sheet(
        ws,
        f"{round_.title} 记分卡",
        f"年度：{round_.year}    指标体系：{round_.framework.label}    参评单位：{len(rows)}    "
        f"平均分：{indicator_text(board['average'])}    "
        "总分 = Σ评估得分 ÷ Σ适用指标分值 × 100（不适用指标不计入）",
        columns,
        rows,
        fills,
    )
    # Per-unit sheets: one query for every score of the round's finalized assessments.
    assessment_ids = [r.assessment_id for r in board["rows"]]
    lines: dict[int, list] = {}
    if assessment_ids:
        # Plain columns, not ORM objects: 60,000 rows at city scale.
        texts = dict(
            db.session.execute(
                select(Indicator.id, Indicator.text).where(Indicator.framework_id == round_.framework_id)
            ).all()
        )
        for row in db.session.execute(
            select(
                IndicatorScore.assessment_id,
                Indicator.id,
                Indicator.code,
                Indicator.max_points,
                IndicatorScore.self_rating,
                IndicatorScore.self_score,
                IndicatorScore.evaluated_rating,
                IndicatorScore.evaluated_score,
                IndicatorScore.comment,
            )
            .join(Indicator, Indicator.id == IndicatorScore.indicator_id)
            .where(IndicatorScore.assessment_id.in_(assessment_ids))
            .order_by(IndicatorScore.assessment_id, Indicator.position)
        ):
            lines.setdefault(row[0], []).append(row)
    names = dict(db.session.execute(select(Unit.id, Unit.name)).all()) if assessment_ids else {}
    used = {"排名"}
    for r in board["rows"]:
        sheet = wb.create_sheet(_safe_title(r.name, used))
        unit_rows = []
        for _aid, iid, code, max_points, self_rating, self_score, rating, score, comment in lines.get(
            r.assessment_id, []
        ):
            unit_rows.append(
                [
                    code,
                    texts.get(iid, ""),
                    _figure(max_points),
                    RATINGS.get(self_rating or "", ""),
                    _figure(self_score),
                    RATINGS.get(rating or "", ""),
                    _figure(score),
                    "是" if is_weak(rating, score, max_points) else "",
                    comment,
                ]
            )
        _sheet(
            sheet,
            f"{names.get(r.unit_id, r.name)} {round_.year}年度指标评估",
            f"总分：{indicator_text(r.total)}    名次：{r.rank}    等级：{r.band[1]}",
            [
                ("编码", 9),
                ("指标", 50),
                ("分值", 6),
                ("自评等次", 10),
                ("自评得分", 8),
                ("评估等次", 10),
                ("评估得分", 8),
                ("短板", 6),
                ("评估意见", 30),
            ],
            unit_rows,
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@in_chinese
def roadmap_xlsx(items: list[RoadmapItem], today: date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "路线图"
    rows, fills = [], []
    overdue_fill = PatternFill("solid", fgColor="FADBD8")
    for index, item in enumerate(items, start=1):
        overdue = item.is_overdue(today)
        rows.append(
            [
                index,
                item.unit.name,
                item.year,
                item.indicator.code,
                item.indicator.text,
                item.measure,
                item.owner,
                item.due_date,
                status_label("roadmap", item.status) + ("（逾期）" if overdue else ""),
                item.progress,
            ]
        )
        fills.append(overdue_fill if overdue else None)
    _sheet(
        ws,
        "法治政府建设短板指标整改时间表、路线图",
        f"导出日期：{zh_date(today)}    事项数：{len(items)}    红色底纹为逾期未完成事项",
        [
            ("序号", 6),
            ("责任单位", 20),
            ("年度", 7),
            ("指标编码", 9),
            ("短板指标", 40),
            ("整改措施", 40),
            ("责任人", 12),
            ("完成时限", 15),
            ("状态", 12),
            ("进展情况", 30),
        ],
        rows,
        fills,
        signed=True,
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@in_chinese
def framework_xlsx(framework: Framework, rows: list[list[str]]) -> bytes:
    """The framework in the import format: the header on row 1 so that it imports again as is."""
    from ..services.frameworks import FRAMEWORK_COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.title = "指标体系"
    append_row(ws, FRAMEWORK_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
    for row in rows:
        append_row(ws, row)
    widths = [10, 10, 10, 60, 8, 16, 22, 24]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.border = BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=cell.column == 4)
        fit_row_height(ws, row[0].row, [row[3].value], [widths[3]])  # only 内容 wraps
    header_filter(ws, 1, len(FRAMEWORK_COLUMNS), ws.max_row)
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    info = wb.create_sheet("说明")
    append_row(info, [framework.label])
    append_row(info, [framework.description or ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
