"""Spreadsheet writing: the one text-safe cell writer, and the printable register sheet (台账).

The exports are written with XlsxWriter in its constant-memory mode (`Book`): each sheet goes row by
row to a temporary file and only the current row is held, so a register of any length takes the
memory of one row, and the rows can come straight from a database cursor. XlsxWriter rather than
openpyxl's write-only mode, by measurement (bench/RESULTS.md, "exports"): the same 60,000 × 11 cells
took 13 s of CPU in XlsxWriter and 27 s in openpyxl's write-only mode (22 s in its normal mode, with
320 MB); both stream, but only XlsxWriter brings the 指标自评汇总表 under 15 s at city scale.

Every cell an export writes goes through `write_value` (the `Sheet.write` / `Sheet.row` methods), so
that a user's text can never become a live formula in Excel, WPS or LibreOffice. The small import
templates that tabular.py builds in openpyxl go through `set_cell` (`put`, `append_row`), and CSV
fields through `csv_text`: the same rule in each library.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from math import ceil, inf

import xlsxwriter
from openpyxl.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from xlsxwriter.exceptions import DuplicateWorksheetName
from xlsxwriter.utility import _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

from ..formatting import SHANGHAI
from ..i18n import in_chinese
from ..progress import current_progress

# What a spreadsheet may read as the start of a formula (OWASP "CSV injection"): = + - @, and a tab
# or carriage return in front of one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# What XlsxWriter changes in a text it writes: control characters (as _xHHHH_, and its own escapes
# _x0041_ escaped again), the two non-characters, and & < >.
_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


def _escape_text(text: str) -> str:
    """A cell's text as XlsxWriter escapes it for an inline string (its own two steps)."""
    text = XMLwriter._escape_control_characters(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# A real date cell shown the way an office writes dates (2026年4月13日), so that Excel and WPS sort
# and filter it as a date; the quotes make 年月日 literal text in every spreadsheet program.
DATE_FORMAT = 'yyyy"年"m"月"d"日"'

# Row heights: a wrapped line of 宋体 10 pt needs about 14 pt; a CJK character is about two units of
# column width (a unit is one "0" of the default font).
LINE_HEIGHT = 14.0
# 2026年12月28日 in 宋体 10 pt is about 14 units wide; in a narrower column Excel shows ###.
DATE_WIDTH = 15
SIGNATURE_LINE = "填表人：                    审核人：                    日期：        年    月    日"

HEADER_COLOR = "#DDE6F2"
BORDER_COLOR = "#808080"
# The look of a register's cells (XlsxWriter format properties).
TITLE = {"font_name": "宋体", "bold": True, "align": "center", "valign": "vcenter"}
SUBTITLE = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "text_wrap": True}
HEADER = {
    "font_name": "宋体",
    "font_size": 11,
    "bold": True,
    "bg_color": HEADER_COLOR,
    "border": 1,
    "border_color": BORDER_COLOR,
    "align": "center",
    "valign": "vcenter",
    "text_wrap": True,
}
DATA = {"font_name": "宋体", "font_size": 10, "border": 1, "border_color": BORDER_COLOR, "valign": "vcenter"}
SIGNATURE = {"font_name": "宋体", "font_size": 11, "align": "left", "valign": "vcenter"}

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    # `write_value` never uses XlsxWriter's guessing write(); these keep merge_range's from guessing too.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class Style:
    """A cell look as three XlsxWriter formats: as is, as a date, and quote-prefixed (a formula-like text)."""

    __slots__ = ("date", "plain", "quoted")

    def __init__(self, workbook, properties: dict) -> None:
        self.plain = workbook.add_format(properties)
        self.date = workbook.add_format({**properties, "num_format": DATE_FORMAT})
        self.quoted = workbook.add_format({**properties, "quote_prefix": True})


def write_value(ws, row: int, col: int, value, style: Style) -> None:
    """THE cell writer of the exports: `value` into (row, col) (0-based, as XlsxWriter counts).

    A text is always written as text (never XlsxWriter's guessing `write`): one that looks like a
    formula keeps the quote-prefix style (what Excel sets when one types '=1), so that Excel, WPS and
    LibreOffice do not turn it into a formula when someone edits the cell. Numbers stay numbers; a
    date (or a datetime, as its day in Beijing) becomes a real date cell with `DATE_FORMAT`.
    """
    if type(value) is str:  # most cells: first, and without the isinstance chain
        if value:
            _write_text(ws, row, col, value, style)
        else:
            ws.write_blank(row, col, None, style.plain)
    elif value is None:
        ws.write_blank(row, col, None, style.plain)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, style.plain)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, style.plain)
    elif isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        ws.write_datetime(row, col, aware.astimezone(SHANGHAI).date(), style.date)
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, style.date)
    else:  # a lazy or marked-up string, or anything else: as its text
        text = str(value)
        if text:
            _write_text(ws, row, col, text, style)
        else:
            ws.write_blank(row, col, None, style.plain)


def _write_text(ws, row: int, col: int, text: str, style: Style) -> None:
    fmt = style.quoted if text.startswith(FORMULA_STARTS) else style.plain
    if text.startswith("<r>") and text.endswith("</r>"):
        # XlsxWriter's constant-memory mode copies such a text in as rich-text XML, unescaped (a `&`
        # in it breaks the file): as a rich string of plain runs it is escaped like any text.
        ws.write_rich_string(row, col, text[:1], text[1:2], text[2:], fmt)
    else:
        ws.write_string(row, col, text, fmt)


class _Workbook(xlsxwriter.Workbook):
    """XlsxWriter's workbook, its sheet names kept unique by a set: its own check compares a new
    name with every earlier sheet's (the office scorecard's 6,000 unit sheets made that 18 million
    comparisons, a sixth of the export's time)."""

    def __init__(self, *args, **kwargs) -> None:
        self._names: set[str] = set()
        super().__init__(*args, **kwargs)

    def _check_sheetname(self, sheetname, is_chartsheet=False):
        sheets, self.worksheets_objs = self.worksheets_objs, []  # XlsxWriter's other checks only
        try:
            name = super()._check_sheetname(sheetname, is_chartsheet)
        finally:
            self.worksheets_objs = sheets
        if name.lower() in self._names:
            raise DuplicateWorksheetName(f"Sheetname '{name}', with case ignored, is already in use.")
        self._names.add(name.lower())
        return name


class Book:
    """A workbook written in constant memory, saved to bytes by `save`."""

    def __init__(self) -> None:
        self._out = io.BytesIO()
        self.workbook = _Workbook(self._out, WORKBOOK_OPTIONS)
        self._styles: dict[tuple, Style] = {}
        self._choices: Sheet | None = None
        self._lists: list[list[str]] = []  # the 选项 sheet's columns, written row by row at the end
        self._xf: dict[int, int] = {}  # id of a format → its index (`xf_index`)
        self.plain = self.style()

    def style(self, properties: dict | None = None, **more) -> Style:
        """The `Style` of these format properties (one per distinct look, however many cells use it)."""
        merged = {**(properties or {}), **more}
        key = tuple(sorted(merged.items()))
        if key not in self._styles:
            self._styles[key] = Style(self.workbook, merged)
        return self._styles[key]

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, name)

    def xf_index(self, fmt) -> int:
        """The index XlsxWriter gives `fmt` in styles.xml (it numbers formats in the order cells
        first use them, so this is asked as each cell is written); kept, since XlsxWriter works a
        format's index out again on every call when another format has the same properties."""
        index = self._xf.get(id(fmt))
        if index is None:
            index = self._xf[id(fmt)] = fmt._get_xf_index()
        return index

    def choices(
        self, sheet: Sheet, column: int, values: list[str], *, first_row: int = 1, strict: bool = True
    ) -> None:
        """A drop-down list on `column` (0-based) from `first_row` down, for a coded column of an
        import format. The values sit in a hidden sheet 选项 (an inline list is limited to 255
        characters and breaks on a comma), made by the first call: call this after the sheets the
        importer reads. `strict` refuses other text, otherwise Excel and WPS only warn."""
        if self._choices is None:
            self._choices = self.sheet(CHOICES_SHEET)
            self._choices.ws.hide()
        self._lists.append(values)
        letter = get_column_letter(len(self._lists))
        sheet.ws.data_validation(
            first_row,
            column,
            CHOICE_ROWS - 1,
            column,
            {
                "validate": "list",
                "source": f"='{CHOICES_SHEET}'!${letter}$1:${letter}${max(1, len(values))}",
                "error_title": "填写的值不在列表中",
                "error_message": "请从下拉列表中选择。" if strict else "该值不在列表中，请确认后再保存。",
                "error_type": "stop" if strict else "warning",
            },
        )

    def save(self) -> bytes:
        if self._choices is not None:
            for row in range(max(len(values) for values in self._lists)):
                values = [values[row] if row < len(values) else None for values in self._lists]
                self._choices.row(row, values)
        self.workbook.close()
        return self._out.getvalue()


CHOICES_SHEET = "选项"
CHOICE_ROWS = 2000  # how far down a template's drop-downs reach


class Sheet:
    """One worksheet of a `Book`. Rows go in order (constant memory): a row written, the one
    before it is on disk and can no longer change. Rows and columns count from 0."""

    def __init__(self, book: Book, name: str) -> None:
        self.book = book
        self.ws = book.workbook.add_worksheet(name[:31])
        self.dated: set[int] = set()  # the columns a date was written in (see `register_sheet`)
        self._refs: list[str] = []  # column letters, A, B, …
        self._serials: dict[date, str] = {}  # a date's cell value (its Excel serial), as text
        self._lines: dict[tuple[str, float], int] = {}  # a long text's line count (`fit_height`)

    def write(self, row: int, col: int, value, style: Style | None = None) -> None:
        write_value(self.ws, row, col, value, style or self.book.plain)

    def row(self, row: int, values: Sequence, styles: Sequence[Style] | Style | None = None) -> None:
        """Write `values` across `row` (one style, or one per column).

        A row is written as one piece of XML (`_row_xml`), the same XlsxWriter writes cell by cell
        through `write_value`; only where that cannot be done (cells of this row already written one
        by one, a row before the last) does it go cell by cell.
        """
        if styles is None or isinstance(styles, Style):
            styles = [styles or self.book.plain] * len(values)
        ws = self.ws
        if (
            values
            and (row > ws.previous_row or (row == ws.previous_row and not ws.table))
            and row < ws.xls_rowmax
            and len(values) <= ws.xls_colmax
        ):
            if row > ws.previous_row:
                ws._write_single_row(row)  # the row before this one, as XlsxWriter writes it
            ws._check_dimensions(row, 0)
            ws._check_dimensions(row, len(values) - 1)
            cells = self._row_xml(row, values, styles)
            ws._write_row(row, None, ws.row_info.get(row))
            ws.fh.write(cells)
            ws.fh.write("</row>")
            # Written: this row can no longer change (a later write to it is refused, as XlsxWriter
            # refuses one to a row before the last), and XlsxWriter need not keep its height.
            ws.previous_row = row + 1
            ws.row_info.pop(row, None)
            ws.row_sizes.pop(row, None)
            return
        for col, (value, style) in enumerate(zip(values, styles, strict=False)):
            write_value(ws, row, col, value, style)
            if isinstance(value, date):
                self.dated.add(col)
        # XlsxWriter keeps every row's height until it saves (row_info, and row_sizes for placing
        # images, which the exports have none of); the row before this one is written out already,
        # so its entries can go (a province's register would keep 600,000 of each).
        ws.row_info.pop(row - 1, None)
        ws.row_sizes.pop(row - 1, None)

    def _row_xml(self, row: int, values: Sequence, styles: Sequence[Style]) -> str:
        """The row's cells as XlsxWriter's constant-memory mode writes them (`Worksheet._write_cell`:
        inline strings, numbers with 16 significant digits, dates as serial numbers, a blank cell
        with its format), by the rules of `write_value`, without its per-cell calls and objects.
        The one difference: a text shaped like `<r>…</r>` is written as the text it is (XlsxWriter
        takes it for rich-text XML and copies it in unescaped, which breaks the file on a `&`)."""
        refs = self._refs
        while len(refs) < len(values):
            refs.append(xl_col_to_name(len(refs)))
        indices, xf_index = self.book._xf, self.book.xf_index
        number = str(row + 1)
        cells = []
        add = cells.append
        for col, value in enumerate(values):
            style = styles[col]
            kind = type(value)
            if kind is str:
                if value:
                    fmt = style.quoted if value.startswith(FORMULA_STARTS) else style.plain
                    if len(value) > 16383 and _utf16_len(value) > 32767:  # Excel's limit
                        value = _utf16_truncate(value, 32767)
                    if _NEEDS_ESCAPE.search(value):
                        value = _escape_text(value)
                    space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
                    tail = f' t="inlineStr"><is><t{space}>{value}</t></is></c>'
                else:
                    fmt, tail = style.plain, "/>"
            elif value is None:
                fmt, tail = style.plain, "/>"
            elif kind is int or kind is float:
                if value != value or value in (inf, -inf):
                    raise TypeError("NAN/INF not supported in write_number()")
                fmt, tail = style.plain, f"><v>{value:.16G}</v></c>"
            else:
                fmt, tail = self._other(col, value, style)
            index = indices.get(id(fmt))
            if index is None:
                index = xf_index(fmt)
            add(f'<c r="{refs[col]}{number}" s="{index}"{tail}')
        return "".join(cells)

    def _other(self, col: int, value, style: Style) -> tuple:
        """(format, XML after the cell's attributes) of a value that is not a text, a number or None."""
        if isinstance(value, bool):
            return style.plain, f' t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float):
            return style.plain, self._row_xml_number(value)
        if isinstance(value, date):
            self.dated.add(col)
            return style.date, f"><v>{self._serial(value)}</v></c>"
        text = str(value)  # a lazy or marked-up string, or anything else: as its text
        if not text:
            return style.plain, "/>"
        fmt = style.quoted if text.startswith(FORMULA_STARTS) else style.plain
        if len(text) > 16383 and _utf16_len(text) > 32767:
            text = _utf16_truncate(text, 32767)
        text = _escape_text(text)
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        return fmt, f' t="inlineStr"><is><t{space}>{text}</t></is></c>'

    @staticmethod
    def _row_xml_number(value) -> str:
        if value != value or value in (inf, -inf):
            raise TypeError("NAN/INF not supported in write_number()")
        return f"><v>{value:.16G}</v></c>"

    def _serial(self, value: date) -> str:
        """A date's cell value; a datetime counts as its day in Beijing (as in `write_value`)."""
        if isinstance(value, datetime):
            aware = value if value.tzinfo else value.replace(tzinfo=UTC)
            value = aware.astimezone(SHANGHAI).date()
        serial = self._serials.get(value)
        if serial is None:
            serial = self._serials[value] = f"{self.ws._convert_date_time(value):.16G}"
        return serial

    def widths(self, widths: Sequence[float]) -> None:
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)

    def fit_height(self, row: int, values, widths: Sequence[float]) -> None:
        """Give `row` the height its longest wrapped text needs (rows of one line keep the default);
        before the row is written."""
        lines = 1
        seen = self._lines
        for value, width in zip(values, widths, strict=False):
            kind = type(value)
            if kind is str:
                if len(value) * 2 <= width - 1.5 and "\n" not in value:
                    continue  # one line (`text_lines`' first test, without the call)
                # A register repeats its long texts (an indicator's wording on every unit's rows).
                count = seen.get((value, width))
                if count is None:
                    if len(seen) >= 10_000:
                        seen.clear()
                    count = seen[value, width] = text_lines(value, width)
                lines = max(lines, count)
            elif value is not None and kind is not int and kind is not float and kind is not date:
                lines = max(lines, text_lines(value, width))
        if lines > 1:
            self.ws.set_row(row, lines * LINE_HEIGHT + 2)

    def merged(self, row: int, columns: int, value, style: Style, height: float | None = None) -> None:
        """`value` in a cell merged across the table's `columns` (through the cell writer: XlsxWriter
        pads the range, then the first cell is written again, as its documentation advises)."""
        if height is not None:
            self.ws.set_row(row, height)
        if columns > 1:
            self.ws.merge_range(row, 0, row, columns - 1, "", style.plain)
        self.write(row, 0, value, style)

    def header_filter(self, header_row: int, columns: int, last_row: int) -> None:
        """An autofilter on the header row over the table's rows, for Excel's and WPS's drop-downs."""
        self.ws.autofilter(header_row, 0, max(last_row, header_row), columns - 1)

    def signature_block(self, row: int, columns: int) -> None:
        """The 填表人 / 审核人 / 日期 line an office signs under a 台账 (at `row`: leave one blank)."""
        self.merged(row, columns, SIGNATURE_LINE, self.book.style(SIGNATURE), height=24)

    def landscape_a4(self, header_row: int = 2, *, title_rows: int | None = None) -> None:
        """Print setup of a register: landscape A4, one page wide, headers repeated, pages numbered,
        the rows above the data frozen."""
        ws = self.ws
        ws.freeze_panes(header_row + 1, 0)
        ws.repeat_rows(header_row if title_rows is None else title_rows, header_row)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=1.0, bottom=1.0)
        ws.set_footer("&C第 &P 页，共 &N 页")

    def done(self) -> None:
        """Close this sheet's temporary file (XlsxWriter opens it again when it saves), so that a
        workbook of 6,000 unit sheets does not hold 6,000 open files and their buffers."""
        self.ws._opt_close()


def text_lines(value, width: float) -> int:
    """How many lines `value` takes wrapped in a column `width` units wide (an estimate)."""
    if value is None or isinstance(value, int | float | date):
        return 1
    per_line = max(1.0, width - 1.5)  # the cell's padding
    text = str(value)
    if len(text) * 2 <= per_line and "\n" not in text:
        return 1  # fits however wide its characters are
    lines = 0
    for part in text.split("\n"):
        # A CJK character is 3 bytes in UTF-8 and two units wide, an ASCII one 1 byte and one unit:
        # units = characters + (bytes − characters) / 2, counted in C rather than a character at a time
        # (a province's register has millions of characters). Other characters are rare here.
        units = len(part) + (len(part.encode()) - len(part)) / 2
        lines += max(1, ceil(units / per_line))
    return lines


def reported(rows: Iterable, total: int, *, before: int = 0, overall: int | None = None) -> Iterable:
    """`rows`, reporting (done, total) to the export job's progress bar as they are handed out
    (nothing outside a job). `before` rows were done by an earlier pass of an export that goes
    through its rows twice, out of `overall` in all."""
    report = current_progress()
    if report is None:
        yield from rows
        return
    overall = total if overall is None else overall
    done = before
    report(min(done, overall), overall)
    for row in rows:
        yield row
        done += 1
        report(min(done, overall), overall)


def write_head(
    sheet: Sheet, title: str | None, subtitle: str, columns: list[tuple[str, int]], *, title_size: int = 16
) -> int:
    """Row 0 the title and row 1 the subtitle across the table, row 2 the bordered headers; widths.

    Without a title the headers are row 0 (an import format). Returns the header row.
    """
    book = sheet.book
    widths = [width for _, width in columns]
    sheet.widths(widths)
    header_row = 0
    if title is not None:
        sheet.merged(0, len(columns), title, book.style(TITLE, font_size=title_size), height=30)
        lines = text_lines(subtitle, sum(widths))
        sheet.merged(
            1,
            len(columns),
            subtitle,
            book.style(SUBTITLE),
            height=lines * LINE_HEIGHT + 2 if lines > 1 else None,
        )
        header_row = 2
    sheet.row(header_row, [name for name, _ in columns], book.style(HEADER))
    return header_row


@in_chinese
def register_sheet(
    sheet: Sheet,
    title: str | None,
    subtitle: str,
    columns: list[tuple[str, int]],
    rows: Iterable[Sequence],
    *,
    total: int | None = None,
    centred: tuple[int, ...] = (),
    signed: bool = False,
) -> int:
    """Stream a register into `sheet`: row 1 title, row 2 subtitle, row 3 headers, then the rows
    (1-based `centred` columns), reporting progress over `total` rows when given.

    Dates become date cells; the header row gets an autofilter, each row the height its wrapped text
    needs, and a `signed` register the 填表人 line under the table. No title: headers on row 1.
    Returns how many rows were written.
    """
    book = sheet.book
    header_row = write_head(sheet, title, subtitle, columns)
    widths = [width for _, width in columns]
    left = book.style(DATA, align="left", text_wrap=True)
    centre = book.style(DATA, align="center", text_wrap=True)
    styles = [centre if col in centred else left for col in range(1, len(columns) + 1)]
    row = header_row
    source = rows if total is None else reported(rows, total)
    for row, values in enumerate(source, start=header_row + 1):
        sheet.fit_height(row, values, widths)
        sheet.row(row, values, styles)
    for col in sorted(sheet.dated):  # a column that holds dates is wide enough for 2026年12月28日
        sheet.ws.set_column(col, col, max(widths[col], DATE_WIDTH))
    sheet.header_filter(header_row, len(columns), row)
    if signed:
        sheet.signature_block(row + 2, len(columns))
    sheet.landscape_a4(header_row)
    sheet.done()
    return row - header_row


@in_chinese
def single_sheet_xlsx(
    sheet_name: str,
    title: str,
    subtitle: str,
    columns,
    rows: Iterable[Sequence],
    *,
    total: int | None = None,
    centred=(),
    signed: bool = True,
) -> bytes:
    """A workbook of one register sheet (see `register_sheet`); a 台账 is signed unless told not."""
    book = Book()
    register_sheet(
        book.sheet(sheet_name), title, subtitle, columns, rows, total=total, centred=centred, signed=signed
    )
    return book.save()


# --- openpyxl: the import templates (tabular.template_xlsx) and CSV --------------------------------


def set_cell(cell: Cell, value) -> Cell:
    """Give the openpyxl `cell` the value `value`; a text that looks like a formula stays text.

    openpyxl stores any str starting with "=" as a formula; forcing the type to string writes it as
    text, and the quote-prefix style keeps Excel, WPS and LibreOffice from turning it into a formula
    when someone edits the cell. Numbers stay numbers; a date (or a datetime, as its day in Beijing)
    becomes a real date cell with `DATE_FORMAT`.
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


def put(ws, row: int, column: int, value) -> Cell:
    """Write one openpyxl cell (1-based) through `set_cell`."""
    return set_cell(ws.cell(row=row, column=column), value)


def append_row(ws, values) -> None:
    """openpyxl's `ws.append(values)` through `set_cell`."""
    ws.append([set_cell(Cell(ws), value) for value in values])


def csv_text(value) -> str:
    """A CSV field: CSV has no types, so a formula-like text gets the usual leading apostrophe guard.

    `tabular.read_rows` takes the apostrophe off again, so an exported file imports unchanged.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def add_choices(
    ws, column: int, values: list[str], *, first_row: int = 2, strict: bool = True, prompt: str = ""
) -> DataValidation:
    """A drop-down list on `column` (1-based) of an openpyxl template, from `first_row` down (see
    `Book.choices`, the same for the exports)."""
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
