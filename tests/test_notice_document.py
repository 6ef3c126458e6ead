"""The notice as an official document: GB/T 9704-2012 layout read back from the .docx XML, the issuing
authority and 抄送 per kind, full problem texts, 草稿/作废 marks, and the title-break function."""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Length
from lxml import etree

from supervision.exports import official
from supervision.exports.libreoffice import libreoffice_copy
from supervision.exports.title_break import break_title
from supervision.extensions import db
from supervision.services import notices as svc

from .test_notices import TODAY, World

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}
LONG = (
    "2026年以来办理的34件违法建设查处案件中，有12件现场检查笔录缺少当事人或见证人签名，"
    "7件未附现场照片，3件询问笔录记载的时间与执法记录仪显示的时间不一致，案卷整体证据链不完整"
)


@pytest.fixture
def w(make_user) -> World:
    return World(make_user)


def _get_docx(client, notice) -> Document:
    response = client.get(f"/notices/{notice.id}.docx")
    assert response.status_code == 200
    return Document(io.BytesIO(response.data))


def _part(doc: Document, name: str) -> etree._Element:
    out = io.BytesIO()
    doc.save(out)
    with zipfile.ZipFile(out) as z:
        return etree.fromstring(z.read(name))


def test_page_grid_margins_and_language(client, w):
    notice = w.issued()
    client.login_user(w.lead)
    doc = _get_docx(client, notice)
    section = doc.sections[0]
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin)] == [37, 35]
    assert [round(x.mm) for x in (section.left_margin, section.right_margin)] == [28, 26]
    grid = section._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}type") == "linesAndChars"  # 指定行和字符网格, what Word and WPS lay out on
    pitch = int(grid.get(f"{W}linePitch"))
    assert 22 * pitch <= 225 / 25.4 * 1440 < 23 * pitch  # 22 lines fill the 225 mm type area
    # 28 characters a line: Word's pitch is the Normal style's size plus charSpace / 4096 pt.
    width_pt = Length(section.page_width - section.left_margin - section.right_margin).pt
    char_pitch = 16 + int(grid.get(f"{W}charSpace")) / 4096
    assert 28 * char_pitch <= width_pt < 29 * char_pitch
    styles = _part(doc, "word/styles.xml")
    normal = styles.find("w:style[@w:styleId='Normal']/w:rPr", NS)
    defaults = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    for r_pr in (normal, defaults):
        sizes = [r_pr.find(f"w:{tag}", NS).get(f"{W}val") for tag in ("sz", "szCs")]
        assert sizes == ["32", "32"] and r_pr.find("w:rFonts", NS).get(f"{W}eastAsia") == "仿宋_GB2312"
    texts = [p.text for p in doc.paragraphs]
    body = doc.paragraphs[texts.index("横街镇人民政府：") + 1]  # the opening paragraph
    run = body.runs[0]
    assert run.font.size.pt == 16 and run._r.rPr.find(f"{W}spacing") is None  # the grid does it
    assert (
        body.paragraph_format.line_spacing.pt == pitch / 20
        and body.paragraph_format.first_line_indent.pt == 32
    )
    assert body._p.pPr.find(f"{W}ind").get(f"{W}firstLineChars") == "200"  # two grid cells
    lang = defaults.find("w:lang", NS)
    assert lang.get(f"{W}eastAsia") == "zh-CN"
    fonts = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert fonts.get(f"{W}eastAsia") == "仿宋_GB2312" and fonts.get(f"{W}eastAsiaTheme") is None
    assert styles.find("w:docDefaults/w:pPrDefault/w:pPr/w:jc", NS).get(f"{W}val") == "both"
    theme = _part(doc, "word/theme/theme1.xml")
    assert b"Jpan" not in etree.tostring(theme)


def test_the_copy_for_libreoffice_has_a_line_grid_and_condensed_body_runs(client, w):
    """LibreOffice gives a 16 pt character two cells of a 15.79 pt grid: the PDF is made from a
    copy with the line grid and the squeeze as condensed spacing on the 3号 runs on the grid."""
    notice = w.issued()
    client.login_user(w.lead)
    data = client.get(f"/notices/{notice.id}.docx").data
    copy = Document(io.BytesIO(libreoffice_copy(data)))
    grid = copy.sections[0]._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}type") == "lines" and grid.get(f"{W}linePitch") == "579"
    texts = [p.text for p in copy.paragraphs]
    body = copy.paragraphs[texts.index("横街镇人民政府：") + 1]
    condense = int(body.runs[0]._r.rPr.find(f"{W}spacing").get(f"{W}val")) / 20
    assert 28 * (16 + condense) <= 156 / 25.4 * 72 < 29 * (16 + condense)
    # Off the grid or not 3号 (masthead, title, the 版记): untouched.
    for paragraph in (copy.paragraphs[0], next(p for p in copy.paragraphs if "印发" in p.text)):
        assert all(r._r.rPr.find(f"{W}spacing") is None for r in paragraph.runs)
    assert Document(io.BytesIO(data)).paragraphs[texts.index("横街镇人民政府：") + 1].text == body.text
    # no punctuation hanging into the margin (LibreOffice drops it): "1" is "simple" to LibreOffice
    assert body._p.pPr.find(f"{W}overflowPunct").get(f"{W}val") == "1"
    # A document without a squeezing character grid (an office's own template) goes as it is.
    plain = Document()
    plain.add_paragraph("正文")
    out = io.BytesIO()
    plain.save(out)
    assert libreoffice_copy(out.getvalue()) == out.getvalue()


def test_font_table_declares_the_faces_with_alternatives(client, w):
    notice = w.issued()
    client.login_user(w.lead)
    table = _part(_get_docx(client, notice), "word/fontTable.xml")
    alt = {
        f.get(f"{W}name"): f.find("w:altName", NS).get(f"{W}val")
        for f in table.findall("w:font", NS)
        if f.find("w:altName", NS) is not None
    }
    assert alt["仿宋_GB2312"] == "仿宋" and alt["仿宋"] == "FangSong" and alt["FangSong"] == "STFangsong"
    assert alt["方正小标宋简体"] == "宋体" and alt["宋体"] == "SimSun"
    assert alt["黑体"] == "SimHei" and alt["楷体_GB2312"] == "楷体"


def _footer_paragraph(footer) -> tuple[str, str, etree._Element]:
    paragraph = footer.paragraphs[0]
    instr = "".join(t.text for t in paragraph._p.iter(f"{W}instrText"))
    return paragraph.text, instr, paragraph._p


def test_page_numbers_odd_right_even_left(client, w):
    notice = w.issued()
    client.login_user(w.lead)
    doc = _get_docx(client, notice)
    settings = _part(doc, "word/settings.xml")
    assert settings.find("w:evenAndOddHeaders", NS) is not None
    section = doc.sections[0]
    odd_text, odd_instr, odd = _footer_paragraph(section.footer)
    even_text, even_instr, even = _footer_paragraph(section.even_page_footer)
    assert odd_instr.strip() == "PAGE" and even_instr.strip() == "PAGE"
    assert odd_text == "— 1 —" and even_text == "— 1 —"
    assert odd.find("w:pPr/w:jc", NS).get(f"{W}val") == "right"
    assert even.find("w:pPr/w:jc", NS).get(f"{W}val") == "left"
    assert section.footer.paragraphs[0].paragraph_format.right_indent.pt == 14  # less one 4号 character
    assert section.even_page_footer.paragraphs[0].paragraph_format.left_indent.pt == 14
    run = section.footer.paragraphs[0].runs[1]
    assert run.font.size.pt == 14 and run._r.rPr.rFonts.get(f"{W}eastAsia") == "宋体"
    # 7 mm below the type area: the footer's bottom sits 35 - 7 mm - one 14 pt line above the edge.
    assert abs(section.footer_distance.mm - (35 - 7 - 14 * 25.4 / 72)) < 0.2


def test_masthead_offset_red_rule_and_authority_per_kind(client, w):
    w.kind.issuing_authority = "海曙区司法局"
    w.kind.signature = "海曙区司法局"
    w.kind.default_cc = "区委全面依法治区委员会办公室"
    db.session.commit()
    notice = w.issued(cc="区委全面依法治区委员会办公室，区人民政府办公室")
    client.login_user(w.lead)
    doc = _get_docx(client, notice)
    head = doc.paragraphs[0]
    assert head.text == "海曙区司法局" and head.runs[0].font.color.rgb == official.RED
    assert round(head.paragraph_format.space_before.mm) == 35
    number = next(p for p in doc.paragraphs if p.text == notice.doc_number)
    rule = number._p.find("w:pPr/w:pBdr/w:bottom", NS)
    assert rule.get(f"{W}color") == "C8161D"
    assert round(int(rule.get(f"{W}space")) * 25.4 / 72) == 4  # 4 mm under the number
    texts = [p.text for p in doc.paragraphs]
    signature = texts.index("海曙区司法局", 1)
    assert texts[signature + 1] == "2026年3月2日"
    # the default texts name the issuer as it names itself
    assert any(t.endswith("我局发现你单位存在以下问题，现通知如下：") for t in texts)
    assert any("报送我局。" in t for t in texts)
    colophon = "".join(_text(p) for p in _colophon(doc))
    assert colophon.startswith(
        "\u3000抄送：区委全面依法治区委员会办公室，区人民政府办公室。\u3000海曙区司法局"
    )
    # Later edits of the kind do not change the issued notice.
    w.kind.issuing_authority = "别的机关"
    db.session.commit()
    db.session.expire_all()
    assert _get_docx(client, notice).paragraphs[0].text == "海曙区司法局"
    assert (
        notice.issuing_authority == "海曙区司法局" and notice.seal_owner == "海曙区全面依法治区委员会办公室"
    )


def _colophon(doc: Document) -> list:
    """The 版记: the framed paragraphs (w:framePr) at the end of the body."""
    return [p for p in doc.element.body.findall("w:p", NS) if p.find("w:pPr/w:framePr", NS) is not None]


def _text(element) -> str:
    return "".join(t.text for t in element.iter(f"{W}t"))


def test_colophon_is_a_frame_at_the_foot_between_rules(client, w):
    notice = w.issued(cc="区委办公室")
    client.login_user(w.lead)
    doc = _get_docx(client, notice)
    cc, rule, issued = _colophon(doc)
    assert _text(cc) == "\u3000抄送：区委办公室。" and _text(rule) == ""
    assert _text(issued) == "\u3000海曙区全面依法治区委员会办公室2026年3月2日印发"
    assert issued.find("w:r/w:tab", NS) is not None  # the date on a right tab, one character in
    tab = int(issued.find("w:pPr/w:tabs/w:tab", NS).get(f"{W}pos"))
    assert tab == round((156 - 14 * 25.4 / 72) / 25.4 * 1440)
    frames = [p.find("w:pPr/w:framePr", NS).attrib for p in (cc, rule, issued)]
    assert frames[0] == frames[1] == frames[2]  # one frame
    frame = frames[0]
    assert frame[f"{W}vAnchor"] == "margin" and frame[f"{W}yAlign"] == "bottom"  # foot of the type area
    assert frame[f"{W}hAnchor"] == "margin" and frame[f"{W}xAlign"] == "center"
    assert frame[f"{W}wrap"] == "notBeside"  # no text beside it: a body reaching the foot goes above
    assert abs(int(frame[f"{W}w"]) / 1440 * 25.4 - 156) < 0.1  # as wide as the type area
    # The first and last rule: the same borders on each paragraph, drawn around the group (LibreOffice
    # makes no frame of paragraphs whose borders differ); the thinner one between: 0.75 pt, shaded.
    borders = [etree.tostring(p.find("w:pPr/w:pBdr", NS)) for p in (cc, rule, issued)]
    assert borders[0] == borders[1] == borders[2]
    edges = {e.tag.split("}")[1]: e.get(f"{W}sz") for e in cc.find("w:pPr/w:pBdr", NS)}
    assert edges == {"top": "8", "bottom": "8"}
    assert rule.find("w:pPr/w:shd", NS).get(f"{W}fill") == "000000"
    assert rule.find("w:pPr/w:spacing", NS).get(f"{W}line") == "15"
    size = issued.find("w:r/w:rPr/w:sz", NS).get(f"{W}val")
    assert size == "28" and cc.find("w:r/w:rPr/w:sz", NS).get(f"{W}val") == "28"  # 4号
    # after the signature, followed only by the frame's 1 pt anchor paragraph
    assert _text(cc.getprevious()) == "2026年3月2日"
    assert [c.tag for c in issued.itersiblings()] == [f"{W}p", f"{W}sectPr"]
    # pPr children in schema order (Word refuses a file otherwise)
    tags = [c.tag.split("}")[1] for c in rule.find("w:pPr", NS)]
    assert tags == sorted(tags, key=official.P_ORDER.index)


def test_cc_wraps_under_the_first_name_after_the_colon():
    lines = official.cc_lines("、".join(["区委全面依法治区委员会办公室"] * 4))
    assert lines[0].startswith("\u3000抄送：区委") and all(
        line.startswith("\u3000" * 4) for line in lines[1:]
    )
    assert all(len(line) <= 31 for line in lines)  # 4号 in 156 mm: one character in from each edge
    assert "".join(line.lstrip("\u3000").removeprefix("抄送：") for line in lines).endswith("办公室。")
    assert not any(line.lstrip("\u3000")[0] in "，。、" for line in lines[1:])


def test_no_cc_gives_one_ruled_line(client, w):
    notice = w.issued()
    client.login_user(w.lead)
    doc = _get_docx(client, notice)
    (issued,) = _colophon(doc)
    assert "印发" in _text(issued)
    assert {e.tag.split("}")[1] for e in issued.find("w:pPr/w:pBdr", NS)} == {"top", "bottom"}
    assert "抄送" not in _text(doc.element.body)


def test_problems_in_full_in_docx_and_print(client, w):
    finding = w.findings[0]
    finding.description = LONG
    db.session.commit()
    notice = w.issued(findings=[finding])
    client.login_user(w.lead)
    texts = [p.text for p in _get_docx(client, notice).paragraphs]
    assert "一、" + LONG in texts
    assert not any("……" in t for t in texts)
    page = client.get(f"/notices/{notice.id}/print").get_data(as_text=True)
    assert LONG in page and "……" not in page


def _mark(doc: Document) -> list[str]:
    section = doc.sections[0]
    return [section.header.paragraphs[0].text, section.even_page_header.paragraphs[0].text]


def test_draft_and_void_marks(client, w):
    draft = w.draft()
    client.login_user(w.inspector)
    doc = _get_docx(client, draft)
    assert _mark(doc) == ["草稿", "草稿"]
    assert "草稿" in client.get(f"/notices/{draft.id}/print").get_data(as_text=True)
    issued = w.issued(findings=[w.findings[2]])
    client.login_user(w.lead)
    assert _mark(_get_docx(client, issued)) == ["", ""]
    assert 'class="draft-stamp"' not in client.get(f"/notices/{issued.id}/print").get_data(as_text=True)
    svc.notice_void(actor=w.lead, notice=issued, reason="主送单位有误")
    doc = _get_docx(client, issued)
    assert _mark(doc) == ["作废", "作废"]
    run = doc.sections[0].header.paragraphs[0].runs[0]
    assert run.font.color.rgb == official.RED
    assert 'class="void-stamp"' in client.get(f"/notices/{issued.id}/print").get_data(as_text=True)


def test_title_is_broken_by_meaning_in_the_docx(client, w):
    notice = w.issued(title="关于横街镇人民政府落实整改有关问题的执法监督通知书")
    client.login_user(w.lead)
    doc = _get_docx(client, notice)
    title = next(p for p in doc.paragraphs if "落实整改" in p.text)
    assert title.text == "关于横街镇人民政府\n落实整改有关问题的执法监督通知书"
    assert all(r.font.size.pt == 22 for r in title.runs)


# --- the kind's settings through the admin screen, the 抄送 through the draft form ---------------


def test_kind_admin_sets_the_authority_and_cc(client, w):
    client.login_user(w.admin)
    response = client.post_form(
        f"/admin/notice-kinds/{w.kind.id}/edit",
        {
            "name": w.kind.name,
            "prefix": "海法督",
            "default_days": "15",
            "active": "y",
            "issuing_authority": "海曙区司法局",
            "signature": "海曙区司法局",
            "seal_owner": "海曙区司法局",
            "default_cc": "区委依法治区办",
            "masthead_offset_mm": "30",
            "version": w.kind.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (w.kind.issuing_authority, w.kind.default_cc, w.kind.masthead_offset_mm) == (
        "海曙区司法局",
        "区委依法治区办",
        30,
    )
    assert "海曙区司法局" in client.get("/admin/notice-kinds").get_data(as_text=True)
    bad = client.post_form(
        f"/admin/notice-kinds/{w.kind.id}/edit",
        {
            "name": w.kind.name,
            "prefix": "海法督",
            "default_days": "15",
            "masthead_offset_mm": "120",
            "version": w.kind.version,
        },
    )
    assert bad.status_code == 200
    client.login_user(w.inspector)
    page = client.get(f"/notices/new?unit={w.unit.id}&kind={w.kind.id}").get_data(as_text=True)
    assert 'value="区委依法治区办"' in page


def test_cc_edited_on_the_draft(w):
    notice = w.draft(cc="区委办公室")
    assert notice.cc == "区委办公室"
    svc.notice_update(
        actor=w.inspector, notice=notice, data=w.data(cc="区政府办公室。"), today=TODAY, version=None
    )
    assert notice.cc == "区政府办公室"
    with pytest.raises(svc.DomainError):
        svc.notice_update(
            actor=w.inspector, notice=notice, data=w.data(cc="单位" * 300), today=TODAY, version=None
        )


# --- the title-break function ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("关于横街镇行政执法问题的整改通知", ["关于横街镇行政执法问题的整改通知"]),
        (
            "关于横街镇人民政府落实整改有关问题的执法监督通知书",
            ["关于横街镇人民政府", "落实整改有关问题的执法监督通知书"],
        ),
        (
            "关于区综合行政执法局落实整改有关问题的督察意见书",
            ["关于区综合行政执法局", "落实整改有关问题的督察意见书"],
        ),
        (
            "海曙区全面依法治区委员会办公室关于2026年度行政执法案卷评查情况的通报",
            ["海曙区全面依法治区委员会办公室", "关于2026年度行政执法案卷评查情况的通报"],
        ),
    ],
)
def test_break_title(title, lines):
    assert break_title(title) == lines


def test_break_title_never_splits_a_word_and_keeps_lines_short():
    title = "关于进一步加强和规范全区行政执法公示、执法全过程记录和重大执法决定法制审核工作的督察建议书"
    lines = break_title(title)
    assert "".join(lines) == title and all(len(line) <= 20 for line in lines)
    cuts = [len("".join(lines[: n + 1])) for n in range(len(lines) - 1)]
    for word in ("督察建议书", "行政执法", "执法全过程", "法制审核"):
        start = title.find(word)
        assert not any(start < cut < start + len(word) for cut in cuts), (word, lines)
    assert not any(line.startswith(("、", "，")) for line in lines)


def test_break_title_keeps_an_extra_word_whole():
    lines = break_title(
        "关于某某单位某某事项的特别专项执法监督通知书", width=14, words=("特别专项执法监督通知书",)
    )
    assert any(line.endswith("特别专项执法监督通知书") for line in lines)
    assert break_title("") == [] and break_title("短标题") == ["短标题"]


# --- rendered by LibreOffice ----------------------------------------------------------------


def _need(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} not found; CI must install it (.ci/run)")
        pytest.skip(f"{name} not found")
    return path


MM = 25.4 / 72


def _pdf_lines(pdftotext: str, pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page the text lines (top, bottom, left, right in mm from the page's top left, text)."""
    xml = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = []
    for page in re.findall(r"<page.*?</page>", xml.stdout, re.S):
        lines: dict[float, list] = {}
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page
        ):
            lines.setdefault(round(float(y1)), []).append(
                (float(x0), float(y0), float(x1), html.unescape(word))
            )
        pages.append(
            [
                (
                    min(w[1] for w in words) * MM,
                    y * MM,
                    min(w[0] for w in words) * MM,
                    max(w[2] for w in words) * MM,
                    "".join(w[3] for w in sorted(words)),
                )
                for y, words in sorted(lines.items())
            ]
        )
    return pages


def _render(data: bytes, tmp_path: Path, name: str, artifacts: Path | None = None) -> Path:
    from supervision.exports.pdf import docx_to_pdf

    target = tmp_path / f"{name}.pdf"
    target.write_bytes(docx_to_pdf(data))  # the LibreOffice copy, as the PDF jobs convert it
    if artifacts is not None:
        subprocess.run(
            [_need("pdftoppm"), "-png", "-r", "60", str(target), str(artifacts / name)], check=True
        )
    return target


def _check_colophon_at_the_foot(pages) -> None:
    """The 版记 on the last page at the bottom of the type area (297 - 35 mm), under all the text
    of that page, the page number below it."""
    last = pages[-1]
    issued = next(line for line in last if line[4].endswith("印发"))
    assert 255 < issued[1] <= 262.5, issued  # its last line ends at the type area's bottom edge
    first = next((line for line in last if line[4].startswith("抄送：")), issued)
    number = next(line for line in last if re.fullmatch(r"—\d+—", line[4]))
    body = [line for line in last if line[1] < first[0]]
    assert all(line[1] < first[0] - 1 for line in body)  # nothing overlaps the 版记
    assert all(line in body or line[0] >= first[0] - 0.1 for line in last)
    assert number[0] > issued[1] + 5  # the page number under it, 7 mm below the type area
    assert not any(
        line[4].endswith("印发") or line[4].startswith("抄送") for page in pages[:-1] for line in page
    )


def test_libreoffice_renders_28_characters_a_line_and_the_page_numbers(client, w, tmp_path, artifacts):
    _need("soffice")
    pdftotext = _need("pdftotext")
    w.kind.issuing_authority = w.kind.signature = "海曙区司法局"
    w.findings[0].description = LONG
    db.session.commit()
    notice = w.issued(
        title="关于横街镇人民政府落实整改有关问题的执法监督通知书",
        cc="区委全面依法治区委员会办公室，区人民政府办公室",
        findings=w.findings,
    )
    client.login_user(w.lead)
    data = client.get(f"/notices/{notice.id}.docx").data
    pdf = _render(data, tmp_path, "notice-docx-libreoffice", artifacts)
    pages = _pdf_lines(pdftotext, pdf)
    assert len(pages) >= 2
    lines = [line[4] for page in pages for line in page]
    assert "海曙区司法局" in lines[:3] and "关于横街镇人民政府" in lines
    # A full body line of Chinese text holds 28 characters (the first line of a paragraph 26),
    # and reaches the type area's right edge (28 + 156 mm).
    body = [line for page in pages for line in page if line[4] and all(not ch.isascii() for ch in line[4])]
    assert max(len(line[4]) for line in body) == 28
    full = [line for line in body if len(line[4]) == 28]
    assert all(abs(line[2] - 28) < 0.5 and 182 < line[3] < 184.5 for line in full), full
    for n, page in enumerate(pages, 1):
        assert f"—{n}—" in [line[4] for line in page]
        assert len([line for line in page if 37 <= line[0] < 262]) <= 22  # 22 lines a page
    assert any(line.startswith("抄送：区委全面依法治区委员会办公室") for line in lines)
    assert "……" not in "".join(lines)
    assert LONG in "".join(lines)  # every character, the comma at a line's end too
    _check_colophon_at_the_foot(pages)


def _long_notice(extra: int) -> bytes:
    """A notice whose body ends `extra` lines further down the second page."""
    authority = official.Authority("海曙区司法局", "海曙区司法局", "海曙区司法局")
    doc = official.new_document()
    official.masthead(doc, authority, "海法督〔2026〕3号")
    official.title(doc, "关于横街镇人民政府落实整改有关问题的执法监督通知书")
    official.para(doc, "横街镇人民政府：", indent=False)
    for n in range(2):
        official.para(doc, f"{'一二'[n]}、{LONG}", face=official.HEITI)
        official.para(
            doc, "请对上述案卷逐件补正，完善证据材料，并建立案卷评查长效机制，确保今后办理的案件合法规范。"
        )
    for _ in range(extra):
        official.para(doc, "特此通知。")
    official.signature(doc, authority, None, "2026年3月2日")
    official.colophon(doc, cc="区委全面依法治区委员会办公室", printer="海曙区司法局", printed="2026年3月2日")
    return official.save(doc)


@pytest.mark.parametrize(("extra", "pages_after_signature"), [(9, 0), (10, 1)])
def test_a_body_reaching_the_foot_pushes_the_colophon_to_the_next_page(
    extra, pages_after_signature, tmp_path, artifacts
):
    """9 more lines: the date ends a line above the 版记; 10: it would overlap, the 版记 moves on."""
    _need("soffice")
    pdftotext = _need("pdftotext")
    pdf = _render(_long_notice(extra), tmp_path, f"notice-long-{extra}", artifacts)
    pages = _pdf_lines(pdftotext, pdf)
    _check_colophon_at_the_foot(pages)
    signed = [n for n, page in enumerate(pages) if any(line[4] == "2026年3月2日" for line in page)]
    assert signed == [len(pages) - 1 - pages_after_signature]


# --- the office's own template (docxtpl) ------------------------------------------------------


def _template(*names: str, extra: str = "") -> io.BytesIO:
    doc = Document()
    doc.add_paragraph("本单位红头 {{ 发文机关 }}")
    for name in names:
        doc.add_paragraph("{{ " + name + " }}")
    if extra:
        doc.add_paragraph(extra)
    out = io.BytesIO()
    doc.save(out)
    out.seek(0)
    return out


def _upload(client, kind, data: io.BytesIO, name="红头模板.docx", **extra):
    return client.post_form(
        f"/admin/notice-kinds/{kind.id}/template",
        {"template": (data, name), "version": kind.version, **extra},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_uploaded_template_fills_the_placeholders(client, w):
    from supervision.exports.notice_template import REQUIRED

    client.login_user(w.admin)
    page = _upload(client, w.kind, _template(*REQUIRED, "抄送")).get_data(as_text=True)
    assert "模板已上传" in page and "红头模板.docx" in page
    db.session.expire_all()
    finding = w.findings[0]
    finding.description = LONG
    db.session.commit()
    notice = w.issued(findings=[finding], cc="区委办公室")
    client.login_user(w.lead)
    texts = [p.text for p in _get_docx(client, notice).paragraphs]
    assert texts[0] == "本单位红头 海曙区全面依法治区委员会办公室"
    assert notice.doc_number in texts and "横街镇人民政府：" in texts and "2026年3月2日" in texts
    assert "一、" + LONG in texts  # the body, one paragraph per line, problems in full
    assert any(t.startswith("请你单位于2026年3月23日前完成整改") for t in texts)
    assert texts[texts.index("抄送：区委办公室。") - 1] == ""  # {{ 标记 }}: none on an issued notice
    svc.notice_void(actor=w.lead, notice=notice, reason="主送单位有误")
    texts = [p.text for p in _get_docx(client, notice).paragraphs]
    assert texts[texts.index("抄送：区委办公室。") - 1] == "作废"


def test_template_missing_a_placeholder_is_refused(client, w):
    client.login_user(w.admin)
    page = _upload(client, w.kind, _template("文号", "标题", "主送单位", "正文", "署名")).get_data(
        as_text=True
    )
    assert "模板缺少占位符：{{ 成文日期 }}、{{ 标记 }}" in page
    db.session.expire_all()
    assert w.kind.template_name == "" and w.kind.template is None


def test_template_with_an_unknown_placeholder_or_bad_syntax_or_not_docx_is_refused(client, w):
    from supervision.exports.notice_template import REQUIRED

    client.login_user(w.admin)
    page = _upload(client, w.kind, _template(*REQUIRED, "盖章人")).get_data(as_text=True)
    assert "不认识的占位符：{{ 盖章人 }}" in page
    page = _upload(client, w.kind, _template(*REQUIRED, extra="{{ 文号 ")).get_data(as_text=True)
    assert "占位符写法有误" in page
    page = _upload(client, w.kind, io.BytesIO(b"%PDF-1.4\n%%EOF\n"), name="x.pdf").get_data(as_text=True)
    assert "模板须为 Word 文档" in page
    db.session.expire_all()
    assert w.kind.template_name == ""


def test_template_cannot_reach_python(client, w):
    """Rendered in Jinja's sandbox: an admin's file must not run code on the server."""
    from supervision.exports.notice_template import REQUIRED, render_template

    data = _template(*REQUIRED, extra="{{ 标题.__class__.__mro__ }}").getvalue()
    with pytest.raises(Exception) as caught:
        render_template(data, {"标题": "x"}, ["a"])
    assert "unsafe" in str(caught.value) or "__class__" in str(caught.value)


def test_template_cleared_goes_back_to_the_built_in_layout(client, w):
    from supervision.exports.notice_template import REQUIRED

    client.login_user(w.admin)
    _upload(client, w.kind, _template(*REQUIRED))
    db.session.expire_all()
    assert w.kind.template_name
    page = client.post_form(
        f"/admin/notice-kinds/{w.kind.id}/template",
        {"clear": "1", "version": w.kind.version},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "改用内置版式" in page
    db.session.expire_all()
    assert w.kind.template_name == "" and w.kind.template is None
    notice = w.issued()
    client.login_user(w.lead)
    doc = _get_docx(client, notice)
    assert doc.sections[0]._sectPr.find(f"{W}docGrid").get(f"{W}type") == "linesAndChars"


def test_libreoffice_shows_the_void_and_draft_marks_on_every_page(client, w, tmp_path, artifacts):
    _need("soffice")
    pdftotext = _need("pdftotext")
    w.findings[0].description = LONG
    db.session.commit()
    issued = w.issued(findings=w.findings)
    client.login_user(w.lead)
    svc.notice_void(actor=w.lead, notice=issued, reason="主送单位有误")
    pages = _pdf_lines(
        pdftotext, _render(client.get(f"/notices/{issued.id}.docx").data, tmp_path, "notice-void", artifacts)
    )
    assert len(pages) >= 2 and all(page[0][4] == "作废" for page in pages)
    assert all(page[0][1] < 37 for page in pages)  # in the header, above the type area
    draft = w.draft(findings=[w.findings[0]])
    client.login_user(w.inspector)
    data = client.get(f"/notices/{draft.id}.docx").data
    pages = _pdf_lines(pdftotext, _render(data, tmp_path, "notice-draft", artifacts))
    assert all(page[0][4] == "草稿" and page[0][1] < 37 for page in pages)


def test_the_print_view_and_the_docx_stay_chinese_for_an_english_reader(client, w):
    """The toolbar follows the reader's language; the document (dates, 抄送, 印发, marks) does not."""
    notice = w.issued(cc="区人民政府办公室")
    w.lead.locale = "en"
    db.session.commit()
    client.login_user(w.lead)
    page = client.get(f"/notices/{notice.id}/print").get_data(as_text=True)
    document = page[page.index('<article class="official-doc"') : page.index("</article>")]
    assert '<div class="date">2026年3月2日</div>' in document
    assert "2026年3月2日印发" in document and "抄送：区人民政府办公室。" in document
    assert not re.search(r"\b(Mar|issued|Cc)\b", document)
    assert "Print" in page[: page.index("<article")]  # the toolbar is English
    doc = _get_docx(client, notice)
    assert "2026年3月2日" in [p.text for p in doc.paragraphs]
    svc.notice_void(actor=w.lead, notice=notice, reason="主送单位有误")
    page = client.get(f"/notices/{notice.id}/print").get_data(as_text=True)
    assert '<div class="void-stamp">作废</div>' in page
