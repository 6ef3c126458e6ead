"""Scorecard exports: the ranking with a sheet per unit, the roadmap, a framework in import format.

Writers only: their data comes from the read side (services/scorecard_reports.py) through the view.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..formatting import zh_date
from ..i18n import in_chinese
from ..models import RATINGS, AssessmentRound, Framework
from ..numbers import INDICATOR_PLACES, indicator_text, rounded
from ..workflow import status_label
from .sheets import BORDER_COLOR, DATA, HEADER_COLOR, Book, Sheet, reported, write_head

BAND_COLORS = {"green": "#D9F2E3", "amber": "#FFF1CC", "red": "#FADBD8"}
OVERDUE_COLOR = "#FADBD8"
UNIT_COLUMNS = [
    ("编码", 9),
    ("指标", 50),
    ("分值", 6),
    ("自评等次", 10),
    ("自评得分", 8),
    ("评估等次", 10),
    ("评估得分", 8),
    ("短板", 6),
    ("评估意见", 30),
]


def _sheet(
    sheet: Sheet,
    title: str,
    subtitle: str,
    columns: list[tuple[str, int]],
    rows: Iterable[tuple[list, str | None]],
    *,
    signed: bool = False,
) -> None:
    """A printable table like the registers, from (values, band colour or None) per row; long texts
    wrap."""
    book = sheet.book
    header_row = write_head(sheet, title, subtitle, columns, title_size=15)
    widths = [width for _, width in columns]
    styles: dict[tuple, object] = {}

    def style(wrap: bool, color: str | None):
        key = (wrap, color)
        if key not in styles:
            extra = {"text_wrap": True} if wrap else {}
            styles[key] = book.style(DATA, **extra, **({"bg_color": color} if color else {}))
        return styles[key]

    row = header_row
    for row, (values, color) in enumerate(rows, start=header_row + 1):
        sheet.fit_height(row, values, widths)
        sheet.row(row, values, [style(isinstance(v, str) and len(v) > 12, color) for v in values])
    sheet.header_filter(header_row, len(columns), row)
    if signed:
        sheet.signature_block(row + 2, len(columns))
    sheet.landscape_a4(header_row)
    sheet.done()


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
def office_xlsx(round_: AssessmentRound, board: dict, unit_sheets: Iterable) -> bytes:
    """A ranking sheet, then one sheet per unit with every indicator's rating and points.

    `unit_sheets` (`scorecard_workbook.office_unit_sheets`) hands the units over one by one, in the
    board's order: each sheet is written and closed before the next unit is read. The progress bar
    counts the units over both passes (the ranking, then the unit sheets).
    """
    book = Book()
    areas, ranked = board["areas"], board["rows"]
    units = len(ranked)
    columns = [("名次", 6), ("单位", 22), ("总分", 8), ("等级", 6)] + [
        (f"{a.code} {a.short}", 12) for a in areas
    ]
    _sheet(
        book.sheet("排名"),
        f"{round_.title} 记分卡",
        f"年度：{round_.year}    指标体系：{round_.framework.label}    参评单位：{units}    "
        f"平均分：{indicator_text(board['average'])}    "
        "总分 = Σ评估得分 ÷ Σ适用指标分值 × 100（不适用指标不计入）",
        columns,
        (
            (
                [r.rank, r.name, _figure(r.total), r.band[1]] + [_figure(r.areas.get(a.id)) for a in areas],
                BAND_COLORS.get(r.band[0]),
            )
            for r in reported(ranked, units, overall=2 * units)
        ),
        signed=True,  # the ranking goes to the leaders: the office signs it like a 台账
    )
    used = {"排名"}
    for unit in reported(unit_sheets, units, before=units, overall=2 * units):
        r = unit.row
        _sheet(
            book.sheet(_safe_title(r.name, used)),
            f"{unit.name} {round_.year}年度指标评估",
            f"总分：{indicator_text(r.total)}    名次：{r.rank}    等级：{r.band[1]}",
            UNIT_COLUMNS,
            (
                (
                    [
                        code,
                        text or "",
                        _figure(max_points),
                        RATINGS.get(self_rating or "", ""),
                        _figure(self_score),
                        RATINGS.get(rating or "", ""),
                        _figure(score),
                        "是" if weak else "",
                        comment,
                    ],
                    None,
                )
                for code, text, max_points, self_rating, self_score, rating, score, weak, comment in unit.lines
            ),
        )
    return book.save()


@in_chinese
def roadmap_xlsx(rows: Iterable, today: date, *, total: int) -> bytes:
    """The roadmap from `queries.roadmap_export_rows`' tuples (streamed; `total` of them): a row is
    red when its item is overdue (not done, due before `today`)."""
    book = Book()

    def lines():
        for index, (unit, year, code, text, measure, owner, due, status, progress) in enumerate(
            reported(rows, total), start=1
        ):
            late = status != "done" and due < today
            values = [
                index,
                unit,
                year,
                code,
                text,
                measure,
                owner,
                due,
                status_label("roadmap", status) + ("（逾期）" if late else ""),
                progress,
            ]
            yield values, (OVERDUE_COLOR if late else None)

    _sheet(
        book.sheet("路线图"),
        "法治政府建设短板指标整改时间表、路线图",
        f"导出日期：{zh_date(today)}    事项数：{total}    红色底纹为逾期未完成事项",
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
        lines(),
        signed=True,
    )
    return book.save()


@in_chinese
def framework_xlsx(framework: Framework, header: list[str], rows: list[list[str]]) -> bytes:
    """The framework in the import format: the `header` on row 1 so that it imports again as is."""
    book = Book()
    sheet = book.sheet("指标体系")
    widths = [10, 10, 10, 60, 8, 16, 22, 24]
    sheet.widths(widths)
    edge = {"border": 1, "border_color": BORDER_COLOR, "valign": "vcenter"}
    sheet.row(0, header, book.style(edge, bold=True, bg_color=HEADER_COLOR))
    styles = [book.style(edge, text_wrap=col == 3) for col in range(len(header))]
    last = 0
    for last, values in enumerate(rows, start=1):
        sheet.fit_height(last, [values[3] if len(values) > 3 else None], [widths[3]])  # only 内容 wraps
        sheet.row(last, values, styles)
    sheet.header_filter(0, len(header), last)
    sheet.ws.repeat_rows(0)
    sheet.ws.set_landscape()
    sheet.done()
    info = book.sheet("说明")
    info.row(0, [framework.label])
    info.row(1, [framework.description or ""])
    return book.save()
