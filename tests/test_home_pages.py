"""The inspector's and the liaison's home pages: what they list, and a query count that does not grow
with the data (issue 12: the inspector's home grew from 33 to 90 ms from city to province scale)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from supervision import cache
from supervision.extensions import db
from supervision.models import Assessment, Indicator, IndicatorScore
from supervision.permissions import verifiable_items_for_user
from supervision.queries.scorecard_panels import cached_leaf_counts
from supervision.services import frameworks as framework_svc
from supervision.todo import inspector_work

from .conftest import count_queries, statements_during
from .factories import (
    AssessmentFactory,
    AssessmentRoundFactory,
    CaseFileFactory,
    NoticeFactory,
    NoticeItemFactory,
    ReviewAssignmentFactory,
    ReviewCampaignFactory,
    TaskFactory,
    TaskInspectorFactory,
    UnitFactory,
    make_framework,
)

_numbers = iter(range(1, 100000))


def _notice(unit, status="acknowledged", **kwargs):
    n = next(_numbers)
    return NoticeFactory(
        unit=unit,
        status=status,
        doc_number=f"海法督〔2026〕{n}号",
        deadline=date.today() + timedelta(days=30 + n % 20),
        **kwargs,
    )


@pytest.fixture
def inspector_world(make_user):
    own = UnitFactory(name="督察员本单位")
    inspector = make_user("inspector", unit=own)
    task = TaskFactory()
    TaskInspectorFactory(task=task, user=inspector)
    framework = make_framework()
    round_ = AssessmentRoundFactory(framework=framework)
    return {"inspector": inspector, "own": own, "task": task, "round": round_}


def _grow_inspector(world, n: int) -> None:
    """n more of each kind of inspector work: reports to verify (drafted by him or from his task),
    drafts, files to review and self-assessments to evaluate."""
    inspector = world["inspector"]
    for i in range(n):
        unit = UnitFactory()
        mine = {"drafted_by": inspector} if i % 2 else {"task": world["task"]}
        NoticeItemFactory(notice=_notice(unit, **mine), status="submitted")
        NoticeFactory(unit=unit, drafted_by=inspector, status="draft")
        ReviewAssignmentFactory(reviewer=inspector)
        AssessmentFactory(round=world["round"], unit=unit, status="submitted")


def test_inspector_work_does_not_offer_an_item_of_his_own_unit(app, client, inspector_world):
    """回避: the work list and the panel both leave out his own unit's reports (verify_refusal would
    refuse them); before, the work list spelled the rule itself and forgot it."""
    world = inspector_world
    inspector = world["inspector"]
    own_item = NoticeItemFactory(notice=_notice(world["own"], drafted_by=inspector), status="submitted")
    other = UnitFactory(name="被督察的其他单位")
    other_item = NoticeItemFactory(notice=_notice(other, drafted_by=inspector), status="submitted")
    with app.test_request_context("/"):
        titles = [w.title for w in inspector_work(inspector, date(2026, 6, 1)) if w.kind == "核查整改"]
    assert titles == [f"{other_item.notice.doc_number} 第{other_item.seq}项"]
    assert [row.item_id for row in verifiable_items_for_user(inspector)] == [other_item.id]
    client.login_user(inspector)
    html = client.get("/").get_data(as_text=True)
    assert other_item.notice.doc_number in html
    assert own_item.notice.doc_number not in html


def test_inspector_home_lists_each_kind_of_work(client, inspector_world):
    _grow_inspector(inspector_world, 2)
    client.login_user(inspector_world["inspector"])
    html = client.get("/").get_data(as_text=True)
    work = html.split('data-testid="my-work"', 1)[1]
    for kind in ("记录问题", "核查整改", "评查案卷", "评估指标"):
        assert kind in work
    panel = html.split('data-testid="panel-verify"', 1)[1]
    assert panel.count("第1项") == 2
    assert "我的通知书草稿" in html
    assert "（2）" in html.split('data-testid="home-to-evaluate"', 1)[1]


def test_inspector_home_reads_each_list_once_and_a_fixed_number_of_queries(client, inspector_world):
    _grow_inspector(inspector_world, 2)
    client.login_user(inspector_world["inspector"])
    client.get("/")  # warm up
    cache.clear()  # what the home keeps between changes (tests/test_home_kept.py): read it again
    statements = statements_during(lambda: client.get("/"))
    # The reports to verify and the assessments to evaluate: one query each for both panels.
    assert sum("notice_item.status" in s and "finding.description" in s for s in statements) == 1
    assert sum("assessment.submitted_at" in s for s in statements) == 1
    # kept until a change: the user and the audit trail's new events only
    with count_queries(keep_cache=True) as warm:
        client.get("/")
    assert warm() == 2, warm()
    with count_queries() as small:
        assert client.get("/").status_code == 200
    _grow_inspector(inspector_world, 18)
    with count_queries() as large:
        assert client.get("/").status_code == 200
    assert small() == large(), (small(), large())
    # the caches cleared by count_queries: the user, the audit trail's stamp, the active tasks with
    # the tasks panel's counts, the reports to verify, the files to score, the assessments to
    # evaluate, the drafts
    assert large() <= 7, large()


def test_inspector_home_counts_tasks_and_findings_without_an_active_task(app, client, make_user):
    """The tasks panel's counts come with the active tasks (one query): with none, still counted."""
    from supervision.views.tasks.panels import inspector_panel

    inspector = make_user("inspector", unit=UnitFactory())
    TaskInspectorFactory(task=TaskFactory(status="closed"), user=inspector)
    with app.test_request_context("/"):
        _template, ctx = inspector_panel(inspector)
    assert ctx["tasks"] == [] and ctx["active_count"] == 0 and ctx["task_count"] == 1
    client.login_user(inspector)
    assert "目前没有进行中的任务。" in client.get("/").get_data(as_text=True)


def test_work_rows_escape_what_the_records_say(app):
    """views/work_list.py builds the rows in Python: every value of a record is escaped once."""
    from supervision.todo import Work
    from supervision.views.work_list import work_rows

    evil = '<script>alert("x")</script>&'
    with app.test_request_context("/"):
        html = str(
            work_rows(
                [
                    Work(evil, evil, evil, '/x?a=1&b="2"', date(2026, 3, 5)),
                    Work("k", "t", "d", "/y", None, -2),
                ]
            )
        )
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;" in html
    assert 'href="/x?a=1&amp;b=&#34;2&#34;"' in html
    assert "期限 2026年3月5日" in html and "已逾期 2 个工作日" in html and 'small overdue"' in html


@pytest.fixture
def liaison_world(make_user):
    unit = UnitFactory(name="联络员本单位", kind="department")
    liaison = make_user("liaison", unit=unit)
    framework = make_framework(kinds="部门")
    round_ = AssessmentRoundFactory(framework=framework)
    current = AssessmentFactory(round=round_, unit=unit, status="draft")
    leaves = db.session.scalars(
        select(Indicator)
        .where(Indicator.framework_id == framework.id, Indicator.is_leaf)
        .order_by(Indicator.id)
    ).all()
    db.session.add(IndicatorScore(assessment_id=current.id, indicator_id=leaves[0].id, self_rating="met"))
    old_round = AssessmentRoundFactory(framework=framework, year=2025, title="2025年度自评", status="closed")
    last = AssessmentFactory(round=old_round, unit=unit, status="finalized")
    for leaf in leaves:
        db.session.add(
            IndicatorScore(
                assessment_id=last.id,
                indicator_id=leaf.id,
                self_rating="met",
                evaluated_rating="met",
                evaluated_score=leaf.max_points,
            )
        )
    db.session.commit()
    return {"liaison": liaison, "unit": unit, "framework": framework, "leaves": leaves}


def _grow_liaison(world, n: int) -> None:
    for i in range(n):
        notice = _notice(world["unit"], status=["issued", "acknowledged"][i % 2])
        NoticeItemFactory(notice=notice, status=["pending", "returned", "submitted"][i % 3])


def test_liaison_home_shows_progress_last_total_and_notices(client, liaison_world):
    _grow_liaison(liaison_world, 2)
    client.login_user(liaison_world["liaison"])
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="home-progress">1/6<' in html
    assert "2025 年度得分" in html and "100" in html.split("2025 年度得分", 1)[1][:200]
    notices = html.split('data-testid="panel-unit-notices"', 1)[1]
    assert notices.count("个工作日") == 2
    assert "签收" in html.split('data-testid="my-work"', 1)[1]


def test_liaison_home_loads_the_calendar_once_and_a_fixed_number_of_queries(client, liaison_world):
    _grow_liaison(liaison_world, 2)
    client.login_user(liaison_world["liaison"])
    client.get("/")  # warm up
    statements = statements_during(lambda: client.get("/"))
    # kept per process until the calendar changes (tests/test_calendar_cache.py): not read again
    assert sum("FROM holiday" in s and "is_workday" in s for s in statements) == 0
    # and the panels' rows until a change (tests/test_home_kept.py): the user and the stamp only
    with count_queries(keep_cache=True) as warm:
        client.get("/")
    assert warm() == 2, warm()
    with count_queries() as small:
        assert client.get("/").status_code == 200
    _grow_liaison(liaison_world, 18)
    with count_queries() as large:
        assert client.get("/").status_code == 200
    assert small() == large(), (small(), large())
    # the user, the open notices, the calendar's stamp, the draft assessments, the published and the
    # wanted review campaigns, the scorecard summary (roadmap, current and last assessment), the
    # rated indicators with the last total; and, the per-process caches cleared by count_queries,
    # the calendar and the framework's leaf counts (13 before the scorecard summary)
    assert large() <= 11, large()


def _review_results(html: str) -> str:
    return html.split('data-testid="panel-review-results"', 1)[1].split("</ul>", 1)[0]


@pytest.mark.parametrize("published", [False, True])
def test_liaison_home_asks_for_the_lists_still_wanted(client, liaison_world, published):
    """The campaigns wanting the unit's case-file list are read only when the published results'
    row counts some (or when there is no published result to count them): shown either way."""
    unit = liaison_world["unit"]
    if published:
        campaign = ReviewCampaignFactory(
            status="published", published_at=datetime(2026, 5, 1, tzinfo=UTC), units=[unit]
        )
        CaseFileFactory(campaign=campaign, unit=unit, final_score=80)
        db.session.commit()
    client.login_user(liaison_world["liaison"])
    panel = _review_results(client.get("/").get_data(as_text=True))
    assert "请上传案卷清单" not in panel and ("本单位 1 卷" in panel) == published
    stranger = UnitFactory()
    ReviewCampaignFactory(status="draft", title="第二批评查", units=[unit])
    ReviewCampaignFactory(status="draft", title="别的单位的评查", units=[stranger])
    db.session.commit()
    cache.clear()  # factories write no audit event (every service does): forget what the home kept
    panel = _review_results(client.get("/").get_data(as_text=True))
    assert panel.count("请上传案卷清单") == 1 and "请上传案卷清单：第二批评查" in panel
    assert ("本单位 1 卷" in panel) == published


def test_liaison_work_lists_draft_self_assessments_only_when_the_summary_counts_some(client, liaison_world):
    client.login_user(liaison_world["liaison"])
    client.get("/")
    cache.clear()  # what the home keeps between changes (tests/test_home_kept.py): read it again
    statements = statements_during(lambda: client.get("/"))
    work = (
        client.get("/")
        .get_data(as_text=True)
        .split('data-testid="my-work"', 1)[1]
        .split("data-testid=", 1)[0]
    )
    assert "指标自评" in work and "请完成自评并提交" in work
    assert sum(s.startswith("SELECT assessment.id, assessment.return_reason") for s in statements) == 1
    current = db.session.scalars(
        select(Assessment).where(Assessment.unit_id == liaison_world["unit"].id, Assessment.status == "draft")
    ).one()
    current.status = "submitted"
    db.session.commit()
    cache.clear()  # factories write no audit event (every service does): forget what the home kept
    statements = statements_during(lambda: client.get("/"))
    work = (
        client.get("/")
        .get_data(as_text=True)
        .split('data-testid="my-work"', 1)[1]
        .split("data-testid=", 1)[0]
    )
    assert "指标自评" not in work
    assert sum(s.startswith("SELECT assessment.id, assessment.return_reason") for s in statements) == 0


def test_leaf_counts_are_cached_per_change_of_the_framework(make_user):
    """An edit of an indicator shows at once; an unchanged framework is not counted again."""
    framework = make_framework(kinds="部门")
    assert cached_leaf_counts(framework.id, framework.updated_at)["department"] == 6
    leaf = db.session.scalar(
        select(Indicator).where(Indicator.framework_id == framework.id, Indicator.is_leaf)
    )
    framework_svc.indicator_update(
        actor=make_user("admin"),
        indicator=leaf,
        data={"text": "改为镇街", "kinds": ["town"], "max_points": "2"},
    )
    db.session.refresh(framework)
    counts = cached_leaf_counts(framework.id, framework.updated_at)
    assert counts["department"] == 5 and counts["town"] == 1
    with count_queries(keep_cache=True) as n:
        cached_leaf_counts(framework.id, framework.updated_at)
    assert n() == 0
    # A new import is a new framework: its own counts.
    again = make_framework(kinds="镇乡街道")
    assert cached_leaf_counts(again.id, again.updated_at)["town"] == 6
