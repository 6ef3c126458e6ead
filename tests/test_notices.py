"""Notices: every transition by role, bad input, liaison isolation on every route, stale edits,
the .docx and register exports, reminders, notifications and query counts."""

from __future__ import annotations

import io
import re
import threading
from datetime import date, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from supervision.errors import DomainError, InvalidTransition, NotAllowed, StaleEdit
from supervision.extensions import db
from supervision.formatting import local_today
from supervision.models import (
    Attachment,
    AuditEvent,
    Finding,
    Notice,
    NoticeItem,
    Notification,
    Rectification,
)
from supervision.services import notice_extensions as extensions_svc
from supervision.services import notice_kinds as kinds_svc
from supervision.services import notices as svc
from supervision.services import rectification as rectification_svc
from supervision.services.notify import remind
from supervision.workflow import MACHINES

from .conftest import count_queries
from .factories import (
    FindingFactory,
    NoticeKindFactory,
    TaskFactory,
    TaskInspectorFactory,
    UnitFactory,
)

TODAY = date(2026, 3, 2)  # a Monday
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


class World:
    """A unit with open findings, the office staff, the unit's liaison and an outsider liaison."""

    def __init__(self, make_user):
        self.unit = UnitFactory(name="横街镇人民政府", short_name="横街镇")
        self.other_unit = UnitFactory()
        self.inspector = make_user("inspector", display_name="陈敏")
        self.inspector2 = make_user("inspector", display_name="刘洋")
        self.lead = make_user("lead", display_name="王建国")
        self.lead2 = make_user("lead")
        self.admin = make_user("admin")
        self.liaison = make_user("liaison", unit=self.unit, display_name="周丽", email="zhouli@example.cn")
        self.outsider = make_user("liaison", unit=self.other_unit)
        self.kind = NoticeKindFactory(name="执法监督通知书", prefix="海法督", default_days=15)
        # Both inspectors are on the source task, so either may verify (回避 aside).
        self.task = TaskFactory()
        TaskInspectorFactory(task=self.task, user=self.inspector, is_leader=True)
        TaskInspectorFactory(task=self.task, user=self.inspector2)
        self.findings = FindingFactory.create_batch(
            3, unit=self.unit, task=self.task, inspector=self.inspector
        )
        self.foreign = FindingFactory(unit=self.other_unit, task=None, inspector=self.inspector)

    def data(self, findings=None, **overrides) -> svc.DraftData:
        findings = self.findings[:2] if findings is None else findings
        values = {
            "kind_id": self.kind.id,
            "unit_id": self.unit.id,
            "title": "关于横街镇行政执法问题的整改通知",
            "intro": "",
            "requirements": "",
            "time_limit_days": 15,
            "fixed_deadline": None,
            "items": [(f.id, f"整改要求：{f.description}") for f in findings],
        }
        values.update(overrides)
        return svc.DraftData(**values)

    def draft(self, **kwargs) -> Notice:
        return svc.notice_create(actor=self.inspector, data=self.data(**kwargs), today=TODAY)

    def submitted(self, **kwargs) -> Notice:
        notice = self.draft(**kwargs)
        return svc.notice_submit(actor=self.inspector, notice=notice)

    def issued(self, today=TODAY, **kwargs) -> Notice:
        return svc.notice_issue(actor=self.lead, notice=self.submitted(**kwargs), today=today)

    def acknowledged(self, **kwargs) -> Notice:
        return rectification_svc.notice_acknowledge(actor=self.liaison, notice=self.issued(**kwargs))

    def report(self, notice, item, files=None):
        return rectification_svc.item_report(
            actor=self.liaison,
            notice=notice,
            item=item,
            measures="已组织专题培训并逐件补正案卷。",
            completed_on=TODAY,
            uploads=files or [],
            today=TODAY,
        )

    def with_report(self) -> Notice:
        notice = self.acknowledged()
        self.report(notice, notice.items[0])
        return notice


@pytest.fixture
def w(make_user) -> World:
    return World(make_user)


def upload(name="整改报告.pdf", data=PDF):
    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(data), filename=name)


# --- the happy path -----------------------------------------------------------------------


def test_full_lifecycle(w):
    notice = w.draft()
    assert notice.status == "draft" and notice.doc_number is None and len(notice.items) == 2
    svc.notice_submit(actor=w.inspector, notice=notice)
    svc.notice_issue(actor=w.lead, notice=notice, today=TODAY)
    assert notice.status == "issued"
    assert notice.doc_number == "海法督〔2026〕1号" and notice.seq == 1 and notice.year == 2026
    assert notice.issue_date == TODAY and notice.approved_by_id == w.lead.id
    # 15 working days from Monday 2 March 2026 (no holiday table): Monday 23 March.
    assert notice.deadline == date(2026, 3, 23)
    assert {f.status for f in w.findings[:2]} == {"noticed"}
    rectification_svc.notice_acknowledge(actor=w.liaison, notice=notice)
    assert notice.status == "acknowledged" and notice.acknowledged_by_id == w.liaison.id
    first, second = notice.items
    w.report(notice, first, [upload()])
    w.report(notice, second)
    svc.item_return(actor=w.inspector, notice=notice, item=first, reason="佐证材料不全")
    assert first.status == "returned" and notice.status == "acknowledged"
    w.report(notice, first)
    svc.item_accept(actor=w.inspector, notice=notice, item=first)
    assert notice.status == "acknowledged"
    svc.item_accept(actor=w.inspector2, notice=notice, item=second)
    assert notice.status == "closed" and notice.closed_at is not None
    assert {f.status for f in w.findings[:2]} == {"resolved"}
    assert w.findings[2].status == "open"
    assert [v.decision for v in first.verifications] == ["return", "accept"]
    assert len(first.rectifications) == 2
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "notice.create",
        "notice.submit",
        "notice.issue",
        "notice.number",
        "notice.acknowledge",
        "notice_item.report",
        "notice_item.return",
        "notice_item.accept",
        "notice.close",
        "finding.notice",
        "finding.resolve",
    } <= actions


def test_second_notice_gets_the_next_number_and_other_series_restart(w):
    a = w.issued(findings=[w.findings[0]])
    b = w.issued(findings=[w.findings[1]])
    other_kind = NoticeKindFactory(prefix="海法整改")
    c = svc.notice_issue(
        actor=w.lead,
        notice=svc.notice_submit(
            actor=w.inspector,
            notice=svc.notice_create(
                actor=w.inspector, data=w.data(findings=[w.findings[2]], kind_id=other_kind.id), today=TODAY
            ),
        ),
        today=TODAY,
    )
    assert [a.doc_number, b.doc_number, c.doc_number] == [
        "海法督〔2026〕1号",
        "海法督〔2026〕2号",
        "海法整改〔2026〕1号",
    ]


def test_voided_number_stays_used(w):
    a = w.issued(findings=[w.findings[0]])
    svc.notice_void(actor=w.lead, notice=a, reason="主送单位有误")
    assert a.status == "voided" and a.doc_number == "海法督〔2026〕1号"
    assert w.findings[0].status == "open"  # released for a new notice
    b = w.issued(findings=[w.findings[0]])
    assert b.doc_number == "海法督〔2026〕2号"


def test_kind_without_rectification_closes_on_receipt(w):
    kind = NoticeKindFactory(prefix="海法督建", requires_rectification=False)
    notice = svc.notice_create(actor=w.inspector, data=w.data(kind_id=kind.id), today=TODAY)
    svc.notice_submit(actor=w.inspector, notice=notice)
    svc.notice_issue(actor=w.lead, notice=notice, today=TODAY)
    rectification_svc.notice_acknowledge(actor=w.liaison, notice=notice)
    assert notice.status == "closed"
    assert {f.status for f in w.findings[:2]} == {"resolved"}


def test_kind_without_rectification_shows_no_item_count_in_lists(client, w):
    kind = NoticeKindFactory(name="督察建议书", prefix="海法督建", requires_rectification=False)
    notice = svc.notice_create(actor=w.inspector, data=w.data(kind_id=kind.id), today=TODAY)
    svc.notice_issue(actor=w.lead, notice=svc.notice_submit(actor=w.inspector, notice=notice), today=TODAY)
    rectification_svc.notice_acknowledge(actor=w.liaison, notice=notice)
    db.session.commit()
    client.login_user(w.lead)
    page = client.get("/notices/").get_data(as_text=True)
    assert 'data-testid="no-rectification">无需整改' in page and "项通过" not in page


def test_fixed_deadline_is_used(w):
    notice = w.issued(fixed_deadline=date(2026, 4, 30))
    assert notice.deadline == date(2026, 4, 30)


def test_deadline_uses_the_holiday_calendar(w, app):
    app.test_cli_runner().invoke(args=["seed", "calendar"])
    # Issued Wednesday 30 September 2026, 15 working days over 国庆 with 调休 Saturday 10 October.
    notice = w.issued(today=date(2026, 9, 30))
    assert notice.deadline == date(2026, 10, 27)


# --- transitions by role --------------------------------------------------------------------


NOTICE_STEPS = {(s.action, s.source) for s in MACHINES["notice"].steps}


@pytest.mark.parametrize(
    "role, allowed",
    [("inspector", True), ("lead", False), ("liaison", False), ("admin", False)],
)
def test_submit_by_role(w, role, allowed):
    notice = w.draft()
    actor = {"inspector": w.inspector2, "lead": w.lead, "liaison": w.liaison, "admin": w.admin}[role]
    if allowed:
        svc.notice_submit(actor=actor, notice=notice)
        assert notice.status == "submitted"
    else:
        with pytest.raises(NotAllowed):
            svc.notice_submit(actor=actor, notice=notice)


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("lead", True),
        ("inspector", False),
        ("inspector_drafter", False),
        ("liaison", False),
        ("admin", False),
    ],
)
def test_issue_by_role(w, who, allowed):
    notice = w.submitted()
    actor = {
        "lead": w.lead,
        "inspector": w.inspector2,
        "inspector_drafter": w.inspector,
        "liaison": w.liaison,
        "admin": w.admin,
    }[who]
    if allowed:
        svc.notice_issue(actor=actor, notice=notice, today=TODAY)
        assert notice.status == "issued"
    else:
        with pytest.raises(NotAllowed):
            svc.notice_issue(actor=actor, notice=notice, today=TODAY)
        db.session.rollback()
        assert db.session.get(Notice, notice.id).doc_number is None


def test_nobody_issues_a_notice_they_drafted(w):
    notice = w.submitted()
    notice.drafted_by_id = w.lead.id  # e.g. a lead who drafted it under another role
    db.session.commit()
    with pytest.raises(NotAllowed, match="自己起草"):
        svc.notice_issue(actor=w.lead, notice=notice, today=TODAY)


@pytest.mark.parametrize("state", ["draft", "issued", "acknowledged", "closed", "voided"])
def test_issue_from_wrong_state_is_refused(w, state):
    from supervision.models import DocCounter

    def last_number():
        query = select(DocCounter.last).where(DocCounter.prefix == "海法督", DocCounter.year == 2026)
        return db.session.scalar(query) or 0

    notice = _notice_in(w, state)
    number, used = notice.doc_number, last_number()
    with pytest.raises(InvalidTransition, match="当前状态为"):
        svc.notice_issue(actor=w.lead2, notice=notice, today=TODAY)
    db.session.expire_all()
    refused = db.session.get(Notice, notice.id)
    assert (refused.status, refused.doc_number) == (state, number)
    assert last_number() == used  # no number was taken
    following = w.issued(findings=[w.findings[2]])  # the next issue gets the very next number
    assert following.doc_number == f"海法督〔2026〕{used + 1}号"


def _notice_in(w, state: str) -> Notice:
    if state == "draft":
        return w.draft()
    if state == "submitted":
        return w.submitted()
    if state == "issued":
        return w.issued()
    if state == "acknowledged":
        return w.acknowledged()
    if state == "closed":
        notice = w.acknowledged(findings=[w.findings[0]])
        w.report(notice, notice.items[0])
        svc.item_accept(actor=w.inspector, notice=notice, item=notice.items[0])
        return notice
    if state == "voided":
        notice = w.issued()
        return svc.notice_void(actor=w.lead, notice=notice, reason="作废")
    raise AssertionError(state)


@pytest.mark.parametrize("state", ["submitted"])
def test_return_by_role(w, state):
    notice = _notice_in(w, state)
    for actor in (w.inspector, w.liaison, w.admin):
        with pytest.raises(NotAllowed):
            svc.notice_return(actor=actor, notice=notice, reason="请修改")
    with pytest.raises(InvalidTransition, match="理由"):
        svc.notice_return(actor=w.lead, notice=notice, reason=" ")
    svc.notice_return(actor=w.lead, notice=notice, reason="请补充案号")
    assert notice.status == "draft" and notice.return_reason == "请补充案号"
    assert (
        db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == w.inspector.id))
        == 1
    )


@pytest.mark.parametrize(
    "state, allowed",
    [
        ("draft", True),
        ("submitted", True),
        ("issued", True),
        ("acknowledged", True),
        ("closed", False),
        ("voided", False),
    ],
)
def test_void_by_state(w, state, allowed):
    notice = _notice_in(w, state)
    for actor in (w.inspector, w.liaison, w.admin):
        with pytest.raises((NotAllowed, InvalidTransition)):
            svc.notice_void(actor=actor, notice=notice, reason="作废")
    if allowed:
        with pytest.raises(InvalidTransition):
            svc.notice_void(actor=w.lead, notice=notice, reason="")
        svc.notice_void(actor=w.lead, notice=notice, reason="重复发文")
        assert notice.status == "voided" and notice.void_reason == "重复发文"
    else:
        with pytest.raises(InvalidTransition):
            svc.notice_void(actor=w.lead, notice=notice, reason="作废")


@pytest.mark.parametrize("state", ["draft", "submitted", "acknowledged", "closed", "voided"])
def test_acknowledge_only_when_issued(w, state):
    notice = _notice_in(w, state)
    with pytest.raises((InvalidTransition, NotAllowed)):
        rectification_svc.notice_acknowledge(actor=w.liaison, notice=notice)


def test_acknowledge_by_role(w):
    notice = w.issued()
    for actor in (w.inspector, w.lead, w.admin):
        with pytest.raises(NotAllowed):
            rectification_svc.notice_acknowledge(actor=actor, notice=notice)
    with pytest.raises(NotAllowed, match="本单位"):
        rectification_svc.notice_acknowledge(actor=w.outsider, notice=notice)
    rectification_svc.notice_acknowledge(actor=w.liaison, notice=notice)
    assert notice.status == "acknowledged"


def test_no_close_without_acknowledgement(w):
    """销号 only from 已签收: the unit's receipt comes first, even for a notice needing no report."""
    assert MACHINES["notice"].step("close", "issued") is None
    notice = w.issued()
    with pytest.raises(InvalidTransition):
        svc.close_notice(w.inspector, notice)
    assert notice.status == "issued"


def test_report_by_role_and_state(w):
    notice = w.issued()
    item = notice.items[0]
    with pytest.raises(DomainError, match="先签收"):
        w.report(notice, item)
    rectification_svc.notice_acknowledge(actor=w.liaison, notice=notice)
    for actor in (w.inspector, w.lead, w.outsider):
        with pytest.raises(NotAllowed):
            rectification_svc.item_report(
                actor=actor,
                notice=notice,
                item=item,
                measures="x",
                completed_on=TODAY,
                uploads=[],
                today=TODAY,
            )
    w.report(notice, item)
    assert item.status == "submitted"
    with pytest.raises(DomainError, match="不能重复报送"):
        w.report(notice, item)


def test_verify_by_role(w):
    notice = w.with_report()
    item = notice.items[0]
    for actor in (w.lead, w.liaison, w.admin):
        with pytest.raises(NotAllowed):
            svc.item_accept(actor=actor, notice=notice, item=item)
        db.session.rollback()
        with pytest.raises(NotAllowed):
            svc.item_return(actor=actor, notice=notice, item=item, reason="不行")
        db.session.rollback()
    with pytest.raises(InvalidTransition, match="理由"):
        svc.item_return(actor=w.inspector, notice=notice, item=item, reason="")
    db.session.rollback()
    svc.item_accept(actor=w.inspector, notice=notice, item=item)
    assert item.status == "accepted"
    with pytest.raises(DomainError):
        svc.item_return(actor=w.inspector, notice=notice, item=item, reason="再看看")


def test_nobody_verifies_their_own_report(w):
    notice = w.with_report()
    item = notice.items[0]
    item.rectifications[-1].submitted_by_id = w.inspector.id
    db.session.commit()
    with pytest.raises(NotAllowed, match="自己报送"):
        svc.item_accept(actor=w.inspector, notice=notice, item=item)
    svc.item_accept(actor=w.inspector2, notice=notice, item=item)


# --- who may edit a draft and who may verify ---------------------


def test_only_the_drafter_and_the_tasks_inspectors_edit_or_submit_a_draft(w, make_user):
    notice = w.draft()
    outsider = make_user("inspector", display_name="局外督察员")
    with pytest.raises(NotAllowed, match="起草人或来源督察任务"):
        svc.notice_update(actor=outsider, notice=notice, data=w.data(), today=TODAY, version=notice.version)
    db.session.rollback()
    with pytest.raises(NotAllowed, match="起草人或来源督察任务"):
        svc.notice_submit(actor=outsider, notice=notice)
    db.session.rollback()
    assert db.session.get(Notice, notice.id).status == "draft"
    svc.notice_update(
        actor=w.inspector2, notice=notice, data=w.data(title="组员修改"), today=TODAY, version=notice.version
    )
    svc.notice_submit(actor=w.inspector2, notice=notice)
    assert notice.status == "submitted"


def test_a_draft_without_a_source_task_is_the_drafters_alone(w):
    findings = FindingFactory.create_batch(2, unit=w.unit, task=None, inspector=w.inspector)
    notice = w.draft(findings=findings)
    assert notice.task_id is None
    with pytest.raises(NotAllowed):
        svc.notice_submit(actor=w.inspector2, notice=notice)
    db.session.rollback()
    svc.notice_submit(actor=w.inspector, notice=notice)


def test_other_inspectors_draft_through_the_pages(client, w, make_user):
    notice = w.draft()
    client.login_user(make_user("inspector"))
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert 'data-testid="edit"' not in page and 'data-testid="submit"' not in page
    assert client.get(f"/notices/{notice.id}/edit").status_code == 403
    form = _form_for(w, w.findings[:1], title="被人改掉", version=str(notice.version))
    assert client.post_form(f"/notices/{notice.id}/edit", form).status_code == 403
    client.post_form(f"/notices/{notice.id}/submit", {"version": str(notice.version)})
    notice = db.session.get(Notice, notice.id)
    assert notice.status == "draft" and notice.title != "被人改掉"
    client.login_user(w.inspector2)
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert 'data-testid="edit"' in page and 'data-testid="submit"' in page


def _verify_both(actor, notice, item):
    for call in (
        lambda: svc.item_accept(actor=actor, notice=notice, item=item),
        lambda: svc.item_return(actor=actor, notice=notice, item=item, reason="证据不足"),
    ):
        with pytest.raises(NotAllowed) as error:
            call()
        db.session.rollback()
    assert item.status == "submitted"
    return error.value.message


def test_an_inspector_of_the_addressed_unit_may_not_verify(w):
    notice = w.with_report()
    member = w.inspector2
    member.unit_id = w.unit.id  # on the task, but of the unit the notice addresses: 回避
    db.session.commit()
    assert "回避" in _verify_both(member, notice, notice.items[0])


def test_an_inspector_on_no_task_for_the_notice_may_not_verify(w, make_user):
    notice = w.with_report()
    assert "起草人或来源督察任务" in _verify_both(make_user("inspector"), notice, notice.items[0])


def test_the_drafter_of_the_addressed_unit_may_not_verify_either(w):
    notice = w.with_report()
    w.inspector.unit_id = w.unit.id
    db.session.commit()
    assert "回避" in _verify_both(w.inspector, notice, notice.items[0])


def test_a_task_inspector_or_the_drafter_verifies(w):
    notice = w.with_report()
    w.report(notice, notice.items[1])
    svc.item_return(actor=w.inspector2, notice=notice, item=notice.items[0], reason="请补充佐证材料")
    svc.item_accept(actor=w.inspector, notice=notice, item=notice.items[1])
    assert [i.status for i in notice.items] == ["returned", "accepted"]


def test_verify_buttons_and_urls_follow_the_rule(client, w, make_user):
    notice = w.with_report()
    item = notice.items[0]
    client.login_user(make_user("inspector"))
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert 'data-testid="accept-1"' not in page
    client.post_form(f"/notices/{notice.id}/items/{item.id}/accept")
    client.post_form(f"/notices/{notice.id}/items/{item.id}/return", {"reason": "退回"})
    assert db.session.get(NoticeItem, item.id).status == "submitted"
    client.login_user(w.inspector2)
    assert 'data-testid="accept-1"' in client.get(f"/notices/{notice.id}").get_data(as_text=True)
    client.post_form(f"/notices/{notice.id}/items/{item.id}/accept")
    assert db.session.get(NoticeItem, item.id).status == "accepted"


def test_the_home_panel_lists_only_items_the_inspector_may_verify(client, w, make_user):
    notice = w.with_report()
    client.login_user(make_user("inspector"))
    page = client.get("/").get_data(as_text=True)
    assert notice.doc_number not in page and "暂无待核查事项" in page
    client.login_user(w.inspector2)
    assert notice.doc_number in client.get("/").get_data(as_text=True)


def test_verifying_an_item_not_submitted_is_refused(w):
    notice = w.acknowledged()
    with pytest.raises(DomainError, match="尚未报送"):
        svc.item_accept(actor=w.inspector, notice=notice, item=notice.items[0])
    with pytest.raises(DomainError, match="尚未报送"):
        svc.item_return(actor=w.inspector, notice=notice, item=notice.items[0], reason="x")


def test_reporting_on_a_closed_notice_is_refused(w):
    notice = _notice_in(w, "closed")
    with pytest.raises(DomainError, match="已销号"):
        w.report(notice, notice.items[0])


# --- bad input saves nothing ----------------------------------------------------------------


def _counts():
    return (
        db.session.scalar(select(func.count(Notice.id))),
        db.session.scalar(select(func.count(NoticeItem.id))),
        db.session.scalar(select(func.count(Rectification.id))),
        db.session.scalar(select(func.count(Attachment.id))),
    )


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"fixed_deadline": TODAY - timedelta(days=1)}, "截止日期不能早于签发日期"),
        ({"fixed_deadline": TODAY}, "截止日期不能早于签发日期"),
        ({"items": []}, "至少需要一个整改事项"),
        ({"title": "  "}, "标题不能为空"),
        ({"time_limit_days": 0}, "整改期限"),
        ({"time_limit_days": None}, "整改期限"),
        ({"kind_id": None}, "种类"),
    ],
)
def test_bad_drafts_save_nothing(w, overrides, message):
    with pytest.raises(DomainError) as error:
        w.draft(**overrides)
    assert any(message in e for e in error.value.errors)
    db.session.rollback()
    assert _counts()[0] == 0


def test_finding_of_another_unit_is_refused(w):
    with pytest.raises(DomainError, match="不属于"):
        w.draft(findings=[w.findings[0], w.foreign])
    db.session.rollback()
    assert _counts()[0] == 0


def test_finding_already_on_another_draft_is_refused(w):
    w.draft(findings=[w.findings[0]])
    with pytest.raises(DomainError, match="另一份未签发"):
        w.draft(findings=[w.findings[0]])


def test_finding_on_another_inspectors_task_is_refused(w, make_user):
    task_finding = FindingFactory(unit=w.unit)  # on a task w.inspector is not on
    with pytest.raises(DomainError, match="无权使用"):
        w.draft(findings=[task_finding])


def test_report_without_content_saves_nothing(w):
    notice = w.acknowledged()
    before = _counts()
    for measures, completed in (
        ("", TODAY),
        ("  ", TODAY),
        ("已整改", None),
        ("已整改", TODAY + timedelta(days=1)),
    ):
        with pytest.raises(DomainError):
            rectification_svc.item_report(
                actor=w.liaison,
                notice=notice,
                item=notice.items[0],
                measures=measures,
                completed_on=completed,
                uploads=[upload()],
                today=TODAY,
            )
        db.session.rollback()
    assert _counts() == before
    assert db.session.get(NoticeItem, notice.items[0].id).status == "pending"


def test_evidence_too_large_saves_nothing(w, app):
    notice = w.acknowledged()
    before = _counts()
    big = PDF + b"0" * (app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
    with pytest.raises(DomainError, match="超过大小限制"):
        w.report(notice, notice.items[0], [upload(data=big)])
    db.session.rollback()
    assert _counts() == before


def test_issue_with_a_past_fixed_deadline_is_refused(w):
    notice = w.submitted(fixed_deadline=date(2026, 3, 10))
    with pytest.raises(DomainError, match="截止日期不能早于签发日期"):
        svc.notice_issue(actor=w.lead, notice=notice, today=date(2026, 3, 12))
    db.session.rollback()
    assert db.session.get(Notice, notice.id).doc_number is None


def test_issue_refused_when_a_finding_was_dismissed_meanwhile(w):
    notice = w.submitted()
    w.findings[0].status = "dismissed"
    db.session.commit()
    with pytest.raises(DomainError, match="已不是待处理"):
        svc.notice_issue(actor=w.lead, notice=notice, today=TODAY)
    db.session.rollback()
    assert db.session.get(Notice, notice.id).status == "submitted"


# --- extensions and escalations -------------------------------------------------------------


def test_extension_approved_keeps_the_old_deadline(w):
    notice = w.acknowledged()
    old = notice.deadline
    with pytest.raises(DomainError, match="晚于现截止日期"):
        extensions_svc.extension_request(
            actor=w.liaison, notice=notice, reason="忙", requested_deadline=old, today=TODAY
        )
    with pytest.raises(DomainError, match="延期理由"):
        extensions_svc.extension_request(
            actor=w.liaison, notice=notice, reason="", requested_deadline=old + timedelta(days=9), today=TODAY
        )
    ext = extensions_svc.extension_request(
        actor=w.liaison,
        notice=notice,
        reason="需采购设备",
        requested_deadline=old + timedelta(days=10),
        today=TODAY,
    )
    with pytest.raises(DomainError, match="审批中"):
        extensions_svc.extension_request(
            actor=w.liaison,
            notice=notice,
            reason="再延",
            requested_deadline=old + timedelta(days=20),
            today=TODAY,
        )
    with pytest.raises(NotAllowed):
        extensions_svc.extension_decide(
            actor=w.inspector, notice=notice, ext=ext, approve=True, new_deadline=None, note=""
        )
    extensions_svc.extension_decide(
        actor=w.lead, notice=notice, ext=ext, approve=True, new_deadline=None, note="同意"
    )
    assert notice.deadline == old + timedelta(days=10)
    assert ext.old_deadline == old and ext.new_deadline == notice.deadline and ext.decision == "approved"
    texts = db.session.scalars(
        select(Notification.text).where(Notification.kind == "extension_decided")
    ).all()
    assert texts and "同意延期" in texts[0]


def test_extension_rejected_needs_a_reason(w):
    notice = w.acknowledged()
    ext = extensions_svc.extension_request(
        actor=w.liaison,
        notice=notice,
        reason="人手不足",
        requested_deadline=notice.deadline + timedelta(days=5),
        today=TODAY,
    )
    with pytest.raises(DomainError, match="理由"):
        extensions_svc.extension_decide(
            actor=w.lead, notice=notice, ext=ext, approve=False, new_deadline=None, note=""
        )
    old = notice.deadline
    extensions_svc.extension_decide(
        actor=w.lead, notice=notice, ext=ext, approve=False, new_deadline=None, note="按期完成"
    )
    assert notice.deadline == old and ext.decision == "rejected"


def test_escalation_only_on_overdue_notices(w):
    notice = w.acknowledged()
    with pytest.raises(DomainError, match="逾期"):
        extensions_svc.escalation_add(
            actor=w.lead, notice=notice, kind="interview", on_date=TODAY, note="", today=TODAY
        )
    later = notice.deadline + timedelta(days=3)
    assert notice.is_overdue(later)
    with pytest.raises(NotAllowed):
        extensions_svc.escalation_add(
            actor=w.inspector, notice=notice, kind="interview", on_date=later, note="", today=later
        )
    with pytest.raises(DomainError, match="督办措施"):
        extensions_svc.escalation_add(
            actor=w.lead, notice=notice, kind="nonsense", on_date=later, note="", today=later
        )
    escalation = extensions_svc.escalation_add(
        actor=w.lead, notice=notice, kind="listed", on_date=later, note="挂牌督办", today=later
    )
    assert escalation.kind_label == "挂牌督办"


# --- notifications and reminders ------------------------------------------------------------


def test_notifications_for_each_step(w):
    notice = w.acknowledged()
    kinds = lambda user: set(  # noqa: E731
        db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id))
    )
    assert "notice_issued" in kinds(w.liaison)
    assert "notice_issued" not in kinds(w.outsider)
    w.report(notice, notice.items[0])
    assert "item_submitted" in kinds(w.inspector)
    svc.item_return(actor=w.inspector2, notice=notice, item=notice.items[0], reason="补充材料")
    assert "item_returned" in kinds(w.liaison)
    w.report(notice, notice.items[0])
    svc.item_accept(actor=w.inspector2, notice=notice, item=notice.items[0])
    assert "item_accepted" in kinds(w.liaison)


def test_remind_twice_creates_each_reminder_once(w, app, monkeypatch):
    overdue = w.acknowledged(findings=[w.findings[0]])  # deadline 23 March 2026
    soon = svc.notice_issue(
        actor=w.lead,
        notice=w.submitted(findings=[w.findings[1]], fixed_deadline=date(2026, 4, 1)),
        today=TODAY,
    )
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout=None):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            pass

        def login(self, user, password):
            pass

        def send_message(self, message):
            sent.append(("send", message["To"], message["Subject"]))

    monkeypatch.setattr("supervision.services.notify.smtplib.SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "SMTP_HOST", "smtp.example.cn")
    today = date(2026, 3, 27)  # Friday: the first is overdue, the second due on Wednesday 1 April
    runner = app.test_cli_runner()
    first = runner.invoke(args=["remind", "--today", today.isoformat()])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["remind", "--today", today.isoformat()])
    assert "即将到期 0 条，逾期 0 条" in second.output
    rows = db.session.execute(select(Notification.user_id, Notification.kind, Notification.link)).all()
    overdue_rows = [r for r in rows if r.kind == "overdue"]
    soon_rows = [r for r in rows if r.kind == "due_soon"]
    assert sorted(r.user_id for r in overdue_rows) == sorted([w.liaison.id, w.inspector.id])
    assert all(r.link == f"/notices/{overdue.id}" for r in overdue_rows)
    assert [r.user_id for r in soon_rows] == [w.liaison.id] and soon_rows[0].link == f"/notices/{soon.id}"
    # E-mail only to users with an address, only on the first run.
    assert [s for s in sent if s[0] == "send"] == [
        ("send", "zhouli@example.cn", s[2]) for s in sent if s[0] == "send"
    ]
    assert len([s for s in sent if s[0] == "send"]) == 2
    # An extension moves the deadline: a new reminder is due once it comes near again.
    assert remind(today=today).due_soon == 0


# --- views: drafting, stale edits, sign-off ------------------------------------------------------


def _form_for(w, findings, **extra):
    data = {
        "kind_id": str(w.kind.id),
        "title": "关于横街镇行政执法问题的整改通知",
        "intro": "",
        "requirements": "",
        "time_limit_days": "15",
        "fixed_deadline": "",
        "finding": [str(f.id) for f in findings],
    }
    for f in findings:
        data[f"requirement-{f.id}"] = f"请整改：{f.description}"
    data.update(extra)
    return data


def test_draft_through_the_form(client, w):
    client.login_user(w.inspector)
    page = client.get("/notices/new").get_data(as_text=True)
    assert "横街镇人民政府" in page and "3 个待处理问题" in page
    page = client.get(f"/notices/new?unit={w.unit.id}").get_data(as_text=True)
    assert "针对“" in page  # requirement prefilled
    response = client.post_form(f"/notices/new?unit={w.unit.id}", _form_for(w, w.findings[:2]))
    assert response.status_code == 302
    notice = db.session.scalar(select(Notice))
    assert [i.requirement for i in notice.items] == [f"请整改：{f.description}" for f in w.findings[:2]]
    assert client.get(f"/notices/{notice.id}").status_code == 200


def test_draft_form_bad_input_shows_why(client, w):
    client.login_user(w.inspector)
    response = client.post_form(f"/notices/new?unit={w.unit.id}", _form_for(w, []))
    assert "至少需要一个整改事项" in response.get_data(as_text=True)
    response = client.post_form(
        f"/notices/new?unit={w.unit.id}", _form_for(w, w.findings[:1], fixed_deadline="2020-01-01")
    )
    assert "截止日期不能早于签发日期" in response.get_data(as_text=True)
    response = client.post_form(f"/notices/new?unit={w.unit.id}", _form_for(w, [w.findings[0], w.foreign]))
    assert "不属于" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Notice.id))) == 0


def test_two_people_editing_the_same_draft(client, w, app):
    notice = w.draft()
    version = notice.version
    client.login_user(w.inspector)
    first = client.post_form(
        f"/notices/{notice.id}/edit",
        _form_for(w, w.findings[:2], title="第一人修改的标题", version=str(version)),
    )
    assert first.status_code == 302
    other = app.test_client()
    other.login_user(w.inspector2)
    second = other.post_form(
        f"/notices/{notice.id}/edit",
        _form_for(w, w.findings[:1], title="第二人修改的标题", version=str(version)),
    )
    assert "已被他人修改" in second.get_data(as_text=True)
    notice = db.session.get(Notice, notice.id)
    assert notice.title == "第一人修改的标题" and len(notice.items) == 2


def test_stale_edit_in_the_service(w):
    notice = w.draft()
    with pytest.raises(StaleEdit):
        svc.notice_update(
            actor=w.inspector, notice=notice, data=w.data(), today=TODAY, version=notice.version - 1
        )


def test_finding_page_links_the_notices_that_carry_it(client, w):
    notice = w.draft()
    client.login_user(w.inspector)
    page = client.get(f"/tasks/findings/{w.findings[0].id}").get_data(as_text=True)
    assert f'href="/notices/{notice.id}"' in page and "未编号草稿" in page
    svc.notice_issue(actor=w.lead, notice=svc.notice_submit(actor=w.inspector, notice=notice), today=TODAY)
    db.session.commit()
    page = client.get(f"/tasks/findings/{w.findings[0].id}").get_data(as_text=True)
    assert f'href="/notices/{notice.id}"' in page and "海法督" in page
    # A finding on no notice has no such line. (Only roles that read every notice see findings
    # today; the list is still drawn from notices_for_user, so that stays true.)
    page = client.get(f"/tasks/findings/{w.findings[2].id}").get_data(as_text=True)
    assert 'data-testid="finding-notices"' not in page


def test_void_asks_for_confirmation_like_issue(client, w):
    notice = w.draft()
    svc.notice_submit(actor=w.inspector, notice=notice)
    db.session.commit()
    client.login_user(w.lead)
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    forms = re.findall(r"<form[^>]*>", page)
    issue = next(f for f in forms if f"/notices/{notice.id}/issue" in f)
    void = next(f for f in forms if f"/notices/{notice.id}/void" in f)
    assert "data-confirm=" in issue
    assert 'data-confirm="作废后不能恢复' in void


def test_sign_off_through_the_pages(client, w):
    notice = w.draft()
    client.login_user(w.inspector)
    assert client.post_form(f"/notices/{notice.id}/submit").status_code == 302
    assert db.session.get(Notice, notice.id).status == "submitted"
    # The drafter sees no sign-off button and cannot issue by URL either (no capability).
    assert client.post_form(f"/notices/{notice.id}/issue").status_code == 403
    client.login_user(w.lead)
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert 'data-testid="issue"' in page and 'data-testid="return-notice"' in page
    response = client.post_form(f"/notices/{notice.id}/issue", follow_redirects=True)
    assert "已签发，文号" in response.get_data(as_text=True)
    notice = db.session.get(Notice, notice.id)
    assert notice.doc_number == f"海法督〔{local_today().year}〕1号"
    assert notice.issue_date == local_today()
    # Issuing twice is refused with a message, and no second number is taken.
    response = client.post_form(f"/notices/{notice.id}/issue", follow_redirects=True)
    assert "不能执行此操作" in response.get_data(as_text=True)


def test_liaison_flow_through_the_pages(client, w):
    notice = svc.notice_issue(actor=w.lead, notice=w.submitted(), today=local_today())
    client.login_user(w.liaison)
    home = client.get("/").get_data(as_text=True)
    assert "本单位待办通知" in home and notice.doc_number in home and "剩" in home
    mine = client.get("/notices/unit").get_data(as_text=True)
    assert notice.doc_number in mine and "待签收" in mine
    assert client.post_form(f"/notices/{notice.id}/acknowledge").status_code == 302
    item = db.session.get(Notice, notice.id).items[0]
    response = client.post_form(
        f"/notices/{notice.id}/items/{item.id}/report",
        {"measures": "", "completed_on": local_today().isoformat()},
        follow_redirects=True,
    )
    assert "请填写整改措施" in response.get_data(as_text=True)
    response = client.post_form(
        f"/notices/{notice.id}/items/{item.id}/report",
        {
            "measures": "已整改",
            "completed_on": local_today().isoformat(),
            "files": (io.BytesIO(PDF), "报告.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    attachment = db.session.scalar(select(Attachment).where(Attachment.owner_type == "rectification"))
    assert attachment.original_name == "报告.pdf"
    assert client.get(f"/files/{attachment.id}").status_code == 200
    client.login_user(w.outsider)
    assert client.get(f"/files/{attachment.id}").status_code == 404
    client.login_user(w.inspector2)
    assert client.get(f"/files/{attachment.id}").status_code == 200
    client.post_form(f"/notices/{notice.id}/items/{item.id}/accept")
    assert db.session.get(NoticeItem, item.id).status == "accepted"


# --- liaison isolation on every route ---------------------------------------------------------


def _routes(notice, item, ext_id):
    n, i = notice.id, item.id
    return [
        ("GET", f"/notices/{n}"),
        ("GET", f"/notices/{n}/print"),
        ("GET", f"/notices/{n}.docx"),
        ("POST", f"/notices/{n}/acknowledge"),
        ("POST", f"/notices/{n}/items/{i}/report"),
        ("POST", f"/notices/{n}/extensions"),
    ], [
        ("GET", f"/notices/{n}/edit"),
        ("POST", f"/notices/{n}/submit"),
        ("POST", f"/notices/{n}/return"),
        ("POST", f"/notices/{n}/issue"),
        ("POST", f"/notices/{n}/void"),
        ("POST", f"/notices/{n}/items/{i}/accept"),
        ("POST", f"/notices/{n}/items/{i}/return"),
        ("POST", f"/notices/{n}/extensions/{ext_id}/decide"),
        ("POST", f"/notices/{n}/escalations"),
        ("GET", "/notices/"),
        ("GET", "/notices/new"),
        ("GET", "/notices/register"),
        ("GET", "/notices/register.xlsx"),
        ("GET", "/admin/notice-kinds"),
        ("GET", "/admin/holidays"),
    ]


def _request(client, method, url):
    return client.get(url) if method == "GET" else client.post_form(url, {"reason": "x", "measures": "x"})


def test_other_units_notice_is_404_on_every_route(client, w):
    notice = w.acknowledged()
    w.report(notice, notice.items[0], [upload()])
    ext = extensions_svc.extension_request(
        actor=w.liaison,
        notice=notice,
        reason="r",
        requested_deadline=notice.deadline + timedelta(days=3),
        today=TODAY,
    )
    attachment = db.session.scalar(select(Attachment))
    liaison_routes, office_routes = _routes(notice, notice.items[0], ext.id)
    client.login_user(w.outsider)
    for method, url in liaison_routes:
        assert _request(client, method, url).status_code == 404, (method, url)
    for method, url in office_routes:
        assert _request(client, method, url).status_code in (403, 404), (method, url)
    assert client.get(f"/files/{attachment.id}").status_code == 404
    assert notice.doc_number not in client.get("/notices/unit").get_data(as_text=True)
    assert notice.doc_number not in client.get("/").get_data(as_text=True)
    # Nothing changed.
    notice = db.session.get(Notice, notice.id)
    assert notice.status == "acknowledged" and notice.items[1].status == "pending"


@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_drafts_are_invisible_to_the_unit(client, w, state):
    notice = _notice_in(w, state)
    client.login_user(w.liaison)
    for url in (f"/notices/{notice.id}", f"/notices/{notice.id}/print", f"/notices/{notice.id}.docx"):
        assert client.get(url).status_code == 404
    assert client.post_form(f"/notices/{notice.id}/acknowledge").status_code == 404
    assert client.post_form(f"/notices/{notice.id}/items/{notice.items[0].id}/report").status_code == 404
    assert notice.title not in client.get("/notices/unit").get_data(as_text=True)


def test_own_unit_liaison_sees_issued_notice(client, w):
    notice = w.issued()
    client.login_user(w.liaison)
    for url in (f"/notices/{notice.id}", f"/notices/{notice.id}/print"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "海法督〔2026〕1号" in html and notice.title in html, url
        assert w.findings[0].description in html and w.findings[1].description in html, url
    detail = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert f"/notices/{notice.id}/acknowledge" in detail  # her unit's notice: she may sign for it
    docx = client.get(f"/notices/{notice.id}.docx")
    assert docx.status_code == 200 and docx.mimetype.endswith("wordprocessingml.document")
    assert "海法督〔2026〕1号" in [p.text for p in Document(io.BytesIO(docx.data)).paragraphs]


@pytest.mark.parametrize(
    "role, url, status",
    [
        ("admin", "/notices/", 200),
        ("admin", "/admin/notice-kinds/new", 200),
        ("admin", "/admin/holidays", 200),
        ("lead", "/notices/", 200),
        ("lead", "/notices/register", 200),
        ("lead", "/admin/notice-kinds/new", 403),
        ("lead", "/notices/new", 403),
        ("inspector", "/notices/new", 200),
        ("inspector", "/notices/register", 200),
        ("inspector", "/notices/unit", 403),
        ("liaison", "/notices/unit", 200),
        ("liaison", "/notices/", 403),
        ("liaison", "/notices/register", 403),
    ],
)
def test_role_route_matrix(client, login_as, role, url, status):
    kwargs = {"unit": UnitFactory()} if role == "liaison" else {}
    login_as(role, **kwargs)
    assert client.get(url).status_code == status


def test_anonymous_is_sent_to_login(client, w):
    notice = w.issued()
    assert client.get(f"/notices/{notice.id}").status_code == 302
    assert client.get(f"/notices/{notice.id}.docx").status_code == 302


# --- documents and exports ------------------------------------------------------------------


def test_docx_reads_back(client, w):
    notice = w.issued()
    client.login_user(w.liaison)
    response = client.get(f"/notices/{notice.id}.docx")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    doc = Document(io.BytesIO(response.data))
    texts = [p.text for p in doc.paragraphs]
    assert "海法督〔2026〕1号" in texts
    assert "横街镇人民政府：" in texts
    assert "一、" + w.findings[0].description in texts and "二、" + w.findings[1].description in texts
    assert any(t.startswith("整改要求：" + w.findings[0].description) for t in texts)
    assert any("2026年3月23日前" in t for t in texts)
    assert "2026年3月2日" in texts
    section = doc.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    body = next(p for p in doc.paragraphs if p.text == "横街镇人民政府：")
    fonts = body.runs[0]._element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"
    )


def test_print_view_has_the_official_layout(client, w):
    notice = w.issued()
    client.login_user(w.lead)
    page = client.get(f"/notices/{notice.id}/print").get_data(as_text=True)
    for part in ("issuer-mark", "red-rule", "海法督〔2026〕1号", "横街镇人民政府：", "一、", "2026年3月2日"):
        assert part in page
    assert "<script>" not in page


def test_register_lists_voided_numbers_and_exports(client, w):
    a = w.issued(findings=[w.findings[0]])
    b = w.issued(findings=[w.findings[1]])
    svc.notice_void(actor=w.lead, notice=a, reason="主送单位有误")
    w.draft(findings=[w.findings[2]])  # unnumbered: not in the register
    client.login_user(w.lead)
    page = client.get("/notices/register").get_data(as_text=True)
    assert a.doc_number in page and b.doc_number in page and "主送单位有误" in page
    response = client.get("/notices/register.xlsx?year=2026")
    wb = load_workbook(io.BytesIO(response.data))
    ws = wb.active
    assert "发文登记簿" in ws["A1"].value
    assert ws.auto_filter.ref == "A2:I4"  # the header row over the two numbers
    numbers = [ws.cell(r, 1).value for r in range(3, 5)]
    assert numbers == [b.doc_number, a.doc_number]
    assert ws.cell(6, 1).value.startswith("填表人：")
    statuses = [ws.cell(r, 8).value for r in range(3, 5)]
    assert statuses == ["已下发", "已作废"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows in ("1:2", "$1:$2")


def test_notice_kinds_admin(client, w):
    client.login_user(w.admin)
    response = client.post_form(
        "/admin/notice-kinds/new",
        {"name": "督察通报", "prefix": "海法督〔2026〕", "default_days": "10", "active": "y"},
    )
    assert "机关代字只填代字本身" in response.get_data(as_text=True)
    response = client.post_form(
        "/admin/notice-kinds/new",
        {"name": "督察通报", "prefix": "海法通", "default_days": "10", "active": "y"},
    )
    assert response.status_code == 302
    assert "督察通报" in client.get("/admin/notice-kinds").get_data(as_text=True)


def test_kind_closing_text_in_print_and_docx(client, w):
    """A kind's own 结尾语, with {期限} as the deadline the notice was issued with."""
    client.login_user(w.admin)
    bad = client.post_form(
        f"/admin/notice-kinds/{w.kind.id}/edit",
        {
            "name": w.kind.name,
            "prefix": "海法督",
            "default_days": "15",
            "active": "y",
            "closing": "请于{截止日}前报告。",
            "version": w.kind.version,
        },
    )
    assert "只能用 {期限} 表示整改期限" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert w.kind.closing == ""
    closing = "请你单位于{期限}前依法予以纠正。如有异议，可自收到之日起10日内书面申请复查。"
    ok = client.post_form(
        f"/admin/notice-kinds/{w.kind.id}/edit",
        {
            "name": w.kind.name,
            "prefix": "海法督",
            "default_days": "15",
            "active": "y",
            "closing": closing,
            "version": w.kind.version,
        },
    )
    assert ok.status_code == 302
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.action == "notice_kind.update" and "closing" in event.changes

    notice = w.issued()  # deadline 23 March 2026
    expected = "请你单位于2026年3月23日前依法予以纠正。如有异议，可自收到之日起10日内书面申请复查。"
    client.login_user(w.lead)
    assert expected in client.get(f"/notices/{notice.id}/print").get_data(as_text=True)
    texts = [p.text for p in Document(io.BytesIO(client.get(f"/notices/{notice.id}.docx").data)).paragraphs]
    assert expected in texts and not any("将视情采取约谈" in t for t in texts)

    # Editing the kind later does not change the document already issued; a new notice gets it.
    kinds_svc.notice_kind_save(
        actor=w.admin,
        kind=w.kind,
        data={"name": w.kind.name, "prefix": "海法督", "default_days": 15, "closing": "请于{期限}前办结。"},
    )
    assert expected in client.get(f"/notices/{notice.id}/print").get_data(as_text=True)
    later = w.issued(findings=[w.findings[2]])
    assert "请于" in client.get(f"/notices/{later.id}/print").get_data(as_text=True)
    assert "前办结。" in client.get(f"/notices/{later.id}/print").get_data(as_text=True)


def test_holiday_admin_and_weekends_only_notice(client, w):
    client.login_user(w.admin)
    page = client.get("/admin/holidays?year=2031").get_data(as_text=True)
    assert "没有节假日数据" in page
    response = client.post_form("/admin/holidays?year=2031", {"day": "2031-10-01", "name": "国庆节"})
    assert response.status_code == 302
    response = client.post_form(
        "/admin/holidays?year=2031", {"day": "2031-10-01", "name": "国庆节"}, follow_redirects=True
    )
    assert "已在日历中" in response.get_data(as_text=True)
    client.login_user(w.inspector)
    page = client.get(f"/notices/new?unit={w.unit.id}").get_data(as_text=True)
    assert "仅按周末计算" in page  # this year has no holiday rows in the test database


# --- query counts -----------------------------------------------------------------------------


def _many(w, n: int):
    findings = FindingFactory.create_batch(n * 2, unit=w.unit, task=None, inspector=w.inspector)
    for k in range(n):
        notice = svc.notice_issue(
            actor=w.lead,
            notice=svc.notice_submit(
                actor=w.inspector,
                notice=svc.notice_create(
                    actor=w.inspector, data=w.data(findings=findings[2 * k : 2 * k + 2]), today=local_today()
                ),
            ),
            today=local_today(),
        )
        if k % 2:
            rectification_svc.notice_acknowledge(actor=w.liaison, notice=notice)
            rectification_svc.item_report(
                actor=w.liaison,
                notice=notice,
                item=notice.items[0],
                measures="已整改",
                completed_on=local_today(),
                uploads=[],
                today=local_today(),
            )


LIST_QUERIES = 7  # as counted here (count_queries empties the caches: the calendar is read too)


@pytest.mark.parametrize(
    "who, url",
    [
        ("lead", "/notices/"),
        ("lead", "/notices/?overdue=1"),
        ("lead", "/notices/register"),
        ("lead", "/"),
        ("inspector", "/"),
        ("liaison", "/notices/unit"),
        ("liaison", "/"),
    ],
)
def test_bounded_queries(client, w, who, url):
    client.login_user(getattr(w, who))
    _many(w, 2)
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _many(w, 9)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert small() == large(), (url, small(), large())
    if url.startswith("/notices/") and url != "/notices/register":
        # The lists: the user, the rows with their item counts, the total, the kinds, the stamp…
        assert large() <= LIST_QUERIES, (url, large())


def test_detail_page_queries_do_not_grow_with_items(client, w):
    client.login_user(w.lead)
    small = w.acknowledged(findings=w.findings[:1])
    w.report(small, small.items[0], [upload()])
    many = FindingFactory.create_batch(8, unit=w.unit, task=None, inspector=w.inspector)
    big = w.acknowledged(findings=many)
    for item in big.items:
        w.report(big, item, [upload()])
    client.get(f"/notices/{small.id}")
    with count_queries() as a:
        client.get(f"/notices/{small.id}")
    with count_queries() as b:
        client.get(f"/notices/{big.id}")
    assert a() == b()


def _detail_notice(w, n_items: int) -> Notice:
    """An acknowledged notice of n items, each reported with a file; the first returned and reported
    again, the second accepted; an extension asked for."""
    findings = FindingFactory.create_batch(n_items, unit=w.unit, task=w.task, inspector=w.inspector)
    notice = w.acknowledged(findings=findings)
    for item in notice.items:
        w.report(notice, item, [upload()])
    first, second = notice.items[0], notice.items[1]
    svc.item_return(actor=w.inspector, notice=notice, item=first, reason="佐证材料不全")
    w.report(notice, first, [upload()])
    svc.item_accept(actor=w.inspector, notice=notice, item=second)
    extensions_svc.extension_request(
        actor=w.liaison,
        notice=notice,
        reason="汛期",
        requested_deadline=notice.deadline + timedelta(days=10),
        today=TODAY,
    )
    return notice


# The detail page's reads: the user (the request pipeline), the notice with its names and whether it
# has extensions, escalations, files; the items with their reports and verdicts; the history; the
# files; the extensions; the calendar of an open notice (the audit feed, the holidays, their years).
DETAIL_QUERIES = 9


@pytest.mark.parametrize("who", ["lead", "liaison", "inspector"])
def test_detail_page_queries_same_for_2_and_12_items(client, w, who):
    small, big = f"/notices/{_detail_notice(w, 2).id}", f"/notices/{_detail_notice(w, 12).id}"
    client.login_user(getattr(w, who))
    client.get(small)
    with count_queries() as a:
        page = client.get(small)
    with count_queries() as b:
        assert client.get(big).status_code == 200
    assert page.status_code == 200
    assert a() == b() <= DETAIL_QUERIES, (a(), b())
    assert page.get_data(as_text=True).count('class="verdict ') == 2


def test_detail_page_skips_the_reads_a_notice_does_not_need(client, w):
    """A closed notice with no files, extensions or escalations: the notice, its items, its history
    (and the user): no calendar, no files, no extensions, no escalations."""
    notice = w.acknowledged(findings=w.findings[:1])
    w.report(notice, notice.items[0])
    svc.item_accept(actor=w.inspector, notice=notice, item=notice.items[0])
    assert notice.status == "closed"
    url = f"/notices/{notice.id}"
    client.login_user(w.lead)
    client.get(url)
    with count_queries() as n:
        assert client.get(url).status_code == 200
    assert n() == 4


# --- concurrency on PostgreSQL ----------------------------------------------------------------


@pytest.mark.real_commits  # fifty threads racing for the numbers, each on its own connection
def test_fifty_leads_issue_at_once(app, w, make_user):
    """50 notices signed at the same instant on either database: numbers 1..50, no gap, no twin."""
    n = 50
    findings = FindingFactory.create_batch(n, unit=w.unit, task=None, inspector=w.inspector)
    ids = [w.submitted(findings=[f]).id for f in findings]
    leads = [make_user("lead").id for _ in range(n)]
    barrier = threading.Barrier(n, timeout=60)
    errors: list[BaseException] = []

    def issue(notice_id: int, lead_id: int) -> None:
        try:
            # All threads start together; each takes a connection only then (the pool holds 15).
            barrier.wait()
            with app.app_context():
                from supervision.models import User

                notice = db.session.get(Notice, notice_id)
                lead = db.session.get(User, lead_id)
                svc.notice_issue(actor=lead, notice=notice, today=TODAY)
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=issue, args=pair) for pair in zip(ids, leads, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    db.session.expire_all()
    seqs = sorted(db.session.scalars(select(Notice.seq)))
    assert seqs == list(range(1, n + 1))
    assert len(set(db.session.scalars(select(Notice.doc_number)))) == n


def test_findings_untouched_by_failed_issue(w):
    notice = w.submitted()
    with pytest.raises(NotAllowed):
        svc.notice_issue(actor=w.inspector, notice=notice, today=TODAY)
    db.session.rollback()
    assert set(db.session.scalars(select(Finding.status))) == {"open"}


def test_documents_keep_the_deadline_as_issued(client, w):
    notice = w.acknowledged()
    ext = extensions_svc.extension_request(
        actor=w.liaison,
        notice=notice,
        reason="采购设备",
        requested_deadline=date(2026, 4, 30),
        today=TODAY,
    )
    extensions_svc.extension_decide(
        actor=w.lead, notice=notice, ext=ext, approve=True, new_deadline=None, note=""
    )
    client.login_user(w.lead)
    page = client.get(f"/notices/{notice.id}/print").get_data(as_text=True)
    assert "2026年3月23日前" in page and "2026年4月30日前" not in page
    detail = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "2026年4月30日" in detail and "原截止日期 2026年3月23日" in detail
    doc = Document(io.BytesIO(client.get(f"/notices/{notice.id}.docx").data))
    assert any("2026年3月23日前" in p.text for p in doc.paragraphs)


def test_list_filters(client, w):
    overdue = w.acknowledged(findings=[w.findings[0]])
    overdue.deadline = local_today() - timedelta(days=3)
    db.session.commit()
    fresh = svc.notice_issue(actor=w.lead, notice=w.submitted(findings=[w.findings[1]]), today=local_today())
    draft = w.draft(findings=[w.findings[2]], title="尚未提交的草稿")
    client.login_user(w.lead)
    page = client.get("/notices/?overdue=1").get_data(as_text=True)
    assert overdue.doc_number in page and fresh.doc_number not in page and "逾期" in page
    page = client.get("/notices/?q=横街").get_data(as_text=True)
    assert overdue.doc_number in page and fresh.doc_number in page
    page = client.get("/notices/?status=draft").get_data(as_text=True)
    assert draft.title in page and fresh.doc_number not in page
    page = client.get(f"/notices/?unit={w.other_unit.id}").get_data(as_text=True)
    assert "没有符合条件的通知书" in page


def test_lead_home_counts_and_pending_extensions(client, w):
    w.submitted(findings=[w.findings[0]])
    notice = w.acknowledged(findings=[w.findings[1]])
    extensions_svc.extension_request(
        actor=w.liaison, notice=notice, reason="人手不足", requested_deadline=date(2026, 5, 1), today=TODAY
    )
    client.login_user(w.lead)
    home = client.get("/").get_data(as_text=True)
    assert "待签发的通知书" in home and "待审批延期申请" in home
    page = client.get("/notices/?extension=pending").get_data(as_text=True)
    assert notice.doc_number in page


def test_lead_home_is_kept_until_the_records_change(client, w):
    """The lead's office-wide panels are rendered once per change of the records, not per visit."""
    client.login_user(w.lead)
    with count_queries() as cold:
        client.get("/")
    with count_queries(keep_cache=True) as warm:
        home = client.get("/").get_data(as_text=True)
    assert warm() <= 6 < cold()
    assert "食品安全整改通知" not in home
    notice = w.submitted(findings=[w.findings[0]], title="食品安全整改通知")  # writes an audit event
    home = client.get("/").get_data(as_text=True)
    assert notice.title in home  # the new notice awaiting sign-off shows at once


def test_office_staff_of_the_same_unit_cannot_respond(w, make_user):
    notice = w.issued()
    insider = make_user("inspector", unit=w.unit)
    with pytest.raises(NotAllowed):
        rectification_svc.notice_acknowledge(actor=insider, notice=notice)
    rectification_svc.notice_acknowledge(actor=w.liaison, notice=notice)
    before = _counts()
    with pytest.raises(NotAllowed):
        rectification_svc.item_report(
            actor=insider,
            notice=notice,
            item=notice.items[0],
            measures="x",
            completed_on=TODAY,
            uploads=[upload()],
            today=TODAY,
        )
    db.session.rollback()
    assert _counts() == before


def test_unit_does_not_see_the_drafting_discussion(client, w):
    notice = w.submitted()
    svc.notice_return(actor=w.lead, notice=notice, reason="内部意见：措辞过重")
    svc.notice_submit(actor=w.inspector, notice=notice)
    svc.notice_issue(actor=w.lead, notice=notice, today=TODAY)
    client.login_user(w.liaison)
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "措辞过重" not in page and "签发" in page
    client.login_user(w.lead)
    assert "措辞过重" in client.get(f"/notices/{notice.id}").get_data(as_text=True)


@pytest.mark.real_commits  # the other lead's session commits while this one's is open
def test_two_leads_issuing_the_same_notice(w, app):
    notice = w.submitted()
    stale = db.session.get(Notice, notice.id)
    assert {i.finding.status for i in stale.items} == {"open"}  # this session has read everything
    # Another lead issues it first, in another session.
    with app.app_context():
        from supervision.models import User

        svc.notice_issue(
            actor=db.session.get(User, w.lead2.id), notice=db.session.get(Notice, notice.id), today=TODAY
        )
        db.session.remove()
    assert stale.status == "submitted"  # this session still holds the old state
    with pytest.raises(StaleEdit):
        svc.notice_issue(actor=w.lead, notice=stale, today=TODAY)
    assert db.session.scalar(select(func.count(Notice.id)).where(Notice.doc_number.is_not(None))) == 1
    assert db.session.get(Notice, notice.id).doc_number == "海法督〔2026〕1号"
