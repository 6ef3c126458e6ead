"""Assessment rounds, self-assessment, evaluation, finalizing, scorecards, roadmap: views and rules."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from html import unescape
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from supervision.errors import DomainError
from supervision.exports.sheets import SIGNATURE_LINE
from supervision.extensions import db
from supervision.formatting import local_today
from supervision.models import Assessment, AuditEvent, Framework, Indicator, IndicatorScore, RoadmapItem
from supervision.scoring_indicators import BAND_COLOURS, HEAT_COLOURS, band_scale
from supervision.services import frameworks as framework_svc
from supervision.services import scorecards as svc

from .conftest import count_queries
from .factories import FindingFactory, UnitFactory, UserFactory, make_framework

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(make_user):
    """A 2 × 3 framework (2 points each; 1.1.3 only for districts), a town and a department, a round."""
    framework = make_framework(areas=2, per_area=3, points="2")
    leaves = {
        i.code: i
        for i in db.session.scalars(
            select(Indicator).where(Indicator.framework_id == framework.id, Indicator.is_leaf.is_(True))
        )
    }
    leaves["1.1.3"].applies_to = "district"
    db.session.commit()
    town = UnitFactory(name="横街镇人民政府", short_name="横街镇", kind="town")
    dept = UnitFactory(name="区综合行政执法局", short_name="综合执法局", kind="department")
    home = UnitFactory(name="区司法局", short_name="司法局", kind="department")
    people = SimpleNamespace(
        admin=make_user("admin"),
        lead=make_user("lead"),
        inspector=make_user("inspector", unit=home),
        liaison=make_user("liaison", unit=town),
        other=make_user("liaison", unit=dept),
        home_inspector=make_user("inspector", unit=town),
    )
    round_ = svc.round_open(
        actor=people.lead,
        framework_id=framework.id,
        year=2026,
        title="2026年度自评",
        deadline=date(2026, 12, 31),
        unit_ids=[],
        all_units=True,
    )
    assessments = {
        a.unit_id: a for a in db.session.scalars(select(Assessment).where(Assessment.round_id == round_.id))
    }
    return SimpleNamespace(
        framework=framework,
        leaves=leaves,
        town=town,
        dept=dept,
        round=round_,
        mine=assessments[town.id],
        theirs=assessments[dept.id],
        **vars(people),
    )


def _save(client, w, code, rating, score="", explanation="说明", htmx=True, assessment=None, version=""):
    assessment = assessment or w.mine
    return client.post_form(
        f"/scorecards/assessments/{assessment.id}/scores/{w.leaves[code].id}",
        {"rating": rating, "score": score, "explanation": explanation, "version": version},
        headers={"HX-Request": "true"} if htmx else {},
    )


def _score(assessment, leaf) -> IndicatorScore | None:
    db.session.expire_all()
    return db.session.scalar(
        select(IndicatorScore).where(
            IndicatorScore.assessment_id == assessment.id, IndicatorScore.indicator_id == leaf.id
        )
    )


def _fill(client, w, ratings: dict, assessment=None):
    for code, (rating, score) in ratings.items():
        response = _save(client, w, code, rating, score, assessment=assessment)
        assert 'data-testid="row-saved"' in response.get_data(as_text=True), code


ALL_TOWN = {
    "1.1.1": ("met", ""),
    "1.1.2": ("basic", "1.5"),
    "2.1.1": ("unmet", ""),
    "2.1.2": ("na", ""),
    "2.1.3": ("met", ""),
}


# --- self-assessment ----------------------------------------------------------------------------


def test_round_opening_freezes_the_framework_and_creates_drafts(world):
    assert db.session.get(Framework, world.framework.id).frozen
    assert world.mine.status == "draft" and world.theirs.status == "draft"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.open"))


def test_liaison_sees_only_applicable_indicators_and_progress(client, world):
    client.login_user(world.liaison)
    html = client.get(f"/scorecards/assessments/{world.mine.id}").get_data(as_text=True)
    assert "score-row-1.1.1" in html and "score-row-1.1.3" not in html  # 1.1.3 is for districts only
    assert "0/5" in html


def test_saving_as_she_goes_returns_the_row_and_progress(client, world):
    client.login_user(world.liaison)
    response = _save(client, world, "1.1.1", "met")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="ind-' in html and "已保存" in html
    assert 'hx-swap-oob="true"' in html and "1/5" in html
    record = _score(world.mine, world.leaves["1.1.1"])
    assert record.self_rating == "met" and record.self_score == 2.0  # 达标 → full points
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "indicator_score.self"))
    # Without htmx the same form redirects back to the indicator.
    plain = _save(client, world, "1.1.2", "basic", "1", htmx=False)
    assert plain.status_code == 302 and "#ind-" in plain.headers["Location"]


@pytest.mark.parametrize(
    ("rating", "score", "message"),
    [
        ("basic", "3", "不能超过"),
        ("basic", "-1", "负数"),
        ("unmet", "2", "未达标"),
        ("met", "1", "基本达标"),
        ("basic", "", "须填写得分"),
        ("basic", "两分", "不是数字"),
    ],
)
def test_bad_scores_save_nothing_and_say_why(client, world, rating, score, message):
    client.login_user(world.liaison)
    html = _save(client, world, "1.1.1", rating, score).get_data(as_text=True)
    assert 'data-testid="row-error"' in html and message in html
    # The inputs show what is stored (nothing); what was typed is kept in the message.
    assert f'value="{score}"' not in html or not score
    assert (f"得分“{score}”" if score else "等次“基本达标”") in html
    assert 'data-testid="row-restore"' in html
    assert _score(world.mine, world.leaves["1.1.1"]) is None


def test_a_refused_save_shows_the_stored_value_and_keeps_the_typed_one_in_the_message(client, world):
    client.login_user(world.liaison)
    _save(client, world, "1.1.2", "basic", "1.5", explanation="已建台账")
    record = _score(world.mine, world.leaves["1.1.2"])
    html = _save(
        client, world, "1.1.2", "basic", "3", explanation="已建台账", version=str(record.version)
    ).get_data(as_text=True)
    assert 'value="1.5" data-testid="score-1.1.2"' in html
    assert "未保存：" in html and "得分“3”" in html and "说明“" not in html  # unchanged fields left out
    assert _score(world.mine, world.leaves["1.1.2"]).self_score == 1.5


# --- htmx rows when the request cannot be answered with the row ------------------------------------


def test_expired_session_sends_the_whole_page_to_login_not_into_the_row(client, world):
    page = f"http://localhost/scorecards/assessments/{world.mine.id}?area=1"
    url = f"/scorecards/assessments/{world.mine.id}/scores/{world.leaves['1.1.1'].id}"
    response = client.post_form(
        url, {"rating": "met"}, headers={"HX-Request": "true", "HX-Current-URL": page}
    )
    assert response.status_code == 401 and "<form" not in response.get_data(as_text=True)
    target = response.headers["HX-Redirect"]
    assert target == f"/auth/login?next=%2Fscorecards%2Fassessments%2F{world.mine.id}%3Farea%3D1"
    assert "scores" not in target  # back to the page, not to the POST-only row endpoint
    # An expired session took its CSRF token with it: still the login page, not a token error.
    tokenless = client.post(url, data={}, headers={"HX-Request": "true", "HX-Current-URL": page})
    assert tokenless.status_code == 401 and tokenless.headers["HX-Redirect"] == target
    # A page of another site is not a place to come back to.
    elsewhere = client.post_form(
        url, {}, headers={"HX-Request": "true", "HX-Current-URL": "http://evil.example//x"}
    )
    assert elsewhere.headers["HX-Redirect"] == "/auth/login"
    # Without htmx: the usual redirect to the login form.
    plain = client.post_form(url, {})
    assert plain.status_code == 302 and "/auth/login?next=" in plain.headers["Location"]


def test_stale_csrf_token_on_a_row_is_a_short_message_for_the_row(client, world):
    client.login_user(world.liaison)
    url = f"/scorecards/assessments/{world.mine.id}/scores/{world.leaves['1.1.1'].id}"
    response = client.post(url, data={"rating": "met", "csrf_token": "stale"}, headers={"HX-Request": "true"})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith("未保存：页面已过期")
    assert _score(world.mine, world.leaves["1.1.1"]) is None


def test_the_rows_tokens_are_the_pages_and_a_row_saves_with_one(client, world):
    """The rows' forms carry the page's CSRF token (sessions.csrf_token, as the layout's), on the
    first page of a session and the next; a row's save with it is accepted."""
    client.login_user(world.liaison)
    for _visit in range(2):
        page = client.get(f"/scorecards/assessments/{world.mine.id}").get_data(as_text=True)
        meta = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        rows = page.split('class="score-list"')[1]
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', rows))
        assert tokens == {meta}
    url = f"/scorecards/assessments/{world.mine.id}/scores/{world.leaves['1.1.1'].id}"
    response = client.post(
        url, data={"rating": "met", "csrf_token": unescape(meta)}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and _score(world.mine, world.leaves["1.1.1"]).self_rating == "met"


def test_server_error_on_a_row_is_a_short_message_for_the_row(client, world, app, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(svc, "score_save", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    client.login_user(world.liaison)
    response = _save(client, world, "1.1.1", "met")
    assert response.status_code == 500 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "未保存：服务器出错，请稍后重试。"
    plain = _save(client, world, "1.1.1", "met", htmx=False)
    assert plain.status_code == 500 and "<html" in plain.get_data(as_text=True)


def test_indicator_not_applying_to_the_unit_cannot_be_scored(client, world):
    client.login_user(world.liaison)
    assert _save(client, world, "1.1.3", "met").status_code == 404


def test_stale_version_is_refused(client, world):
    client.login_user(world.liaison)
    _save(client, world, "1.1.1", "met")
    record = _score(world.mine, world.leaves["1.1.1"])
    html = _save(client, world, "1.1.1", "unmet", version=str(record.version - 1)).get_data(as_text=True)
    assert "已被他人修改" in html
    assert _score(world.mine, world.leaves["1.1.1"]).self_rating == "met"


def test_submit_needs_every_indicator_rated(client, world):
    client.login_user(world.liaison)
    _save(client, world, "1.1.1", "met")
    response = client.post_form(f"/scorecards/assessments/{world.mine.id}/submit", follow_redirects=True)
    assert "尚有 4 项指标未评价" in response.get_data(as_text=True)
    db.session.refresh(world.mine)
    assert world.mine.status == "draft"


def test_liaison_edits_only_own_unit_and_only_while_draft(client, world):
    client.login_user(world.liaison)
    assert client.get(f"/scorecards/assessments/{world.theirs.id}").status_code == 404
    assert _save(client, world, "1.1.1", "met", assessment=world.theirs).status_code == 404
    _fill(client, world, ALL_TOWN)
    assert client.post_form(f"/scorecards/assessments/{world.mine.id}/submit").status_code == 302
    db.session.refresh(world.mine)
    assert world.mine.status == "submitted" and world.mine.submitted_at
    html = _save(client, world, "1.1.1", "unmet").get_data(as_text=True)
    assert "自评已提交" in html
    assert _score(world.mine, world.leaves["1.1.1"]).self_rating == "met"
    page = client.get(f"/scorecards/assessments/{world.mine.id}").get_data(as_text=True)
    assert "submit-assessment" not in page and 'name="rating"' not in page  # read only now


def test_evidence_files_are_served_only_to_those_who_may_see_the_assessment(client, world, app):
    client.login_user(world.liaison)
    response = client.post_form(
        f"/scorecards/assessments/{world.mine.id}/scores/{world.leaves['1.1.1'].id}/files",
        {"files": (io.BytesIO(PNG), "会议纪要.png")},
        content_type="multipart/form-data",
        headers={"HX-Request": "true"},
    )
    assert "会议纪要.png" in response.get_data(as_text=True)
    bad = client.post_form(
        f"/scorecards/assessments/{world.mine.id}/scores/{world.leaves['1.1.1'].id}/files",
        {"files": (io.BytesIO(b"MZ\x90\x00 not allowed"), "virus.exe")},
        content_type="multipart/form-data",
        headers={"HX-Request": "true"},
    )
    assert "不允许上传" in bad.get_data(as_text=True)
    from supervision.models import Attachment

    files = db.session.scalars(select(Attachment).where(Attachment.owner_type == "indicator_score")).all()
    assert len(files) == 1
    url = f"/files/{files[0].id}"
    assert client.get(url).status_code == 200
    client.login_user(world.other)
    assert client.get(url).status_code == 404
    client.login_user(world.inspector)
    assert client.get(url).status_code == 200


# --- evaluation and finalizing -------------------------------------------------------------------


def _submitted(client, world):
    client.login_user(world.liaison)
    _fill(client, world, ALL_TOWN)
    client.post_form(f"/scorecards/assessments/{world.mine.id}/submit")
    db.session.refresh(world.mine)
    assert world.mine.status == "submitted"


def test_inspector_evaluates_and_untouched_indicators_keep_the_unit_rating(client, world):
    _submitted(client, world)
    client.login_user(world.inspector)
    response = client.post_form(
        f"/scorecards/assessments/{world.mine.id}/scores/{world.leaves['1.1.1'].id}/evaluate",
        {"rating": "basic", "score": "1", "comment": "台账不全"},
        headers={"HX-Request": "true"},
    )
    assert "已保存" in response.get_data(as_text=True)
    bad = client.post_form(
        f"/scorecards/assessments/{world.mine.id}/scores/{world.leaves['1.1.2'].id}/evaluate",
        {"rating": "unmet", "score": "2", "comment": ""},
        headers={"HX-Request": "true"},
    )
    assert "未达标" in bad.get_data(as_text=True)
    assert _score(world.mine, world.leaves["1.1.2"]).evaluated_rating is None
    assert client.post_form(f"/scorecards/assessments/{world.mine.id}/evaluate").status_code == 302
    db.session.refresh(world.mine)
    assert world.mine.status == "evaluated" and world.mine.evaluator_id == world.inspector.id
    first = _score(world.mine, world.leaves["1.1.1"])
    second = _score(world.mine, world.leaves["1.1.2"])
    assert (first.evaluated_rating, first.evaluated_score, first.comment) == ("basic", 1.0, "台账不全")
    assert (second.evaluated_rating, second.evaluated_score) == ("basic", 1.5)


def test_inspector_cannot_evaluate_own_unit(client, world):
    _submitted(client, world)
    client.login_user(world.home_inspector)  # the inspector's home unit is the town
    response = client.post_form(f"/scorecards/assessments/{world.mine.id}/evaluate", follow_redirects=True)
    assert "不能评估本单位" in response.get_data(as_text=True)
    db.session.refresh(world.mine)
    assert world.mine.status == "submitted"


def test_return_needs_a_reason_and_reopens_the_draft(client, world):
    _submitted(client, world)
    client.login_user(world.inspector)
    response = client.post_form(
        f"/scorecards/assessments/{world.mine.id}/return", {"reason": " "}, follow_redirects=True
    )
    assert "必须填写理由" in response.get_data(as_text=True)
    db.session.refresh(world.mine)
    assert world.mine.status == "submitted"
    client.post_form(f"/scorecards/assessments/{world.mine.id}/return", {"reason": "佐证材料缺失"})
    db.session.refresh(world.mine)
    assert world.mine.status == "draft" and world.mine.return_reason == "佐证材料缺失"
    from supervision.models import Notification

    note = db.session.scalar(
        select(Notification).where(Notification.user_id == world.liaison.id).order_by(Notification.id.desc())
    )
    assert "被退回：佐证材料缺失" in note.text and note.link.endswith(f"/assessments/{world.mine.id}")
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert {"assessment_open", "assessment_submitted", "assessment_returned"} <= kinds
    client.login_user(world.liaison)
    page = client.get(f"/scorecards/assessments/{world.mine.id}").get_data(as_text=True)
    assert "佐证材料缺失" in page and "submit-assessment" in page


def _evaluated(client, world):
    _submitted(client, world)
    client.login_user(world.inspector)
    client.post_form(f"/scorecards/assessments/{world.mine.id}/evaluate")
    db.session.refresh(world.mine)
    assert world.mine.status == "evaluated"


def test_finalize_needs_a_roadmap_item_for_every_weak_indicator(client, world):
    _evaluated(client, world)
    client.login_user(world.lead)
    response = client.post_form(f"/scorecards/assessments/{world.mine.id}/finalize", follow_redirects=True)
    assert "1 项短板指标尚未列入路线图（2.1.1）" in response.get_data(as_text=True)
    db.session.refresh(world.mine)
    assert world.mine.status == "evaluated"
    leaf = world.leaves["2.1.1"]
    bad = client.post_form(
        f"/scorecards/roadmap/new?assessment={world.mine.id}&indicator={leaf.id}",
        {"measure": "", "owner": "", "due_date": ""},
    )
    assert bad.status_code == 200 and db.session.scalar(select(RoadmapItem)) is None
    ok = client.post_form(
        f"/scorecards/roadmap/new?assessment={world.mine.id}&indicator={leaf.id}",
        {"measure": "制定专项整改方案", "owner": "党政办 张三", "due_date": "2027-06-30"},
    )
    assert ok.status_code == 302
    assert client.post_form(f"/scorecards/assessments/{world.mine.id}/finalize").status_code == 302
    db.session.refresh(world.mine)
    assert world.mine.status == "finalized" and world.mine.finalized_at
    # Locked: nobody changes it any more.
    client.login_user(world.inspector)
    html = client.post_form(
        f"/scorecards/assessments/{world.mine.id}/scores/{world.leaves['1.1.1'].id}/evaluate",
        {"rating": "met"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "只有已提交的自评才能评估" in html


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        ("liaison", "finalize", 403),
        ("liaison", "evaluate", 403),
        ("liaison", "return", 403),
        ("inspector", "finalize", 403),
        ("inspector", "submit", 403),
        ("lead", "submit", 403),
        ("lead", "evaluate", 403),
        ("admin", "finalize", 403),
        ("other", "submit", 404),  # another unit's liaison: not even visible
    ],
)
def test_forbidden_transitions(client, world, who, action, status):
    _evaluated(client, world) if action == "finalize" else _submitted(client, world)
    before = world.mine.status
    client.login_user(getattr(world, who))
    assert (
        client.post_form(f"/scorecards/assessments/{world.mine.id}/{action}", {"reason": "x"}).status_code
        == status
    )
    db.session.refresh(world.mine)
    assert world.mine.status == before


# --- scorecards ----------------------------------------------------------------------------------


def _finalized(client, world):
    _evaluated(client, world)
    client.login_user(world.lead)
    client.post_form(
        f"/scorecards/roadmap/new?assessment={world.mine.id}&indicator={world.leaves['2.1.1'].id}",
        {"measure": "整改", "owner": "党政办", "due_date": (local_today() - timedelta(days=3)).isoformat()},
    )
    client.post_form(f"/scorecards/assessments/{world.mine.id}/finalize")
    db.session.refresh(world.mine)
    assert world.mine.status == "finalized"


def test_unit_and_office_scorecards(client, world):
    _finalized(client, world)
    # 2 + 1.5 + 0 + (na) + 2 = 5.5 of 8 applicable points → 68.75
    client.login_user(world.lead)
    office = client.get("/scorecards/office").get_data(as_text=True)
    # The page shows the figure at the precision of the JSON and the .xlsx (68.75, not 68.8).
    assert "68.75" in office and 'data-testid="ranking"' in office and "横街镇" in office
    data = client.get(f"/scorecards/office/data.json?round={world.round.id}").get_json()
    assert data["units"] == ["横街镇"] and data["totals"] == [68.75] and data["bands"] == ["red"]
    assert len(data["areas"]) == 2 and len(data["heat"]) == 2
    unit = client.get(f"/scorecards/units/{world.town.id}").get_data(as_text=True)
    assert 'data-testid="unit-total"' in unit and "68.75" in unit
    assert 'data-chart="radar"' in unit and "87.5" in unit and "50" in unit  # area 1: 3.5/4, area 2: 2/4
    assert "逾期" in unit  # the weak indicator's roadmap item is overdue
    rollup = client.get("/scorecards/rollup").get_data(as_text=True)
    assert 'data-testid="rollup"' in rollup and "指标2.1.1" in rollup
    assert "得分低于分值 60% 的单位数" in rollup  # the threshold stated from the rule itself
    detail = client.get(f"/scorecards/rollup/{world.leaves['2.1.1'].id}").get_data(as_text=True)
    assert 'data-testid="rollup-indicator"' in detail and "横街镇人民政府" in detail and "未达标" in detail
    assert client.get(f"/scorecards/rollup/{world.leaves['2.1.1'].id}?round=999").status_code == 200  # latest
    client.login_user(world.inspector)
    assert client.get(f"/scorecards/rollup/{world.leaves['2.1.1'].id}").status_code == 200
    # The liaison sees her own unit's scorecard, not others', not the office one.
    client.login_user(world.liaison)
    assert client.get(f"/scorecards/units/{world.town.id}").status_code == 200
    assert client.get(f"/scorecards/units/{world.dept.id}").status_code == 404
    assert client.get("/scorecards/office").status_code == 403
    assert client.get("/scorecards/").headers["Location"].endswith(f"/scorecards/units/{world.town.id}")


def test_office_export_reads_back(client, world):
    _finalized(client, world)
    client.login_user(world.lead)
    response = client.get("/scorecards/office/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "排名" and "横街镇" in book.sheetnames
    ranking = book["排名"]
    assert [c.value for c in ranking[3]][:4] == ["名次", "单位", "总分", "等级"]
    assert [c.value for c in ranking[4]][:4] == [1, "横街镇", 68.75, "差"]
    assert ranking.page_setup.orientation == "landscape" and ranking.print_title_rows == "$3:$3"
    last = max(r for r in range(1, ranking.max_row + 1) if ranking.cell(r, 1).value is not None)
    assert ranking.cell(last, 1).value == SIGNATURE_LINE and ranking.auto_filter.ref.startswith("A3:")
    unit_rows = list(book["横街镇"].iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in unit_rows] == ["1.1.1", "1.1.2", "2.1.1", "2.1.2", "2.1.3"]
    assert unit_rows[2][5] == "未达标" and unit_rows[2][7] == "是"


def test_findings_bear_on_indicators(client, world):
    _finalized(client, world)
    leaf = world.leaves["2.1.1"]
    FindingFactory(unit=world.town, indicator_id=leaf.id, description="规范性文件未按期报备")
    FindingFactory(unit=world.dept, indicator_id=leaf.id, description="别的单位的问题")
    client.login_user(world.lead)
    card = client.get(f"/scorecards/units/{world.town.id}").get_data(as_text=True)
    assert f"/scorecards/units/{world.town.id}/indicators/{leaf.id}#findings" in card
    page = client.get(f"/scorecards/units/{world.town.id}/indicators/{leaf.id}").get_data(as_text=True)
    assert "规范性文件未按期报备" in page and "别的单位的问题" not in page
    client.login_user(world.liaison)  # liaisons do not read findings
    page = client.get(f"/scorecards/units/{world.town.id}/indicators/{leaf.id}").get_data(as_text=True)
    assert "规范性文件未按期报备" not in page and "整改路线图" in page


# --- roadmap -------------------------------------------------------------------------------------


def test_roadmap_list_filters_highlights_overdue_and_exports(client, world):
    _finalized(client, world)
    item = db.session.scalar(select(RoadmapItem))
    client.login_user(world.lead)
    html = client.get("/scorecards/roadmap").get_data(as_text=True)
    assert "row-overdue" in html and "逾期" in html
    assert "整改" in client.get("/scorecards/roadmap?overdue=1").get_data(as_text=True)
    assert "没有符合条件" in client.get("/scorecards/roadmap?status=done").get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get("/scorecards/roadmap/export.xlsx").data))
    rows = list(book.active.iter_rows(min_row=4, values_only=True))
    assert rows[0][1] == "横街镇人民政府" and rows[0][3] == "2.1.1" and "逾期" in rows[0][8]
    # The lead moves it on; the liaison may update the measure and progress but not the status.
    assert client.post_form(f"/scorecards/roadmap/{item.id}/start").status_code == 302
    db.session.refresh(item)
    assert item.status == "in_progress"
    client.login_user(world.liaison)
    assert client.post_form(f"/scorecards/roadmap/{item.id}/complete").status_code == 403
    response = client.post_form(
        f"/scorecards/roadmap/{item.id}/edit",
        {
            "measure": "整改",
            "owner": "党政办",
            "due_date": "2027-01-31",
            "progress": "已完成方案",
            "version": item.version,
        },
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.progress == "已完成方案" and item.due_date == date(2027, 1, 31)
    client.login_user(world.other)
    assert client.get(f"/scorecards/roadmap/{item.id}").status_code == 404
    assert "没有符合条件的路线图事项" in client.get("/scorecards/roadmap").get_data(as_text=True)


def test_open_round_form(client, world):
    client.login_user(world.lead)
    page = client.get("/scorecards/rounds/new").get_data(as_text=True)
    assert "横街镇" in page
    dup = client.post_form(
        "/scorecards/rounds/new",
        {"year": "2026", "framework_id": world.framework.id, "title": "再来", "all_units": "y"},
    )
    assert "2026 年度已有评估轮次" in dup.get_data(as_text=True)
    none = client.post_form(
        "/scorecards/rounds/new", {"year": "2027", "framework_id": world.framework.id, "title": "选单位"}
    )
    assert "请选择参加评估的单位" in none.get_data(as_text=True)
    ok = client.post_form(
        "/scorecards/rounds/new",
        {
            "year": "2027",
            "framework_id": world.framework.id,
            "title": "2027年度",
            "unit_ids": [world.town.id],
        },
    )
    assert ok.status_code == 302
    assert db.session.scalar(
        select(Assessment).where(Assessment.unit_id == world.town.id, Assessment.id != world.mine.id)
    )


def test_home_panels(client, world):
    client.login_user(world.liaison)
    _save(client, world, "1.1.1", "met")
    assert "1/5" in client.get("/").get_data(as_text=True)
    _submitted(client, world)
    client.login_user(world.inspector)
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="home-to-evaluate"' in home and "横街镇人民政府" in home
    client.login_user(world.lead)
    assert 'data-testid="home-ranking"' in client.get("/").get_data(as_text=True)


# --- role × route matrix -------------------------------------------------------------------------

ROUTES = [
    # (url template, {role: expected status})
    ("/scorecards/frameworks", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 403}),
    ("/scorecards/frameworks/{fw}", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 403}),
    ("/scorecards/frameworks/import", {"admin": 200, "lead": 403, "inspector": 403, "liaison": 403}),
    (
        "/scorecards/frameworks/{fw}/export.xlsx",
        {"admin": 200, "lead": 200, "inspector": 200, "liaison": 403},
    ),
    ("/scorecards/rounds", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 200}),
    ("/scorecards/rounds/new", {"admin": 403, "lead": 200, "inspector": 403, "liaison": 403}),
    ("/scorecards/rounds/{round}", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 403}),
    ("/scorecards/assessments/{mine}", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 200}),
    ("/scorecards/assessments/{theirs}", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 404}),
    ("/scorecards/office", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 403}),
    ("/scorecards/office/data.json", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 403}),
    ("/scorecards/rollup", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 403}),
    ("/scorecards/units/{town}", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 200}),
    ("/scorecards/units/{dept}", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 404}),
    ("/scorecards/roadmap", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 200}),
    ("/scorecards/roadmap/export.xlsx", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 200}),
]


@pytest.mark.parametrize("role", ["admin", "lead", "inspector", "liaison"])
@pytest.mark.parametrize(("url", "expected"), ROUTES)
def test_role_route_matrix(client, world, role, url, expected):
    client.login_user(getattr(world, role))
    target = url.format(
        fw=world.framework.id, round=world.round.id, mine=world.mine.id, theirs=world.theirs.id,
        town=world.town.id, dept=world.dept.id,
    )  # fmt: skip
    assert client.get(target).status_code == expected[role]


def test_anonymous_is_sent_to_login(client, world):
    for url in ("/scorecards/office", f"/scorecards/assessments/{world.mine.id}", "/scorecards/roadmap"):
        assert client.get(url).status_code == 302


def test_no_inline_scripts(client, world):
    _finalized(client, world)
    client.login_user(world.lead)
    for url in (
        "/scorecards/office",
        f"/scorecards/units/{world.town.id}",
        f"/scorecards/assessments/{world.mine.id}",
    ):
        html = client.get(url).get_data(as_text=True)
        for tag in html.split("<script")[1:]:
            assert tag.lstrip().startswith("src="), url


def test_user_factory_is_available(client, world):
    """UserFactory makes a saved, active user who signs in with the factory password."""
    from .factories import PASSWORD

    liaison = UserFactory(role="liaison", unit=world.town)
    db.session.expire_all()
    saved = db.session.get(type(liaison), liaison.id)
    assert (saved.role, saved.unit_id, saved.active) == ("liaison", world.town.id, True)
    assert saved.check_password(PASSWORD) and not saved.check_password(PASSWORD + "x")
    assert client.login(saved.username).status_code == 302
    page = client.get(f"/scorecards/assessments/{world.mine.id}")
    assert page.status_code == 200 and "score-row-1.1.1" in page.get_data(as_text=True)


def test_inspector_can_go_back_to_the_unit_rating(client, world):
    _submitted(client, world)
    client.login_user(world.inspector)
    url = f"/scorecards/assessments/{world.mine.id}/scores/{world.leaves['1.1.1'].id}/evaluate"
    client.post_form(
        url, {"rating": "unmet", "score": "", "comment": "未见台账"}, headers={"HX-Request": "true"}
    )
    assert _score(world.mine, world.leaves["1.1.1"]).evaluated_rating == "unmet"
    html = client.post_form(url, {"rating": "", "score": "1"}, headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "请先选择" in html
    client.post_form(url, {"rating": "", "score": "", "comment": ""}, headers={"HX-Request": "true"})
    assert _score(world.mine, world.leaves["1.1.1"]).evaluated_rating is None
    client.post_form(f"/scorecards/assessments/{world.mine.id}/evaluate")
    assert _score(world.mine, world.leaves["1.1.1"]).evaluated_rating == "met"


def test_cli_seed_framework_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "framework"])
    second = runner.invoke(args=["seed", "framework"])
    assert "已载入示例指标体系" in first.output and "已存在" in second.output
    assert db.session.scalar(select(Framework).where(Framework.is_demo.is_(True))) is not None


def test_demo_data_for_scorecards(app, client):
    from supervision.demo import seed_demo
    from supervision.models import AssessmentRound, User

    assert seed_demo()
    db.session.commit()
    rounds = {r.year: r for r in db.session.scalars(select(AssessmentRound))}
    assert set(rounds) == {2024, 2025, 2026} and rounds[2026].status == "open"
    users = {u.username: u for u in db.session.scalars(select(User))}

    def current(name):
        return db.session.scalar(
            select(Assessment).where(
                Assessment.round_id == rounds[2026].id, Assessment.unit_id == users[name].unit_id
            )
        )

    mine, theirs = current("liaison1"), current("liaison2")
    assert mine.status == "draft" and theirs.status == "submitted"
    rated = db.session.scalars(select(IndicatorScore).where(IndicatorScore.assessment_id == mine.id)).all()
    assert 0 < len(rated) < 100
    finalized = db.session.scalars(select(Assessment).where(Assessment.status == "finalized")).all()
    assert (
        len(finalized)
        == 2 * db.session.query(Assessment).filter(Assessment.round_id == rounds[2025].id).count()
    )
    assert db.session.scalar(select(RoadmapItem).where(RoadmapItem.status != "done")) is not None
    client.login_user(users["lead"])
    office = client.get("/scorecards/office").get_data(as_text=True)
    assert "横街镇" in office and "示例" in office


def test_finalizing_stores_the_area_sums_the_database_would_compute(client, world):
    from supervision.services.scorecard_reports import office_scorecard

    _finalized(client, world)
    db.session.refresh(world.mine)
    assert world.mine.area_scores is not None
    stored = office_scorecard(world.round)
    world.mine.area_scores = None  # as if loaded in bulk: summed by the database instead
    db.session.commit()
    computed = office_scorecard(world.round)
    assert [(r.unit_id, r.total, r.areas) for r in stored["rows"]] == [
        (r.unit_id, r.total, r.areas) for r in computed["rows"]
    ]
    assert stored["rows"][0].total == 68.75


def test_a_finding_names_the_indicator_it_bears_on_through_the_finding_form(client, world):
    from supervision.models import Finding

    from .factories import TaskFactory, TaskInspectorFactory

    task = TaskFactory(status="active")
    task.units = [world.town]
    TaskInspectorFactory(task=task, user=world.inspector, is_leader=True)
    db.session.commit()
    client.login_user(world.inspector)
    page = client.get(f"/tasks/{task.id}/findings/new").get_data(as_text=True)
    assert "对应的示范指标" in page and "2.1.1 指标2.1.1" in page
    form = {
        "unit_id": str(world.town.id),
        "category": "程序",
        "severity": "normal",
        "description": "规范性文件未按期报备",
        "legal_basis": "",
        "found_on": local_today().isoformat(),
    }
    bad = client.post_form(f"/tasks/{task.id}/findings/new", {**form, "indicator_id": "999999"})
    assert "所选的示范指标不存在" in bad.get_data(as_text=True)
    assert db.session.scalar(select(Finding)) is None
    leaf = world.leaves["2.1.1"]
    ok = client.post_form(f"/tasks/{task.id}/findings/new", {**form, "indicator_id": str(leaf.id)})
    assert ok.status_code == 302
    finding = db.session.scalar(select(Finding))
    assert finding.indicator_id == leaf.id
    detail = client.get(f"/tasks/findings/{finding.id}").get_data(as_text=True)
    assert "对应指标" in detail and f"/scorecards/units/{world.town.id}/indicators/{leaf.id}" in detail
    card = client.get(f"/scorecards/units/{world.town.id}/indicators/{leaf.id}").get_data(as_text=True)
    assert "规范性文件未按期报备" in card
    # Editing can clear it again ("不对应具体指标").
    edit = client.post_form(
        f"/tasks/findings/{finding.id}/edit", {**form, "indicator_id": "0", "version": finding.version}
    )
    assert edit.status_code == 302
    db.session.refresh(finding)
    assert finding.indicator_id is None


# --- reusing last year's work ------------------------------------------------------------------


def test_reuse_last_years_explanations(client, world):
    w = world
    last = svc.round_open(
        actor=w.lead,
        framework_id=w.framework.id,
        year=2025,
        title="2025年度自评",
        deadline=date(2025, 12, 31),
        unit_ids=[w.town.id, w.dept.id],
        all_units=False,
    )
    last_mine = db.session.scalar(
        select(Assessment).where(Assessment.round_id == last.id, Assessment.unit_id == w.town.id)
    )
    for code, rating, text in (("1.1.1", "met", "去年：网办率 95%"), ("1.1.2", "basic", "去年：台账不全")):
        svc.score_save(
            actor=w.liaison,
            assessment=last_mine,
            indicator=w.leaves[code],
            rating=rating,
            score_text="1.2" if rating == "basic" else "",
            explanation=text,
        )
    client.login_user(w.liaison)
    _save(client, w, "1.1.2", "met", explanation="今年：台账已补齐")
    page = client.get(f"/scorecards/assessments/{w.mine.id}").get_data(as_text=True)
    assert 'data-testid="reuse-previous"' in page
    assert "2025 年度：自评 达标 2" in page and "2025 年度：自评 基本达标 1.2" in page

    before = db.session.scalar(select(func.count(AuditEvent.id)))
    response = client.post_form(f"/scorecards/assessments/{w.mine.id}/reuse-previous", {})
    assert "已沿用上一年度的自评说明 1 项" in client.get(response.headers["Location"]).get_data(as_text=True)
    first, second = _score(w.mine, w.leaves["1.1.1"]), _score(w.mine, w.leaves["1.1.2"])
    assert (first.explanation, first.self_rating, first.self_score) == ("去年：网办率 95%", None, None)
    assert (second.explanation, second.self_rating) == ("今年：台账已补齐", "met")  # not overwritten
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.action == "assessment.reuse_previous" and "1.1.1" in event.summary
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before + 1

    # Nothing left to copy: said so, nothing written.
    response = client.post_form(f"/scorecards/assessments/{w.mine.id}/reuse-previous", {})
    assert "没有可沿用的自评说明" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before + 1


def test_reuse_last_year_is_the_units_own_draft_only(client, world):
    w = world
    client.login_user(w.other)  # another unit's liaison
    assert client.post_form(f"/scorecards/assessments/{w.mine.id}/reuse-previous", {}).status_code == 404
    response = client.post_form(f"/scorecards/assessments/{w.theirs.id}/reuse-previous", {})
    assert "没有上一年度的自评" in client.get(response.headers["Location"]).get_data(as_text=True)
    client.get("/auth/logout")
    client.login_user(w.inspector)
    assert client.post_form(f"/scorecards/assessments/{w.mine.id}/reuse-previous", {}).status_code == 403


# --- total code order, finalized only, the heatmap's names ----------------------------------


def _finalized_elsewhere(unit, year: int, area_code: str, status: str = "finalized") -> Assessment:
    """A one-indicator framework whose area is coded `area_code`, and the unit's assessment in it."""
    from supervision.models import AssessmentRound

    framework = Framework(name=f"另一指标体系{area_code}{year}")
    db.session.add(framework)
    db.session.flush()
    area = Indicator(
        framework_id=framework.id, code=area_code, level=1, text=f"领域{area_code}", is_leaf=False
    )
    db.session.add(area)
    db.session.flush()
    area.area_id = area.id
    leaf = Indicator(
        framework_id=framework.id,
        parent_id=area.id,
        area_id=area.id,
        code=f"{area_code}.1",
        level=2,
        text=f"指标{area_code}.1",
        max_points=2,
        position=1,
    )
    db.session.add(leaf)
    round_ = AssessmentRound(year=year, framework_id=framework.id, title=f"{year}年度评估")
    db.session.add(round_)
    db.session.flush()
    assessment = Assessment(round_id=round_.id, unit_id=unit.id, status=status)
    db.session.add(assessment)
    db.session.flush()
    db.session.add(
        IndicatorScore(
            assessment_id=assessment.id, indicator_id=leaf.id, evaluated_rating="met", evaluated_score=2
        )
    )
    db.session.commit()
    return assessment


def test_unit_scorecard_orders_numeric_and_letter_area_codes(client, world):
    _finalized(client, world)  # the test framework's areas are coded 1 and 2
    _finalized_elsewhere(world.town, 2025, "A")  # another framework codes its areas with letters
    client.login_user(world.lead)
    response = client.get(f"/scorecards/units/{world.town.id}")
    assert response.status_code == 200  # was a 500: the sort key compared "A" with 1
    page = response.get_data(as_text=True)
    assert page.index("领域1") < page.index("领域2") < page.index("领域A")


def test_unit_indicator_page_shows_finalized_assessments_only(client, world):
    leaf = world.leaves["1.1.1"]
    client.login_user(world.liaison)
    _fill(client, world, {"1.1.1": ("met", "")})  # the town's draft of 2026 has a self-rating
    client.login_user(world.liaison)
    page = client.get(f"/scorecards/units/{world.town.id}/indicators/{leaf.id}").get_data(as_text=True)
    assert "2026" not in page.split("历次评价", 1)[1].split("整改路线图", 1)[0]
    assert "暂无评价记录" in page
    client.login_user(world.lead)
    page = client.get(f"/scorecards/units/{world.town.id}/indicators/{leaf.id}").get_data(as_text=True)
    assert "暂无评价记录" in page


XSS = "<img src=x onerror=alert(1)>"

NODE_HARNESS = r"""
const fs = require("fs");
const data = JSON.parse(fs.readFileSync(0, "utf8"));
let option = null;
const el = { attrs: { "data-chart": "office-heatmap", "data-src": "/data.json" },
  getAttribute(n) { return this.attrs[n]; }, classList: { add() {} }, style: {} };
global.window = { echarts: { init() { return { setOption(o) { option = o; }, resize() {} }; } },
  addEventListener() {} };
global.document = { querySelectorAll(s) { return s === "[data-chart]" ? [el] : []; },
  querySelector() { return null; }, body: { addEventListener() {} } };
global.fetch = () => Promise.resolve({ json: () => Promise.resolve(data) });
eval(fs.readFileSync(process.argv[2], "utf8"));
setTimeout(() => {
  const p = { value: data.heat[0] };
  console.log(JSON.stringify({ tooltip: option.tooltip.formatter(p), axis: option.xAxis.data }));
}, 20);
"""


def test_heatmap_shows_area_names_and_escapes_unit_names(client, world, tmp_path):
    import json
    import shutil
    import subprocess
    from pathlib import Path

    _finalized(client, world)
    world.town.short_name = XSS
    db.session.commit()
    client.login_user(world.lead)
    data = client.get(f"/scorecards/office/data.json?round={world.round.id}").get_json()
    assert data["units"] == [XSS]  # plain data; the page's script escapes it
    assert data["area_names"] == ["领域1", "领域2"]
    script = Path(__file__).resolve().parents[1] / "static" / "js" / "scorecards.js"
    source = script.read_text()
    assert "escapeHtml(data.units[" in source and "data.area_names" in source
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the formatter is checked by reading the script only")
    harness = tmp_path / "harness.js"
    harness.write_text(NODE_HARNESS)
    result = subprocess.run(
        ["node", str(harness), str(script)],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert "<img" not in out["tooltip"] and "&lt;img src=x onerror=alert(1)&gt;" in out["tooltip"]
    assert out["axis"] == ["领域1", "领域2"]


def test_self_assessment_explanation_is_refused_not_cut(world):
    """It was silently cut to 5,000 characters."""
    assessment, indicator = world.mine, world.leaves["1.1.1"]
    with pytest.raises(DomainError, match="自评说明最多 5000 个字"):
        svc.score_save(
            actor=world.liaison,
            assessment=assessment,
            indicator=indicator,
            rating=None,
            score_text=None,
            explanation="说" * 5001,
        )
    db.session.rollback()
    assert (
        db.session.scalar(select(func.count(IndicatorScore.id)).where(IndicatorScore.explanation != "")) == 0
    )


# --- every service checks who at its entry (the rules in permissions.py) ---------------------


def test_reference_and_round_services_refuse_the_wrong_role(world):
    from supervision.errors import NotAllowed

    with pytest.raises(NotAllowed):
        framework_svc.framework_import(actor=world.lead, name="自拟指标", rows=[])
    with pytest.raises(NotAllowed):
        framework_svc.indicator_update(actor=world.lead, indicator=world.leaves["1.1.1"], data={})
    with pytest.raises(NotAllowed):
        svc.round_open(
            actor=world.inspector,
            framework_id=world.framework.id,
            year=2027,
            title="2027年度自评",
            deadline=date(2027, 12, 31),
            unit_ids=[],
            all_units=True,
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(Framework.id))) == 1


def test_the_page_and_the_service_ask_the_same_roadmap_rule(world):
    from supervision.permissions import can_manage_roadmap_for_unit

    assert can_manage_roadmap_for_unit(world.lead, world.dept.id)
    assert can_manage_roadmap_for_unit(world.liaison, world.town.id)
    assert not can_manage_roadmap_for_unit(world.liaison, world.dept.id)
    assert not can_manage_roadmap_for_unit(world.inspector, world.town.id)


# --- the read side: one row redrawn reads one row; the band rule from one place ------------------


def _row_redraw_queries(client, assessment, leaf) -> tuple[int, int]:
    """(statements run, indicator and score records loaded) by one htmx save of the row."""
    from sqlalchemy import event

    url = f"/scorecards/assessments/{assessment.id}/scores/{leaf.id}"
    loaded = []

    def count(target, context):
        loaded.append(target)

    for model in (Indicator, IndicatorScore):
        event.listen(model, "load", count)
    try:
        with count_queries() as n:
            response = client.post_form(
                url, {"rating": "met", "explanation": "已落实"}, headers={"HX-Request": "true"}
            )
    finally:
        for model in (Indicator, IndicatorScore):
            event.remove(model, "load", count)
    assert response.status_code == 200 and f'id="ind-{leaf.id}"' in response.get_data(as_text=True)
    return n(), len(loaded)


def test_redrawing_one_row_reads_the_same_queries_whatever_the_framework_size(client, world):
    """The htmx answer to one indicator's save reads that row and one progress figure, not the
    whole assessment: the same number of queries for 5 indicators as for 60."""
    client.login_user(world.liaison)
    _save(client, world, "1.1.2", "met")  # the first request after signing in reads a little more
    small = _row_redraw_queries(client, world.mine, world.leaves["1.1.1"])
    big = make_framework(areas=6, per_area=10, points="1")
    round_ = svc.round_open(
        actor=world.lead,
        framework_id=big.id,
        year=2025,  # earlier than the world's round, so that neither assessment has a previous year
        title="2025年度自评",
        deadline=None,
        unit_ids=[world.town.id],
        all_units=False,
    )
    assessment = db.session.scalar(select(Assessment).where(Assessment.round_id == round_.id))
    leaf = db.session.scalar(
        select(Indicator).where(Indicator.framework_id == big.id, Indicator.is_leaf.is_(True)).limit(1)
    )
    large = _row_redraw_queries(client, assessment, leaf)
    assert large[0] == small[0] and small[0] <= 25
    assert large[1] <= 3  # the indicator and its score record, not the framework's 60 rows
    html = client.get(f"/scorecards/assessments/{assessment.id}").get_data(as_text=True)
    assert "1/60" in html  # the whole page and the row's progress counter agree


def test_the_row_progress_counter_matches_the_whole_page(client, world):
    client.login_user(world.liaison)
    _save(client, world, "1.1.1", "met")
    _save(client, world, "2.1.2", "na")
    row = _save(client, world, "1.1.2", "basic", "0.5").get_data(as_text=True)
    page = client.get(f"/scorecards/assessments/{world.mine.id}").get_data(as_text=True)
    # 2 + 0.5 of 4 applicable points (不适用 leaves the denominator) → 62.5, 3 of 5 rated.
    for html in (row, page):
        assert "3/5" in html and "62.5" in html


def _data_bands(html: str, chart: str) -> dict:
    match = re.search(rf'data-chart="{chart}" data-bands="([^"]*)"', html)
    assert match, chart
    from html import unescape

    return json.loads(unescape(match.group(1)))


def test_the_office_page_carries_the_band_rule_written_in_python(client, world):
    _finalized(client, world)
    client.login_user(world.lead)
    html = client.get("/scorecards/office").get_data(as_text=True)
    for chart in ("office-heatmap", "office-histogram"):
        assert _data_bands(html, chart) == band_scale()
    # The script and the row template hold no thresholds or colours of their own.
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    script = (root / "static/js/scorecards.js").read_text(encoding="utf-8")
    assert not any(colour in script for colour in (*BAND_COLOURS.values(), *HEAT_COLOURS.values()))
    assert not re.search(r"\b(85|70)\b", script)
    row = (root / "supervision/views/scorecards/score_row.py").read_text(encoding="utf-8")
    assert "0.6" not in row and "is_weak(" in row


def test_a_row_under_the_weak_share_is_marked_weak_by_the_python_rule(client, world):
    _evaluated(client, world)  # 2.1.1 evaluated 未达标
    client.login_user(world.lead)
    html = client.get(f"/scorecards/assessments/{world.mine.id}").get_data(as_text=True)
    row = html[html.index('data-testid="score-row-2.1.1"') - 200 :]
    assert "is-weak" in row[: row.index("score-ind")]


def test_the_rows_fixed_texts_follow_each_readers_language(client, world):
    """The rows' strings and rating options are kept per catalogue (assessments._row_texts): an
    English and a Chinese reader in turn each get their own, on the page and in the htmx row."""
    other_liaison = UserFactory(role="liaison", unit=world.town, locale="en")
    db.session.commit()
    for user, save, choose, rating in (
        (world.liaison, "保存", "— 请选择 —", "达标"),
        (other_liaison, "Save", "— Please choose —", "Met"),
        (world.liaison, "保存", "— 请选择 —", "达标"),
    ):
        client.login_user(user)
        html = client.get(f"/scorecards/assessments/{world.mine.id}").get_data(as_text=True)
        rows = html[html.index('data-testid="score-list"') :]
        assert f">{save}</button>" in rows and f'<option value="">{choose}</option>' in rows
        assert f'<option value="met" >{rating}</option>' in rows, user.locale
        row = _save(client, world, "1.1.1", "met").get_data(as_text=True)
        assert f">{save}</button>" in row and f'<option value="met" selected>{rating}</option>' in row
