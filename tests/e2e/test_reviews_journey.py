"""Case-file review in Chromium: the lead sets up a campaign and samples, two reviewers score (one
hits a veto item), the lead settles the divergence, names an excellent file and publishes, and the
unit's liaison sees the result without the reviewers' names."""

from __future__ import annotations

from openpyxl import Workbook

from supervision.extensions import db
from supervision.services.rubrics import rubric_seed_default

from .. import factories
from .conftest import click_through, login, shot


def _file_list(path) -> str:
    wb = Workbook()
    ws = wb.active
    ws.append(["案号", "案件名称", "案件类型", "决定日期", "承办人"])
    ws.append(["横街综执罚〔2026〕11号", "某村民违法建设案", "行政处罚", "2026-02-10", "张伟、李娜"])
    ws.append(["横街综执罚〔2026〕23号", "某商户占道经营案", "行政处罚", "2026-03-18", "王强、刘芳"])
    ws.append(["横街综执罚〔2026〕37号", "某企业焚烧垃圾案", "行政处罚", "2026-04-02", "陈杰、赵敏"])
    wb.save(path)
    return str(path)


def _score_all_zero(page) -> None:
    for box in page.locator("[data-points]").all():
        box.fill("0")


def test_review_journey(new_page, artifacts, make_user, tmp_path):
    rubric_seed_default()
    town = factories.UnitFactory(name="横街镇人民政府", short_name="横街镇")
    for name in ("海曙区司法局", "海曙区市场监督管理局", "海曙区综合行政执法局"):
        factories.UnitFactory(name=name, short_name=name[3:])
    justice = factories.UnitFactory(name="海曙区住房和城乡建设局", short_name="区住建局")
    market = factories.UnitFactory(name="海曙区交通运输局", short_name="区交通运输局")
    make_user("lead", username="wang", display_name="王建国")
    make_user("inspector", username="chen", display_name="陈敏", unit=justice)
    make_user("inspector", username="liu", display_name="刘洋", unit=market)
    make_user("inspector", username="zhou", display_name="周某", unit=town)  # must never get the town's files
    make_user("liaison", username="zhouli", display_name="周丽", unit=town)
    db.session.commit()

    # 1. The lead sets up the campaign.
    lead = new_page()
    lead.on("dialog", lambda dialog: dialog.accept())
    login(lead, "wang", factories.PASSWORD)
    click_through(lead, "nav >> text=案卷评查")
    click_through(lead, "[data-testid=campaign-new]")
    lead.fill("#title", "2026年度行政执法案卷评查")
    lead.fill("#sample_size", "2")
    lead.check("#rv-" + lead.locator("label:has-text('陈敏')").get_attribute("for").split("-")[1])
    lead.check("#rv-" + lead.locator("label:has-text('刘洋')").get_attribute("for").split("-")[1])
    lead.check("#rv-" + lead.locator("label:has-text('周某')").get_attribute("for").split("-")[1])
    lead.fill("[data-filter-list=unit-list]", "横街")
    lead.locator("#unit-list .form-check:visible input").check()
    shot(lead, artifacts, "reviews-01-lead-new-campaign")
    click_through(lead, "[data-testid=save]")
    assert "已新建评查活动" in lead.content(), lead.locator(".flash-stack").inner_text()

    # 2. The lead imports the town's list and draws the sample with a seed.
    lead.click("[data-testid=import-files]")
    lead.set_input_files("#file", _file_list(tmp_path / "清单.xlsx"))
    click_through(lead, "[data-testid=import-submit]")
    assert "已导入 3 卷案卷" in lead.content()
    lead.fill("#seed", "20260512")
    click_through(lead, "[data-testid=sample]")
    assert lead.locator("[data-testid=seed]").inner_text().startswith("20260512")
    assert lead.locator("[data-testid=sampled-count]").inner_text() == "2"
    shot(lead, artifacts, "reviews-02-lead-sampled")
    click_through(lead, "[data-testid=assign]")
    assert "已分配 4 份评查任务" in lead.content(), lead.locator(".flash-stack").inner_text()
    assert "周某" not in lead.locator("[data-testid=file-list]").inner_text()  # cross-review
    shot(lead, artifacts, "reviews-03-lead-assigned")

    # 3. 陈敏 scores both files: no deductions except one, with a note; the total updates as she types.
    chen = new_page()
    chen.on("dialog", lambda dialog: dialog.accept())
    login(chen, "chen", factories.PASSWORD)
    assert chen.locator("[data-testid=panel-reviews]").count() == 1
    click_through(chen, "nav >> text=案卷评查")
    links = chen.locator("[data-testid=my-assignments] a.btn")
    assert links.count() == 2
    click_through(chen, links.first)
    first_points = chen.locator("[data-points]").first
    first_points.fill("3")
    chen.click("[data-testid=fill-zero]")  # 其余项目不扣分: the rest become 0, shown before submitting
    assert first_points.input_value() == "3"
    assert chen.locator("[data-points]").nth(1).input_value() == "0"
    assert chen.locator("[data-blank-count]").inner_text() == ""
    assert chen.locator("[data-testid=running-total]").inner_text() == "97"
    assert chen.locator("[data-testid=running-grade]").inner_text() == "优秀"
    chen.locator("[data-note]:not(.veto-note)").first.fill("决定书执法主体名称与印章不一致")
    shot(chen, artifacts, "reviews-04-reviewer-scoring")
    click_through(chen, "[data-testid=submit-score]")
    assert "评分已提交：97 分" in chen.content()
    click_through(chen, chen.locator("[data-testid=my-assignments] a.btn").first)
    _score_all_zero(chen)
    click_through(chen, "[data-testid=submit-score]")
    assert "评分已提交：100 分" in chen.content()

    # 4. 刘洋 scores: a missing note is refused; then he hits a veto item on one file.
    liu = new_page()
    liu.on("dialog", lambda dialog: dialog.accept())
    login(liu, "liu", factories.PASSWORD)
    liu.goto("/reviews/")
    click_through(liu, liu.locator("[data-testid=my-assignments] a.btn").first)
    _score_all_zero(liu)
    liu.locator("[data-points]").nth(1).fill("2")
    click_through(liu, "[data-testid=submit-score]")
    assert liu.locator("[data-testid=score-errors]").inner_text().count("必须填写扣分说明") == 1
    liu.locator("[data-points]").nth(1).fill("0")
    click_through(liu, "[data-testid=submit-score]")
    click_through(liu, liu.locator("[data-testid=my-assignments] a.btn").first)
    _score_all_zero(liu)
    liu.locator("[data-veto]").first.check()
    assert liu.locator("[data-testid=running-total]").inner_text() == "0"
    assert liu.locator("[data-testid=running-grade]").inner_text() == "不合格"
    liu.locator(".veto-note").first.fill("执法主体不具备该事项的处罚权")
    shot(liu, artifacts, "reviews-05-reviewer-veto")
    click_through(liu, "[data-testid=submit-score]")
    assert "评分已提交：0 分" in liu.content()

    # 5. The lead settles the divergence, names an excellent file and publishes.
    lead.reload()
    click_through(lead, "[data-testid=show-divergent]")
    rows = lead.locator("[data-testid=file-list] tbody tr")
    assert rows.count() == 1
    click_through(lead, rows.first.locator("a").first)
    assert lead.locator("[data-testid=divergence]").count() == 1
    shot(lead, artifacts, "reviews-06-lead-divergent-file")
    lead.fill("#score", "0")
    lead.fill("#reason", "经复核，执法主体确无该事项处罚权，否决项成立。")
    click_through(lead, "[data-testid=settle]")
    assert "已裁定最终得分 0 分（不合格）" in lead.content()
    click_through(lead, "text=返回评查活动")
    click_through(lead, lead.locator("[data-testid=file-list] tbody tr:has-text('优秀') a").first)
    click_through(lead, "[data-testid=name-excellent]")
    assert lead.locator("[data-testid=excellent-badge]").count() == 1
    click_through(lead, "text=返回评查活动")
    click_through(lead, "[data-testid=publish]")
    assert "评查结果已公布" in lead.content()
    assert lead.locator("[data-testid=grade-chart] canvas").count() == 1
    shot(lead, artifacts, "reviews-07-lead-published")

    # 6. The town's liaison sees the published result, scores and notes, without reviewer names.
    liaison = new_page()
    login(liaison, "zhouli", factories.PASSWORD)
    assert liaison.locator("[data-testid=panel-review-results]").count() == 1
    click_through(liaison, "[data-testid=panel-review-results] a >> text=2026年度行政执法案卷评查")
    body = liaison.locator("main").inner_text()
    assert "执法主体不具备该事项的处罚权" in body and "优秀案卷" in body and "评查人1" in body
    for name in ("陈敏", "刘洋", "周某"):
        assert name not in body
    shot(liaison, artifacts, "reviews-08-liaison-results")

    # On a phone: the lead's campaign list and the liaison's results stay readable.
    phone = new_page(width=390, height=844, mobile=True)
    login(phone, "wang", factories.PASSWORD)
    phone.goto("/reviews/")
    shot(phone, artifacts, "reviews-09-phone-campaigns")
    phone_liaison = new_page(width=390, height=844, mobile=True)
    login(phone_liaison, "zhouli", factories.PASSWORD)
    phone_liaison.goto("/reviews/")
    click_through(phone_liaison, "[data-testid=unit-campaigns] a >> nth=0")
    shot(phone_liaison, artifacts, "reviews-10-phone-liaison-results")


def test_review_demo_data_looks_lived_in(new_page, artifacts):
    from supervision.demo import DEMO_PASSWORD, seed_demo

    assert seed_demo()
    lead = new_page()
    login(lead, "lead", DEMO_PASSWORD)
    assert lead.locator("[data-testid=panel-campaigns] tbody tr").count() >= 1
    lead.goto("/reviews/")
    assert lead.locator("[data-testid=campaign-list] tbody tr").count() == 2
    shot(lead, artifacts, "reviews-demo-01-lead-campaigns")
    click_through(lead, "text=2026年度行政执法案卷交叉评查")
    assert lead.locator("[data-testid=file-list] tbody tr").count() >= 10
    shot(lead, artifacts, "reviews-demo-02-lead-campaign-in-review")
    lead.goto("/reviews/")
    click_through(lead, "text=2025年度行政执法案卷评查")
    assert lead.locator("[data-testid=common-problems] tbody tr").count() >= 3
    shot(lead, artifacts, "reviews-demo-03-lead-published-campaign")
    lead.goto("/reviews/rubrics")
    assert "默认标准（供参考，请按本地标准调整）" in lead.locator("[data-testid=rubric-list]").inner_text()
    shot(lead, artifacts, "reviews-demo-04-rubrics")
    lead.locator("[data-testid=rubric-list] tbody a").first.click()
    shot(lead, artifacts, "reviews-demo-04b-rubric-detail")

    for username in ("inspector1", "inspector2"):
        page = new_page()
        login(page, username, DEMO_PASSWORD)
        panel = page.locator("[data-testid=panel-reviews] tbody tr")
        assert panel.count() >= 1 and "没有待评分" not in panel.first.inner_text()
        if username == "inspector1":
            shot(page, artifacts, "reviews-demo-05-inspector-home")
            click_through(page, panel.first.locator("a").first)
            page.locator("[data-points]").first.fill("1")
            page.locator("[data-note]:not(.veto-note)").first.fill("决定书主体名称简写")
            click_through(page, "[data-testid=save-draft]")
            assert "已暂存评分" in page.content()
            shot(page, artifacts, "reviews-demo-06-inspector-draft")
        page.goto("/reviews/?status=submitted")
        assert page.locator("[data-testid=my-assignments] tbody tr").count() >= 1

    liaison = new_page()
    login(liaison, "liaison1", DEMO_PASSWORD)
    assert liaison.locator("[data-testid=panel-review-results]").count() == 1
    click_through(liaison, "[data-testid=panel-review-results] a >> text=2025年度行政执法案卷评查")
    body = liaison.locator("main").inner_text()
    assert "横街" in body and "陈敏" not in body and "刘洋" not in body
    shot(liaison, artifacts, "reviews-demo-07-liaison-results")
