"""No export turns a user's text into a live formula.

The demo district is loaded, every user-writable text column is overwritten with formula-like text,
and every spreadsheet the app offers (found in the URL map, so a new one cannot be forgotten) is
downloaded and read back: no cell is a formula, the hostile texts are there unchanged as text, and
numbers are still numbers.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import String, case, cast, func, select, update

from supervision.exports.sheets import append_row, csv_text, put, set_cell
from supervision.extensions import db
from supervision.models import (
    AssessmentRound,
    CaseFile,
    Finding,
    Framework,
    Indicator,
    Notice,
    ReviewCampaign,
    Rubric,
    SupervisionTask,
    User,
)
from supervision.tabular import read_rows

PAYLOADS = ['=HYPERLINK("http://x","y")', "=1+1", "+1", "-1+2", "@SUM(1)", "\t=1", "\r=1"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Every text column a user can write (by a form, an import or an upload) that an export may show.
USER_TEXT = {
    "unit": ["name", "short_name"],
    "user": ["display_name"],
    "notice_kind": ["name"],
    "finding": ["category", "description", "legal_basis", "dismiss_reason"],
    "supervision_task": ["title", "basis", "description"],
    "notice": ["doc_number", "title", "void_reason", "intro", "requirements"],
    "notice_item": ["requirement"],
    "review_campaign": ["title"],
    "rubric": ["name", "note"],
    "rubric_item": ["text", "guidance"],
    "case_file": ["case_number", "title", "handlers", "case_type"],
    "review_deduction": ["note"],
    "framework": ["name", "description"],
    "indicator": ["code", "text", "method", "responsible"],
    "assessment_round": ["title"],
    "indicator_score": ["explanation", "comment"],
    "roadmap_item": ["measure", "owner", "progress"],
}


def _poison() -> None:
    """Each row's column gets a payload (rotating over rows and columns) and its id, to stay unique."""
    for offset, (table_name, columns) in enumerate(USER_TEXT.items()):
        table = db.metadata.tables[table_name]
        values = {}
        for shift, name in enumerate(columns):
            column = table.c[name]
            limit = getattr(column.type, "length", None) or 10_000
            fitting = [p for p in PAYLOADS if len(p) + 8 <= limit]
            pick = (table.c.id + offset + shift) % len(fitting)
            payload = case(*((pick == n, p) for n, p in enumerate(fitting)))
            values[name] = payload + " " + cast(table.c.id, String)
        db.session.execute(update(table).values(values))
    db.session.commit()


def _export_urls() -> dict[str, str]:
    first = {
        model: db.session.scalar(select(model.id).order_by(model.id))
        for model in (SupervisionTask, ReviewCampaign, Rubric, Framework, AssessmentRound)
    }
    campaign = db.session.scalar(
        select(CaseFile.campaign_id).where(CaseFile.sampled.is_(True), CaseFile.final_score.is_not(None))
    )
    task = db.session.scalar(select(Finding.task_id).where(Finding.task_id.is_not(None)))
    finding_year = db.session.scalar(select(func.max(SupervisionTask.year)))
    notice_year = db.session.scalar(select(func.max(Notice.year)))
    review_year = db.session.scalar(select(ReviewCampaign.year).where(ReviewCampaign.id == campaign))
    assert all(first.values()) and campaign and task
    return {
        "admin.units_template": "/admin/units/import/template.xlsx",
        "admin.users_template": "/admin/users/import/template.xlsx",
        "tasks.ledger": f"/tasks/{task}/ledger.xlsx",
        "notices.register_export": "/notices/register.xlsx",
        "reviews.casefiles_template": f"/reviews/campaigns/{first[ReviewCampaign]}/import/template.xlsx",
        "reviews.campaign_results_xlsx": f"/reviews/campaigns/{campaign}/results.xlsx",
        "reviews.rubric_export": f"/reviews/rubrics/{first[Rubric]}/export.xlsx",
        "scorecards.framework_template": "/scorecards/frameworks/template.xlsx",
        "scorecards.framework_export": f"/scorecards/frameworks/{first[Framework]}/export.xlsx",
        "scorecards.office_export": "/scorecards/office/export.xlsx",
        "scorecards.roadmap_export": "/scorecards/roadmap/export.xlsx",
        "registers.findings": f"/registers/findings.xlsx?year={finding_year}",
        "registers.rectification": f"/registers/rectification.xlsx?year={notice_year}",
        "registers.reviews": f"/registers/reviews.xlsx?year={review_year}",
        "registers.assessments": f"/registers/assessments.xlsx?round={first[AssessmentRound]}",
    }


def _cells(data: bytes):
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            yield from row


def test_no_export_holds_a_live_formula(app, client):
    from supervision.demo import seed_demo

    assert seed_demo()
    _poison()
    urls = _export_urls()
    spreadsheets = {
        rule.endpoint for rule in app.url_map.iter_rules() if ".xlsx" in rule.rule or "<fmt>" in rule.rule
    }
    assert spreadsheets == set(urls), "a spreadsheet export without a case here"
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    lead = db.session.scalar(select(User).where(User.username == "lead"))
    with_user_text = 0
    for endpoint, url in urls.items():
        client.login_user(admin if endpoint.startswith("admin.") else lead)
        response = client.get(url)
        assert response.status_code == 200, url
        cells = list(_cells(response.data))
        formulas = [c.coordinate for c in cells if c.data_type == "f"]
        assert not formulas, f"{url}: formulas in {formulas[:5]}"
        hostile = [c for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)]
        for cell in hostile:
            assert cell.data_type == "s" and cell.quotePrefix, (url, cell.coordinate)
        if "template" not in endpoint:
            assert any(c.value.startswith(tuple(PAYLOADS)) for c in hostile), f"{url}: no hostile text"
            # Row numbers, scores, points and dates are still numbers.
            assert any(c.data_type in ("n", "d") and c.value is not None for c in cells), url
            with_user_text += 1
    assert with_user_text == 11


def test_numbers_stay_numbers_and_texts_unchanged():
    wb = Workbook()
    ws = wb.active
    append_row(ws, ["=1+1", 3, -1.5, "-", "正常文字"])
    put(ws, 2, 1, "@SUM(1)")
    set_cell(ws.cell(2, 2), 0)
    out = io.BytesIO()
    wb.save(out)
    back = load_workbook(io.BytesIO(out.getvalue())).active
    assert [c.value for c in back[1]] == ["=1+1", 3, -1.5, "-", "正常文字"]
    assert [c.data_type for c in back[1][:3]] == ["s", "n", "n"]
    assert back["A2"].value == "@SUM(1)" and back["A2"].quotePrefix
    assert back["B2"].value == 0 and back["B2"].data_type == "n"
    assert not back["E1"].quotePrefix


def test_csv_export_guards_formula_text_and_imports_it_back_unchanged():
    out = io.StringIO()
    csv.writer(out).writerow([csv_text(v) for v in ["编码", "=1+1", "-1", "@x", "1.5", None]])
    assert out.getvalue().strip() == "编码,'=1+1,'-1,'@x,1.5,"
    from werkzeug.datastructures import FileStorage

    upload = FileStorage(io.BytesIO(("a,b,c,d,e,f\n" + out.getvalue()).encode()), filename="x.csv")
    [(_, row)] = read_rows(upload, required=["a"])
    assert list(row.values()) == ["编码", "=1+1", "-1", "@x", "1.5", ""]


def test_framework_csv_export_has_no_formula_text(client, login_as):
    from tests.factories import make_framework

    framework = make_framework()
    db.session.execute(
        update(Indicator).where(Indicator.framework_id == framework.id).values(text=PAYLOADS[0])
    )
    db.session.commit()
    login_as("lead")
    data = client.get(f"/scorecards/frameworks/{framework.id}/export.csv").data.decode("utf-8-sig")
    fields = [f for row in csv.reader(io.StringIO(data)) for f in row]
    assert '\'=HYPERLINK("http://x","y")' in fields
    assert not [f for f in fields if f.startswith(FORMULA_STARTS)]
