"""The 督察问题台账 (ledger of a task's findings) as a printable .xlsx."""

from __future__ import annotations

from ..formatting import zh_date
from ..i18n import in_chinese
from ..models import Finding, SupervisionTask
from ..workflow import status_label
from .sheets import single_sheet_xlsx

COLUMNS = [
    # header, width
    ("序号", 6),
    ("被督察单位", 22),
    ("问题分类", 10),
    ("严重程度", 9),
    ("发现的问题", 48),
    ("依据条款", 30),
    ("督察员", 10),
    ("发现日期", 15),
    ("状态", 10),
]
LEDGER_HEADERS = [name for name, _ in COLUMNS]


@in_chinese
def findings_ledger_xlsx(task: SupervisionTask, findings: list[Finding]) -> bytes:
    """One row per finding, under a title and a line naming the task; landscape A4, header repeated."""
    subtitle = (
        f"任务编号：{task.code}    类型：{task.kind_label}    "
        f"督察期间：{zh_date(task.period_start)}至{zh_date(task.period_end)}    问题数：{len(findings)}"
    )
    rows = [
        [
            index,
            finding.unit.name if finding.unit else "",
            finding.category,
            finding.severity_label,
            finding.description,
            finding.legal_basis,
            finding.inspector.display_name if finding.inspector else "",
            finding.found_on,
            status_label("finding", finding.status),
        ]
        for index, finding in enumerate(findings, start=1)
    ]
    return single_sheet_xlsx(
        "督察问题台账", f"{task.title} 督察问题台账", subtitle, COLUMNS, rows, centred=(1, 3, 4, 7, 8, 9)
    )
