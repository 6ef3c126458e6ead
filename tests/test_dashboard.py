"""The dashboard's and the annual report's figures equal counts computed here from the
records; search is scoped by role; the registers read back; query counts stay fixed."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from docx import Document
from openpyxl import load_workbook

from supervision.audit import record_event
from supervision.calendar import load_calendar, working_days_between
from supervision.extensions import db
from supervision.figures import year_figures
from supervision.formatting import local_today
from supervision.models import (
    Assessment,
    AssessmentRound,
    CaseFile,
    Escalation,
    Finding,
    Framework,
    Notice,
    NoticeItem,
    ReviewCampaign,
    Rubric,
    SupervisionTask,
)

from .conftest import count_queries
from .factories import (
    FindingFactory,
    NoticeKindFactory,
    TaskFactory,
    TaskInspectorFactory,
    UnitFactory,
    UserFactory,
)

TODAY = local_today()
YEAR = TODAY.year


def _notice(kind, unit, status, *, seq, year=YEAR, deadline=None, issue=None, closed=None, statuses=()):
    notice = Notice(
        kind=kind,
        unit=unit,
        title=f"关于{unit.name}整改的通知",
        status=status,
        doc_prefix=kind.prefix if status != "draft" else None,
        doc_number=f"{kind.prefix}〔{year}〕{seq}号" if status != "draft" else None,
        year=year if status != "draft" else None,
        seq=seq if status != "draft" else None,
        issue_date=issue or date(year, 3, 2),
        deadline=deadline or date(year, 4, 1),
        closed_at=closed,
    )
    db.session.add(notice)
    db.session.flush()
    for n, item_status in enumerate(statuses, start=1):
        finding = FindingFactory(task=None, unit=unit, status="noticed", found_on=date(year, 2, 1))
        db.session.add(
            NoticeItem(
                notice_id=notice.id, finding_id=finding.id, seq=n, requirement="限期整改", status=item_status
            )
        )
    db.session.commit()
    return notice


@pytest.fixture
def world():
    """A year of records across every area, plus some of the year before that must not count."""
    a = UnitFactory(name="横街镇人民政府", short_name="横街镇", kind="town")
    b = UnitFactory(name="海曙区综合行政执法局", short_name="区综合行政执法局")
    inspector = UserFactory(role="inspector", username="insp", unit=a)
    lead = UserFactory(role="lead", username="boss", unit=None)
    liaison_a = UserFactory(role="liaison", username="lia", unit=a)
    liaison_b = UserFactory(role="liaison", username="lib", unit=b)

    t1 = TaskFactory(kind="special", status="active", year=YEAR, title="行政执法三项制度专项督察")
    t2 = TaskFactory(kind="monitor", status="closed", year=YEAR, title="涉企检查专项监督")
    TaskFactory(kind="special", status="draft", year=YEAR, title="草稿任务")
    TaskFactory(kind="special", status="closed", year=YEAR - 1, title="去年的任务")
    TaskInspectorFactory(task=t1, user=inspector, is_leader=True)

    specs = [  # category, severity, status, task, unit
        ("程序", "serious", "open", t1, a),
        ("程序", "normal", "open", t1, b),
        ("证据", "major", "resolved", t1, a),
        ("文书", "normal", "dismissed", t2, b),
        ("主体", "serious", "open", t2, b),
    ]
    for category, severity, status, task, unit in specs:
        FindingFactory(
            task=task,
            unit=unit,
            inspector=inspector,
            category=category,
            severity=severity,
            status=status,
            found_on=date(YEAR, 3, 1),
            description=f"{category}问题：告知程序缺失",
        )
    FindingFactory(
        task=t1, unit=a, inspector=inspector, found_on=date(YEAR - 1, 12, 30), description="去年的问题"
    )

    k1 = NoticeKindFactory(name="执法监督通知书", prefix="海法督")
    k2 = NoticeKindFactory(name="督察意见书", prefix="海法督意")
    past = TODAY - timedelta(days=10)
    future = TODAY + timedelta(days=30)
    n_over = _notice(
        k1, a, "issued", seq=1, deadline=past, issue=date(YEAR, 1, 5), statuses=("pending", "submitted")
    )
    _notice(
        k1,
        b,
        "acknowledged",
        seq=2,
        deadline=future,
        issue=date(YEAR, 1, 6),
        statuses=("accepted", "returned"),
    )
    closed_at = datetime(YEAR, 2, 27, 8, 0, tzinfo=UTC)
    _notice(k2, a, "closed", seq=1, issue=date(YEAR, 2, 2), closed=closed_at, statuses=("accepted",))
    _notice(k1, b, "voided", seq=3, statuses=("pending",))
    _notice(k1, a, "draft", seq=0, statuses=("pending",))
    _notice(
        k1,
        a,
        "closed",
        seq=9,
        year=YEAR - 1,
        issue=date(YEAR - 1, 5, 5),
        closed=datetime(YEAR - 1, 6, 1, tzinfo=UTC),
        statuses=("accepted",),
    )
    db.session.add(Escalation(notice_id=n_over.id, kind="interview", on_date=TODAY, note="约谈主要负责人"))

    rubric = Rubric(name="默认标准")
    db.session.add(rubric)
    db.session.flush()
    campaign = ReviewCampaign(year=YEAR, title=f"{YEAR}年度案卷评查", rubric_id=rubric.id, status="published")
    old = ReviewCampaign(year=YEAR - 1, title="去年的评查", rubric_id=rubric.id, status="published")
    db.session.add_all([campaign, old])
    db.session.flush()
    files = [
        ("优秀", 95.0, True),
        ("优秀", 92.0, False),
        ("良好", 85.0, False),
        ("不合格", 0.0, False),
        (None, None, False),
    ]
    for n, (grade, score, excellent) in enumerate(files):
        db.session.add(
            CaseFile(
                campaign_id=campaign.id,
                unit_id=(a if n % 2 else b).id,
                case_number=f"海综执罚〔{YEAR}〕{n + 1}号",
                case_type="行政处罚",
                title=f"案件{n}",
                sampled=True,
                grade=grade,
                final_score=score,
                excellent=excellent,
            )
        )
    db.session.add(
        CaseFile(
            campaign_id=old.id,
            unit_id=a.id,
            case_number="旧案1号",
            case_type="行政处罚",
            title="旧案",
            sampled=True,
            grade="优秀",
            final_score=96,
            excellent=True,
        )
    )
    framework = Framework(name="示例指标体系")
    db.session.add(framework)
    db.session.flush()
    round_ = AssessmentRound(year=YEAR, framework_id=framework.id, title=f"{YEAR}年度示范创建指标评估")
    db.session.add(round_)
    db.session.flush()
    db.session.add_all(
        [
            Assessment(round_id=round_.id, unit_id=a.id, status="draft"),
            Assessment(round_id=round_.id, unit_id=b.id, status="submitted"),
        ]
    )
    db.session.commit()
    return {
        "a": a,
        "b": b,
        "inspector": inspector,
        "lead": lead,
        "liaison_a": liaison_a,
        "liaison_b": liaison_b,
        "closed_at": closed_at,
    }


def _expected(world):
    """The year's figures counted here in Python from the rows, independently of figures.py."""
    findings = [f for f in db.session.query(Finding).all() if f.found_on.year == YEAR]
    notices = [n for n in db.session.query(Notice).all() if n.year == YEAR and n.doc_number]
    live = [n for n in notices if n.status != "voided"]
    items = [i for n in live for i in n.items]
    files = [
        f for f in db.session.query(CaseFile).all() if f.campaign.year == YEAR and f.final_score is not None
    ]
    closed = [n for n in notices if n.status == "closed"]
    calendar = load_calendar(*(n.issue_date for n in closed), margin_years=0)
    spans = [working_days_between(n.issue_date, n.closed_at.astimezone().date(), calendar) for n in closed]
    tasks = [t for t in db.session.query(SupervisionTask).all() if t.year == YEAR and t.status != "draft"]
    return {
        "tasks_run": len(tasks),
        "findings": len([f for f in findings if f.status != "dismissed"]),
        "serious": len([f for f in findings if f.severity == "serious" and f.status != "dismissed"]),
        "issued": len(notices),
        "closed": len(closed),
        "open": len([n for n in notices if n.status in ("issued", "acknowledged")]),
        "overdue": len([n for n in notices if n.status in ("issued", "acknowledged") and n.deadline < TODAY]),
        "items": len(items),
        "accepted": len([i for i in items if i.status == "accepted"]),
        "files": len(files),
        "excellent": len([f for f in files if f.excellent]),
        "grade_you": len([f for f in files if f.grade == "优秀"]),
        "close_max": max(spans),
    }


def test_year_figures_equal_independent_counts(world):
    expected = _expected(world)
    fig = year_figures(world["lead"], YEAR, TODAY)
    assert fig.tasks_run == expected["tasks_run"] == 2
    assert fig.tasks_by_kind == {"special": 1, "monitor": 1}
    assert fig.findings_total - fig.findings_by_status["dismissed"] == expected["findings"]
    assert fig.findings_by_severity["serious"] == expected["serious"] == 2
    assert fig.findings_matrix["程序"]["serious"] == 1
    assert fig.notices_issued == expected["issued"] == 4
    assert fig.notices_closed == expected["closed"] == 1
    assert fig.notices_open == expected["open"] == 2
    assert fig.notices_overdue == expected["overdue"] == 1
    assert fig.notices_voided == 1
    assert dict((name, n) for _, name, n in fig.notices_by_kind) == {"执法监督通知书": 3, "督察意见书": 1}
    assert (fig.items_total, fig.items_accepted) == (expected["items"], expected["accepted"]) == (5, 2)
    assert fig.rectification_rate == 40.0
    assert fig.close_days_max == expected["close_max"]
    assert fig.escalations == {"约谈": 1}
    assert fig.files_reviewed == expected["files"] == 4
    assert fig.files_excellent == expected["excellent"] == 1
    assert fig.files_by_grade["优秀"] == expected["grade_you"] == 2
    assert fig.assessments_by_status == {"draft": 1, "submitted": 1}


def test_dashboard_page_shows_the_figures_and_links(client, world):
    client.login_user(world["lead"])
    html = client.get(f"/dashboard/?year={YEAR}").get_data(as_text=True)
    expected = _expected(world)

    def figure(name: str) -> int:
        block = html.split(f'data-figure="{name}"', 1)[1]
        return int(re.search(r'class="stat-value[^"]*">([\d.]+)', block).group(1).split(".")[0])

    assert figure("tasks_run") == expected["tasks_run"]
    assert figure("findings") == expected["findings"]
    assert figure("notices_issued") == expected["issued"]
    assert figure("notices_overdue") == expected["overdue"]
    assert figure("files_reviewed") == expected["files"]
    assert f"/notices/?year={YEAR}&amp;overdue=1" in html
    assert f"/tasks/findings?year={YEAR}&amp;category=" in html
    # The links lead to lists that show the same counts.
    overdue_list = client.get(f"/notices/?year={YEAR}&overdue=1").get_data(as_text=True)
    assert overdue_list.count("海法督〔") == expected["overdue"]


def test_annual_report_page_and_docx(client, world):
    client.login_user(world["lead"])
    html = client.get(f"/dashboard/annual?year={YEAR}").get_data(as_text=True)
    assert "专项督察1次、专项监督1次（合计2项）" in html
    assert "执法监督通知书3份、督察意见书1份" in html
    assert "整改完成率40%" in html
    assert "评出优秀案卷1卷" in html
    response = client.get(f"/dashboard/annual.docx?year={YEAR}")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    assert f"{YEAR}年度法治督察与行政执法监督工作情况" in text
    assert "执法监督通知书3份" in text and "整改完成率40%" in text


@pytest.mark.parametrize("role", ["inspector", "liaison"])
def test_dashboard_is_for_leads(client, world, role):
    client.login_user(world["inspector"] if role == "inspector" else world["liaison_a"])
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/annual.docx").status_code == 403


def test_search_is_scoped_by_role(client, world):
    client.login_user(world["lead"])
    html = client.get("/search/?q=海法督").get_data(as_text=True)
    assert f"海法督〔{YEAR}〕1号" in html and f"海法督〔{YEAR}〕2号" in html

    client.login_user(world["liaison_a"])
    html = client.get("/search/?q=海法督").get_data(as_text=True)
    assert f"海法督〔{YEAR}〕1号" in html  # own unit's issued notice
    assert f"海法督〔{YEAR}〕2号" not in html  # another unit's
    assert "区综合行政执法局" not in html.split('data-testid="search-total"')[1]
    html = client.get("/search/?q=告知程序").get_data(as_text=True)
    assert 'data-testid="results-findings"' not in html  # liaisons meet findings only inside notices
    html = client.get(f"/search/?q=海综执罚〔{YEAR}〕").get_data(as_text=True)
    results = html.split('data-testid="search-total"', 1)[1]
    assert results.count("海综执罚") == 2  # only unit A's two published files (n = 1, 3)

    client.login_user(world["inspector"])
    html = client.get("/search/?q=专项").get_data(as_text=True)
    assert "行政执法三项制度专项督察" in html  # on this task
    assert "涉企检查专项监督" not in html  # not on that one


def test_registers_read_back(client, world):
    client.login_user(world["lead"])
    page = client.get(f"/registers/?year={YEAR}").get_data(as_text=True)
    assert "整改台账" in page and "指标自评汇总表" in page
    sheet = load_workbook(io.BytesIO(client.get(f"/registers/findings.xlsx?year={YEAR}").data)).active
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == len([f for f in db.session.query(Finding).all() if f.found_on.year == YEAR])
    assert sheet.cell(3, 2).value == "来源"

    sheet = load_workbook(io.BytesIO(client.get(f"/registers/rectification.xlsx?year={YEAR}").data)).active
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == 6  # every item of the year's numbered notices, the voided one included
    overdue = [r for r in rows if r[14] == "是"]
    assert {r[1] for r in overdue} == {f"海法督〔{YEAR}〕1号"}

    sheet = load_workbook(io.BytesIO(client.get(f"/registers/reviews.xlsx?year={YEAR}").data)).active
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == 5 and sum(1 for r in rows if r[9] == "是") == 1


def test_registers_are_scoped_for_liaisons(client, world):
    client.login_user(world["liaison_a"])
    assert client.get(f"/registers/findings.xlsx?year={YEAR}").status_code == 403
    sheet = load_workbook(io.BytesIO(client.get(f"/registers/rectification.xlsx?year={YEAR}").data)).active
    units = {r[3] for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)}
    assert units == {"横街镇人民政府"}
    other = world["b"].id
    assert client.get(f"/registers/rectification.xlsx?year={YEAR}&unit={other}").status_code == 404


def test_my_work_lists_open_work_soonest_first(client, world):
    client.login_user(world["liaison_a"])
    html = client.get("/").get_data(as_text=True)
    block = html.split('data-testid="my-work"', 1)[1]
    assert f"海法督〔{YEAR}〕1号" in block and "已逾期" in block
    assert "指标自评" in block
    client.login_user(world["inspector"])
    block = client.get("/").get_data(as_text=True).split('data-testid="my-work"', 1)[1]
    assert "记录问题" in block and "行政执法三项制度专项督察" in block


def _grow(n: int) -> None:
    """More of everything, so that a page's query count can be compared at two sizes."""
    kind = NoticeKindFactory(name=f"整改通知书{n}", prefix=f"海整{n}")
    units = [UnitFactory() for _ in range(3)]
    for i in range(n):
        unit = units[i % 3]
        FindingFactory(
            task=None, unit=unit, found_on=date(YEAR, 5, 1), category=["程序", "证据", "文书"][i % 3]
        )
        _notice(
            kind,
            unit,
            ["issued", "acknowledged", "closed"][i % 3],
            seq=i + 1,
            issue=date(YEAR, 4, 1),
            closed=datetime(YEAR, 5, 6, tzinfo=UTC),
            statuses=("pending", "accepted"),
        )


@pytest.mark.parametrize(
    "url", ["/dashboard/?year={y}", "/dashboard/annual?year={y}", "/", "/search/?q=整改"]
)
def test_lead_pages_run_a_fixed_number_of_queries(client, world, url):
    client.login_user(world["lead"])
    url = url.format(y=YEAR)
    client.get(url)  # warm up
    with count_queries() as small:  # count_queries empties the figures cache first
        assert client.get(url).status_code == 200
    _grow(30)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert small() == large(), (small(), large())


def test_figures_are_computed_once_per_change(client, world, monkeypatch):
    """The year's figures are cached in parts by the kinds of record each reads: a change shows at
    once, and only the part that reads the changed record is computed again."""
    import supervision.figures as figures

    calls = []
    compute = figures._compute_part
    monkeypatch.setattr(figures, "_compute_part", lambda name, *a: calls.append(name) or compute(name, *a))
    client.login_user(world["lead"])
    client.get(f"/dashboard/?year={YEAR}")
    client.get(f"/dashboard/?year={YEAR}")
    assert sorted(calls) == sorted(figures.PARTS)
    calls.clear()
    # A finding recorded through the service writes an audit event, and the figure moves.
    before = year_figures(world["lead"], YEAR, TODAY).findings_total
    task = db.session.query(SupervisionTask).filter_by(title="行政执法三项制度专项督察").one()
    task.units.append(world["b"])
    db.session.commit()
    from supervision.services.tasks import finding_create

    finding_create(
        actor=world["inspector"],
        task=task,
        data={
            "unit_id": world["b"].id,
            "category": "程序",
            "severity": "normal",
            "description": "新发现的问题",
            "legal_basis": "",
            "found_on": date(YEAR, 6, 1),
        },
    )
    assert year_figures(world["lead"], YEAR, TODAY).findings_total == before + 1
    assert calls == ["findings"]


def test_findings_register_is_filtered_like_the_list(client, world):
    client.login_user(world["lead"])
    page = client.get(f"/tasks/findings?year={YEAR}&category=程序").get_data(as_text=True)
    link = html.unescape(re.search(r'name="target" value="(/registers/findings\.xlsx[^"]*)"', page).group(1))
    assert parse_qs(urlsplit(link).query) == {"year": [str(YEAR)], "category": ["程序"]}
    sheet = load_workbook(io.BytesIO(client.get(link).data)).active
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    expected = [
        f for f in db.session.query(Finding).all() if f.found_on.year == YEAR and f.category == "程序"
    ]
    assert len(rows) == len(expected) and {r[3] for r in rows} == {"程序"}
    # Printable: bordered 宋体 cells, numbers and short codes centred, text left and wrapped.
    first = sheet["A4"], sheet["B4"]
    assert all(c.border.left.style == "thin" and c.font.name == "宋体" for c in first)
    assert [c.alignment.horizontal for c in first] == ["center", "left"] and first[1].alignment.wrap_text


def test_weakest_indicators_follow_finalization(world):
    """The roll-up is cached per round, and a newly finalized assessment refreshes it."""
    from supervision.models import Indicator, IndicatorScore

    round_ = db.session.query(AssessmentRound).one()
    area = Indicator(
        framework_id=round_.framework_id, code="1", level=1, text="领域", max_points=0, is_leaf=False
    )
    db.session.add(area)
    db.session.flush()
    leaf = Indicator(
        framework_id=round_.framework_id,
        parent_id=area.id,
        area_id=area.id,
        code="1.1.1",
        level=3,
        text="行政规范性文件报备率达100%",
        max_points=1,
    )
    db.session.add(leaf)
    db.session.flush()
    assessment = db.session.query(Assessment).filter_by(status="submitted").one()
    db.session.add(
        IndicatorScore(
            assessment_id=assessment.id, indicator_id=leaf.id, evaluated_rating="unmet", evaluated_score=0
        )
    )
    db.session.commit()
    assert year_figures(world["lead"], YEAR, TODAY).weakest == []
    assessment.status = "finalized"
    assessment.finalized_at = datetime.now(UTC)
    record_event(
        actor=world["lead"],
        action="assessment.finalize",
        record_type="assessment",
        record_id=assessment.id,
        summary="定稿",
    )  # as workflow.transition does
    db.session.commit()
    weakest = year_figures(world["lead"], YEAR, TODAY).weakest
    assert [line["indicator"].code for line in weakest] == ["1.1.1"]
    assert weakest[0]["percent"] == 0


# --- only final figures, one definition of 发现问题, one rounding rule ---------------


def _campaign_of(year: int) -> ReviewCampaign:
    return db.session.scalar(
        db.select(ReviewCampaign).where(ReviewCampaign.year == year).order_by(ReviewCampaign.id)
    )


def test_figures_count_only_final_files_and_held_campaigns(client, world):
    campaign = _campaign_of(YEAR)
    db.session.add(  # two reviewers 100 vs 84: the mean 92 is provisional until the lead settles it
        CaseFile(
            campaign_id=campaign.id,
            unit_id=world["a"].id,
            case_number="分歧1号",
            case_type="行政处罚",
            title="分歧案",
            sampled=True,
            grade="优秀",
            final_score=92.0,
            divergent=True,
        )
    )
    # A campaign that only drew its files has not been held.
    db.session.add(
        ReviewCampaign(year=YEAR, title="只抽样的评查", rubric_id=campaign.rubric_id, status="sampling")
    )
    db.session.commit()
    fig = year_figures(world["lead"], YEAR, TODAY)
    assert fig.files_by_grade["优秀"] == 2 and fig.files_reviewed == 4
    assert fig.files_unsettled == 1
    assert fig.campaigns == 1

    client.login_user(world["lead"])
    page = client.get(f"/dashboard/?year={YEAR}").get_data(as_text=True)
    assert "另有 1 卷分歧待裁定" in page and 'data-testid="figure-notes"' in page
    annual = client.get(f"/dashboard/annual?year={YEAR}").get_data(as_text=True)
    assert "组织案卷评查1次，评查案卷4卷，其中优秀2卷" in annual
    assert "另有1卷评分分歧待裁定，未计入" in annual
    sheet = load_workbook(io.BytesIO(client.get(f"/registers/reviews.xlsx?year={YEAR}").data)).active
    row = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[3] == "分歧1号")
    assert row[7] in (None, "") and row[8] == "待裁定"


def _count_findings_listed(html_text: str) -> int:
    return len(set(re.findall(r'href="/tasks/findings/(\d+)"', html_text)))


def test_findings_figure_its_list_and_register_agree(client, world):
    client.login_user(world["lead"])
    page = client.get(f"/dashboard/?year={YEAR}").get_data(as_text=True)
    block = page.split('data-figure="findings"', 1)[0].rsplit("<a ", 1)[1]
    link = html.unescape(re.search(r'href="([^"]+)"', block).group(1))
    figure = int(re.search(r'class="stat-value[^"]*">(\d+)', page.split('data-figure="findings"', 1)[1])[1])
    found = [f for f in db.session.query(Finding).all() if f.found_on.year == YEAR]
    assert figure == len(found) - 1  # one of the year's findings was dismissed
    listed = client.get(link).get_data(as_text=True)
    assert _count_findings_listed(listed) == figure
    assert 'data-testid="counted-note"' in listed
    export = html.unescape(
        re.search(r'name="target" value="(/registers/findings\.xlsx[^"]*)"', listed).group(1)
    )
    sheet = load_workbook(io.BytesIO(client.get(export).data)).active
    assert len([r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]) == figure
    # The register offered on the registers page is the same one.
    registers = client.get(f"/registers/?year={YEAR}").get_data(as_text=True)
    offered = html.unescape(
        re.search(r'name="target" value="(/registers/findings\.xlsx[^"]*)"', registers).group(1)
    )
    sheet = load_workbook(io.BytesIO(client.get(offered).data)).active
    assert len([r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]) == figure
    # The dismissed one is still one filter away.
    dismissed = client.get(f"/tasks/findings?year={YEAR}&status=dismissed").get_data(as_text=True)
    assert _count_findings_listed(dismissed) == 1


def test_rates_are_rounded_half_up_on_the_page_and_in_the_docx(client, world, monkeypatch):
    from supervision.figures import YearFigures
    from supervision.views import dashboard

    fig = YearFigures(year=YEAR, today=TODAY, items_total=400, items_accepted=377)  # 94.25 %
    fig.close_days_avg = 12.25
    monkeypatch.setattr(dashboard, "year_figures", lambda *args, **kwargs: fig)
    assert fig.rectification_rate == 94.3  # round(94.25, 1) gives 94.2
    client.login_user(world["lead"])
    page = client.get(f"/dashboard/?year={YEAR}").get_data(as_text=True)
    assert ">94.3%<" in page
    annual = client.get(f"/dashboard/annual?year={YEAR}").get_data(as_text=True)
    assert "整改完成率94.3%" in annual
    doc = Document(io.BytesIO(client.get(f"/dashboard/annual.docx?year={YEAR}").data))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert "整改完成率94.3%" in text and cells["整改完成率"] == "94.3%"
