"""The type-ahead unit picker of the filter bars, driven with the keyboard and the mouse."""

from __future__ import annotations

from supervision.extensions import db

from .. import factories
from .conftest import login, shot


def test_unit_picker_filters_the_task_list(new_page, artifacts, make_user):
    town = factories.UnitFactory(name="横街镇人民政府", short_name="横街镇", kind="town")
    other = factories.UnitFactory(name="横溪镇人民政府", short_name="横溪镇", kind="town")
    for n in range(40):
        factories.UnitFactory(name=f"海曙区测试局{n:02d}")
    factories.TaskFactory(title="食品安全专项督察", units=[town])
    factories.TaskFactory(title="城市管理执法检查", units=[other])
    make_user("lead", username="wang")
    db.session.commit()

    page = new_page()
    login(page, "wang", factories.PASSWORD)
    page.goto("/tasks/")
    picker = "[data-testid=picker-unit]"
    page.click(picker)
    page.wait_for_selector(".picker-menu.show [role=option]")
    assert page.locator(".picker-menu.show [role=option]").count() == 20  # bounded, not 42
    page.fill(picker, "横")
    page.wait_for_selector(".picker-menu.show >> text=横溪镇人民政府")
    shot(page, artifacts, "picker-01-suggestions")
    # Keyboard: down twice to the second match, Enter picks it and the list reloads filtered.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "unit=" in page.url and "unit_name" not in page.url
    table = page.locator("[data-testid=task-table]").inner_text()
    assert "城市管理执法检查" in table and "食品安全专项督察" not in table
    assert page.input_value(picker) == "横溪镇人民政府"
    shot(page, artifacts, "picker-02-filtered")

    # Mouse: type, click the suggestion.
    page.fill(picker, "横街")
    with page.expect_navigation():
        page.click(".picker-menu.show >> text=横街镇人民政府")
    table = page.locator("[data-testid=task-table]").inner_text()
    assert "食品安全专项督察" in table and "城市管理执法检查" not in table

    # Emptying the box drops the filter.
    page.fill(picker, "")
    with page.expect_navigation():
        page.locator(picker).blur()
    table = page.locator("[data-testid=task-table]").inner_text()
    assert "食品安全专项督察" in table and "城市管理执法检查" in table


def test_a_filter_typed_before_the_scripts_ran_still_filters(new_page, artifacts, make_user):
    # A slow intranet: the unit box is typed into before app.js has run (or the browser puts the
    # text back on 后退). The list must show what the box says, or 全选筛选结果 chooses every unit.
    factories.UnitFactory(name="海曙区交通运输局", short_name="区交通局")
    for n in range(5):
        factories.UnitFactory(name=f"海曙区测试局{n:02d}")
    make_user("lead", username="wang")
    db.session.commit()

    page = new_page()
    login(page, "wang", factories.PASSWORD)
    held = []
    page.route("**/static/js/app.js*", lambda route: held.append(route))
    page.goto("/tasks/new", wait_until="commit")  # the parser waits at app.js; the form is above it
    page.fill("[data-testid=unit-filter]", "交通")
    for _ in range(100):  # the held request reaches the handler while Playwright waits
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "app.js was not held back"
    for route in held:
        route.continue_()
    page.wait_for_load_state("load")
    page.click("[data-testid=unit-select-visible]")
    assert page.locator("[data-count-for=unit-list]").inner_text() == "1"
    assert page.locator("#unit-list .picker-row:visible").count() == 1
    shot(page, artifacts, "picker-03-filter-typed-before-the-scripts")
