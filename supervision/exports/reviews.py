"""Case-file review exports: the rubric workbook (round trip), 评查结果表 (.xlsx), 评查情况通报 (.docx)."""

from __future__ import annotations

from datetime import date

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH

from ..formatting import zh_date
from ..i18n import in_chinese
from ..models import CaseFile, ReviewCampaign, Rubric
from ..numbers import SCORE_PLACES, rounded, score_text
from . import official
from .sheets import HEADER_COLOR, Book, register_sheet

# --- rubric workbook (import ⇄ export) ----------------------------------------------------


@in_chinese
def rubric_xlsx(rubric: Rubric) -> bytes:
    """Four sheets: 说明 (name, note), 评查项目, 类别分值, 等级. Re-importing it gives the same rubric."""
    book = Book()
    info = book.sheet("说明")
    for row, values in enumerate(
        (
            ["名称", rubric.name],
            ["说明", rubric.note],
            ["版本", rubric.edition],
            [],
            ["填写说明", "“评查项目”每行一项：类别须在“类别分值”中；否决项填“是”，否决项不计分值。"],
            ["", "“类别分值”各类别分值合计须为 100 分；“等级”按最低分从高到低，低于最低一级为“不合格”。"],
            [
                "",
                "修改后在“评查标准 → 导入”上传；与已有标准同名时生成新版本，已被评查活动使用的版本保持不变。",
            ],
        )
    ):
        info.row(row, values)
    info.widths([12, 100])
    items = book.sheet("评查项目")
    # The importer reads from the header row, so the sheet has no title rows.
    register_sheet(
        items,
        None,
        "",
        [("类别", 12), ("评查项目", 44), ("最高扣分", 10), ("评分细则", 60), ("否决项", 8)],
        [
            [i.category, i.text, None if i.is_veto else i.max_points, i.guidance, "是" if i.is_veto else "否"]
            for i in rubric.items
        ],
    )
    header = book.style(bold=True, bg_color=HEADER_COLOR)
    for name, head, rows in (
        ("类别分值", ["类别", "分值"], [[c["name"], c["max"]] for c in rubric.categories]),
        ("等级", ["等级", "最低分"], [list(pair) for pair in rubric.band_pairs]),
    ):
        sheet = book.sheet(name)
        sheet.widths([14, 10])
        sheet.row(0, head, header)
        for row, values in enumerate(rows, start=1):
            sheet.row(row, values)
    # After the four sheets the importer reads, so that the hidden 选项 sheet comes last.
    book.choices(items, 4, ["是", "否"])
    book.choices(items, 0, [c["name"] for c in rubric.categories], strict=False)
    return book.save()


# --- results -----------------------------------------------------------------------------

RESULT_COLUMNS = [
    ("序号", 6),
    ("单位", 22),
    ("案号", 22),
    ("案件名称", 30),
    ("案件类型", 10),
    ("决定日期", 15),
    ("承办人", 12),
    ("评查得分", 10),
    ("最终得分", 10),
    ("等级", 8),
    ("优秀案卷", 8),
    ("主要扣分问题", 50),
]
RESULT_HEADERS = [name for name, _ in RESULT_COLUMNS]


@in_chinese
def results_xlsx(campaign: ReviewCampaign, files: list[CaseFile], problems: dict[int, list[str]]) -> bytes:
    """评查结果表: one row per sampled file; reviewers' scores shown without their names."""
    rows = []
    for n, f in enumerate(files, start=1):
        totals = [a.total for a in f.assignments if a.total is not None]
        rows.append(
            [
                n,
                f.unit.name,
                f.case_number,
                f.title,
                f.case_type,
                f.decision_date,
                f.handlers,
                " / ".join(scoring_text(t) for t in totals),
                rounded(f.final_score, SCORE_PLACES) if f.is_final else None,
                (f.grade or "") if f.is_final else ("待裁定" if f.awaits_settlement else ""),
                "是" if f.excellent else "",
                "；".join(problems.get(f.id, [])),
            ]
        )
    book = Book()
    register_sheet(
        book.sheet("评查结果表"),
        f"{campaign.title} 评查结果表",
        f"年度：{campaign.year}    评查标准：{campaign.rubric.label}    抽查案卷：{len(files)} 卷    随机种子：{campaign.seed or ''}",
        RESULT_COLUMNS,
        rows,
        centred=(1, 5, 6, 8, 9, 10, 11),
        signed=True,
    )
    return book.save()


def scoring_text(value: float | None) -> str:
    """A case-file score as the documents write it (四舍五入 to SCORE_PLACES; blank when none)."""
    return score_text(value, empty="")


# --- 评查情况通报 (.docx) ----------------------------------------------------------------

REPORT_DRAFT_NUMBER = "（未编号）"


def _table(doc, headers: list[str], rows: list[list]) -> None:
    """A 5号 table off the character grid (the grid would spread small text to 3号 cells)."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for values, face in ((headers, official.HEITI), *((row, official.FANGSONG) for row in rows)):
        cells = table.rows[0].cells if face == official.HEITI else table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.line_spacing = 1.0
            official.no_grid(paragraph)
            official.font(paragraph.add_run(str(value)), face, 10.5)


@in_chinese
def report_docx(
    campaign: ReviewCampaign,
    *,
    office_name: str,
    progress: dict,
    overall: float | None,
    averages: list[tuple],
    grades: list[tuple[str, int]],
    common: list[tuple],
    excellent: list[CaseFile],
    failed: list[CaseFile],
    today: date,
    authority: str = "",
) -> bytes:
    """评查情况通报: overview, per-unit averages, grades, common problems, excellent and failed files.

    The same page as a notice (masthead, 发文字号 from the campaign's own series, page numbers,
    signature over the date); a 草稿 mark until the results are published and the number taken.
    The sampling seed is not in the body: it is on the 评查结果表 with the sample itself.
    `overall` is the mean of every final score (`services.review_reports.overall_average`); files still
    awaiting the lead's settlement count in no figure and are named as open.
    """
    issuer = official.Authority(
        masthead=authority or office_name,
        signature=authority or office_name,
        seal_owner=authority or office_name,
    )
    us = "我局" if issuer.signature.endswith("局") else "我办"
    number = campaign.report_number or REPORT_DRAFT_NUMBER
    doc = official.new_document(mark="" if campaign.report_number else "草稿")
    official.masthead(doc, issuer, number)
    title = f"关于{campaign.year}年度行政执法案卷评查情况的通报"
    official.title(doc, title)
    para = official.para
    para(doc, "各有关单位：", indent=False)
    scored = sum(n for _, n in grades)
    para(
        doc,
        f"根据工作安排，{us}组织开展了“{campaign.title}”。本次评查按照《{campaign.rubric.label}》，"
        f"从 {len(campaign.units)} 个单位报送的 {progress['pool']} 卷案卷中随机抽取 {progress['sampled']} 卷，"
        f"采取交叉评查方式，每卷由 {campaign.reviewers_per_file} 名非本单位评查人员独立评分，"
        f"取平均分为最终得分。现将评查情况通报如下：",
    )
    para(doc, "一、总体情况", face=official.HEITI)
    grade_text = "，".join(f"{label} {n} 卷" for label, n in grades)
    unsettled = progress.get("unsettled", 0)
    para(
        doc,
        f"本次共评查案卷 {scored} 卷，平均得分 {scoring_text(overall) or '—'} 分。其中{grade_text}。"
        f"评为优秀案卷 {len(excellent)} 卷。"
        + (f"另有 {unsettled} 卷评分分歧待裁定，未计入以上统计。" if unsettled else ""),
    )
    para(doc, "二、各单位得分情况", face=official.HEITI)
    _table(
        doc,
        ["序号", "单位", "评查卷数", "平均得分", "优秀案卷"],
        [
            [n, name, files, scoring_text(avg), exc]
            for n, (_uid, name, files, avg, exc) in enumerate(averages, 1)
        ],
    )
    para(doc, "三、存在的主要问题", face=official.HEITI)
    if common:
        for n, (category, text, files, _times, _points) in enumerate(common, start=1):
            para(doc, f"{n}. {text}（{category}，涉及 {files} 卷）。")
    else:
        para(doc, "本次评查未发现共性问题。")
    para(doc, "四、优秀案卷", face=official.HEITI)
    if excellent:
        for f in excellent:
            para(doc, f"{f.unit.name}：{f.case_number}《{f.title}》（{scoring_text(f.final_score)} 分）")
    else:
        para(doc, "本次评查未评出优秀案卷。")
    if failed:
        para(doc, "五、不合格案卷", face=official.HEITI)
        for f in failed:
            para(doc, f"{f.unit.name}：{f.case_number}《{f.title}》（{scoring_text(f.final_score)} 分）")
    para(doc, "六、工作要求" if failed else "五、工作要求", face=official.HEITI)
    para(
        doc,
        "各单位要对照本通报及本单位案卷的扣分情况，逐项分析原因，举一反三，认真整改，"
        f"并将整改情况书面报送{us}。对评查中发现的问题，{us}将纳入执法监督跟踪督办。",
    )
    day = campaign.report_date or today
    official.signature(doc, issuer, day, zh_date(day))
    official.colophon(doc, cc="", printer=issuer.signature, printed=zh_date(day))
    doc.core_properties.title = title
    doc.core_properties.author = issuer.signature
    return official.save(doc)
