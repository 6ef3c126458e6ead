"""A lead opens and starts a task; an inspector records a finding with a photo on a phone; the lead
sees it on the task page and exports the ledger."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from supervision.demo.tasks import _png
from supervision.extensions import db

from .. import factories
from .conftest import click_through, login, shot


def test_task_journey(new_page, artifacts, make_user, tmp_path):
    units = [
        factories.UnitFactory(name=name, short_name=name) for name in ("海曙区交通运输局", "横街镇人民政府")
    ]
    for i in range(40):
        factories.UnitFactory(name=f"其他单位{i:02d}")
    home = factories.UnitFactory(name="海曙区司法局", short_name="区司法局")
    make_user("lead", username="wang", display_name="王建国")
    make_user("inspector", username="chen", display_name="陈敏", unit=home)
    make_user("inspector", username="other", display_name="刘洋", unit=units[1])  # home unit is a target
    db.session.commit()

    # The lead creates the task on a desktop screen.
    lead = new_page()
    lead.on("dialog", lambda dialog: dialog.accept())
    login(lead, "wang", factories.PASSWORD)
    lead.goto("/tasks/")
    click_through(lead, "[data-testid=task-new]")
    lead.fill("#title", "行政执法“三项制度”落实情况专项督察")
    lead.select_option("#kind", "special")
    lead.fill("#basis", "海依法治区办〔2026〕5号")
    lead.fill("#period_start", "2026-01-05")
    lead.fill("#period_end", "2026-12-30")
    lead.fill("[data-testid=unit-filter]", "交通")
    lead.click("[data-testid=unit-select-visible]")
    lead.fill("[data-testid=unit-filter]", "横街")
    lead.click("[data-testid=unit-select-visible]")
    lead.fill("[data-testid=unit-filter]", "")
    assert lead.locator("[data-count-for=unit-list]").inner_text() == "2"
    lead.fill("[data-testid=inspector-filter]", "陈敏")
    lead.locator("#inspector-list .picker-row:visible input[type=radio]").check()
    lead.fill("[data-testid=inspector-filter]", "刘洋")
    lead.locator("#inspector-list .picker-row:visible input[type=checkbox]").check()
    # 刘洋's home unit (横街镇) is a target: the picker warns before saving.
    assert lead.locator("[data-testid=own-unit-warning]").is_visible()
    lead.fill("[data-testid=inspector-filter]", "")
    shot(lead, artifacts, "tasks-01-lead-new-task-form")
    click_through(lead, "[data-testid=save]")
    assert "已新建督察任务" in lead.content(), lead.locator(".flash-stack").inner_text()
    assert lead.locator("[data-testid=own-unit-warning]").count() >= 1
    click_through(lead, "[data-testid=task-activate]")
    assert "进行中" in lead.locator(".page-header").inner_text()
    task_url = lead.url.split("?")[0]
    shot(lead, artifacts, "tasks-02-lead-task-active")

    # The inspector records a finding with a photo on a phone.
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(_png(320, 240, (90, 140, 190)))
    phone = new_page(width=390, height=844, mobile=True)
    login(phone, "chen", factories.PASSWORD)
    # 我的任务 (the home page also has a panel; it is checked in test_tasks_views).
    phone.goto("/tasks/")
    assert "我的任务" in phone.locator(".page-title").inner_text()
    shot(phone, artifacts, "tasks-03-inspector-my-tasks-phone")
    click_through(phone, "text=行政执法“三项制度”落实情况专项督察")
    click_through(phone, "[data-testid=finding-new]")
    phone.select_option("#unit_id", label="海曙区交通运输局")
    phone.select_option("#category", "程序")
    phone.click("label[for=severity-2]")
    phone.fill("#description", "抽查的 12 件行政处罚案卷中，有 2 件未告知当事人陈述、申辩的权利。")
    phone.fill("#legal_basis", "《中华人民共和国行政处罚法》第四十四条")
    phone.set_input_files("[data-testid=evidence-camera]", str(photo))
    assert "现场照片.png" in phone.locator("[data-file-names]").inner_text()
    shot(phone, artifacts, "tasks-04-inspector-finding-form-phone")
    click_through(phone, "[data-testid=save]")
    assert "问题已记录" in phone.content()
    assert phone.locator("[data-testid=evidence] img.attachment-thumb").count() == 1
    # Nothing on the phone page is wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    shot(phone, artifacts, "tasks-05-inspector-finding-phone")
    click_through(phone, "text=返回任务")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    shot(phone, artifacts, "tasks-05b-inspector-task-phone")
    phone.goto("/tasks/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392

    # The lead sees it on the task page and exports the ledger.
    lead.goto(task_url)
    table = lead.locator("[data-testid=findings-table]").inner_text()
    assert "未告知当事人" in table and "陈敏" in table and "严重" in table
    assert "海曙区交通运输局" in lead.locator("[data-testid=unit-matrix]").inner_text()
    shot(lead, artifacts, "tasks-06-lead-task-with-finding")
    with lead.expect_download() as info:
        lead.click("[data-testid=ledger-export]")
    download = info.value
    assert download.suggested_filename.startswith("督察问题台账_")
    wb = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    rows = [r for r in wb.active.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == 1 and rows[0][1] == "海曙区交通运输局" and rows[0][3] == "严重"

    lead.goto("/inspectors/")
    shot(lead, artifacts, "tasks-07-inspector-pool")


def test_demo_task_pages(new_page, artifacts):
    """The demo data makes the area look lived-in: the pool, the task list and a busy task page."""
    from supervision.demo import DEMO_PASSWORD, seed_demo

    assert seed_demo()
    lead = new_page()
    login(lead, "lead", DEMO_PASSWORD)
    lead.goto("/inspectors/")
    assert (
        "任期已届满" in lead.content()
        and lead.locator("[data-testid=inspector-table] tbody tr").count() == 30
    )
    shot(lead, artifacts, "tasks-demo-01-pool")
    lead.goto("/tasks/")
    assert lead.locator("[data-testid=task-table] tbody tr").count() == 4
    shot(lead, artifacts, "tasks-demo-02-task-list")
    click_through(lead, "text=行政执法“三项制度”落实情况专项督察")
    assert lead.locator("[data-testid=findings-table] tbody tr").count() >= 10
    shot(lead, artifacts, "tasks-demo-03-task-page")
    lead.goto("/tasks/new")
    lead.fill("[data-testid=unit-filter]", "镇")
    shot(lead, artifacts, "tasks-demo-04-new-task-filtered")
    lead.goto("/tasks/categories")
    assert "法律适用" in lead.locator("[data-testid=category-table]").inner_text()
    shot(lead, artifacts, "tasks-demo-05-categories")

    phone = new_page(width=390, height=844, mobile=True)
    login(phone, "inspector1", DEMO_PASSWORD)
    phone.goto("/tasks/findings")
    click_through(phone, phone.locator("[data-testid=findings-table] tbody a").first)
    shot(phone, artifacts, "tasks-demo-06-finding-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
