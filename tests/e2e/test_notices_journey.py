"""Inspector drafts → lead issues → liaison acknowledges and reports with evidence → inspector returns
one item → liaison resubmits → inspector accepts → notice closed (销号), with screenshots."""

from __future__ import annotations

from sqlalchemy import select

from supervision.demo.notices import _pdf
from supervision.extensions import db
from supervision.models import Notice

from .. import factories
from .conftest import login, shot


def test_notice_journey(new_page, artifacts, make_user, tmp_path):
    office = factories.UnitFactory(name="海曙区司法局", short_name="区司法局")
    town = factories.UnitFactory(name="横街镇人民政府", short_name="横街镇", kind="town")
    make_user("lead", username="wang", display_name="王建国", unit=office)
    inspector = make_user("inspector", username="chen", display_name="陈敏", unit=office)
    make_user("liaison", username="zhou", display_name="周丽", unit=town)
    factories.NoticeKindFactory(name="执法监督通知书", prefix="海法督", default_days=15, sort=1)
    factories.NoticeKindFactory(name="整改通知书", prefix="海法整改", default_days=10, sort=2)
    factories.FindingFactory(
        unit=town,
        task=None,
        inspector=inspector,
        description="行政处罚决定书未载明已告知当事人陈述、申辩权利的情况",
        legal_basis="《中华人民共和国行政处罚法》第四十四条",
    )
    factories.FindingFactory(
        unit=town,
        task=None,
        inspector=inspector,
        category="主体",
        severity="serious",
        description="2名未取得行政执法证件的工作人员单独从事执法检查",
        legal_basis="《中华人民共和国行政处罚法》第四十二条",
    )
    db.session.commit()
    evidence = tmp_path / "整改情况报告.pdf"
    evidence.write_bytes(_pdf("report"))

    # The inspector drafts the notice from the unit's open findings and submits it for sign-off.
    chen = new_page()
    chen.on("dialog", lambda dialog: dialog.accept())
    login(chen, "chen", factories.PASSWORD)
    chen.goto("/notices/new")
    shot(chen, artifacts, "notices-01-choose-unit")
    chen.click("text=横街镇人民政府")
    chen.wait_for_selector("[data-testid=notice-form]")
    shot(chen, artifacts, "notices-02-draft-form")
    chen.click("[data-testid=save]")
    chen.wait_for_selector("[data-testid=submit]")
    shot(chen, artifacts, "notices-03-draft")
    chen.click("[data-testid=submit]")
    chen.wait_for_selector("text=已提交签发")
    notice_url = chen.url.split("#")[0]

    # The lead signs it off: a number is given and the unit is told.
    wang = new_page()
    wang.on("dialog", lambda dialog: dialog.accept())
    login(wang, "wang", factories.PASSWORD)
    shot(wang, artifacts, "notices-04-lead-home")
    wang.click("[data-testid=panel-signoff] a")
    wang.click("[data-testid=issue]")
    wang.wait_for_selector("text=已签发，文号")
    number = wang.inner_text("[data-testid=doc-number]")
    assert number.startswith("海法督〔") and number.endswith("〕1号")
    shot(wang, artifacts, "notices-05-issued")
    wang.click("[data-testid=print-link]")
    wang.wait_for_selector("[data-testid=official-doc]")
    assert wang.inner_text("[data-testid=print-number]") == number
    shot(wang, artifacts, "notices-06-print-view")

    # The liaison sees it on the home page, acknowledges it and reports on both items with evidence.
    zhou = new_page(width=414, height=896, mobile=True)
    zhou.on("dialog", lambda dialog: dialog.accept())
    login(zhou, "zhou", factories.PASSWORD)
    assert number in zhou.inner_text("[data-testid=panel-unit-notices]")
    shot(zhou, artifacts, "notices-07-liaison-home")
    zhou.goto(notice_url)
    zhou.click("[data-testid=acknowledge]")
    zhou.wait_for_selector("[data-testid=report-form-1]")
    for seq in (1, 2):
        form = f"[data-testid=report-form-{seq}]"
        zhou.fill(
            f"{form} textarea[name=measures]",
            f"第{seq}项：已组织专题学习，逐件补正案卷，并修订执法文书模板。",
        )
        zhou.set_input_files(f"{form} input[type=file]", str(evidence))
        zhou.click(f"[data-testid=report-submit-{seq}]")
        zhou.wait_for_selector(f"text=第{seq}项整改报告已报送")
    shot(zhou, artifacts, "notices-08-reported")

    # The inspector returns item 1 and accepts item 2.
    chen.goto("/")
    shot(chen, artifacts, "notices-09-inspector-home")
    chen.goto(notice_url)
    chen.fill("[data-testid=return-item-1-reason]", "未附补正后的处罚决定书，请补充后重新报送。")
    chen.click("[data-testid=return-item-1]")
    chen.wait_for_selector("text=第1项已退回整改")
    chen.click("[data-testid=accept-2]")
    chen.wait_for_selector("text=第2项核查通过")
    shot(chen, artifacts, "notices-10-returned-one")

    # The liaison sees the return on the bell and resubmits.
    zhou.goto("/notifications")
    assert "被退回" in zhou.inner_text("main")
    shot(zhou, artifacts, "notices-11-liaison-notifications")
    zhou.goto(notice_url)
    zhou.fill("[data-testid=report-form-1] textarea[name=measures]", "已补充补正后的处罚决定书及送达回证。")
    zhou.set_input_files("[data-testid=report-form-1] input[type=file]", str(evidence))
    zhou.click("[data-testid=report-submit-1]")
    zhou.wait_for_selector("text=第1项整改报告已报送")

    # The inspector accepts: every item accepted, so the notice is closed.
    chen.goto(notice_url)
    chen.click("[data-testid=accept-1]")
    chen.wait_for_selector("[data-testid=closed-banner]")
    shot(chen, artifacts, "notices-12-closed")

    notice = db.session.scalar(select(Notice))
    db.session.refresh(notice)
    assert notice.status == "closed" and notice.doc_number == number
    assert [i.status for i in notice.items] == ["accepted", "accepted"]
    assert {i.finding.status for i in notice.items} == {"resolved"}

    # The register shows the number.
    wang.goto("/notices/register")
    assert number in wang.inner_text("[data-testid=register]")
    shot(wang, artifacts, "notices-13-register")
