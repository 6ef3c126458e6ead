"""The 督察问题台账 (ledger of a task's findings) as a printable .xlsx."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..formatting import cn_date
from ..models import Finding, SupervisionTask
from ..workflow import status_label

COLUMNS = [
    # header, width
    ("序号", 6),
    ("被督察单位", 22),
    ("问题分类", 10),
    ("严重程度", 9),
    ("发现的问题", 48),
    ("依据条款", 30),
    ("督察员", 10),
    ("发现日期", 14),
    ("状态", 10),
]
LEDGER_HEADERS = [name for name, _ in COLUMNS]


def findings_ledger_xlsx(task: SupervisionTask, findings: list[Finding]) -> bytes:
    """One row per finding, under a title and a line naming the task; landscape A4, header repeated."""
    wb = Workbook()
    ws = wb.active
    ws.title = "督察问题台账"
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last_col = get_column_letter(len(COLUMNS))

    ws.merge_cells(f"A1:{last_col}1")
    ws["A1"] = f"{task.title} 督察问题台账"
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(f"A2:{last_col}2")
    ws["A2"] = (
        f"任务编号：{task.code}    类型：{task.kind_label}    "
        f"督察期间：{cn_date(task.period_start)}至{cn_date(task.period_end)}    问题数：{len(findings)}"
    )
    ws["A2"].font = Font(name="宋体", size=10)
    ws["A2"].alignment = Alignment(horizontal="left", vertical="center")

    header_row = 3
    fill = PatternFill("solid", fgColor="DDE6F2")
    for col, (name, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=header_row, column=col, value=name)
        cell.font = Font(name="宋体", size=11, bold=True)
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[header_row].height = 22

    for index, finding in enumerate(findings, start=1):
        values = [
            index,
            finding.unit.name if finding.unit else "",
            finding.category,
            finding.severity_label,
            finding.description,
            finding.legal_basis,
            finding.inspector.display_name if finding.inspector else "",
            cn_date(finding.found_on),
            status_label("finding", finding.status),
        ]
        row = header_row + index
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.font = Font(name="宋体", size=10)
            cell.border = border
            centred = col in (1, 3, 4, 7, 8, 9)
            cell.alignment = Alignment(
                horizontal="center" if centred else "left", vertical="center", wrap_text=True
            )

    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
