"""The page of an official document (公文) in .docx after GB/T 9704-2012: A4 with the 156 × 225 mm type
area, the 22 × 28 document grid, declared Chinese fonts and language, the red masthead and rule,
page numbers "— 1 —" on the outer side of odd and even pages, the signature over the date, the 版记
in a frame anchored at the foot of the last page, and a 草稿 / 作废 mark in the header.

python-docx covers the paragraphs; the grid, the font table, the frame and the fields are raw OOXML.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .title_break import break_title

RED = RGBColor(0xC8, 0x16, 0x1D)
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

# GB/T 9704-2012 5.2.1 / 5.2.2: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm.
PAGE_W, PAGE_H = 210, 297
TOP, BOTTOM, LEFT, RIGHT = 37, 35, 28, 26
TYPE_W, TYPE_H = PAGE_W - LEFT - RIGHT, PAGE_H - TOP - BOTTOM
LINES, CHARS = 22, 28
BODY_PT = 16.0  # 3号
PAGE_NO_PT = 14.0  # 4号
PAGE_NO_GAP_MM = 7  # 一字线上距版心下边缘 7 mm

TWIPS_PER_MM = 1440 / 25.4
LINE_PITCH = math.floor(TYPE_H * TWIPS_PER_MM / LINES)  # twips; 579 = 28.95 pt
LINE_PT = LINE_PITCH / 20
# 28 characters of 3号 (16 pt) need 448 pt, the type area has 442.2: the standard's 28 a line means
# each character advances 15.79 pt. Word and WPS do that with the section's character grid
# (linesAndChars): the pitch is the Normal style's East Asian size plus charSpace / 4096 pt, every
# East Asian character takes one pitch. -849 is what Word writes for 28 characters in 156 mm.
# LibreOffice cannot shrink a grid below the character size (a 16 pt character then takes two
# cells, 14 a line); the PDF conversion (exports/pdf.py) gives it a line grid and condensed runs.
CHAR_PITCH_PT = TYPE_W / 25.4 * 72 / CHARS
CHAR_SPACE = -849

# Each face with the names Word, WPS and LibreOffice try when it is missing (w:altName chains).
FONT_TABLE = {
    FANGSONG: ("仿宋", "modern"),
    "仿宋": ("FangSong", "modern"),
    "FangSong": ("STFangsong", "modern"),
    XIAOBIAOSONG: (SONGTI, "roman"),
    SONGTI: ("SimSun", "roman"),
    HEITI: ("SimHei", "swiss"),
    KAITI: ("楷体", "modern"),
    "楷体": ("KaiTi", "modern"),
}


# Schema order of pPr / rPr children: Word refuses a file whose properties are out of order.
P_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]
R_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
]

T_ORDER = [
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
    "tblPrChange",
]


def insert_ordered(parent, element, order: list[str]) -> None:
    """Put `element` into pPr/rPr at its place in the schema order, replacing one of the same tag."""
    tag = element.tag.split("}")[1]
    old = parent.find(qn(f"w:{tag}"))
    if old is not None:
        parent.remove(old)
    later = set(order[order.index(tag) + 1 :])
    for index, child in enumerate(parent):
        if child.tag.split("}")[1] in later:
            parent.insert(index, element)
            return
    parent.append(element)


@dataclass(frozen=True)
class Authority:
    """Who issues: the masthead (发文机关标志), the signature (署名) and the seal owner (用印机关)."""

    masthead: str
    signature: str
    seal_owner: str
    masthead_offset_mm: int = 35


# --- the document and its page ------------------------------------------------------------


def new_document(*, mark: str = "") -> Document:
    """An empty document set up to the standard; `mark` (草稿/作废) goes into every page's header."""
    doc = Document()
    _styles(doc)
    _font_table(doc)
    _theme(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.bottom_margin = Mm(TOP), Mm(BOTTOM)
    section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT)
    # The footer's bottom edge: the page number's line begins 7 mm below the type area.
    section.footer_distance = Mm(BOTTOM - PAGE_NO_GAP_MM) - Pt(PAGE_NO_PT)
    section.header_distance = Mm(15)
    _doc_grid(section)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)
    for header in (section.header, section.even_page_header):
        _mark(header.paragraphs[0], mark)
    return doc


def save(doc: Document) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _styles(doc: Document) -> None:
    """docDefaults: 3号 仿宋, East Asian language zh-CN, no theme fonts; Normal the same."""
    styles = doc.styles.element
    r_pr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = r_pr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FANGSONG)
    r_pr.find(qn("w:sz")).set(qn("w:val"), str(int(BODY_PT * 2)))
    r_pr.find(qn("w:szCs")).set(qn("w:val"), str(int(BODY_PT * 2)))
    lang = r_pr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    p_pr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = p_pr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(LINE_PITCH))
    spacing.set(qn("w:lineRule"), "exact")
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), "both")  # 两端对齐
    insert_ordered(p_pr, jc, P_ORDER)
    normal = doc.styles["Normal"]
    normal.font.name = FANGSONG
    normal.font.size = Pt(BODY_PT)
    normal_r_pr = normal.element.get_or_add_rPr()
    normal_r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    # The grid's pitch is counted from the Normal style's size (Word, WPS and LibreOffice alike).
    size_cs = OxmlElement("w:szCs")
    size_cs.set(qn("w:val"), str(int(BODY_PT * 2)))
    insert_ordered(normal_r_pr, size_cs, R_ORDER)


def _font_table(doc: Document) -> None:
    part = next(p for p in doc.part.package.parts if str(p.partname).endswith("/fontTable.xml"))
    xml = part.blob.decode("utf-8")
    entries = []
    for name, (alt, family) in FONT_TABLE.items():
        entries.append(
            f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{family}"/><w:pitch w:val="fixed"/></w:font>'
        )
    part._blob = xml.replace("</w:fonts>", "".join(entries) + "</w:fonts>").encode("utf-8")


def _theme(doc: Document) -> None:
    """The template's theme names a Japanese face for East Asian text: make it 宋体, drop Jpan."""
    part = next(p for p in doc.part.package.parts if "theme" in str(p.partname))
    xml = part.blob.decode("utf-8")
    xml = xml.replace('<a:ea typeface=""/>', f'<a:ea typeface="{SONGTI}"/>')
    xml = re.sub(r'<a:font script="Jpan" typeface="[^"]*"/>', "", xml)
    part._blob = xml.encode("utf-8")


def _doc_grid(section) -> None:
    """The 22 × 28 grid (文档网格：指定行和字符网格) Word and WPS lay the body out on."""
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def no_grid(paragraph) -> None:
    """Masthead, title and other large text keep their own spacing instead of the body grid."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    insert_ordered(paragraph._p.get_or_add_pPr(), snap, P_ORDER)


def _field(run, instruction: str, shown: str) -> None:
    for kind, text in (
        ("begin", None),
        ("instr", instruction),
        ("separate", None),
        ("text", shown),
        ("end", None),
    ):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def _page_number(paragraph, *, odd: bool) -> None:
    """4号 半角 宋体 “— 1 —”: odd pages right less one character, even pages left plus one."""
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(PAGE_NO_PT)
    no_grid(paragraph)
    if odd:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(PAGE_NO_PT)
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.left_indent = Pt(PAGE_NO_PT)
    font(paragraph.add_run("— "), SONGTI, PAGE_NO_PT)
    number = paragraph.add_run()
    font(number, SONGTI, PAGE_NO_PT)
    _field(number, "PAGE", "1")
    font(paragraph.add_run(" —"), SONGTI, PAGE_NO_PT)


def _mark(paragraph, mark: str) -> None:
    """草稿 / 作废 in red at the top of every page: the mark a reader cannot miss or crop off."""
    if not mark:
        return
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(mark)
    font(run, HEITI, 22, bold=True, color=RED)
    border = OxmlElement("w:bdr")
    for attr, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "2"), ("w:color", "C8161D")):
        border.set(qn(attr), value)
    insert_ordered(run._element.get_or_add_rPr(), border, R_ORDER)


# --- runs and paragraphs ----------------------------------------------------------------------


def font(run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
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


def para(
    doc, text: str = "", *, face=FANGSONG, size=BODY_PT, align=None, indent=True, bold=False, color=None
):
    """A body paragraph on the document grid: exact line pitch, indented two characters, justified."""
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
        # 首行缩进 2 字符: two grid cells in Word and WPS (the points stay for other readers).
        paragraph._p.pPr.find(qn("w:ind")).set(qn("w:firstLineChars"), "200")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if align is None else align
    if size != BODY_PT:
        no_grid(paragraph)  # the character grid would spread smaller text to 3号 cells
    if text:
        font(paragraph.add_run(text), face, size, bold=bold, color=color)
    return paragraph


def masthead_size(name: str) -> int:
    """Points: as large as one line allows, at most 42 (the standard: 醒目、美观、庄重), at least 22."""
    return max(22, min(42, math.floor(TYPE_W / 25.4 * 72 / (len(name) + 1))))


def signature_indents(signature: str, dated: str) -> tuple[float, float]:
    """Right indents in characters of (署名, 成文日期): the date four from the edge, the name centred
    over it; a name longer than that keeps two characters from the edge with the date centred under it."""
    sig, when = len(signature), len(dated)
    date_right = 4.0
    sig_right = date_right + (when - sig) / 2
    if sig_right < 2:
        sig_right = 2.0
        date_right = sig_right + (sig - when) / 2
    return sig_right, date_right


def masthead(doc, authority: Authority, number: str) -> None:
    """The 版头: red masthead 35 mm below the type area's top, two lines, the number, the red rule."""
    name = authority.masthead
    size = masthead_size(name)
    head = para(
        doc, name, face=XIAOBIAOSONG, size=size, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, color=RED
    )
    head.paragraph_format.space_before = Mm(authority.masthead_offset_mm)
    head.paragraph_format.line_spacing = Pt(size)
    no_grid(head)
    head.paragraph_format.keep_with_next = True
    para(doc, indent=False)
    para(doc, indent=False)
    numbered = para(doc, number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _red_rule(numbered)


def _red_rule(paragraph) -> None:
    """The red separator 4 mm under the document number, as wide as the type area (a bottom border)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "11"), ("w:color", "C8161D")):
        bottom.set(qn(attr), value)
    borders.append(bottom)
    insert_ordered(p_pr, borders, P_ORDER)


def title(doc, text: str, words: tuple[str, ...] = ()) -> None:
    """2号 小标宋, centred, two lines under the red rule, broken by meaning (梯形 / 菱形)."""
    para(doc, indent=False)
    para(doc, indent=False)
    paragraph = para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    paragraph.paragraph_format.line_spacing = Pt(LINE_PT * 1.2)
    no_grid(paragraph)
    for n, line in enumerate(break_title(text, words=words)):
        run = paragraph.add_run()
        if n:
            run.add_break()
        run.add_text(line)
        font(run, XIAOBIAOSONG, 22)
    para(doc, indent=False)


def signature(doc, authority: Authority, day: date | None, dated: str) -> None:
    """发文机关署名 centred over 成文日期, the date four characters from the right (7.3.5.1)."""
    para(doc, indent=False)
    para(doc, indent=False)
    sig_right, date_right = signature_indents(authority.signature, dated)
    signed = para(doc, authority.signature, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    signed.paragraph_format.right_indent = Pt(BODY_PT * sig_right)
    on = para(doc, dated, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    on.paragraph_format.right_indent = Pt(BODY_PT * date_right)


# --- 版记 -------------------------------------------------------------------------------------


CC_FACE_PT = PAGE_NO_PT  # 版记: 4号 仿宋
RULE_THICK = "8"  # eighths of a point: the first and last rule 0.35 mm (推荐高度)
RULE_THIN_TWIPS = 15  # the rule between, 0.25 mm: a paragraph 0.75 pt high, shaded black
NO_BREAK_BEFORE = "，。、；：？！）》」』”"


def cc_lines(cc: str) -> list[str]:
    """抄送 broken by hand: one character in from each edge, the next lines aligned under the first
    name after the colon (回行时与冒号后的首字对齐); the same lines in Word, WPS and LibreOffice."""
    text = f"{cc.rstrip('。')}。"
    width = math.floor((TYPE_W / 25.4 * 72 - 2 * CC_FACE_PT) / CC_FACE_PT) - 3  # less "抄送："
    lines: list[str] = []
    while text:
        cut = min(width, len(text))
        while cut < len(text) and text[cut] in NO_BREAK_BEFORE:
            cut += 1  # punctuation stays at the line's end (the right margin holds it)
        lines.append(text[:cut])
        text = text[cut:]
    return ["\u3000抄送：" + lines[0]] + ["\u3000" * 4 + line for line in lines[1:]]


def _frame(paragraph) -> None:
    """Into the 版记's frame: the type area's width, at the bottom of the type area, text only above."""
    frame = OxmlElement("w:framePr")
    for attr, value in (
        ("w:w", str(round(TYPE_W * TWIPS_PER_MM))),
        ("w:hSpace", "0"),
        ("w:vSpace", "0"),
        ("w:wrap", "notBeside"),
        ("w:vAnchor", "margin"),
        ("w:hAnchor", "margin"),
        ("w:xAlign", "center"),
        ("w:yAlign", "bottom"),
    ):
        frame.set(qn(attr), value)
    insert_ordered(paragraph._p.get_or_add_pPr(), frame, P_ORDER)


def _rules(paragraph) -> None:
    """The first and last rule: the same top and bottom borders on every paragraph of the frame,
    drawn above the first and under the last (LibreOffice makes no frame of paragraphs whose
    borders differ, nor of ones with a `w:between` border)."""
    borders = OxmlElement("w:pBdr")
    for side, size in (("top", RULE_THICK), ("bottom", RULE_THICK)):
        edge = OxmlElement(f"w:{side}")
        for attr, value in (("w:val", "single"), ("w:sz", size), ("w:space", "1"), ("w:color", "000000")):
            edge.set(qn(attr), value)
        borders.append(edge)
    insert_ordered(paragraph._p.get_or_add_pPr(), borders, P_ORDER)


def colophon(doc, *, cc: str, printer: str, printed: str) -> None:
    """The 版记 at the foot of the last page: 抄送 and 印发机关 + 印发日期 between rules (4号 仿宋).

    Paragraphs in a frame (w:framePr) anchored to the bottom of the type area, not the footer: the
    footer repeats on every page and the last page is unknown when writing. Word and WPS place the
    frame at the foot of the page it falls on, LibreOffice makes it a frame there; a body that
    reaches the foot pushes it to a page of its own. The rules are as wide as the type area: the
    first and last the paragraphs' borders, the thinner one between a shaded paragraph.
    """
    lines = []
    if cc:
        shown = para(doc, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
        for n, line in enumerate(cc_lines(cc)):
            run = shown.add_run()
            if n:
                run.add_break()
            run.add_text(line)
            font(run, FANGSONG, CC_FACE_PT)
        lines.append(shown)
        rule = para(doc, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
        rule.paragraph_format.line_spacing = Pt(RULE_THIN_TWIPS / 20)
        shade = OxmlElement("w:shd")
        for attr, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", "000000")):
            shade.set(qn(attr), value)
        insert_ordered(rule._p.get_or_add_pPr(), shade, P_ORDER)
        lines.append(rule)
    issued = para(doc, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    issued.paragraph_format.tab_stops.add_tab_stop(
        Mm(TYPE_W) - Pt(CC_FACE_PT), alignment=WD_TAB_ALIGNMENT.RIGHT
    )
    font(issued.add_run(f"\u3000{printer}\t{printed}印发"), FANGSONG, CC_FACE_PT)
    lines.append(issued)
    for line in lines:
        no_grid(line)
        _frame(line)
        _rules(line)
    # The frame's anchor, the document's last paragraph: 1 pt high, never on a page of its own.
    anchor = doc.add_paragraph()
    anchor.paragraph_format.space_before = anchor.paragraph_format.space_after = Pt(0)
    anchor.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    anchor.paragraph_format.line_spacing = Pt(1)
    no_grid(anchor)
