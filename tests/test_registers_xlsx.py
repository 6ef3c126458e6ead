"""The .xlsx registers as an office files them: real date cells, an autofilter, rows tall enough for
their text, numbers as numbers, the 填表人 line, drop-downs in the import templates, and Chinese
whatever the reader's interface language."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from markupsafe import Markup
from openpyxl import Workbook, load_workbook
from openpyxl.utils import column_index_from_string

from supervision.exports.sheets import (
    DATA,
    DATE_FORMAT,
    DATE_WIDTH,
    SIGNATURE_LINE,
    Book,
    register_sheet,
    set_cell,
    text_lines,
    write_value,
)
from supervision.extensions import db
from supervision.models import Notice, NoticeItem, RoadmapItem
from supervision.services import frameworks as framework_svc

from .factories import (
    FindingFactory,
    NoticeKindFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
    make_framework,
)

FOUND = date(2026, 4, 13)
ENGLISH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b|[A-Za-z]{4,}")


def _book(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.data))


def _texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def _width(ws, letter: str) -> float | None:
    """The width of column `letter`, also where the file gives it for a run of columns (<col min max>,
    which openpyxl reads as one dimension under the run's first letter)."""
    index = column_index_from_string(letter)
    for dimension in ws.column_dimensions.values():
        if dimension.min and dimension.max and dimension.min <= index <= dimension.max:
            return dimension.width
    return None


def _data_rows(ws, first: int) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=first, values_only=True) if isinstance(r[0], int)]


@pytest.fixture
def world():
    unit = UnitFactory(name="横街镇人民政府", short_name="横街镇", kind="town")
    task = TaskFactory(kind="special", status="active", year=2026, title="行政执法三项制度专项督察")
    long_text = "未按规定履行告知程序，" * 12
    findings = [
        FindingFactory(task=task, unit=unit, status="open", found_on=FOUND, description=long_text),
        FindingFactory(task=task, unit=unit, status="open", found_on=date(2026, 3, 2), description="短"),
    ]
    kind = NoticeKindFactory(name="执法监督通知书", prefix="海法督")
    notice = Notice(
        kind=kind,
        unit=unit,
        title="关于横街镇整改的通知",
        status="issued",
        doc_prefix="海法督",
        doc_number="海法督〔2026〕1号",
        year=2026,
        seq=1,
        issue_date=date(2026, 12, 28),
        deadline=date(2027, 1, 29),
        acknowledged_at=datetime(2026, 12, 28, 17, 0, tzinfo=UTC),  # 12月29日 in Beijing
    )
    db.session.add(notice)
    db.session.flush()
    db.session.add(
        NoticeItem(
            notice_id=notice.id, finding_id=findings[1].id, seq=1, requirement="限期整改", status="pending"
        )
    )
    db.session.commit()
    english_lead = UserFactory(role="lead", unit=None, locale="en")
    return {"unit": unit, "task": task, "findings": findings, "notice": notice, "lead": english_lead}


# --- the cell writer ---------------------------------------------------------------------------


def test_set_cell_writes_dates_as_date_cells_with_the_chinese_format():
    ws = Workbook().active
    day = set_cell(ws["A1"], date(2026, 4, 13))
    assert day.number_format == DATE_FORMAT and day.data_type == "d"
    # an aware datetime is the day in Beijing (16:30 UTC is the next morning there)
    moment = set_cell(ws["A2"], datetime(2026, 4, 13, 16, 30, tzinfo=UTC))
    assert moment.value == date(2026, 4, 14)
    assert set_cell(ws["A3"], "=1+1").data_type == "s"  # the formula guard still holds
    assert set_cell(ws["A4"], 7.5).number_format == "General"


def test_text_lines_counts_wide_characters_twice():
    assert text_lines("短", 10) == 1
    assert text_lines("字" * 20, 11.5) == 4  # 40 units in lines of 10
    assert text_lines("a" * 20, 11.5) == 2
    assert text_lines("一\n二\n三", 30) == 3
    assert text_lines(12345, 3) == 1


def test_register_sheet_filter_heights_and_signature():
    book = Book()
    columns = [("序号", 6), ("内容", 12), ("日期", 10)]
    rows = iter([[1, "字" * 40, FOUND], [2, "短", None]])  # streamed: any iterable of rows
    register_sheet(book.sheet("台账"), "标题", "副标题", columns, rows, signed=True)
    ws = load_workbook(io.BytesIO(book.save())).active
    assert ws.auto_filter.ref == "A3:C5"
    assert ws.row_dimensions[4].height >= 8 * 14  # 80 units in lines of 10.5 → 8 lines
    assert ws.row_dimensions[5].height is None  # one line keeps the default
    assert ws["A7"].value == SIGNATURE_LINE and "A7:C7" in ws.merged_cells
    assert ws["C4"].number_format == DATE_FORMAT
    # widened: no ### for 2026年12月28日 (XlsxWriter stores the width with Excel's cell padding)
    assert DATE_WIDTH <= _width(ws, "C") < DATE_WIDTH + 1
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"
    # one page wide (1 is the file format's default, which XlsxWriter leaves unwritten), any number high
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.paperSize == 9


# Every kind of value an export writes, and the texts XlsxWriter escapes or marks.
ROW_VALUES = [
    1,
    2.5,
    10**17,
    -0.1,
    True,
    None,
    "",
    "正常文字",
    "=1+1",
    "\t=1",
    " leading space",
    "trailing space ",
    "\u3000全角空格",
    "a\nb",
    'A & B <c> "d"',
    "ctrl\x01\x1f char",
    "_x0041_ escape",
    "\ufffe\uffff",
    "字" * 40,
    FOUND,
    datetime(2026, 4, 13, 16, 30, tzinfo=UTC),
    datetime(2026, 4, 13, 10, 0),
    Decimal("3.50"),
    Markup("<b>标记</b>"),
]


def _sheet_xml(build) -> str:
    book = Book()
    build(book)
    with zipfile.ZipFile(io.BytesIO(book.save())) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode() + archive.read("xl/styles.xml").decode()


def test_a_row_is_written_as_xlsxwriter_writes_it_cell_by_cell():
    """`Sheet.row` writes a row's XML itself (the exports' hot loop): byte for byte what XlsxWriter
    writes for the same cells through `write_value`, formats numbered in the same order."""

    def build(book, *, by_row: bool) -> None:
        sheet = book.sheet("台账")
        left, centre = book.style(DATA, align="left"), book.style(DATA, align="center")
        styles = [left if col % 2 else centre for col in range(len(ROW_VALUES))]
        sheet.merged(0, 5, "标题", book.style(DATA, bold=True), height=30)
        for row in (1, 2, 4):
            sheet.fit_height(row, ROW_VALUES, [10] * len(ROW_VALUES))
            if by_row:
                sheet.row(row, ROW_VALUES, styles)
            else:
                for col, value in enumerate(ROW_VALUES):
                    write_value(sheet.ws, row, col, value, styles[col])
        sheet.signature_block(6, 5)
        sheet.done()

    assert _sheet_xml(lambda book: build(book, by_row=True)) == _sheet_xml(
        lambda book: build(book, by_row=False)
    )


def test_a_row_after_cells_written_one_by_one_and_a_row_written_twice():
    book = Book()
    sheet = book.sheet("台账")
    sheet.write(0, 2, "先写")
    sheet.row(0, ["同一行"])  # a cell of this row is waiting: cell by cell, into the same row
    sheet.row(1, ["一", 2])
    sheet.row(1, ["again"])  # a written row cannot change (as XlsxWriter refuses earlier rows)
    sheet.row(2, ["二", 3])
    ws = load_workbook(io.BytesIO(book.save())).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values == [["同一行", None, "先写"], ["一", 2, None], ["二", 3, None]]


def test_a_text_shaped_like_rich_text_xml_stays_text():
    """XlsxWriter copies a text `<r>…</r>` into the file as rich-text XML (a `&` in it breaks the
    file); the register's rows write it as the text it is."""
    book = Book()
    register_sheet(
        book.sheet("台账"), "<r>A&B</r>", "副标题", [("内容", 20)], iter([["<r>&</r>"], ["<r><t>x</t></r>"]])
    )
    ws = load_workbook(io.BytesIO(book.save())).active
    assert [ws["A4"].value, ws["A5"].value] == ["<r>&</r>", "<r><t>x</t></r>"]
    assert str(ws["A1"].value) == "<r>A&B</r>"  # the merged title goes through the cell writer


# --- the registers, for a reader with the English interface -----------------------------------


def test_findings_register_has_date_cells_filter_signature_and_is_chinese(client, world):
    client.login_user(world["lead"])
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)  # the interface is English
    ws = _book(client.get("/registers/findings.xlsx?year=2026")).active
    rows = _data_rows(ws, 4)
    assert len(rows) == 2
    found = {r[8] for r in rows}
    assert found == {datetime(2026, 4, 13), datetime(2026, 3, 2)}  # openpyxl reads real dates back
    assert ws.cell(4, 9).number_format == DATE_FORMAT
    assert ws.auto_filter.ref == "A3:K5"
    assert {r[9] for r in rows} == {"待处理"}
    tall = next(r for r in range(4, 6) if len(ws.cell(r, 6).value) > 10)
    assert ws.row_dimensions[tall].height > 28
    assert any(t == SIGNATURE_LINE for t in _texts(ws))
    assert "导出日期：" in ws["A2"].value and "年" in ws["A2"].value.split("导出日期：")[1]
    english = [t for t in _texts(ws) if ENGLISH.search(t)]
    assert english == []


def test_rectification_register_dates_are_dates_in_beijing(client, world):
    client.login_user(world["lead"])
    ws = _book(client.get("/registers/rectification.xlsx?year=2026")).active
    (row,) = _data_rows(ws, 4)
    assert row[6] == datetime(2026, 12, 28) and row[7] == datetime(2027, 1, 29)
    assert row[8] == datetime(2026, 12, 29)  # acknowledged at 17:00 UTC
    assert all(ws.cell(4, c).number_format == DATE_FORMAT for c in (7, 8, 9))
    assert isinstance(row[12], int)  # 退回次数 a number
    assert ws.auto_filter.ref == "A3:O4"
    assert [t for t in _texts(ws) if ENGLISH.search(t)] == []


def test_notice_register_date_columns_are_wide_enough(client, world):
    client.login_user(world["lead"])
    ws = _book(client.get("/notices/register.xlsx?year=2026")).active
    assert ws["E3"].value == datetime(2026, 12, 28) and ws["E3"].number_format == DATE_FORMAT
    # "2026年12月28日" in 仿宋 11 pt: 4 digits + 年 + 2 + 月 + 2 + 日 ≈ 14 units plus padding
    assert _width(ws, "E") >= 16 and _width(ws, "F") >= 16
    assert ws.auto_filter.ref == "A2:I3"
    assert ws["A5"].value == SIGNATURE_LINE
    assert ws["H3"].value == "已下发"


def test_task_ledger_dates_and_chinese_status(client, world):
    client.login_user(world["lead"])
    ws = _book(client.get(f"/tasks/{world['task'].id}/ledger.xlsx")).active
    rows = _data_rows(ws, 4)
    assert {r[7] for r in rows} == {datetime(2026, 4, 13), datetime(2026, 3, 2)}
    assert {r[8] for r in rows} == {"待处理"}
    assert ws.auto_filter.ref == "A3:I5" and ws["A7"].value == SIGNATURE_LINE
    assert [t for t in _texts(ws) if ENGLISH.search(t)] == []


def test_roadmap_due_dates_are_dates(client, world):
    framework = make_framework()
    indicator = framework.indicators[-1]
    db.session.add(
        RoadmapItem(
            unit_id=world["unit"].id,
            year=2026,
            indicator_id=indicator.id,
            measure="完善制度",
            owner="张三",
            due_date=date(2026, 10, 31),
        )
    )
    db.session.commit()
    client.login_user(world["lead"])
    ws = _book(client.get("/scorecards/roadmap/export.xlsx")).active
    (row,) = _data_rows(ws, 4)
    assert row[7] == datetime(2026, 10, 31) and ws["H4"].number_format == DATE_FORMAT
    assert ws["A6"].value == SIGNATURE_LINE
    assert [t for t in _texts(ws) if ENGLISH.search(t) and "（" not in t] == []


def test_framework_export_points_are_numbers_with_a_filter(client, world):
    framework = make_framework()
    client.login_user(world["lead"])
    ws = _book(client.get(f"/scorecards/frameworks/{framework.id}/export.xlsx")).active
    points = [ws.cell(r, 5).value for r in range(2, ws.max_row + 1)]
    assert points and all(isinstance(p, int | float) for p in points if p is not None)
    assert ws.auto_filter.ref == f"A1:H{ws.max_row}"
    assert framework_svc.FRAMEWORK_COLUMNS[4] == "分值"


# --- import templates ----------------------------------------------------------------------------


def _validation_for(ws, column: str) -> tuple:
    """(the allowed values, errorStyle) of the list validation that covers `column`2."""
    wb = ws.parent
    for dv in ws.data_validations.dataValidation:
        if any(f"{column}2" in str(r) or r.min_col == ord(column) - 64 for r in dv.sqref.ranges):
            sheet, cells = dv.formula1.split("!")
            lists = wb[sheet.strip("'")]
            letter = re.match(r"\$([A-Z]+)\$", cells).group(1)
            values = [c.value for c in lists[letter] if c.value is not None]
            return values, dv.errorStyle or "stop"  # stop is the file format's default (unwritten)
    raise AssertionError(f"no validation on column {column}")


def test_import_templates_have_drop_downs_for_coded_columns(client, login_as, world):
    login_as("admin")
    ws = _book(client.get("/admin/users/import/template.xlsx")).active
    roles, style = _validation_for(ws, "C")
    assert "督察员" in roles and "单位联络员" in roles and style == "stop"
    units, style = _validation_for(ws, "D")
    assert "横街镇人民政府" in units and style == "warning"
    assert ws.parent["选项"].sheet_state == "hidden"

    ws = _book(client.get("/admin/units/import/template.xlsx")).active
    kinds, _ = _validation_for(ws, "C")
    assert set(kinds) == {"区政府", "部门", "镇乡街道"}

    ws = _book(client.get("/scorecards/frameworks/template.xlsx")).active
    combos, style = _validation_for(ws, "G")
    assert "区政府、部门" in combos and len(combos) == 7 and style == "warning"


def test_case_file_template_has_a_case_type_drop_down(client, login_as, world):
    from supervision.models import ReviewCampaign, Rubric
    from supervision.models.reviews import CASE_TYPES

    rubric = Rubric(name="默认标准")
    db.session.add(rubric)
    db.session.flush()
    campaign = ReviewCampaign(year=2026, title="2026年度案卷评查", rubric_id=rubric.id, status="collecting")
    campaign.units.append(world["unit"])
    db.session.add(campaign)
    db.session.commit()
    login_as("lead")
    ws = _book(client.get(f"/reviews/campaigns/{campaign.id}/import/template.xlsx")).active
    types, style = _validation_for(ws, "C")
    assert types == list(CASE_TYPES) and style == "stop"


def test_rubric_export_is_a_plain_import_sheet_with_veto_choices(app, world):
    from supervision.exports.reviews import rubric_xlsx
    from supervision.models import Rubric, RubricItem

    rubric = Rubric(name="默认标准", categories=[{"name": "实体", "max": 100}])
    db.session.add(rubric)
    db.session.flush()
    db.session.add(RubricItem(rubric_id=rubric.id, category="实体", text="认定事实清楚", max_points=10))
    db.session.commit()
    wb = load_workbook(io.BytesIO(rubric_xlsx(rubric)))
    items = wb["评查项目"]
    assert items["A1"].value == "类别" and items["A2"].value == "实体"
    assert items.auto_filter.ref == "A1:E2"
    veto, style = _validation_for(items, "E")
    assert veto == ["是", "否"] and style == "stop"


def test_review_results_register_dates_scores_and_signature(client, world):
    from supervision.models import CaseFile, ReviewCampaign, Rubric

    rubric = Rubric(name="默认标准")
    db.session.add(rubric)
    db.session.flush()
    campaign = ReviewCampaign(year=2026, title="2026年度案卷评查", rubric_id=rubric.id, status="published")
    db.session.add(campaign)
    db.session.flush()
    db.session.add(
        CaseFile(
            campaign_id=campaign.id,
            unit_id=world["unit"].id,
            case_number="海综执罚〔2026〕1号",
            case_type="行政处罚",
            title="某案",
            sampled=True,
            decision_date=date(2026, 5, 6),
            grade="优秀",
            final_score=95.5,
        )
    )
    db.session.commit()
    client.login_user(world["lead"])
    ws = _book(client.get("/registers/reviews.xlsx?year=2026")).active
    (row,) = _data_rows(ws, 4)
    assert row[6] == datetime(2026, 5, 6) and ws["G4"].number_format == DATE_FORMAT
    assert ws.auto_filter.ref == "A3:J4" and ws["A6"].value == SIGNATURE_LINE
    assert [t for t in _texts(ws) if ENGLISH.search(t)] == []
