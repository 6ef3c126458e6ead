"""A liaison starts this year's self-assessment from last year's explanations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from supervision.extensions import db
from supervision.models import Assessment, Indicator
from supervision.services import scorecards as svc

from .. import factories
from .conftest import click_through, login, shot


def test_liaison_reuses_last_years_explanations(new_page, artifacts, make_user):
    framework = factories.make_framework(areas=2, per_area=2, points="2")
    town = factories.UnitFactory(name="横街镇人民政府", short_name="横街镇", kind="town")
    lead = make_user("lead", username="wang")
    liaison = make_user("liaison", username="zhou", unit=town)
    db.session.commit()
    leaves = {i.code: i for i in db.session.scalars(select(Indicator).where(Indicator.is_leaf.is_(True)))}
    for year in (2025, 2026):
        svc.round_open(
            actor=lead,
            framework_id=framework.id,
            year=year,
            title=f"{year}年度自评",
            deadline=date(year, 12, 20),
            unit_ids=[town.id],
            all_units=False,
        )
    last, this = db.session.scalars(select(Assessment).order_by(Assessment.id)).all()
    svc.score_save(
        actor=liaison,
        assessment=last,
        indicator=leaves["1.1.1"],
        rating="met",
        score_text="",
        explanation="依申请政务服务事项网办率 95.1%，见平台截图。",
    )

    page = new_page()
    page.on("dialog", lambda d: d.accept())
    login(page, "zhou", factories.PASSWORD)
    page.goto(f"/scorecards/assessments/{this.id}")
    assert "2025 年度：自评 达标 2" in page.locator("[data-testid='prev-1.1.1']").inner_text()
    click_through(page, "[data-testid=reuse-previous]")
    assert "已沿用上一年度的自评说明 1 项" in page.content()
    assert (
        page.input_value("[data-testid='explanation-1.1.1']")
        == "依申请政务服务事项网办率 95.1%，见平台截图。"
    )
    assert page.input_value("[data-testid='rating-1.1.1']") == ""  # this year's rating is still to give
    shot(page, artifacts, "scorecards-reuse-previous")
