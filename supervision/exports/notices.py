"""The notice as an official document (.docx, GB/T 9704 layout) and the register (发文登记簿) as .xlsx."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..formatting import zh_date
from ..i18n import in_chinese
from ..models import Notice
from . import notice_template, official
from .official import HEITI
from .sheets import Book, reported

CN_NUMERALS = "一二三四五六七八九十"


def cn_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (heading numbers 一、二、…)."""
    if n <= 10:
        return CN_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_NUMERALS[tens - 1]
    return head + "十" + (CN_NUMERALS[ones - 1] if ones else "")


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
        return own.replace(DEADLINE_MARK, zh_date(deadline))
    if not notice.kind.requires_rectification:
        when = f"于{zh_date(deadline)}前" if deadline else "及时"
        return f"请你单位认真研究，结合实际予以采纳落实，并{when}签收反馈。"
    if deadline is None:
        return "请认真研究落实，并于收到本通知书后及时签收。"
    return (
        f"请你单位于{zh_date(deadline)}前完成整改，并将整改情况书面报告及佐证材料报送{we(notice)}。"
        "逾期未完成整改的，将视情采取约谈、挂牌督办或通报批评等措施。"
    )


def default_intro(notice: Notice) -> str:
    source = f"在{notice.task.title}中，" if notice.task else "在法治督察工作中，"
    return f"{source}{we(notice)}发现你单位存在以下问题，现通知如下："


def we(notice: Notice) -> str:
    """How the issuer names itself in the default texts: 我局 under the 司法局, 我办 under an office."""
    name = (notice.signature if notice.doc_number else "") or notice.kind.signature or ""
    for ending, word in (("局", "我局"), ("委员会", "我委"), ("办公室", "我办"), ("办", "我办")):
        if name.endswith(ending):
            return word
    return "我办" if not name else "我单位"  # the default OFFICE_NAME is an 办公室


# --- .docx ---------------------------------------------------------------------------------


def notice_authority(notice: Notice, office_name: str) -> official.Authority:
    """The issuer as the notice was issued with; a draft shows its kind's current setting."""
    source = notice if notice.doc_number and notice.issuing_authority else notice.kind
    return official.Authority(
        masthead=source.issuing_authority or office_name,
        signature=source.signature or office_name,
        seal_owner=source.seal_owner or office_name,
        masthead_offset_mm=notice.kind.masthead_offset_mm
        if notice.kind.masthead_offset_mm is not None
        else 35,
    )


def document_mark(notice: Notice) -> str:
    """作废 on a voided notice, 草稿 on one not yet issued (no number): never mistaken for the real one."""
    if notice.status == "voided":
        return "作废"
    return "" if notice.doc_number else "草稿"


def problem_text(item) -> str:
    """The problem in full: a document with legal weight states every problem without cuts."""
    return item.finding.description.strip().rstrip("。；;.")


def notice_body(notice: Notice, issued_deadline: date | None = None) -> list[str]:
    """The body paragraphs from the opening to the closing, each problem in full."""
    body = [notice.intro or default_intro(notice)]
    for item in notice.items:
        body += [f"{cn_ordinal(item.seq)}、{problem_text(item)}", item.requirement]
    body += [line.strip() for line in (notice.requirements or "").splitlines() if line.strip()]
    body.append(deadline_sentence(notice, issued_deadline))
    return body


def notice_template_docx(notice: Notice, office_name: str, issued_deadline: date | None = None) -> bytes:
    """The notice in the kind's uploaded template (docxtpl placeholders)."""
    authority = notice_authority(notice, office_name)
    values = {
        "文号": notice.display_number,
        "标题": notice.title,
        "主送单位": f"{notice.unit.name}：",
        "署名": authority.signature,
        "成文日期": zh_date(notice.issue_date) or "年　月　日",
        "标记": document_mark(notice),
        "发文机关": authority.masthead,
        "抄送": f"抄送：{notice.cc}。" if notice.cc else "",
        "印发机关": authority.signature,
        "印发日期": f"{zh_date(notice.issue_date)}印发" if notice.issue_date else "",
    }
    return notice_template.render_template(notice.kind.template, values, notice_body(notice, issued_deadline))


@in_chinese
def notice_docx(notice: Notice, office_name: str, issued_deadline: date | None = None) -> bytes:
    if notice.kind.template_name:  # the name says whether there is one, without loading the file
        return notice_template_docx(notice, office_name, issued_deadline)
    authority = notice_authority(notice, office_name)
    doc = official.new_document(mark=document_mark(notice))
    official.masthead(doc, authority, notice.display_number)
    official.title(doc, notice.title, words=(notice.kind.name,))
    para = official.para
    para(doc, f"{notice.unit.name}：", indent=False)
    para(doc, notice.intro or default_intro(notice))
    for item in notice.items:
        para(doc, f"{cn_ordinal(item.seq)}、{problem_text(item)}", face=HEITI)
        para(doc, item.requirement)
    if notice.requirements:
        for line in notice.requirements.splitlines():
            if line.strip():
                para(doc, line.strip())
    para(doc, deadline_sentence(notice, issued_deadline))
    dated = zh_date(notice.issue_date) or "年　月　日"
    official.signature(doc, authority, notice.issue_date, dated)
    official.colophon(doc, cc=notice.cc, printer=authority.signature, printed=zh_date(notice.issue_date))
    doc.core_properties.title = notice.title
    doc.core_properties.author = authority.signature
    doc.core_properties.language = "zh-CN"
    return official.save(doc)


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
def register_xlsx(rows: Iterable[tuple[list, bool]], title: str, *, total: int | None = None) -> bytes:
    """rows: ([number, kind, title, unit, issue date, deadline, approver, status, note], voided), as
    `registers.notice_register_rows` streams them; the progress bar counts `total` rows when given."""
    book = Book()
    sheet = book.sheet("发文登记簿")
    columns = len(REGISTER_COLUMNS)
    widths = [width for _, width in REGISTER_COLUMNS]
    edge = {"border": 1, "border_color": "#000000", "valign": "vcenter"}
    sheet.widths(widths)
    sheet.merged(
        0,
        columns,
        title,
        book.style(font_name="黑体", font_size=16, bold=True, align="center", valign="vcenter"),
        height=30,
    )
    sheet.row(
        1,
        [name for name, _ in REGISTER_COLUMNS],
        book.style(edge, font_name="黑体", bold=True, bg_color="#DDEBF7", align="center"),
    )
    # Per column: wrapped or not; per row: red for a voided notice.
    styles = {
        voided: [
            book.style(
                edge,
                font_name="仿宋",
                font_color="#B42318" if voided else "#000000",
                text_wrap=col in (3, 4, 9),
            )
            for col in range(1, columns + 1)
        ]
        for voided in (False, True)
    }
    last_row = 1
    source = rows if total is None else reported(rows, total)
    for last_row, (values, voided) in enumerate(source, start=2):
        sheet.fit_height(last_row, values, widths)
        sheet.row(last_row, values, styles[voided])
    sheet.header_filter(1, columns, last_row)
    sheet.signature_block(last_row + 2, columns)
    sheet.landscape_a4(1, title_rows=0)
    sheet.ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.done()
    return book.save()
