"""The notice as an official document (.docx, GB/T 9704 layout) and the register (发文登记簿) as .xlsx."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.page import PageMargins

from ..i18n import in_chinese
from ..models import Notice
from .sheets import DATE_FORMAT, fit_row_height, header_filter, put, signature_block

RED = RGBColor(0xC8, 0x16, 0x1D)
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
CN_NUMERALS = "一二三四五六七八九十"


def cn_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (heading numbers 一、二、…)."""
    if n <= 10:
        return CN_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_NUMERALS[tens - 1]
    return head + "十" + (CN_NUMERALS[ones - 1] if ones else "")


def cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


DEADLINE_MARK = "{期限}"


def deadline_sentence(notice: Notice, deadline: date | None = None) -> str:
    """The closing paragraph; `deadline` is the one the notice was issued with (before extensions).

    The kind's own 结尾语 when it has one ({期限} becomes the deadline; a text that needs a deadline
    falls back to the default when the notice has none), else the default for kinds with or
    without rectification. A numbered notice keeps the 结尾语 it was issued with.
    """
    deadline = deadline or notice.deadline
    own = ((notice.closing if notice.doc_number else notice.kind.closing) or "").strip()
    if own and (deadline is not None or DEADLINE_MARK not in own):
        return own.replace(DEADLINE_MARK, cn_date(deadline))
    if not notice.kind.requires_rectification:
        when = f"于{cn_date(deadline)}前" if deadline else "及时"
        return f"请你单位认真研究，结合实际予以采纳落实，并{when}签收反馈。"
    if deadline is None:
        return "请认真研究落实，并于收到本通知书后及时签收。"
    return (
        f"请你单位于{cn_date(deadline)}前完成整改，并将整改情况书面报告及佐证材料报送我办。"
        "逾期未完成整改的，将视情采取约谈、挂牌督办或通报批评等措施。"
    )


def default_intro(notice: Notice) -> str:
    source = f"在{notice.task.title}中，" if notice.task else "在法治督察工作中，"
    return f"{source}我办发现你单位存在以下问题，现通知如下："


# --- .docx ---------------------------------------------------------------------------------


def _font(run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    """Set both the Western and the East Asian font, or Word and WPS fall back to a Western font."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _para(doc, text: str = "", *, font=FANGSONG, size=16.0, align=None, indent=True, bold=False, color=None):
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28.95)  # 22 lines in the 225 mm text block
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    if text:
        _font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _rules(paragraph, *sides: str, color: str = "000000", size: str = "6") -> None:
    """Thin rules above and/or below a paragraph (the 版记 lines)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in sides:
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), size)
        edge.set(qn("w:space"), "1")
        edge.set(qn("w:color"), color)
        borders.append(edge)
    p_pr.append(borders)


def _red_rule(paragraph) -> None:
    """A red rule under the document number, as wide as the text block (a bottom border)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "12")
    bottom.set(qn("w:space"), "4")
    bottom.set(qn("w:color"), "C8161D")
    borders.append(bottom)
    p_pr.append(borders)


def _page_number_footer(section) -> None:
    """— 1 — centred in the footer, 4号 (14 pt) Arabic numerals with a dash each side."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), "宋体", 14)
    run = paragraph.add_run()
    _font(run, "宋体", 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    _font(paragraph.add_run(" —"), "宋体", 14)


@in_chinese
def notice_docx(notice: Notice, office_name: str, issued_deadline: date | None = None) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    # GB/T 9704: top 37 mm, left 28 mm, text block 156 × 225 mm.
    section.top_margin, section.left_margin = Mm(37), Mm(28)
    section.right_margin, section.bottom_margin = Mm(26), Mm(35)
    section.footer_distance = Mm(28)
    normal = doc.styles["Normal"]
    normal.font.name = FANGSONG
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)

    _para(
        doc, office_name, font=XIAOBIAOSONG, size=26, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, color=RED
    )
    _para(doc, indent=False)
    _para(doc, indent=False)
    number = _para(doc, notice.display_number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _red_rule(number)
    _para(doc, indent=False)
    _para(doc, indent=False)
    _para(doc, notice.title, font=XIAOBIAOSONG, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, indent=False)
    _para(doc, f"{notice.unit.name}：", indent=False)
    _para(doc, notice.intro or default_intro(notice))
    for item in notice.items:
        _para(doc, f"{cn_ordinal(item.seq)}、{_heading(item)}", font=HEITI)
        _para(doc, item.requirement)
    if notice.requirements:
        for line in notice.requirements.splitlines():
            if line.strip():
                _para(doc, line.strip())
    _para(doc, deadline_sentence(notice, issued_deadline))
    _para(doc, indent=False)
    _para(doc, indent=False)
    signature = _para(doc, office_name, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    signature.paragraph_format.right_indent = Pt(32)
    dated = _para(doc, cn_date(notice.issue_date), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    dated.paragraph_format.right_indent = Pt(64)
    # 版记: the issuing office and the printing date between thin rules.
    _para(doc, indent=False)
    colophon = _para(doc, indent=False, size=14)
    colophon.paragraph_format.tab_stops.add_tab_stop(Mm(154), alignment=WD_TAB_ALIGNMENT.RIGHT)
    _font(colophon.add_run(f"{office_name}\t{cn_date(notice.issue_date)}印发"), FANGSONG, 14)
    _rules(colophon, "top", "bottom")
    _page_number_footer(section)
    doc.core_properties.title = notice.title
    doc.core_properties.author = office_name
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _heading(item) -> str:
    text = item.finding.description.strip().rstrip("。；;.")
    return text if len(text) <= 60 else text[:58] + "……"


# --- .xlsx: the register ---------------------------------------------------------------------

REGISTER_COLUMNS = [
    ("文号", 22),
    ("种类", 14),
    ("标题", 42),
    ("主送单位", 24),
    ("签发日期", 17),  # 2026年12月31日 in 仿宋 11 pt needs 16 units; narrower shows ###
    ("截止日期", 17),
    ("签发人", 10),
    ("状态", 10),
    ("备注", 30),
]


@in_chinese
def register_xlsx(rows: list[dict], title: str) -> bytes:
    """rows: {number, kind, title, unit, issue_date, deadline, approver, status, note}."""
    wb = Workbook()
    ws = wb.active
    ws.title = "发文登记簿"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(REGISTER_COLUMNS))
    put(ws, 1, 1, title).font = Font(name="黑体", size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    for col, (name, width) in enumerate(REGISTER_COLUMNS, start=1):
        cell = put(ws, 2, col, name)
        cell.font = Font(name="黑体", bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = border
        ws.column_dimensions[cell.column_letter].width = width
    for r, row in enumerate(rows, start=3):
        values = [
            row["number"],
            row["kind"],
            row["title"],
            row["unit"],
            row["issue_date"],
            row["deadline"],
            row["approver"],
            row["status"],
            row["note"],
        ]
        for col, value in enumerate(values, start=1):
            cell = put(ws, r, col, value)
            cell.border = border
            cell.font = Font(name="仿宋", color="B42318" if row.get("voided") else "000000")
            cell.alignment = Alignment(vertical="center", wrap_text=col in (3, 4, 9))
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
        fit_row_height(ws, r, values, [width for _, width in REGISTER_COLUMNS])
    last_row = 2 + len(rows)
    header_filter(ws, 2, len(REGISTER_COLUMNS), last_row)
    signature_block(ws, last_row + 1, len(REGISTER_COLUMNS))
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
