"""The year's figures for the annual law-based government report, as an official-style .docx."""

from __future__ import annotations

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from ..figures import GRADES, YearFigures
from ..formatting import zh_date
from ..i18n import in_chinese
from ..models.tasks import TASK_KINDS
from ..numbers import days_text, rate_text
from . import official
from .official import FANGSONG, HEITI, XIAOBIAOSONG
from .official import font as _font
from .official import para as _para


def _table(doc, rows: list[tuple[str, str]]) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in rows:
        cells = table.add_row().cells
        for cell, text, bold in ((cells[0], label, True), (cells[1], value, False)):
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER if not bold else WD_ALIGN_PARAGRAPH.LEFT
            official.no_grid(cell.paragraphs[0])  # 4号 in the cells: off the 3号 character grid
            _font(cell.paragraphs[0].add_run(text), FANGSONG, 14, bold=bold)
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Mm(100), Mm(56)


def figure_rows(fig: YearFigures) -> list[tuple[str, str]]:
    """The figures as (label, value) lines: the appendix table of the report."""
    rows = [(f"{TASK_KINDS.get(k, k)}（次）", str(n)) for k, n in fig.tasks_by_kind.items()]
    rows += [
        ("发现问题（个，不含撤销）", str(fig.findings_counted)),
    ]
    rows += [(f"{name}（份）", str(n)) for _, name, n in fig.notices_by_kind]
    rows += [
        ("已销号通知书（份）", str(fig.notices_closed)),
        ("逾期未销号通知书（份）", str(fig.notices_overdue)),
        ("整改事项 / 已通过核查（项）", f"{fig.items_total} / {fig.items_accepted}"),
        ("整改完成率", "—" if fig.rectification_rate is None else f"{rate_text(fig.rectification_rate)}%"),
        ("销号平均用时（工作日）", days_text(fig.close_days_avg)),
        ("组织案卷评查（次）", str(fig.campaigns)),
        ("评查案卷（卷）", str(fig.files_reviewed)),
    ]
    rows += [(f"其中{g}（卷）", str(fig.files_by_grade[g])) for g in GRADES if fig.files_by_grade.get(g)]
    rows += [
        ("优秀案卷（卷）", str(fig.files_excellent)),
        *([("评分分歧待裁定（卷，未计入）", str(fig.files_unsettled))] if fig.files_unsettled else []),
        ("参加指标评估单位 / 已定稿（个）", f"{fig.assessments_total} / {fig.assessments_finalized}"),
    ]
    return rows


@in_chinese
def annual_docx(fig: YearFigures, paragraphs: list[dict], office_name: str) -> bytes:
    doc = official.new_document()

    title = f"{fig.year}年度法治督察与行政执法监督工作情况"
    _para(doc, title, face=XIAOBIAOSONG, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, "（法治政府建设年度报告数据材料）", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, indent=False)
    for block in paragraphs:
        _para(doc, block["heading"], face=HEITI)
        _para(doc, block["text"])
    _para(doc, "附：主要数据一览", face=HEITI)
    _table(doc, figure_rows(fig))
    _para(doc, indent=False)
    _para(doc, f"（数据截至{zh_date(fig.today)}，由督察通系统根据业务记录自动统计。）", size=14, indent=False)
    _para(doc, indent=False)
    signature = _para(doc, office_name, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    signature.paragraph_format.right_indent = Pt(32)
    dated = _para(doc, zh_date(fig.today), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    dated.paragraph_format.right_indent = Pt(64)
    doc.core_properties.title = title
    doc.core_properties.author = office_name
    return official.save(doc)
