"""Layout at the office's usual screen width (1366 px): buttons stay on one line."""

from __future__ import annotations

from supervision.extensions import db
from supervision.services.notify import notify

from .. import factories
from .conftest import login, shot


def test_notification_centre_open_button_stays_on_one_line(new_page, make_user, artifacts):
    lead = make_user("lead", username="wang")
    for n in range(3):
        notify(
            [lead],
            "横街镇人民政府已提交《关于横街镇行政执法问题的整改通知》第 2 项的整改报告，"
            "请及时核查整改措施与佐证材料，核查通过或退回整改。" * (n + 1),
            "/notices/",
        )
    db.session.commit()
    page = new_page(width=1366)
    login(page, "wang", factories.PASSWORD)
    page.goto("/notifications")
    buttons = page.locator("[data-testid=notification-open]")
    assert buttons.count() == 3
    line = buttons.first.evaluate("b => parseFloat(getComputedStyle(b).lineHeight)")
    for i in range(3):
        box = buttons.nth(i).bounding_box()
        assert box["height"] < 2 * line, "查看 wraps onto two lines"
    shot(page, artifacts, "layout-notifications-1366")
