"""The dashboard in the browser: each role's home with its open work, the lead's dashboard with charts,
the annual figures, the registers and search, on the demo district."""

from __future__ import annotations

import pytest

from supervision.demo import DEMO_PASSWORD, seed_demo

from .conftest import click_through, login, shot


@pytest.fixture
def demo():
    assert seed_demo()


@pytest.mark.parametrize("username", ["lead", "inspector1", "inspector2", "liaison1", "liaison2", "admin"])
def test_home_pages(demo, new_page, artifacts, username):
    page = new_page()
    login(page, username, DEMO_PASSWORD)
    if username.startswith(("inspector", "liaison")):
        work = page.locator("[data-testid=my-work]")
        assert work.count() == 1
        assert work.locator("li").count() >= 1  # the demo gives everyone something to do
    else:
        assert page.locator("[data-testid=year-strip]").count() == 1
    shot(page, artifacts, f"issue7-home-{username}")


def test_lead_dashboard_annual_registers_search(demo, new_page, artifacts):
    page = new_page()
    login(page, "lead", DEMO_PASSWORD)
    page.goto("/dashboard/")
    page.wait_for_selector(".chart-box svg")  # ECharts drew (vendored, no CDN)
    assert page.locator("[data-figure=notices_issued] .stat-value").inner_text().isdigit()
    shot(page, artifacts, "issue7-dashboard")
    click_through(page, "[data-figure=notices_overdue]")
    assert "overdue=1" in page.url
    shot(page, artifacts, "issue7-dashboard-overdue-list")

    page.goto("/dashboard/annual")
    assert page.locator("[data-testid=annual-section]").count() == 4
    shot(page, artifacts, "issue7-annual")
    # Exports run as jobs: the button queues one, its page shows the progress, then the file.
    click_through(page, "[data-testid=annual-docx]")
    shot(page, artifacts, "issue13-export-job")
    with page.expect_download() as info:
        page.click("[data-testid=export-download]")
    assert info.value.suggested_filename.endswith(".docx")

    page.goto("/registers/")
    shot(page, artifacts, "issue7-registers")
    click_through(page, "[data-testid=dl-rectification]")
    with page.expect_download() as info:
        page.click("[data-testid=export-download]")
    assert info.value.suggested_filename.endswith("整改台账.xlsx")
    page.goto("/exports/")
    assert page.locator("[data-testid=export-row]").count() == 2
    shot(page, artifacts, "issue13-my-exports")

    page.fill("[data-testid=nav-search]", "横街镇")
    with page.expect_navigation(wait_until="networkidle"):  # not the old page (see click_through)
        page.press("[data-testid=nav-search]", "Enter")
    assert page.locator("[data-testid=results-notices]").count() == 1
    shot(page, artifacts, "issue7-search")


def test_liaison_search_stays_in_own_unit(demo, new_page, artifacts):
    page = new_page()
    login(page, "liaison1", DEMO_PASSWORD)
    page.goto("/search/?q=通知")
    body = page.locator("main").inner_text()
    assert "区综合行政执法局" not in body.split("共找到", 1)[1]
    shot(page, artifacts, "issue7-search-liaison")
