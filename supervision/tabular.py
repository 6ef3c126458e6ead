"""Reading uploaded tables (.xlsx or .csv) into numbered rows, and writing import templates."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from werkzeug.datastructures import FileStorage

from .errors import DomainError
from .exports.sheets import FORMULA_STARTS, add_choices, append_row
from .i18n import in_chinese


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _unguard(text: str) -> str:
    """A CSV field as written: without the apostrophe `csv_text` put before a formula-like text."""
    return text[1:] if text[:1] == "'" and text[1:].startswith(FORMULA_STARTS) else text


def read_rows(upload: FileStorage, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows as (row number as the user sees it, {header: text}); blank rows are skipped."""
    name = (upload.filename or "").lower()
    data = upload.stream.read()
    if not data:
        raise DomainError(_("上传的文件是空的。"))
    if name.endswith(".csv"):
        text = None
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise DomainError(_("无法识别 CSV 文件的编码，请另存为 UTF-8。"))
        table = [[_unguard(v) for v in row] for row in csv.reader(io.StringIO(text))]
    elif name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise DomainError(_("无法读取该 Excel 文件，请使用下载的模板（.xlsx）。")) from exc
        table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        raise DomainError(_("只支持 .xlsx 或 .csv 文件。"))
    if not table:
        raise DomainError(_("文件中没有内容。"))
    headers = [_cell(h) for h in table[0]]
    missing = [c for c in required if c not in headers]
    if missing:
        raise DomainError(_("文件缺少列：%(columns)s。请使用下载的模板。", columns="、".join(missing)))
    rows = []
    for number, values in enumerate(table[1:], start=2):
        values = [_cell(v) for v in values]
        if not any(values):
            continue
        rows.append((number, dict(zip(headers, values, strict=False))))
    return rows


@in_chinese
def template_xlsx(
    title: str,
    columns: list[str],
    examples: list[list[str]],
    notes: list[str],
    *,
    choices: dict[str, list[str]] | None = None,
    suggestions: dict[str, list[str]] | None = None,
) -> bytes:
    """An import template: a header row, example rows, and a sheet of notes.

    `choices` (header → the values it takes) become drop-downs that refuse other text;
    `suggestions` drop-downs that only warn (the importer accepts other spellings too).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = title
    append_row(ws, columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
    for row in examples:
        append_row(ws, row)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(1, index).column_letter].width = max(12, len(column) * 3)
    for strict, lists in ((True, choices or {}), (False, suggestions or {})):
        for header, values in lists.items():
            add_choices(ws, columns.index(header) + 1, values, strict=strict)
    help_sheet = wb.create_sheet("填写说明", 1)
    for line in notes:
        append_row(help_sheet, [line])
    help_sheet.column_dimensions["A"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
