"""The admin's calendar for a year beyond the package's data: estimate → paste the notice (a bad line
refused, then a preview) → save → confirm, with screenshots."""

from __future__ import annotations

from .. import factories
from .conftest import click_through, login, shot

NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。2月20日（周六）上班。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。"""


def test_holiday_year_journey(new_page, artifacts, make_user):
    make_user("admin", username="admin1", display_name="系统管理员")
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "admin1", factories.PASSWORD)
    page.goto("/admin/holidays?year=2027")
    page.wait_for_selector("[data-testid=no-calendar]")
    click_through(page, "[data-testid=estimate-year]")
    page.wait_for_selector("[data-testid=estimate-note]")
    assert page.locator("[data-testid=estimated]").count() == 24
    shot(page, artifacts, "holidays-01-estimate")

    page.fill("#text", NOTICE_2027.replace("2月20日（周六）上班", "2月二x日上班"))
    click_through(page, "[data-testid=import-preview-button]")
    refusal = page.inner_text(".invalid-feedback")
    assert "第 3 行无法识别" in refusal and "无法识别的日期" in refusal
    shot(page, artifacts, "holidays-02-refused-line")

    page.fill("#text", NOTICE_2027)
    click_through(page, "[data-testid=import-preview-button]")
    preview = page.inner_text("[data-testid=import-preview]")
    assert "取代预估" in preview and "保留预估" in preview and "2027年9月26日" in preview
    shot(page, artifacts, "holidays-03-preview")
    click_through(page, "[data-testid=import-save]")
    page.wait_for_selector("text=已导入 2027 年")

    page.fill("#source", "国办发明电〔2026〕9号")
    click_through(page, "[data-testid=confirm-year]")
    page.wait_for_selector("text=2027 年的日历已确认")
    shot(page, artifacts, "holidays-04-confirmed")
