"""Case-file review: rubrics, campaigns, imports, sampling, assignment, scoring, results, findings,
exports, the role × route matrix and bounded query counts."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import unquote

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from supervision.errors import DomainError, NotAllowed
from supervision.exports.reviews import RESULT_HEADERS
from supervision.extensions import db
from supervision.formatting import local_today
from supervision.models import (
    AuditEvent,
    CaseFile,
    Finding,
    Notification,
    ReviewAssignment,
    ReviewCampaign,
    Rubric,
)
from supervision.services import case_files as casefile_svc
from supervision.services import review_scoring as scoring_svc
from supervision.services import reviews as campaign_svc
from supervision.services import rubrics as rubric_svc

from . import factories
from .conftest import count_queries

# --- helpers ------------------------------------------------------------------------------


def xlsx_upload(rows: list[list], headers=("案号", "案件名称", "案件类型", "决定日期", "承办人")) -> tuple:
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out, "清单.xlsx"


def file_rows(unit_label: str, n: int, case_type: str = "行政处罚") -> list[tuple[int, dict]]:
    return [
        (
            i + 2,
            {
                "案号": f"{unit_label}罚〔2026〕{i + 1}号",
                "案件名称": f"{unit_label}案件{i + 1}",
                "案件类型": case_type,
                "决定日期": "2026-03-05",
                "承办人": "张三、李四",
            },
        )
        for i in range(n)
    ]


class World:
    """A lead, units, inspectors from other units, a rubric and a campaign in draft."""

    def __init__(
        self, n_units: int = 3, files_per_unit: int = 4, reviewers: int = 3, sample_size: int = 2, units=None
    ):
        self.rubric, _ = rubric_svc.rubric_seed_default()
        self.lead = factories.UserFactory(role="lead", unit=None)
        self.units = units or [factories.UnitFactory() for _ in range(n_units)]
        home = factories.UnitFactory()
        self.reviewers = [factories.UserFactory(role="inspector", unit=home) for _ in range(reviewers)]
        self.campaign = campaign_svc.campaign_create(
            actor=self.lead,
            data={
                "year": 2026,
                "title": "2026年度案卷评查",
                "rubric_id": self.rubric.id,
                "case_types": ["行政处罚"],
                "sample_size": sample_size,
                "reviewers_per_file": 2,
                "divergence_margin": 10,
                "deadline": date(2026, 12, 1),
                "unit_ids": [u.id for u in self.units],
                "reviewer_ids": [r.id for r in self.reviewers],
            },
        )
        for unit in self.units:
            casefile_svc.casefiles_import(
                actor=self.lead,
                campaign=self.campaign,
                unit_id=unit.id,
                rows=file_rows(unit.short_name, files_per_unit),
            )

    def start(self, seed: int = 42) -> World:
        campaign_svc.campaign_sample(actor=self.lead, campaign=self.campaign, seed=seed)
        campaign_svc.campaign_assign(actor=self.lead, campaign=self.campaign)
        return self

    def assignments(self) -> list[ReviewAssignment]:
        return list(
            db.session.scalars(
                select(ReviewAssignment)
                .join(CaseFile)
                .where(CaseFile.campaign_id == self.campaign.id)
                .order_by(ReviewAssignment.id)
            )
        )

    def items(self):
        return [i for i in self.rubric.items if not i.is_veto]

    def score(
        self, assignment: ReviewAssignment, deductions: dict | None = None, veto: bool = False, submit=True
    ):
        deductions = deductions or {}
        entries = {i.id: scoring_svc.Entry(0, "") for i in self.items()}
        for item_id, points in deductions.items():
            entries[item_id] = scoring_svc.Entry(points, "扣分说明")
        vetoes = {}
        if veto:
            vetoes[next(i.id for i in self.rubric.items if i.is_veto)] = "主体不合法"
        return scoring_svc.assignment_save(
            actor=assignment.reviewer, assignment=assignment, entries=entries, vetoes=vetoes, submit=submit
        )

    def score_all(self) -> None:
        for a in self.assignments():
            if a.status == "assigned":
                self.score(a)


@pytest.fixture
def world() -> World:
    return World()


# --- rubrics ------------------------------------------------------------------------------


def test_default_rubric_seed_is_idempotent_and_totals_100():
    rubric, created = rubric_svc.rubric_seed_default()
    again, created_again = rubric_svc.rubric_seed_default()
    assert created and not created_again and rubric.id == again.id
    assert sum(c["max"] for c in rubric.categories) == 100
    assert "默认标准（供参考，请按本地标准调整）" in rubric.note
    vetoes = [i.text for i in rubric.items if i.is_veto]
    assert any("主体" in t for t in vetoes) and any("执法资格" in t for t in vetoes)
    assert {c["name"] for c in rubric.categories} == {
        "主体",
        "事实证据",
        "法律适用",
        "程序",
        "裁量说理",
        "文书",
        "归档",
    }
    assert db.session.scalar(select(func.count(Rubric.id))) == 1


def test_rubric_xlsx_round_trip_makes_a_new_version(client, login_as):
    rubric, _ = rubric_svc.rubric_seed_default()
    login_as("admin")
    data = client.get(f"/reviews/rubrics/{rubric.id}/export.xlsx").data
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["说明", "评查项目", "类别分值", "等级", "选项"]  # 选项: drop-downs, hidden
    assert wb["选项"].sheet_state == "hidden"
    response = client.post_form(
        "/reviews/rubrics/import",
        {"file": (io.BytesIO(data), "标准.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    copy = db.session.scalar(select(Rubric).where(Rubric.edition == 2))
    assert copy.name == rubric.name and copy.categories == rubric.categories and copy.bands == rubric.bands
    assert [(i.category, i.text, i.max_points, i.guidance, i.is_veto) for i in copy.items] == [
        (i.category, i.text, i.max_points, i.guidance, i.is_veto) for i in rubric.items
    ]


def test_rubric_import_with_errors_saves_nothing(client, login_as):
    rubric, _ = rubric_svc.rubric_seed_default()
    wb = load_workbook(io.BytesIO(svc_export(rubric)))
    wb["类别分值"]["B2"] = 50  # categories no longer add up to 100
    wb["评查项目"].append(["不存在的类别", "某项目", 3, "", "否"])
    out = io.BytesIO()
    wb.save(out)
    login_as("admin")
    response = client.post_form(
        "/reviews/rubrics/import",
        {"file": (io.BytesIO(out.getvalue()), "标准.xlsx")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "合计应为 100 分" in page and "不在类别表中" in page
    assert db.session.scalar(select(func.count(Rubric.id))) == 1


def svc_export(rubric):
    from supervision.exports.reviews import rubric_xlsx

    return rubric_xlsx(rubric)


def test_rubric_in_use_is_frozen_and_edits_make_a_new_version(world, client, login_as):
    rubric = world.rubric
    assert rubric.frozen
    login_as("admin")
    item = world.items()[0]
    form = {
        "note": "本地修订",
        "version": rubric.version,
        f"max-{item.id}": "2",
        f"text-{item.id}": item.text,
    }
    for n, (label, minimum) in enumerate(rubric.band_pairs, start=1):
        form[f"band-label-{n}"] = label
        form[f"band-min-{n}"] = str(minimum)
    response = client.post_form(f"/reviews/rubrics/{rubric.id}/edit", form)
    assert response.status_code == 302
    db.session.refresh(rubric)
    assert rubric.edition == 1 and rubric.note != "本地修订"
    new = db.session.scalar(select(Rubric).where(Rubric.edition == 2))
    assert new.note == "本地修订" and not new.frozen
    assert next(i for i in new.items if i.text == item.text).max_points == 2
    assert world.campaign.rubric_id == rubric.id


def test_unfrozen_rubric_is_edited_in_place():
    rubric, _ = rubric_svc.rubric_seed_default()
    lead = factories.UserFactory(role="admin", unit=None)
    rubric_svc.rubric_revise(
        actor=lead, rubric=rubric, note="改", bands=[("优秀", 95), ("合格", 60)], items={}, version=None
    )
    assert rubric.edition == 1 and rubric.band_pairs == [("优秀", 95.0), ("合格", 60.0)]
    with pytest.raises(DomainError):
        rubric_svc.rubric_revise(
            actor=lead, rubric=rubric, note="", bands=[("优秀", 120)], items={}, version=None
        )


def _edit_form(rubric) -> dict:
    form = {"note": rubric.note, "version": rubric.version}
    for n, (label, minimum) in enumerate(rubric.band_pairs, start=1):
        form[f"band-label-{n}"] = label
        form[f"band-min-{n}"] = str(minimum)
    return form


def test_rubric_items_added_and_removed_on_the_web_form(client, login_as):
    rubric, _ = rubric_svc.rubric_seed_default()
    login_as("admin")
    first_scored = next(i for i in rubric.items if not i.is_veto)
    category, count, removed_text = first_scored.category, len(rubric.items), first_scored.text
    form = _edit_form(rubric) | {
        f"remove-{first_scored.id}": "1",
        "new-category-1": category,
        "new-text-1": "行政执法全过程记录不完整",
        "new-max-1": "2",
        "new-guidance-1": "音像记录缺失的，每卷扣 1 分",
        "new-category-2": "__veto__",
        "new-text-2": "执法人员无执法证件",
        "new-max-2": "",
    }
    response = client.post_form(f"/reviews/rubrics/{rubric.id}/edit", form)
    assert response.status_code == 302
    db.session.expire_all()
    texts = {i.text: i for i in rubric.items}
    assert len(rubric.items) == count + 1 and removed_text not in texts
    added = texts["行政执法全过程记录不完整"]
    assert (added.category, added.max_points, added.is_veto) == (category, 2, False)
    assert texts["执法人员无执法证件"].is_veto and texts["执法人员无执法证件"].max_points == 0
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.action == "rubric.update" and "items" in event.changes

    # A bad new row is refused, nothing changes, and what was typed is still on the form.
    form = _edit_form(rubric) | {"new-category-1": category, "new-text-1": "新项目", "new-max-1": "两分"}
    page = client.post_form(f"/reviews/rubrics/{rubric.id}/edit", form).get_data(as_text=True)
    assert "最高扣分不是数字" in page and 'value="两分"' in page and 'value="新项目"' in page
    for odd in ("nan", "inf"):  # float() takes them; a score cannot be them
        form["new-max-1"] = odd
        page = client.post_form(f"/reviews/rubrics/{rubric.id}/edit", form).get_data(as_text=True)
        assert "最高扣分不是数字" in page
    db.session.expire_all()
    assert len(rubric.items) == count + 1


def test_removing_items_of_a_frozen_rubric_makes_a_new_version(world, client, login_as):
    rubric = world.rubric
    login_as("admin")
    gone = world.items()[0]
    response = client.post_form(
        f"/reviews/rubrics/{rubric.id}/edit", _edit_form(rubric) | {f"remove-{gone.id}": "1"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    new = db.session.scalar(select(Rubric).where(Rubric.edition == 2))
    assert gone.text not in {i.text for i in new.items} and len(new.items) == len(rubric.items) - 1
    assert gone.text in {i.text for i in rubric.items}  # the version in use is untouched


# --- campaigns and case-file lists --------------------------------------------------------


def test_campaign_needs_enough_reviewers(world):
    with pytest.raises(DomainError) as error:
        campaign_svc.campaign_create(
            actor=world.lead,
            data={
                "year": 2026,
                "title": "x",
                "rubric_id": world.rubric.id,
                "case_types": ["行政处罚"],
                "sample_size": 2,
                "reviewers_per_file": 2,
                "divergence_margin": 10,
                "unit_ids": [world.units[0].id],
                "reviewer_ids": [world.reviewers[0].id],
            },
        )
    assert "至少需要 2 人" in error.value.message
    assert db.session.scalar(select(func.count(ReviewCampaign.id))) == 1


def test_casefile_import_reports_every_bad_row_and_imports_nothing(world, client, login_as):
    client.login_user(world.lead)
    unit = world.units[0]
    upload = xlsx_upload(
        [
            ["新案1", "案件一", "行政处罚", "2026-03-05", "张三"],
            ["", "没有案号", "行政处罚", "2026-03-05", ""],
            ["新案3", "案件三", "行政奖励", "2026-03-05", ""],
            ["新案4", "案件四", "行政处罚", "三月五日", ""],
            ["新案1", "重复", "行政处罚", "", ""],
        ]
    )
    before = db.session.scalar(select(func.count(CaseFile.id)))
    response = client.post_form(
        f"/reviews/campaigns/{world.campaign.id}/import",
        {"unit_id": unit.id, "file": upload},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "第 3 行：案号不能为空" in page
    assert "第 4 行：案件类型“行政奖励”无效" in page
    assert "第 5 行：决定日期“三月五日”无法识别" in page
    assert "第 6 行：案号“新案1”在文件中重复" in page
    assert db.session.scalar(select(func.count(CaseFile.id))) == before


def test_liaison_uploads_only_their_own_unit(world, client, make_user):
    unit = world.units[0]
    liaison = client.login_user(make_user("liaison", unit=unit))
    assert client.get(f"/reviews/campaigns/{world.campaign.id}/import").status_code == 200
    upload = xlsx_upload([["本单位1号", "本单位案件", "行政处罚", "2026年3月5日", "王五"]])
    response = client.post_form(
        f"/reviews/campaigns/{world.campaign.id}/import",
        {"unit_id": unit.id, "file": upload},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    added = db.session.scalar(select(CaseFile).where(CaseFile.case_number == "本单位1号"))
    assert added.unit_id == unit.id and added.decision_date == date(2026, 3, 5)
    # Another unit's list is refused by the service, whatever the form says.
    with pytest.raises(NotAllowed):
        casefile_svc.casefiles_import(
            actor=liaison, campaign=world.campaign, unit_id=world.units[1].id, rows=file_rows("外", 1)
        )
    # A liaison whose unit is not in scope cannot even open the page.
    client.login_user(make_user("liaison"))
    assert client.get(f"/reviews/campaigns/{world.campaign.id}/import").status_code == 404


# --- sampling -----------------------------------------------------------------------------


def test_sampling_is_reproducible_from_the_seed(world):
    other = World(units=world.units)  # a second campaign over the same units and the same lists
    campaign_svc.campaign_sample(actor=world.lead, campaign=world.campaign, seed=777)
    campaign_svc.campaign_sample(actor=world.lead, campaign=other.campaign, seed=777)

    def drawn(campaign):
        return sorted(
            db.session.execute(
                select(CaseFile.unit_id, CaseFile.case_number).where(
                    CaseFile.campaign_id == campaign.id, CaseFile.sampled.is_(True)
                )
            ).all()
        )

    assert drawn(world.campaign) == drawn(other.campaign)
    assert len(drawn(world.campaign)) == 3 * 2
    assert world.campaign.seed == 777 and world.campaign.status == "sampling"
    assert (
        db.session.scalar(select(CaseFile.sample_reason).where(CaseFile.sampled.is_(True)).limit(1))
        == "随机抽取（种子 777）"
    )


def _drawn(campaign) -> list[str]:
    return sorted(
        db.session.scalars(
            select(CaseFile.case_number).where(
                CaseFile.campaign_id == campaign.id, CaseFile.sampled.is_(True)
            )
        )
    )


def test_undo_sampling_then_draw_again_with_a_late_list(world):
    """A unit's list came late: the lead undoes the draw (with a reason), the list is imported and
    the files are drawn again; the old draw stays in the audit log."""
    campaign_svc.campaign_sample(actor=world.lead, campaign=world.campaign, seed=777)
    first = _drawn(world.campaign)
    with pytest.raises(DomainError, match="必须填写理由"):
        campaign_svc.campaign_unsample(actor=world.lead, campaign=world.campaign, reason=" ")
    db.session.rollback()
    assert world.campaign.status == "sampling" and _drawn(world.campaign) == first

    assert (
        campaign_svc.campaign_unsample(actor=world.lead, campaign=world.campaign, reason="石碶街道清单补报")
        == 6
    )
    assert world.campaign.status == "draft" and _drawn(world.campaign) == []
    assert world.campaign.seed is None  # nothing is drawn now; the old seed is in the audit log
    reasons = db.session.scalars(
        select(CaseFile.sample_reason).where(CaseFile.campaign_id == world.campaign.id)
    )
    assert set(reasons) == {""}
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.action == "campaign.unsample" and "原随机种子 777" in event.summary
    assert "石碶街道清单补报" in event.summary

    late = factories.UnitFactory(short_name="石碶街道")
    world.campaign.units.append(late)
    db.session.commit()
    casefile_svc.casefiles_import(
        actor=world.lead, campaign=world.campaign, unit_id=late.id, rows=file_rows("石碶街道", 3)
    )
    campaign_svc.campaign_sample(actor=world.lead, campaign=world.campaign, seed=777)
    again = _drawn(world.campaign)
    assert len(again) == 8 and sum(n.startswith("石碶街道") for n in again) == 2


def test_undo_sampling_only_by_the_lead_and_before_assignment(client, world):
    inspector = world.reviewers[0]
    campaign_svc.campaign_sample(actor=world.lead, campaign=world.campaign, seed=5)
    with pytest.raises(NotAllowed):
        campaign_svc.campaign_unsample(actor=inspector, campaign=world.campaign, reason="想重抽")
    db.session.rollback()
    client.login_user(inspector)
    url = f"/reviews/campaigns/{world.campaign.id}/unsample"
    assert client.post_form(url, {"reason": "想重抽"}).status_code == 403
    campaign_svc.campaign_assign(actor=world.lead, campaign=world.campaign)
    client.login_user(world.lead)
    page = client.post_form(url, {"reason": "重抽"}, follow_redirects=True).get_data(as_text=True)
    assert "不能执行此操作" in page
    db.session.expire_all()
    assert world.campaign.status == "reviewing" and len(_drawn(world.campaign)) == 6


def test_sampling_more_than_a_unit_has_takes_all_and_says_so(client):
    w = World(n_units=2, files_per_unit=1, sample_size=3)
    client.login_user(w.lead)
    response = client.post_form(
        f"/reviews/campaigns/{w.campaign.id}/sample", {"seed": "5"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "要求抽取 3 卷，清单中只有 1 卷，已全部抽取" in page
    assert db.session.scalar(select(func.count(CaseFile.id)).where(CaseFile.sampled.is_(True))) == 2
    assert "5" in page and 'data-testid="seed"' in page


def test_lead_adds_or_drops_a_file_with_a_reason(world, client):
    campaign_svc.campaign_sample(actor=world.lead, campaign=world.campaign, seed=1)
    client.login_user(world.lead)
    outside = db.session.scalar(select(CaseFile).where(CaseFile.sampled.is_(False)).limit(1))
    response = client.post_form(f"/reviews/files/{outside.id}/sampled", {"sampled": "1", "reason": ""})
    db.session.refresh(outside)
    assert response.status_code == 302 and not outside.sampled  # no reason, no change
    client.post_form(f"/reviews/files/{outside.id}/sampled", {"sampled": "1", "reason": "群众投诉较多"})
    db.session.refresh(outside)
    assert outside.sampled and outside.sample_reason == "负责人增加：群众投诉较多"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case_file.include")) is not None
    # The campaign's 活动记录 says so too (it read only the campaign's own events before).
    page = client.get(f"/reviews/campaigns/{world.campaign.id}").get_data(as_text=True)
    timeline = page[page.index("活动记录") :]
    assert f"增加抽查案卷“{outside.case_number}”（理由：群众投诉较多）" in timeline
    client.post_form(f"/reviews/files/{outside.id}/sampled", {"sampled": "0", "reason": "重复报送"})
    page = client.get(f"/reviews/campaigns/{world.campaign.id}").get_data(as_text=True)
    assert f"移出抽查案卷“{outside.case_number}”（理由：重复报送）" in page[page.index("活动记录") :]


# --- assignment ---------------------------------------------------------------------------


def test_assignment_is_cross_review_and_balanced(world):
    world.start()
    assignments = world.assignments()
    assert len(assignments) == 6 * 2
    for a in assignments:
        assert a.reviewer.unit_id != a.case_file.unit_id
    per_file = {}
    for a in assignments:
        per_file.setdefault(a.case_file_id, set()).add(a.reviewer_id)
    assert all(len(r) == 2 for r in per_file.values())
    loads = [sum(a.reviewer_id == r.id for a in assignments) for r in world.reviewers]
    assert max(loads) - min(loads) <= 1
    assert world.campaign.status == "reviewing"
    assert db.session.scalar(select(func.count(Notification.id))) == 3


def test_no_eligible_reviewers_is_a_clear_error_and_changes_nothing():
    w = World(n_units=2)
    # Both reviewers belong to the first unit: its files cannot be cross-reviewed.
    own = [factories.UserFactory(role="inspector", unit=w.units[0]) for _ in range(2)]
    w.campaign.reviewers = own
    db.session.commit()
    campaign_svc.campaign_sample(actor=w.lead, campaign=w.campaign, seed=3)
    with pytest.raises(DomainError) as error:
        campaign_svc.campaign_assign(actor=w.lead, campaign=w.campaign)
    assert w.units[0].name in error.value.message and "非本单位" in error.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count(ReviewAssignment.id))) == 0
    assert db.session.get(ReviewCampaign, w.campaign.id).status == "sampling"


def test_manual_reassignment_keeps_the_cross_review_rule(world, client):
    world.start()
    a = world.assignments()[0]
    same_unit = factories.UserFactory(role="inspector", unit=db.session.get(CaseFile, a.case_file_id).unit)
    with pytest.raises(DomainError, match="不能评查本单位"):
        scoring_svc.assignment_reassign(actor=world.lead, assignment=a, reviewer_id=same_unit.id)
    other = next(r for r in world.reviewers if r.id not in {x.reviewer_id for x in a.case_file.assignments})
    client.login_user(world.lead)
    client.post_form(f"/reviews/assignments/{a.id}/reassign", {f"a{a.id}-reviewer_id": other.id})
    db.session.refresh(a)
    assert a.reviewer_id == other.id


# --- scoring ------------------------------------------------------------------------------


def test_bad_scores_save_nothing(world, client):
    world.start()
    a = world.assignments()[0]
    item = world.items()[0]
    client.login_user(a.reviewer)
    url = f"/reviews/assignments/{a.id}"

    def post(**fields):
        data = {"action": "save", "version": a.version}
        data.update(fields)
        return client.post_form(url, data).get_data(as_text=True)

    assert "不能超过该项最高分" in post(
        **{f"points-{item.id}": str(item.max_points + 1), f"note-{item.id}": "x"}
    )
    assert "扣分不能为负数" in post(**{f"points-{item.id}": "-1", f"note-{item.id}": "x"})
    assert "必须填写扣分说明" in post(**{f"points-{item.id}": "1"})
    assert "不是数字" in post(**{f"points-{item.id}": "abc"})
    veto = next(i for i in world.rubric.items if i.is_veto)
    assert "必须填写说明" in post(**{f"veto-{veto.id}": "1"})
    assert "未评分" in post(action="submit", **{f"points-{item.id}": "0"})
    db.session.refresh(a)
    assert a.deductions == [] and a.status == "assigned"


def test_draft_then_submit_computes_the_total(world, client):
    world.start()
    a = world.assignments()[0]
    items = world.items()
    client.login_user(a.reviewer)
    url = f"/reviews/assignments/{a.id}"
    response = client.post_form(
        url,
        {
            "action": "save",
            "version": a.version,
            f"points-{items[0].id}": "2",
            f"note-{items[0].id}": "名称不一致",
        },
    )
    assert response.status_code == 302
    db.session.refresh(a)
    assert a.status == "assigned" and len(a.deductions) == 1
    page = client.get(url).get_data(as_text=True)
    assert "名称不一致" in page and 'data-bands="优秀:90|良好:80|合格:60"' in page
    # 其余项目不扣分 only fills the form in the browser (a plain button: it sends nothing).
    assert 'type="button" data-fill-zero' in page and "其余项目不扣分" in page
    data = {"action": "submit", "version": a.version}
    for i in items:
        data[f"points-{i.id}"] = "0"
        data[f"note-{i.id}"] = ""
    data[f"points-{items[0].id}"] = "2"
    data[f"note-{items[0].id}"] = "名称不一致"
    data[f"points-{items[1].id}"] = "4"
    data[f"note-{items[1].id}"] = "缺证件号"
    assert client.post_form(url, data).status_code == 302
    db.session.refresh(a)
    # 主体 is 10 points: 2 + 4 deducted → 4 left; total 94.
    assert a.status == "submitted" and a.total == 94 and a.submitted_at is not None
    # A submitted review cannot be changed by its reviewer.
    data["version"] = a.version
    assert "已提交" in client.post_form(url, data).get_data(as_text=True)
    assert "data-fill-zero" not in client.get(url).get_data(as_text=True)


def test_reviewer_cannot_score_someone_elses_file(world, client):
    world.start()
    a = world.assignments()[0]
    stranger = next(
        r for r in world.reviewers if r.id not in {x.reviewer_id for x in a.case_file.assignments}
    )
    client.login_user(stranger)
    assert client.get(f"/reviews/assignments/{a.id}").status_code == 404
    assert client.get(f"/reviews/files/{a.case_file_id}").status_code == 404


def test_veto_gives_zero_and_fail(world):
    world.start()
    a = world.assignments()[0]
    world.score(a, veto=True)
    assert a.total == 0 and a.veto_hit
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "assignment.submit", AuditEvent.record_id == a.id)
    )
    assert "不合格，0 分" in event.summary
    case_file = a.case_file
    assert case_file.grade is None  # one review of two: no grade yet
    for other in case_file.assignments:
        if other.id != a.id:
            world.score(other, veto=True)
    db.session.expire_all()
    case_file = db.session.get(CaseFile, case_file.id)
    assert (case_file.final_score, case_file.grade) == (0, "不合格")


def test_divergence_settle_excellent_return_and_publish(world, client, make_user):
    world.start()
    files: dict[int, list[ReviewAssignment]] = {}
    for a in world.assignments():
        files.setdefault(a.case_file_id, []).append(a)
    (first_id, first), (second_id, second), *rest = files.items()
    big = next(i for i in world.items() if i.max_points >= 8)
    world.score(first[0])
    world.score(
        first[1], {big.id: big.max_points, world.items()[-1].id: 2}
    )  # 100 vs 90 → spread 10, not more
    world.score(second[0])
    world.score(second[1], veto=True)  # 100 vs 0 → divergent
    for _, pair in rest:
        for a in pair:
            world.score(a)
    f1, f2 = db.session.get(CaseFile, first_id), db.session.get(CaseFile, second_id)
    assert f1.final_score == 95 and f1.grade == "优秀" and not f1.divergent
    assert f2.divergent and f2.final_score == 50
    assert any("需先裁定" in p for p in campaign_svc.publish_blockers(world.campaign))
    with pytest.raises(DomainError):
        campaign_svc.campaign_publish(actor=world.lead, campaign=world.campaign)

    client.login_user(world.lead)
    page = client.get(f"/reviews/files/{second_id}").get_data(as_text=True)
    assert 'data-testid="divergence"' in page
    client.post_form(f"/reviews/files/{second_id}/settle", {"score": "0", "reason": ""})
    assert db.session.get(CaseFile, second_id).settled_reason == ""
    client.post_form(f"/reviews/files/{second_id}/settle", {"score": "0", "reason": "否决项属实"})
    f2 = db.session.get(CaseFile, second_id)
    assert f2.final_score == 0 and f2.grade == "不合格" and f2.settled_reason == "否决项属实"

    # Only a top-grade file without a veto hit can be excellent.
    client.post_form(f"/reviews/files/{second_id}/excellent", {"excellent": "1"})
    assert not db.session.get(CaseFile, second_id).excellent
    client.post_form(f"/reviews/files/{first_id}/excellent", {"excellent": "1"})
    assert db.session.get(CaseFile, first_id).excellent

    # Returning a review clears the result until it is scored again.
    a = first[1]
    client.post_form(f"/reviews/assignments/{a.id}/return", {"reason": ""})
    assert db.session.get(ReviewAssignment, a.id).status == "submitted"
    client.post_form(f"/reviews/assignments/{a.id}/return", {"reason": "扣分依据不足，请复核"})
    a = db.session.get(ReviewAssignment, a.id)
    f1 = db.session.get(CaseFile, first_id)
    assert a.status == "assigned" and f1.final_score is None and not f1.excellent
    world.score(a)
    client.post_form(f"/reviews/files/{first_id}/excellent", {"excellent": "1"})

    response = client.post_form(f"/reviews/campaigns/{world.campaign.id}/publish", follow_redirects=True)
    assert "评查结果已公布" in response.get_data(as_text=True)
    assert db.session.get(ReviewCampaign, world.campaign.id).status == "published"
    # 优秀 the grade band and 优秀案卷 the named files are told apart in the headers.
    page = client.get(f"/reviews/campaigns/{world.campaign.id}").get_data(as_text=True)
    head = page[page.index('data-testid="unit-averages"') :]
    assert "优秀案卷" in head[: head.index("</thead>")] and "等次分布" in page

    # The unit's liaison sees their files, scores and notes, but not the reviewers' names.
    unit = db.session.get(CaseFile, second_id).unit
    liaison = make_user("liaison", unit=unit)
    client.login_user(liaison)
    page = client.get(f"/reviews/campaigns/{world.campaign.id}").get_data(as_text=True)
    assert db.session.get(CaseFile, second_id).case_number in page and "主体不合法" in page
    assert "等次分布" in page
    home = client.get("/").get_data(as_text=True)
    assert "，优秀案卷 1 卷" in home and "，优秀 " not in home
    for reviewer in world.reviewers:
        assert reviewer.display_name not in page
    other_unit_file = db.session.scalar(
        select(CaseFile).where(CaseFile.unit_id != unit.id, CaseFile.sampled.is_(True)).limit(1)
    )
    assert other_unit_file.case_number not in page
    assert client.get(f"/reviews/files/{other_unit_file.id}").status_code == 404
    # A liaison of a unit outside the campaign sees nothing.
    client.login_user(make_user("liaison"))
    assert client.get(f"/reviews/campaigns/{world.campaign.id}").status_code == 404


def test_unpublished_results_are_hidden_from_liaisons(world, client, make_user):
    world.start()
    client.login_user(make_user("liaison", unit=world.units[0]))
    assert client.get(f"/reviews/campaigns/{world.campaign.id}").status_code == 404
    f = db.session.scalar(
        select(CaseFile).where(CaseFile.unit_id == world.units[0].id, CaseFile.sampled.is_(True))
    )
    assert client.get(f"/reviews/files/{f.id}").status_code == 404


def test_deductions_become_findings_in_one_step(world, client):
    world.start()
    pair = [a for a in world.assignments() if a.case_file_id == world.assignments()[0].case_file_id]
    items = world.items()
    world.score(pair[0], {items[0].id: 2, items[5].id: 1})
    world.score(pair[1], {items[0].id: 1}, veto=True)
    client.login_user(world.lead)
    file_id = pair[0].case_file_id
    client.post_form(f"/reviews/files/{file_id}/findings")
    findings = db.session.scalars(
        select(Finding).where(Finding.case_file_id == file_id).order_by(Finding.id)
    ).all()
    assert len(findings) == 3  # item 0 (two reviewers merged), item 5, and the veto item
    case_file = db.session.get(CaseFile, file_id)
    assert all(f.unit_id == case_file.unit_id and f.task_id is None and f.status == "open" for f in findings)
    assert all(f.inspector_id == world.lead.id for f in findings)
    assert {f.category for f in findings} <= {"主体", "程序", "证据", "法律适用", "文书", "裁量", "其他"}
    assert any(f.severity == "serious" for f in findings)
    # A second time is refused: nothing is duplicated.
    client.post_form(f"/reviews/files/{file_id}/findings")
    assert db.session.scalar(select(func.count(Finding.id))) == 3


def test_finding_category_mapping():
    assert casefile_svc.finding_category("事实证据", "") == "证据"
    assert casefile_svc.finding_category("裁量说理", "") == "裁量"
    assert casefile_svc.finding_category("归档", "") == "文书"
    assert casefile_svc.finding_category("否决项", "执法主体不合法或超越法定职权") == "主体"
    assert casefile_svc.finding_category("否决项", "程序严重违法") == "程序"
    assert casefile_svc.finding_category("否决项", "莫名其妙") == "其他"


# --- exports ------------------------------------------------------------------------------


def test_results_xlsx_and_report_docx_read_back(world, client):
    world.start()
    world.score_all()
    f = db.session.scalar(select(CaseFile).where(CaseFile.sampled.is_(True)).order_by(CaseFile.id))
    casefile_svc.casefile_set_excellent(actor=world.lead, case_file=f, excellent=True)
    client.login_user(world.lead)
    response = client.get(f"/reviews/campaigns/{world.campaign.id}/results.xlsx")
    assert response.status_code == 200
    assert "评查结果表" in unquote(response.headers["Content-Disposition"])
    ws = load_workbook(io.BytesIO(response.data)).active
    assert "评查结果表" in ws["A1"].value
    assert [c.value for c in ws[3]] == RESULT_HEADERS
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == 6
    assert {r[8] for r in rows} == {100}
    assert sum(1 for r in rows if r[10] == "是") == 1
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$3:$3"

    response = client.get(f"/reviews/campaigns/{world.campaign.id}/report.docx")
    doc = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "案卷评查情况的通报" in text and "一、总体情况" in text and "优秀案卷" in text
    assert f.case_number in text
    # The seed is kept with the sample on the results sheet, not in the 通报's body.
    assert "随机种子" not in text and "随机种子：42" in ws["A2"].value
    unit_table = doc.tables[0]
    assert unit_table.rows[0].cells[1].text == "单位" and len(unit_table.rows) == 4
    fonts = doc.paragraphs[0].runs[0]._element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "方正小标宋简体"
    )


# --- role × route matrix ------------------------------------------------------------------

ROLES = ["admin", "lead", "inspector", "liaison"]


def _matrix_world():
    w = World().start()
    w.score_all()
    campaign_svc.campaign_publish(actor=w.lead, campaign=w.campaign)
    draft = World(n_units=1)
    return w, draft


# route template, method, {role: expected status}; the inspector is not a reviewer here, the
# liaison belongs to a unit of the campaign.
MATRIX = [
    ("/reviews/", "GET", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 200}),
    ("/reviews/rubrics", "GET", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 403}),
    ("/reviews/rubrics/{rubric}", "GET", {"admin": 200, "lead": 200, "inspector": 200, "liaison": 403}),
    (
        "/reviews/rubrics/{rubric}/export.xlsx",
        "GET",
        {"admin": 200, "lead": 200, "inspector": 200, "liaison": 403},
    ),
    ("/reviews/rubrics/import", "GET", {"admin": 200, "lead": 403, "inspector": 403, "liaison": 403}),
    ("/reviews/rubrics/{rubric}/edit", "GET", {"admin": 200, "lead": 403, "inspector": 403, "liaison": 403}),
    ("/reviews/campaigns/new", "GET", {"admin": 403, "lead": 200, "inspector": 403, "liaison": 403}),
    ("/reviews/campaigns/{campaign}", "GET", {"admin": 200, "lead": 200, "inspector": 404, "liaison": 200}),
    ("/reviews/campaigns/{draft}", "GET", {"admin": 200, "lead": 200, "inspector": 404, "liaison": 404}),
    ("/reviews/campaigns/{draft}/edit", "GET", {"admin": 403, "lead": 200, "inspector": 403, "liaison": 403}),
    (
        "/reviews/campaigns/{draft}/import",
        "GET",
        {"admin": 403, "lead": 200, "inspector": 403, "liaison": 404},
    ),
    (
        "/reviews/campaigns/{campaign}/results.xlsx",
        "GET",
        {"admin": 200, "lead": 200, "inspector": 403, "liaison": 403},
    ),
    (
        "/reviews/campaigns/{campaign}/report.docx",
        "GET",
        {"admin": 200, "lead": 200, "inspector": 403, "liaison": 403},
    ),
    ("/reviews/files/{file}", "GET", {"admin": 200, "lead": 200, "inspector": 404, "liaison": 302}),
    (
        "/reviews/assignments/{assignment}",
        "GET",
        {"admin": 200, "lead": 200, "inspector": 404, "liaison": 403},
    ),
    (
        "/reviews/campaigns/{draft}/sample",
        "POST",
        {"admin": 403, "lead": 302, "inspector": 403, "liaison": 403},
    ),
    (
        "/reviews/campaigns/{campaign}/assign",
        "POST",
        {"admin": 403, "lead": 302, "inspector": 403, "liaison": 403},
    ),
    (
        "/reviews/campaigns/{campaign}/publish",
        "POST",
        {"admin": 403, "lead": 302, "inspector": 403, "liaison": 403},
    ),
    ("/reviews/files/{file}/settle", "POST", {"admin": 403, "lead": 302, "inspector": 403, "liaison": 403}),
    (
        "/reviews/files/{file}/excellent",
        "POST",
        {"admin": 403, "lead": 302, "inspector": 403, "liaison": 403},
    ),
    ("/reviews/files/{file}/findings", "POST", {"admin": 403, "lead": 302, "inspector": 403, "liaison": 403}),
    ("/reviews/files/{file}/sampled", "POST", {"admin": 403, "lead": 302, "inspector": 403, "liaison": 403}),
    (
        "/reviews/assignments/{assignment}",
        "POST",
        {"admin": 403, "lead": 403, "inspector": 404, "liaison": 403},
    ),
    (
        "/reviews/assignments/{assignment}/return",
        "POST",
        {"admin": 403, "lead": 302, "inspector": 403, "liaison": 403},
    ),
    (
        "/reviews/assignments/{assignment}/reassign",
        "POST",
        {"admin": 403, "lead": 302, "inspector": 403, "liaison": 403},
    ),
]


@pytest.mark.parametrize("role", ROLES)
def test_role_route_matrix(client, make_user, role):
    w, draft = _matrix_world()
    f = db.session.scalar(
        select(CaseFile)
        .where(CaseFile.campaign_id == w.campaign.id, CaseFile.sampled.is_(True))
        .order_by(CaseFile.id)
    )
    a = f.assignments[0]
    ids = {
        "rubric": w.rubric.id,
        "campaign": w.campaign.id,
        "draft": draft.campaign.id,
        "file": f.id,
        "assignment": a.id,
    }
    user = make_user(role, unit=f.unit) if role == "liaison" else make_user(role)
    client.login_user(user)
    failures = []
    for template, method, expected in MATRIX:
        url = template.format(**ids)
        response = client.get(url) if method == "GET" else client.post_form(url, {})
        if response.status_code != expected[role]:
            failures.append(f"{method} {url}: {response.status_code} != {expected[role]}")
    assert not failures, failures


def test_anonymous_is_sent_to_login(client):
    assert client.get("/reviews/").status_code == 302


def test_reviewer_sees_only_their_assignments(world, client):
    world.start()
    reviewer = world.reviewers[0]
    client.login_user(reviewer)
    page = client.get("/reviews/?status=all").get_data(as_text=True)
    mine = [a for a in world.assignments() if a.reviewer_id == reviewer.id]
    others = [a for a in world.assignments() if a.case_file_id not in {m.case_file_id for m in mine}]
    assert all(a.case_file.case_number in page for a in mine)
    assert all(a.case_file.case_number not in page for a in others)
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="panel-reviews"' in home


# --- query counts -------------------------------------------------------------------------


def _build(n_units: int, files_per_unit: int) -> World:
    w = World(n_units=n_units, files_per_unit=files_per_unit, reviewers=4, sample_size=files_per_unit)
    w.start()
    w.score_all()
    return w


def test_pages_run_the_same_queries_at_two_sizes(client, make_user):
    """Campaign page, file list filter, results page of a liaison and a reviewer's list."""
    figures = []
    for n_units, files in [(2, 2), (6, 5)]:
        w = _build(n_units, files)
        counts = []
        # While in review (reviewer progress, publish check) and after publishing.
        client.login_user(w.lead)
        reviewing = f"/reviews/campaigns/{w.campaign.id}"
        client.get(reviewing)
        with count_queries() as n:
            assert client.get(reviewing).status_code == 200
        counts.append(n())
        campaign_svc.campaign_publish(actor=w.lead, campaign=w.campaign)
        liaison = make_user("liaison", unit=w.units[0])
        for user, url in [
            (w.lead, f"/reviews/campaigns/{w.campaign.id}"),
            (w.lead, f"/reviews/campaigns/{w.campaign.id}?show=pool"),
            (w.lead, "/reviews/"),
            (liaison, f"/reviews/campaigns/{w.campaign.id}"),
            (w.reviewers[0], "/reviews/?status=all"),
            (w.reviewers[0], "/"),
            (w.lead, "/"),
            (liaison, "/"),
        ]:
            client.login_user(user)
            client.get(url)
            with count_queries() as n:
                assert client.get(url).status_code == 200, url
            counts.append(n())
        figures.append(counts)
        from .conftest import empty_tables

        empty_tables()
    assert figures[0] == figures[1], figures
    print("query counts:", figures[0])


def test_flask_seed_rubric_command_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "rubric"])
    second = runner.invoke(args=["seed", "rubric"])
    assert "已载入默认评查标准" in first.output and "已存在" in second.output
    assert db.session.scalar(select(func.count(Rubric.id))) == 1


def test_a_stale_scoring_form_is_refused(world, client):
    world.start()
    a = world.assignments()[0]
    item = world.items()[0]
    client.login_user(a.reviewer)
    old_version = a.version
    world.score(a, {item.id: 1}, submit=False)  # saved meanwhile in another tab
    page = client.post_form(
        f"/reviews/assignments/{a.id}",
        {"action": "save", "version": old_version, f"points-{item.id}": "3", f"note-{item.id}": "x"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已被他人修改" in page
    db.session.refresh(a)
    assert [d.points for d in a.deductions if d.points] == [1]


def test_a_stale_scoring_form_keeps_the_typing_and_a_second_save_works(world, client):
    world.start()
    a = world.assignments()[0]
    item = world.items()[0]
    client.login_user(a.reviewer)
    old_version = a.version
    world.score(a, {item.id: 1}, submit=False)  # saved meanwhile in another tab
    form = {"action": "save", f"points-{item.id}": "3", f"note-{item.id}": "我的扣分说明"}
    page = client.post_form(f"/reviews/assignments/{a.id}", {**form, "version": old_version}).get_data(
        as_text=True
    )
    db.session.refresh(a)
    assert "已被他人修改" in page and "我的扣分说明" in page and "他人已保存的内容" in page
    assert f'name="version" value="{a.version}"' in page
    again = client.post_form(f"/reviews/assignments/{a.id}", {**form, "version": a.version})
    assert again.status_code == 302
    db.session.refresh(a)
    assert [d.points for d in a.deductions if d.points] == [3]


def test_a_scoring_form_without_version_is_refused(world, client):
    world.start()
    a = world.assignments()[0]
    item = world.items()[0]
    client.login_user(a.reviewer)
    page = client.post_form(f"/reviews/assignments/{a.id}", {"action": "save", f"points-{item.id}": "3"})
    assert "已被他人修改" in page.get_data(as_text=True)
    db.session.refresh(a)
    assert [d.points for d in a.deductions if d.points] == []


def test_campaign_settings_can_be_edited_only_in_draft(world, client):
    client.login_user(world.lead)
    url = f"/reviews/campaigns/{world.campaign.id}/edit"
    form = {
        "year": "2026",
        "title": "改名后的评查活动",
        "rubric_id": world.rubric.id,
        "case_types": ["行政处罚", "行政许可"],
        "sample_size": "3",
        "reviewers_per_file": "2",
        "divergence_margin": "8",
        "deadline": "2026-11-30",
        "unit_ids": [u.id for u in world.units],
        "reviewer_ids": [r.id for r in world.reviewers],
        "version": world.campaign.version,
    }
    assert client.post_form(url, form).status_code == 302
    campaign = db.session.get(ReviewCampaign, world.campaign.id)
    assert (
        campaign.title == "改名后的评查活动" and campaign.sample_size == 3 and campaign.divergence_margin == 8
    )
    # A unit whose list is already in cannot be dropped.
    form.update(version=campaign.version, unit_ids=[world.units[0].id])
    assert "不能移出评查范围" in client.post_form(url, form).get_data(as_text=True)
    campaign_svc.campaign_sample(actor=world.lead, campaign=campaign, seed=1)
    form.update(version=campaign.version, unit_ids=[u.id for u in world.units])
    assert "不能再修改设置" in client.post_form(url, form).get_data(as_text=True)


def test_undo_sampling_from_the_campaign_page(client, world):
    campaign_svc.campaign_sample(actor=world.lead, campaign=world.campaign, seed=9)
    client.login_user(world.lead)
    page = client.get(f"/reviews/campaigns/{world.campaign.id}").get_data(as_text=True)
    assert 'data-testid="unsample-box"' in page
    response = client.post_form(
        f"/reviews/campaigns/{world.campaign.id}/unsample",
        {"reason": "横街镇清单补报"},
        follow_redirects=True,
    )
    assert "已撤销抽样（原抽取 6 卷）" in response.get_data(as_text=True)
    db.session.expire_all()
    assert world.campaign.status == "draft" and _drawn(world.campaign) == []


# --- figures: final scores only, one rounding ----------------------------------------------


def _set_result(case_file: CaseFile, score: float, grade: str, *, divergent: bool = False) -> None:
    case_file.sampled, case_file.final_score, case_file.grade = True, score, grade
    case_file.divergent, case_file.settled_reason = divergent, ""


def _figures_world() -> World:
    """7 final files over 3 units of 2, 3 and 2 files, and one file the lead has still to settle."""
    w = World(n_units=3, files_per_unit=4, sample_size=2).start()
    w.score_all()
    by_unit = {
        u.id: db.session.scalars(
            select(CaseFile).where(CaseFile.unit_id == u.id).order_by(CaseFile.sampled.desc(), CaseFile.id)
        ).all()
        for u in w.units
    }
    a, b, c = (by_unit[u.id] for u in w.units)
    _set_result(a[0], 96.625, "优秀")  # e.g. the mean of three reviewers, before rounding
    _set_result(a[1], 96.625, "优秀")
    _set_result(b[0], 80, "良好")
    _set_result(b[1], 70, "合格")
    _set_result(b[2], 60, "合格")
    _set_result(c[0], 90, "优秀")
    _set_result(c[1], 100, "优秀")
    _set_result(c[2], 50, "不合格", divergent=True)  # 100 vs 0: provisional, not final
    db.session.commit()
    return w


def test_report_docx_is_a_numbered_official_document_once_published(world, client, app):
    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    app.config["REVIEW_REPORT_AUTHORITY"] = "海曙区司法局"
    world.start()
    world.score_all()
    client.login_user(world.lead)
    url = f"/reviews/campaigns/{world.campaign.id}/report.docx"
    draft = Document(io.BytesIO(client.get(url).data))
    assert draft.sections[0].header.paragraphs[0].text == "草稿"
    assert "（未编号）" in [p.text for p in draft.paragraphs]
    campaign_svc.campaign_publish(actor=world.lead, campaign=world.campaign)
    year = local_today().year
    assert world.campaign.report_number == f"海法评〔{year}〕1号"
    doc = Document(io.BytesIO(client.get(url).data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "海曙区司法局" and round(doc.paragraphs[0].paragraph_format.space_before.mm) == 35
    assert f"海法评〔{year}〕1号" in texts and doc.sections[0].header.paragraphs[0].text == ""
    assert any(t.startswith("根据工作安排，我局组织开展了") for t in texts)
    signed = texts.index("海曙区司法局", 1)
    day = world.campaign.report_date
    assert texts[signed + 1] == f"{day.year}年{day.month}月{day.day}日"
    # the signature is centred over the date, the date four characters from the right
    sig, dated = doc.paragraphs[signed], doc.paragraphs[signed + 1]
    assert dated.paragraph_format.right_indent.pt == 64
    assert sig.paragraph_format.right_indent.pt == 16 * (4 + (len(texts[signed + 1]) - 6) / 2)
    odd, even = doc.sections[0].footer.paragraphs[0], doc.sections[0].even_page_footer.paragraphs[0]
    assert odd.text == even.text == "— 1 —"
    assert "PAGE" in "".join(t.text for t in odd._p.iter(f"{W}instrText"))
    grid = doc.sections[0]._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}type") == "linesAndChars" and grid.get(f"{W}linePitch") == "579"
    # table text keeps its own size off the character grid
    cell = doc.tables[0].rows[0].cells[0].paragraphs[0]
    assert cell._p.find(f"{W}pPr/{W}snapToGrid").get(f"{W}val") == "0"
    # a second campaign's 通报 takes the next number of the same series
    other = World(n_units=1).start()
    other.score_all()
    campaign_svc.campaign_publish(actor=other.lead, campaign=other.campaign)
    assert other.campaign.report_number == f"海法评〔{year}〕2号"


def test_report_docx_states_the_mean_of_all_final_scores_rounded_half_up(client):
    w = _figures_world()
    client.login_user(w.lead)
    doc = Document(io.BytesIO(client.get(f"/reviews/campaigns/{w.campaign.id}/report.docx").data))
    text = "\n".join(p.text for p in doc.paragraphs)
    # (96.625 × 2 + 80 + 70 + 60 + 90 + 100) ÷ 7 = 84.75, not the mean of the unit averages (87.21).
    assert "本次共评查案卷 7 卷，平均得分 84.75 分" in text
    assert "另有 1 卷评分分歧待裁定" in text
    assert "不合格 0 卷" in text  # the unsettled file's provisional 不合格 is not counted
    units = {row.cells[1].text: row.cells[3].text for row in doc.tables[0].rows[1:]}
    assert units[w.units[0].name] == "96.63"  # 96.625 half up, as on the page
    assert units[w.units[2].name] == "95"  # the unsettled file leaves the average
    page = client.get(f"/reviews/campaigns/{w.campaign.id}").get_data(as_text=True)
    assert "全部案卷平均 84.75 分" in page and ">96.63<" in page
    assert 'data-testid="unsettled-note"' in page


def test_results_xlsx_has_final_scores_only_rounded_half_up(client):
    w = _figures_world()
    client.login_user(w.lead)
    ws = load_workbook(io.BytesIO(client.get(f"/reviews/campaigns/{w.campaign.id}/results.xlsx").data)).active
    rows = {r[2]: r for r in ws.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)}
    scores = sorted(r[8] for r in rows.values() if r[8] is not None)
    assert scores == [60, 70, 80, 90, 96.63, 96.63, 100]
    unsettled = next(r for r in rows.values() if r[9] == "待裁定")
    assert unsettled[8] is None  # no provisional score or grade


def test_settled_score_is_rounded_half_up():
    w = World().start()
    w.score_all()
    f = db.session.scalar(select(CaseFile).where(CaseFile.sampled.is_(True)).limit(1))
    casefile_svc.casefile_settle(actor=w.lead, case_file=f, score=96.625, reason="复核")
    assert f.final_score == 96.63  # round() gave 96.62


# --- every service checks who at its entry (the rules are in permissions.py) ----------------


def test_campaign_services_refuse_anyone_but_the_lead(world):
    world.start()
    a = world.assignments()[0]
    case_file = a.case_file
    other = next(r for r in world.reviewers if r.id not in {x.reviewer_id for x in case_file.assignments})
    reviewer = world.reviewers[0]
    calls = [
        lambda actor: campaign_svc.campaign_update(
            actor=actor, campaign=world.campaign, data={}, version=None
        ),
        lambda actor: scoring_svc.assignment_reassign(actor=actor, assignment=a, reviewer_id=other.id),
        lambda actor: casefile_svc.casefile_set_sampled(
            actor=actor, case_file=case_file, sampled=False, reason="不抽"
        ),
        lambda actor: casefile_svc.casefile_settle(actor=actor, case_file=case_file, score=60, reason="我定"),
        lambda actor: casefile_svc.casefile_set_excellent(actor=actor, case_file=case_file, excellent=True),
        lambda actor: casefile_svc.findings_from_casefile(actor=actor, case_file=case_file),
    ]
    for call in calls:
        with pytest.raises(NotAllowed, match="管理评查活动"):
            call(reviewer)
        db.session.rollback()
    assert db.session.get(ReviewAssignment, a.id).reviewer_id == a.reviewer_id
    assert db.session.get(CaseFile, case_file.id).final_score is None


def test_only_the_admin_maintains_rubrics(world):
    with pytest.raises(NotAllowed):
        rubric_svc.rubric_seed_default(actor=world.lead)
    with pytest.raises(NotAllowed):
        rubric_svc.rubric_import(actor=world.lead, data=b"")


def test_a_reviewer_of_the_files_unit_is_never_eligible(world):
    from supervision.permissions import can_review_file

    world.start()
    case_file = world.assignments()[0].case_file
    assert can_review_file(world.reviewers[0], case_file)
    assert not can_review_file(factories.UserFactory(role="inspector", unit=case_file.unit), case_file)
    assert not can_review_file(world.lead, case_file)
