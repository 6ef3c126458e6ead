"""A lead opens a round; a liaison self-assesses and submits; an inspector evaluates; the lead makes a
roadmap item for the weak indicator, finalizes, and views the ranking and the unit's radar chart."""

from __future__ import annotations

import random
import re

from sqlalchemy import insert, select

from supervision.extensions import db
from supervision.models import Assessment, Indicator, IndicatorScore

from .. import factories
from .conftest import click_through, login, shot


def _finish_others(town_id: int) -> None:
    """Other units' assessments of the round, finalized as if their year had run its course."""
    leaves = db.session.scalars(select(Indicator).where(Indicator.is_leaf.is_(True))).all()
    others = db.session.scalars(select(Assessment).where(Assessment.unit_id != town_id)).all()
    rng = random.Random(7)
    rows = []
    for a in others:
        a.status = "finalized"
        for leaf in leaves:
            rating = rng.choice(["met", "met", "basic", "unmet"])
            points = {"met": leaf.max_points, "basic": leaf.max_points * 0.7, "unmet": 0.0}[rating]
            rows.append(
                {
                    "assessment_id": a.id,
                    "indicator_id": leaf.id,
                    "self_rating": rating,
                    "self_score": points,
                    "explanation": "",
                    "evaluated_rating": rating,
                    "evaluated_score": points,
                    "comment": "",
                    "version": 1,
                }
            )
    db.session.execute(insert(IndicatorScore), rows)
    db.session.commit()


def test_scorecards_journey(new_page, artifacts, make_user, tmp_path):
    factories.make_framework(name="法治政府建设示范指标（测试）", areas=4, per_area=3, points="2")
    town = factories.UnitFactory(name="横街镇人民政府", short_name="横街镇", kind="town")
    home = factories.UnitFactory(name="海曙区司法局", short_name="区司法局")
    for name in ("区市场监管局", "区交通运输局", "石碶街道"):
        factories.UnitFactory(
            name=f"海曙{name}", short_name=name, kind="town" if "街道" in name else "department"
        )
    make_user("lead", username="wang", display_name="王建国")
    make_user("inspector", username="chen", display_name="陈敏", unit=home)
    make_user("liaison", username="zhou", display_name="周丽", unit=town)
    db.session.commit()

    # 1. The lead opens the round for all units.
    lead = new_page()
    lead.on("dialog", lambda d: d.accept())
    login(lead, "wang", factories.PASSWORD)
    lead.goto("/scorecards/rounds")
    click_through(lead, "[data-testid=round-new]")
    lead.fill("#year", "2026")
    lead.fill("#title", "2026年度法治政府建设示范指标自评")
    lead.fill("#deadline", "2026-12-20")
    shot(lead, artifacts, "scorecards-01-lead-open-round")
    click_through(lead, "[data-testid=round-submit]")
    assert "已开启评估轮次" in lead.content()
    shot(lead, artifacts, "scorecards-02-round-detail")
    _finish_others(town.id)

    # 2. The liaison self-assesses (saved as she goes) and submits.
    liaison = new_page()
    liaison.on("dialog", lambda d: d.accept())
    login(liaison, "zhou", factories.PASSWORD)
    assert liaison.locator("[data-testid=home-progress]").inner_text() == "0/12"
    click_through(liaison, "text=继续自评")
    codes = [f"{a}.1.{j}" for a in range(1, 5) for j in range(1, 4)]
    for n, code in enumerate(codes, start=1):
        rating = {"2.1.2": "basic", "3.1.1": "unmet", "4.1.3": "na"}.get(code, "met")
        if rating == "basic":
            liaison.fill(f"[data-testid='score-{code}']", "1.2")
        liaison.select_option(f"[data-testid='rating-{code}']", rating)
        liaison.wait_for_selector(f"[data-testid='score-row-{code}'] [data-testid=row-saved]")
        if code == "1.1.1":
            liaison.fill(
                f"[data-testid='explanation-{code}']", "依申请政务服务事项网办率 96.3%，见平台截图。"
            )
            # The row still shows the rating's 已保存: wait for the explanation's save to replace it
            # (a late reply would otherwise set the progress back after the next row's).
            saved = liaison.locator(f"[data-testid='score-row-{code}'] [data-testid=row-saved]")
            before = saved.element_handle()
            liaison.locator("h2.score-area").first.click()  # blur: the explanation saves too
            before.wait_for_element_state("hidden")  # detached: the row was swapped
            saved.wait_for()
        assert liaison.locator("[data-testid=progress]").inner_text() == f"{n}/12"
    # A bad score is refused in place and says why.
    liaison.fill("[data-testid='score-1.1.2']", "5")
    liaison.locator("[data-testid='score-1.1.2']").dispatch_event("change")
    liaison.wait_for_selector("[data-testid='score-row-1.1.2'] [data-testid=row-error]")
    assert (
        "不能超过" in liaison.locator("[data-testid='score-row-1.1.2'] [data-testid=row-error]").inner_text()
    )
    evidence = tmp_path / "网办率截图.png"
    evidence.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    liaison.set_input_files("[data-testid='files-1.1.1']", str(evidence))
    liaison.wait_for_selector("[data-testid='score-row-1.1.1'] >> text=网办率截图.png")
    liaison.fill("[data-testid='score-1.1.2']", "")
    liaison.locator("[data-testid='score-1.1.2']").dispatch_event("change")
    liaison.wait_for_selector("[data-testid='score-row-1.1.2'] [data-testid=row-saved]")
    shot(liaison, artifacts, "scorecards-03-liaison-self-assessment")
    click_through(liaison, "[data-testid=submit-assessment]")
    assert "自评已提交" in liaison.content()
    shot(liaison, artifacts, "scorecards-04-liaison-submitted")

    # 3. The inspector evaluates one indicator differently, then completes the evaluation.
    inspector = new_page()
    inspector.on("dialog", lambda d: d.accept())
    login(inspector, "chen", factories.PASSWORD)
    click_through(inspector, "[data-testid=home-to-evaluate] >> text=横街镇人民政府")
    inspector.fill("[data-testid='eval-score-2.1.2']", "1")
    inspector.fill("[data-testid='comment-2.1.2']", "台账不完整，按 1 分计。")
    inspector.locator("[data-testid='eval-score-2.1.2']").dispatch_event("change")
    inspector.wait_for_selector("[data-testid='score-row-2.1.2'] [data-testid=row-error]")  # no rating yet
    # The refused row shows what is stored; the typed score and comment are put back to finish them.
    assert inspector.input_value("[data-testid='eval-score-2.1.2']") == ""
    inspector.click("[data-testid='score-row-2.1.2'] [data-testid=row-restore]")
    assert inspector.input_value("[data-testid='comment-2.1.2']") == "台账不完整，按 1 分计。"
    inspector.select_option("[data-testid='eval-rating-2.1.2']", "basic")
    inspector.wait_for_selector("[data-testid='score-row-2.1.2'] [data-testid=row-saved]")
    shot(inspector, artifacts, "scorecards-05-inspector-evaluates")
    click_through(inspector, "[data-testid=finish-evaluation]")
    assert "评估已完成" in inspector.content()

    # 4. The lead finalizes: first the weak indicators need a roadmap item.
    lead.goto("/scorecards/rounds")
    click_through(lead, "text=2026年度法治政府建设示范指标自评")
    click_through(lead, "[data-testid='assessment-横街镇']")
    click_through(lead, "[data-testid=finalize-assessment]")
    assert "尚未列入路线图" in lead.content()
    for code in ("2.1.2", "3.1.1"):
        click_through(lead, f"[data-testid='roadmap-new-{code}']")
        lead.fill("#measure", "制定专项整改方案，明确责任科室，每季度报送进展。")
        lead.fill("#owner", "横街镇党政办")
        lead.fill("#due_date", "2027-06-30")
        click_through(lead, "[data-testid=roadmap-save]")
    shot(lead, artifacts, "scorecards-06-lead-weak-with-roadmap")
    click_through(lead, "[data-testid=finalize-assessment]")
    assert "已定稿" in lead.content()

    # 5. The ranking, the heatmap and the unit's radar chart.
    lead.goto("/scorecards/office")
    lead.wait_for_selector("[data-chart=office-heatmap] canvas")
    lead.wait_for_selector("[data-chart=office-histogram] canvas")
    ranking = lead.locator("[data-testid=ranking]").inner_text()
    assert "横街镇" in ranking and lead.locator("[data-testid=unit-count]").inner_text() == "5"
    shot(lead, artifacts, "scorecards-07-office-ranking")
    lead.click("[data-testid=ranking] >> text=横街镇")
    lead.wait_for_selector("[data-chart=radar] canvas")
    total = lead.locator("[data-testid=unit-total]").inner_text()
    # 2+2+2 + 2+1+2 + 0+2+2 + 2+2 (4.1.3 不适用) = 19 of 22 → 86.36 (INDICATOR_PLACES, as the .xlsx)
    assert re.search(r"86\.36", total), total
    shot(lead, artifacts, "scorecards-08-unit-radar")
    lead.goto("/scorecards/roadmap")
    shot(lead, artifacts, "scorecards-09-roadmap")

    # The liaison's phone: her unit's scorecard only.
    phone = new_page(width=390, height=844, mobile=True)
    login(phone, "zhou", factories.PASSWORD)
    phone.goto("/scorecards/")
    phone.wait_for_selector("[data-chart=radar] canvas")
    shot(phone, artifacts, "scorecards-10-liaison-phone-scorecard")
