"""Autosaving scorecard rows under a slow server: what the user types while a save is on its way is
neither wiped by the reply nor dropped (the CI failure this guards against was exactly that race)."""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import select

from supervision.extensions import db
from supervision.models import Assessment, Indicator, IndicatorScore
from supervision.services import scorecards as svc

from .. import factories
from .conftest import login, shot


def _slow(monkeypatch, seconds: float) -> None:
    """Every self-assessment save takes `seconds` on the server (the live server shares this process)."""
    original = svc.score_save

    def slow_save(**kwargs):
        time.sleep(seconds)
        return original(**kwargs)

    monkeypatch.setattr(svc, "score_save", slow_save)


def test_input_typed_during_a_save_survives_and_is_saved(new_page, make_user, monkeypatch):
    framework = factories.make_framework(areas=1, per_area=2, points="2")
    town = factories.UnitFactory(name="横街镇人民政府", short_name="横街镇", kind="town")
    lead = make_user("lead", username="wang")
    make_user("liaison", username="zhou", unit=town)
    db.session.commit()
    svc.round_open(
        actor=lead,
        framework_id=framework.id,
        year=2026,
        title="2026年度自评",
        deadline=date(2026, 12, 20),
        unit_ids=[town.id],
        all_units=False,
    )
    db.session.commit()
    assessment = db.session.scalar(select(Assessment))
    _slow(monkeypatch, 1.0)

    page = new_page()
    login(page, "zhou", factories.PASSWORD)
    page.goto(f"/scorecards/assessments/{assessment.id}")
    row = "[data-testid='score-row-1.1.1']"
    # The rating posts at once; while that save is on its way the user types the explanation and
    # moves on (a change htmx would drop while the row's request is in flight).
    page.select_option("[data-testid='rating-1.1.1']", "met")
    page.fill("[data-testid='explanation-1.1.1']", "网办率 96.3%，见平台截图。")
    page.locator("[data-testid='explanation-1.1.1']").dispatch_event("change")
    page.wait_for_selector(f"{row} [data-testid=row-saved]", timeout=10000)
    page.wait_for_load_state("networkidle")
    assert page.input_value("[data-testid='explanation-1.1.1']") == "网办率 96.3%，见平台截图。"
    assert page.input_value("[data-testid='rating-1.1.1']") == "met"

    # Typing without leaving the box while a save is on its way: the reply leaves the text alone.
    page.select_option("[data-testid='rating-1.1.2']", "unmet")
    page.fill("[data-testid='explanation-1.1.2']", "台账尚在整理。")
    # The reply to the rating has come back: a stale reply is not swapped in, the row only takes
    # the record's version from it (empty before the first save).
    page.wait_for_function(
        "() => document.querySelector(\"[data-testid='score-row-1.1.2'] input[name=version]\").value !== ''"
    )
    assert page.input_value("[data-testid='explanation-1.1.2']") == "台账尚在整理。"
    page.locator("h2.score-area").first.click()  # leave the box: the explanation saves
    page.wait_for_selector("[data-testid='score-row-1.1.2'] [data-testid=row-saved]", timeout=10000)
    page.wait_for_load_state("networkidle")

    db.session.expire_all()
    saved = {
        code: (rating, explanation)
        for code, rating, explanation in db.session.execute(
            select(Indicator.code, IndicatorScore.self_rating, IndicatorScore.explanation).join(
                IndicatorScore, IndicatorScore.indicator_id == Indicator.id
            )
        )
    }
    assert saved == {"1.1.1": ("met", "网办率 96.3%，见平台截图。"), "1.1.2": ("unmet", "台账尚在整理。")}


def _one_row_assessment(make_user) -> Assessment:
    framework = factories.make_framework(areas=1, per_area=2, points="2")
    town = factories.UnitFactory(name="横街镇人民政府", short_name="横街镇", kind="town")
    lead = make_user("lead", username="wang")
    make_user("liaison", username="zhou", unit=town)
    db.session.commit()
    svc.round_open(
        actor=lead,
        framework_id=framework.id,
        year=2026,
        title="2026年度自评",
        deadline=date(2026, 12, 20),
        unit_ids=[town.id],
        all_units=False,
    )
    db.session.commit()
    return db.session.scalar(select(Assessment))


def test_a_failed_save_says_so_on_the_row_and_keeps_the_input(new_page, make_user, monkeypatch, app):
    assessment = _one_row_assessment(make_user)

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(svc, "score_save", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    page = new_page()
    login(page, "zhou", factories.PASSWORD)
    page.goto(f"/scorecards/assessments/{assessment.id}")
    page.fill("[data-testid='explanation-1.1.1']", "网办率 96.3%。")
    page.select_option("[data-testid='rating-1.1.1']", "met")
    error = page.wait_for_selector("[data-testid='score-row-1.1.1'] [data-testid=row-error]")
    assert error.inner_text() == "未保存：服务器出错，请稍后重试。"
    assert page.input_value("[data-testid='explanation-1.1.1']") == "网办率 96.3%。"

    # The session ends (logged out elsewhere): the next change brings the whole page to the login form.
    page.context.clear_cookies()
    page.select_option("[data-testid='rating-1.1.2']", "met")
    page.wait_for_url("**/auth/login?next=*")
    assert page.locator("#username").is_visible()


def test_a_refused_row_shows_what_is_stored_and_gives_back_what_was_typed(new_page, make_user, artifacts):
    assessment = _one_row_assessment(make_user)
    page = new_page()
    login(page, "zhou", factories.PASSWORD)
    page.goto(f"/scorecards/assessments/{assessment.id}")
    row = "[data-testid='score-row-1.1.1']"
    page.select_option("[data-testid='rating-1.1.1']", "basic")
    page.fill("[data-testid='score-1.1.1']", "1.5")
    page.locator("[data-testid='score-1.1.1']").dispatch_event("change")
    page.wait_for_selector(f"{row} [data-testid=row-saved]")
    page.fill("[data-testid='score-1.1.1']", "5")  # over the 2 points: refused
    page.locator("[data-testid='score-1.1.1']").dispatch_event("change")
    message = page.wait_for_selector(f"{row} [data-testid=row-error]")
    assert "不能超过" in message.inner_text() and "得分“5”" in message.inner_text()
    assert page.input_value("[data-testid='score-1.1.1']") == "1.5"  # what is stored
    shot(page, artifacts, "scorecards-refused-row")
    page.click(f"{row} [data-testid=row-restore]")
    assert page.input_value("[data-testid='score-1.1.1']") == "5"
