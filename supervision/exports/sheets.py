"""Spreadsheet writing: the one text-safe cell writer, and the printable register sheet (台账).

Every cell an export writes goes through `set_cell` (or `put`, `append_row`, `csv_text`), so that a
user's text can never become a live formula in Excel, WPS or LibreOffice.
"""

from __future__ import annotations

import io
from copy import copy
from datetime import UTC, date, datetime
from math import ceil

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..formatting import SHANGHAI
from ..i18n import in_chinese

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F2")

# What a spreadsheet may read as the start of a formula (OWASP "CSV injection"): = + - @, and a tab
# or carriage return in front of one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A real date cell shown the way an office writes dates (2026年4月13日), so that Excel and WPS sort
# and filter it as a date; the quotes make 年月日 literal text in every spreadsheet program.
DATE_FORMAT = 'yyyy"年"m"月"d"日"'

# Row heights: a wrapped line of 宋体 10 pt needs about 14 pt; a CJK character is about two units of
# column width (a unit is one "0" of the default font).
LINE_HEIGHT = 14.0
# 2026年12月28日 in 宋体 10 pt is about 14 units wide; in a narrower column Excel shows ###.
DATE_WIDTH = 15
SIGNATURE_LINE = "填表人：                    审核人：                    日期：        年    月    日"


def set_cell(cell: Cell, value) -> Cell:
    """Give `cell` the value `value`; a text that looks like a formula stays text, unchanged.

    openpyxl stores any str starting with "=" as a formula; forcing the type to string writes it as
    text, and the quote-prefix style (what Excel sets when one types '=1) keeps Excel, WPS and
    LibreOffice from turning it into a formula when someone edits the cell. Numbers stay numbers.

    A date (or a datetime, as its day in Beijing) becomes a real date cell with `DATE_FORMAT`.
    """
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        value = aware.astimezone(SHANGHAI).date()
    cell.value = value
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def put(ws, row: int, column: int, value, style: StyleArray | None = None) -> Cell:
    """Write one cell through `set_cell`, with a copy of `style` (see `data_styles`) if given."""
    cell = ws.cell(row=row, column=column)
    if style is not None:
        cell._style = copy(style)  # before the value: the style array holds the quote prefix
    return set_cell(cell, value)


def append_row(ws, values) -> None:
    """`ws.append(values)` through `set_cell`."""
    ws.append([set_cell(Cell(ws), value) for value in values])


def csv_text(value) -> str:
    """A CSV field: CSV has no types, so a formula-like text gets the usual leading apostrophe guard.

    `tabular.read_rows` takes the apostrophe off again, so an exported file imports unchanged.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def text_lines(value, width: float) -> int:
    """How many lines `value` takes wrapped in a column `width` units wide (an estimate)."""
    if value is None or isinstance(value, int | float | date):
        return 1
    per_line = max(1.0, width - 1.5)  # the cell's padding
    lines = 0
    for part in str(value).split("\n"):
        units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in part)
        lines += max(1, ceil(units / per_line))
    return lines


def fit_row_height(ws, row: int, values, widths: list[float]) -> None:
    """Give `row` the height its longest wrapped text needs (rows of one line keep the default)."""
    lines = max((text_lines(v, w) for v, w in zip(values, widths, strict=False)), default=1)
    if lines > 1:
        ws.row_dimensions[row].height = lines * LINE_HEIGHT + 2


def header_filter(ws, header_row: int, columns: int, last_row: int) -> None:
    """An autofilter on the header row over the table's rows, for Excel's and WPS's drop-downs."""
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{max(last_row, header_row)}"


def signature_block(ws, row: int, columns: int) -> None:
    """The 填表人 / 审核人 / 日期 line an office signs under a 台账, one blank row below the table."""
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=columns)
    cell = put(ws, row + 1, 1, SIGNATURE_LINE)
    cell.font = Font(name="宋体", size=11)
    cell.alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[row + 1].height = 24


def write_head(
    ws, title: str | None, subtitle: str, columns: list[tuple[str, int]], *, title_size: int = 16
) -> int:
    """Row 1 the title and row 2 the subtitle across the table, row 3 the bordered headers; widths.

    Without a title the headers are row 1 (an import format). Returns the header row.
    """
    header_row = 3 if title is not None else 1
    for col, (name, width) in enumerate(columns, start=1):
        cell = put(ws, header_row, col, name)
        cell.font = Font(name="宋体", size=11, bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    if title is None:
        return header_row
    last = get_column_letter(len(columns))
    ws.merge_cells(f"A1:{last}1")
    put(ws, 1, 1, title)
    ws["A1"].font = Font(name="宋体", size=title_size, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(f"A2:{last}2")
    put(ws, 2, 1, subtitle)
    ws["A2"].font = Font(name="宋体", size=10)
    ws["A2"].alignment = Alignment(vertical="center", wrap_text=True)
    fit_row_height(ws, 2, [subtitle], [sum(width for _, width in columns)])
    return header_row


def data_styles(ws, alignments: dict) -> dict:
    """One style array per kind of data cell ({key: Alignment keyword arguments}), to copy onto cells.

    Setting font, border and alignment through openpyxl's descriptors costs ~100 µs a cell (a year's
    6,000 findings × 11 columns took 8 s); copying a style array takes well under one. The arrays are
    made on a scratch cell, left unstyled afterwards.
    """
    scratch = ws.cell(row=4, column=1)
    styles = {}
    for key, alignment in alignments.items():
        scratch.font = Font(name="宋体", size=10)
        scratch.border = BORDER
        scratch.alignment = Alignment(vertical="center", **alignment)
        styles[key] = copy(scratch._style)
    scratch._style = StyleArray()
    return styles


def landscape_a4(ws, header_row: int = 3) -> None:
    """Print setup of a register: landscape A4, one page wide, headers repeated, pages numbered."""
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


@in_chinese
def register_sheet(
    ws,
    title: str | None,
    subtitle: str,
    columns: list[tuple[str, int]],
    rows: list[list],
    *,
    centred: tuple[int, ...] = (),
    signed: bool = False,
) -> None:
    """Fill `ws`: row 1 title, row 2 subtitle, row 3 headers, then the rows (1-based `centred` columns).

    Dates become date cells; the header row gets an autofilter, each row the height its wrapped text
    needs, and a `signed` register the 填表人 line under the table. No title: headers on row 1.
    """
    header_row = write_head(ws, title, subtitle, columns)
    widths = [width for _, width in columns]
    styles = data_styles(
        ws,
        {
            False: {"horizontal": "left", "wrap_text": True},
            True: {"horizontal": "center", "wrap_text": True},
        },
    )
    last_row, date_columns = header_row, set()
    for r, values in enumerate(rows, start=header_row + 1):
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value, styles[col in centred])
            if isinstance(value, date):
                date_columns.add(col)
        fit_row_height(ws, r, values, widths)
        last_row = r
    for col in date_columns:
        dimension = ws.column_dimensions[get_column_letter(col)]
        dimension.width = max(dimension.width or 0, DATE_WIDTH)
    header_filter(ws, header_row, len(columns), last_row)
    if signed:
        signature_block(ws, last_row + 1, len(columns))
    landscape_a4(ws, header_row)


@in_chinese
def single_sheet_xlsx(
    sheet_name: str, title: str, subtitle: str, columns, rows, *, centred=(), signed: bool = True
) -> bytes:
    """A workbook of one register sheet (see `register_sheet`); a 台账 is signed unless told not."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name[:31]
    register_sheet(ws, title, subtitle, columns, rows, centred=centred, signed=signed)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CHOICES_SHEET = "选项"
CHOICE_ROWS = 2000  # how far down a template's drop-downs reach


def add_choices(
    ws, column: int, values: list[str], *, first_row: int = 2, strict: bool = True, prompt: str = ""
) -> DataValidation:
    """A drop-down list on `column` from `first_row` down, for a coded column of an import template.

    The values sit in a hidden sheet 选项 (an inline list is limited to 255 characters and breaks on
    a comma); `strict` refuses other text, otherwise Excel and WPS only warn, for columns the importer
    also accepts in other spellings (a unit's short name, kinds in another order).
    """
    wb = ws.parent
    if CHOICES_SHEET in wb.sheetnames:
        lists = wb[CHOICES_SHEET]
    else:
        lists = wb.create_sheet(CHOICES_SHEET)
        lists.sheet_state = "hidden"
    list_col = (lists.max_column + 1) if lists.max_row > 1 or lists["A1"].value is not None else 1
    for row, value in enumerate(values, start=1):
        put(lists, row, list_col, value)
    letter = get_column_letter(list_col)
    validation = DataValidation(
        type="list",
        formula1=f"'{CHOICES_SHEET}'!${letter}$1:${letter}${max(1, len(values))}",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop" if strict else "warning",
        errorTitle="填写的值不在列表中",
        error="请从下拉列表中选择。" if strict else "该值不在列表中，请确认后再保存。",
        showInputMessage=bool(prompt),
        prompt=prompt or None,
    )
    target = get_column_letter(column)
    validation.add(f"{target}{first_row}:{target}{CHOICE_ROWS}")
    ws.add_data_validation(validation)
    return validation
