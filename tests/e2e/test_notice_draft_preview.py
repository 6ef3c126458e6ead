"""The draft form follows a change of kind (days and default title) and of days (the deadline preview)."""

from __future__ import annotations

from supervision.extensions import db

from .. import factories
from .conftest import login


def test_draft_form_follows_kind_and_days(new_page, make_user):
    office = factories.UnitFactory(name="海曙区司法局", short_name="区司法局")
    town = factories.UnitFactory(name="横街镇人民政府", short_name="横街镇", kind="town")
    inspector = make_user("inspector", username="chen", display_name="陈敏", unit=office)
    first = factories.NoticeKindFactory(name="执法监督通知书", prefix="海法督", default_days=15, sort=1)
    second = factories.NoticeKindFactory(name="执法监督建议书", prefix="海法建", default_days=30, sort=2)
    factories.FindingFactory(unit=town, task=None, inspector=inspector)
    db.session.commit()

    page = new_page()
    login(page, "chen", factories.PASSWORD)
    page.goto(f"/notices/new?unit={town.id}")
    preview = page.locator("[data-testid=deadline-preview]")
    before = preview.inner_text()
    assert "截止日期为" in before and first.name in page.input_value("#title")

    page.select_option("#kind_id", str(second.id))
    assert page.input_value("#time_limit_days") == "30"
    assert second.name in page.input_value("#title")
    page.wait_for_function(
        "t => document.querySelector('[data-testid=deadline-preview]').innerText !== t", arg=before
    )

    page.fill("#title", "关于横街镇执法问题的建议")  # the user's own title is kept on a change of kind
    page.select_option("#kind_id", str(first.id))
    assert page.input_value("#title") == "关于横街镇执法问题的建议"

    page.fill("#time_limit_days", "2900000")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=deadline-preview]').innerText.includes('1 至 250')"
    )
