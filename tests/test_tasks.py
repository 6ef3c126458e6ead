"""Supervision tasks and findings: services, transitions by role, bad input, version checks."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from supervision.errors import DomainError, InvalidTransition, NotAllowed, StaleEdit
from supervision.extensions import db
from supervision.models import Attachment, AuditEvent, Finding, SupervisionTask
from supervision.queries.tasks import finding_category_names
from supervision.services import inspectors as inspectors_service
from supervision.services import tasks as service

from . import factories

TODAY = date(2026, 4, 15)


def png_bytes() -> bytes:
    from supervision.demo.tasks import _png

    return _png(8, 8, (200, 30, 30))


def upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.fixture
def world(make_user):
    """Three units, a lead, two inspectors from unit a, one from unit c; an active task on a and b."""
    a, b, c = (factories.UnitFactory() for _ in range(3))
    lead = make_user("lead")
    admin = make_user("admin")
    chen = make_user("inspector", unit=a, display_name="陈敏")
    liu = make_user("inspector", unit=c, display_name="刘洋")
    outsider = make_user("inspector", unit=c)
    liaison = make_user("liaison", unit=b)
    task = factories.TaskFactory(status="active")
    task.units = [a, b]
    factories.TaskInspectorFactory(task=task, user=chen, is_leader=True)
    factories.TaskInspectorFactory(task=task, user=liu)
    db.session.commit()
    return {
        "a": a, "b": b, "c": c, "lead": lead, "admin": admin, "chen": chen, "liu": liu,
        "outsider": outsider, "liaison": liaison, "task": task,
    }  # fmt: skip


def task_data(w, **over) -> dict:
    data = {
        "title": "行政执法“三项制度”专项督察",
        "kind": "special",
        "basis": "海法治办〔2026〕3号",
        "description": "",
        "period_start": date(2026, 4, 1),
        "period_end": date(2026, 5, 31),
        "unit_ids": [w["a"].id, w["b"].id],
        "inspector_ids": [w["chen"].id, w["liu"].id],
        "leader_id": w["chen"].id,
    }
    data.update(over)
    return data


def finding_data(w, **over) -> dict:
    data = {
        "unit_id": w["b"].id,
        "category": "程序",
        "severity": "major",
        "description": "未告知陈述申辩权利",
        "legal_basis": "《行政处罚法》第四十四条",
        "found_on": date(2026, 4, 10),
    }
    data.update(over)
    return data


def events(record_type: str, record_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.record_type == record_type, AuditEvent.record_id == record_id)
            .order_by(AuditEvent.id)
        )
    )


# --- tasks ---------------------------------------------------------------------------------


def test_lead_creates_a_draft_task_with_code_members_and_audit(world):
    task = service.task_create(actor=world["lead"], data=task_data(world), today=TODAY)
    assert task.status == "draft" and task.code.startswith("DC-2026-") and task.year == 2026
    assert {u.id for u in task.units} == {world["a"].id, world["b"].id}
    assert task.leader.id == world["chen"].id and len(task.members) == 2
    [event] = events("task", task.id)
    assert event.action == "task.create" and "units" in event.changes


def test_task_codes_count_up_within_the_year(world):
    first = service.task_create(actor=world["lead"], data=task_data(world), today=TODAY)
    second = service.task_create(actor=world["lead"], data=task_data(world), today=TODAY)
    assert int(second.code.rsplit("-", 1)[1]) == int(first.code.rsplit("-", 1)[1]) + 1


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"period_end": date(2026, 3, 1)}, "结束日期不能早于开始日期"),
        ({"period_start": date(1900, 1, 1)}, "督察期间应在 2000 年至 2100 年之间"),
        ({"period_end": date(9999, 12, 31)}, "督察期间应在 2000 年至 2100 年之间"),
        ({"unit_ids": []}, "请至少选择一个被督察单位"),
        ({"inspector_ids": [], "leader_id": None}, "请至少选择一名督察员"),
        ({"leader_id": None}, "指定一名组长"),
        ({"title": "  "}, "请填写任务名称"),
        ({"kind": "nonsense"}, "任务类型无效"),
    ],
)
def test_bad_task_input_is_refused_and_nothing_saved(world, override, message):
    with pytest.raises(DomainError) as caught:
        service.task_create(actor=world["lead"], data=task_data(world, **override), today=TODAY)
    db.session.rollback()
    assert any(message in e for e in caught.value.errors)
    assert db.session.scalar(select(func.count(SupervisionTask.id))) == 1  # only the fixture's


def test_an_inspector_whose_term_has_expired_cannot_be_put_on_a_task(world):
    factories.InspectorProfileFactory(user=world["liu"], term_end=date(2026, 1, 31))
    with pytest.raises(DomainError) as caught:
        service.task_create(actor=world["lead"], data=task_data(world), today=TODAY)
    db.session.rollback()
    assert "任期已于 2026-01-31 届满" in caught.value.message
    assert db.session.scalar(select(func.count(SupervisionTask.id))) == 1


def test_a_liaison_or_an_admin_cannot_be_put_on_a_task(world):
    with pytest.raises(DomainError, match="不是在用的督察员"):
        service.task_create(
            actor=world["lead"], data=task_data(world, inspector_ids=[world["liaison"].id], leader_id=world["liaison"].id), today=TODAY
        )  # fmt: skip


def test_own_unit_conflicts_are_reported(world):
    task = service.task_create(actor=world["lead"], data=task_data(world), today=TODAY)
    conflicts = service.own_unit_conflicts(task.units, [m.user for m in task.members])
    assert [u.id for u in conflicts] == [world["chen"].id]


def test_only_draft_tasks_can_be_edited_and_edits_are_audited(world):
    task = service.task_create(actor=world["lead"], data=task_data(world), today=TODAY)
    version = task.version
    service.task_update(
        actor=world["lead"],
        task=task,
        data=task_data(world, unit_ids=[world["b"].id], title="新名称"),
        version=version,
        today=TODAY,
    )
    assert task.title == "新名称" and [u.id for u in task.units] == [world["b"].id]
    last = events("task", task.id)[-1]
    assert last.action == "task.update" and "units" in last.changes and "title" in last.changes
    with pytest.raises(StaleEdit):
        service.task_update(
            actor=world["lead"], task=task, data=task_data(world), version=version, today=TODAY
        )
    db.session.rollback()
    with pytest.raises(InvalidTransition):
        service.task_update(actor=world["lead"], task=world["task"], data=task_data(world), today=TODAY)


def test_member_change_alone_bumps_the_version(world):
    task = service.task_create(actor=world["lead"], data=task_data(world), today=TODAY)
    version = task.version
    service.task_update(
        actor=world["lead"],
        task=task,
        data=task_data(world, inspector_ids=[world["chen"].id]),
        version=version,
        today=TODAY,
    )
    assert task.version > version and len(task.members) == 1


# Every step of the task machine, for every role: (from status, action, role, allowed).
TASK_STEPS = [
    ("draft", "activate"),
    ("active", "close"),
    ("closed", "reopen"),
]


@pytest.mark.parametrize(("source", "action"), TASK_STEPS)
@pytest.mark.parametrize("role", ["admin", "lead", "inspector", "liaison"])
def test_task_transitions_by_role(world, make_user, source, action, role):
    task = world["task"]
    task.status = source
    db.session.commit()
    actor = (
        world["lead"]
        if role == "lead"
        else make_user(role, **({"unit": world["a"]} if role == "liaison" else {}))
    )
    if role == "lead":
        service.task_transition(actor=actor, task=task, action=action, reason="补充督察")
        assert task.status == {"activate": "active", "close": "closed", "reopen": "active"}[action]
        assert events("task", task.id)[-1].action == f"task.{action}"
    else:
        with pytest.raises(NotAllowed):
            service.task_transition(actor=actor, task=task, action=action, reason="补充督察")
        db.session.rollback()
        assert db.session.get(SupervisionTask, task.id).status == source


@pytest.mark.parametrize(
    ("source", "action"),
    [("draft", "close"), ("draft", "reopen"), ("active", "activate"), ("active", "reopen"), ("closed", "close"), ("closed", "activate")],
)  # fmt: skip
def test_forbidden_task_transitions(world, source, action):
    task = world["task"]
    task.status = source
    db.session.commit()
    with pytest.raises(InvalidTransition):
        service.task_transition(actor=world["lead"], task=task, action=action, reason="x")
    db.session.rollback()
    assert db.session.get(SupervisionTask, task.id).status == source


def test_reopen_needs_a_reason(world):
    task = world["task"]
    task.status = "closed"
    db.session.commit()
    with pytest.raises(InvalidTransition, match="必须填写理由"):
        service.task_transition(actor=world["lead"], task=task, action="reopen", reason=" ")
    db.session.rollback()
    service.task_transition(actor=world["lead"], task=task, action="reopen", reason="补查两个单位")
    assert task.status == "active" and "补查两个单位" in events("task", task.id)[-1].summary


# --- findings ------------------------------------------------------------------------------


def test_member_records_a_finding_with_a_photo(world):
    finding = service.finding_create(
        actor=world["chen"],
        task=world["task"],
        data=finding_data(world),
        uploads=[upload(png_bytes(), "现场.png")],
        today=TODAY,
    )
    assert finding.status == "open" and finding.inspector_id == world["chen"].id
    [file] = db.session.scalars(select(Attachment).where(Attachment.owner_type == "finding")).all()
    assert file.owner_id == finding.id and file.kind == "png"
    [event] = events("finding", finding.id)
    assert event.action == "finding.create" and event.unit_id == world["b"].id
    assert event.changes["evidence"] == [None, ["现场.png"]]


@pytest.mark.parametrize(
    ("who", "override", "message"),
    [
        ("liu", {"unit_id": "c"}, "不在本任务的督察范围内"),
        ("chen", {"unit_id": "a"}, "本人所在单位"),
        ("chen", {"category": "随便"}, "有效的问题分类"),
        ("chen", {"severity": "huge"}, "严重程度"),
        ("chen", {"description": ""}, "请填写发现的问题"),
        ("chen", {"found_on": date(2026, 5, 1)}, "不能晚于今天"),
        ("chen", {"found_on": date(1900, 1, 1)}, "不能早于任务的督察期间开始日期（2026年3月1日）"),
        ("chen", {"found_on": date(2026, 2, 28)}, "不能早于任务的督察期间开始日期"),
    ],
)
def test_bad_finding_input_is_refused_and_nothing_saved(world, who, override, message):
    if "unit_id" in override:
        override = {"unit_id": world[override["unit_id"]].id}
    with pytest.raises(DomainError) as caught:
        service.finding_create(
            actor=world[who], task=world["task"], data=finding_data(world, **override), today=TODAY
        )
    db.session.rollback()
    assert any(message in e for e in caught.value.errors)
    assert db.session.scalar(select(func.count(Finding.id))) == 0


def test_no_finding_on_a_closed_or_draft_task(world):
    for status in ("closed", "draft"):
        world["task"].status = status
        db.session.commit()
        with pytest.raises(InvalidTransition, match="任务不在进行中"):
            service.finding_create(
                actor=world["chen"], task=world["task"], data=finding_data(world), today=TODAY
            )
        db.session.rollback()
    assert db.session.scalar(select(func.count(Finding.id))) == 0


def test_only_members_record_findings(world):
    for who in ("outsider", "lead", "admin"):
        with pytest.raises(NotAllowed):
            service.finding_create(
                actor=world[who], task=world["task"], data=finding_data(world), today=TODAY
            )
        db.session.rollback()
    assert db.session.scalar(select(func.count(Finding.id))) == 0


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024 + 10), "big.png", "超过大小限制"),
        (b"MZ\x90\x00 not allowed", "tool.exe", "类型不允许上传"),
        (b"", "empty.pdf", None),  # an empty file input is simply ignored
    ],
)
def test_oversized_or_disallowed_evidence_saves_nothing(world, data, name, message):
    if message is None:
        service.finding_create(
            actor=world["chen"],
            task=world["task"],
            data=finding_data(world),
            uploads=[upload(data, "")],
            today=TODAY,
        )
        assert db.session.scalar(select(func.count(Finding.id))) == 1
        return
    with pytest.raises(DomainError, match=message):
        service.finding_create(
            actor=world["chen"],
            task=world["task"],
            data=finding_data(world),
            uploads=[upload(data, name)],
            today=TODAY,
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(Finding.id))) == 0
    assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_edit_own_finding_while_open_with_audit_and_version_check(world):
    finding = service.finding_create(
        actor=world["chen"], task=world["task"], data=finding_data(world), today=TODAY
    )
    version = finding.version
    service.finding_update(
        actor=world["chen"],
        finding=finding,
        data=finding_data(world, severity="serious", description="补充：两件案卷"),
        version=version,
        today=TODAY,
    )
    last = events("finding", finding.id)[-1]
    assert last.action == "finding.update"
    assert last.changes["severity"] == ["major", "serious"]
    # A second person working from the old version is refused, and the first edit stays.
    with pytest.raises(StaleEdit, match="已被他人修改"):
        service.finding_update(
            actor=world["chen"], finding=finding, data=finding_data(world), version=version, today=TODAY
        )
    db.session.rollback()
    assert db.session.get(Finding, finding.id).severity == "serious"


def test_others_cannot_edit_a_finding_and_nobody_edits_a_dismissed_one(world):
    finding = service.finding_create(
        actor=world["chen"], task=world["task"], data=finding_data(world), today=TODAY
    )
    for who in ("liu", "lead"):
        with pytest.raises(NotAllowed):
            service.finding_update(actor=world[who], finding=finding, data=finding_data(world), today=TODAY)
        db.session.rollback()
    service.finding_dismiss(actor=world["lead"], finding=finding, reason="重复记录")
    with pytest.raises(InvalidTransition):
        service.finding_update(actor=world["chen"], finding=finding, data=finding_data(world), today=TODAY)
    db.session.rollback()


@pytest.mark.parametrize("role", ["admin", "lead", "inspector", "liaison"])
def test_finding_dismiss_by_role(world, make_user, role):
    finding = factories.FindingFactory(task=world["task"], unit=world["b"], inspector=world["chen"])
    actor = {
        "lead": world["lead"],
        "admin": world["admin"],
        "inspector": world["chen"],
        "liaison": world["liaison"],
    }[role]
    if role == "lead":
        service.finding_dismiss(actor=actor, finding=finding, reason="经核实不构成问题")
        assert finding.status == "dismissed" and finding.dismiss_reason == "经核实不构成问题"
        assert events("finding", finding.id)[-1].action == "finding.dismiss"
    else:
        with pytest.raises(NotAllowed):
            service.finding_dismiss(actor=actor, finding=finding, reason="x")
        db.session.rollback()
        assert db.session.get(Finding, finding.id).status == "open"


def test_dismiss_needs_a_reason_and_an_open_finding(world):
    finding = factories.FindingFactory(task=world["task"], unit=world["b"], inspector=world["chen"])
    with pytest.raises(InvalidTransition, match="必须填写理由"):
        service.finding_dismiss(actor=world["lead"], finding=finding, reason="")
    db.session.rollback()
    for status in ("noticed", "resolved", "dismissed"):
        finding.status = status
        db.session.commit()
        with pytest.raises(InvalidTransition):
            service.finding_dismiss(actor=world["lead"], finding=finding, reason="x")
        db.session.rollback()


# --- categories and the pool --------------------------------------------------------------


def test_categories_default_until_configured_then_editable(world):
    assert finding_category_names() == ["主体", "程序", "证据", "法律适用", "文书", "裁量", "其他"]
    service.finding_category_add(actor=world["lead"], name="执法监督")
    assert finding_category_names()[-1] == "执法监督"
    with pytest.raises(DomainError, match="已存在"):
        service.finding_category_add(actor=world["lead"], name="程序")
    db.session.rollback()
    from supervision.models import FindingCategory

    other = db.session.scalar(select(FindingCategory).where(FindingCategory.name == "其他"))
    service.finding_category_set_active(actor=world["lead"], category=other, active=False)
    assert "其他" not in finding_category_names()
    with pytest.raises(DomainError, match="有效的问题分类"):
        service.finding_create(
            actor=world["chen"], task=world["task"], data=finding_data(world, category="其他"), today=TODAY
        )
    db.session.rollback()


def test_profile_save_validates_and_audits(world):
    profile = inspectors_service.inspector_profile_save(
        actor=world["lead"],
        inspector=world["chen"],
        data={"specialties": ["法律", "市场监管", "法律"], "certificate_no": "浙督0001",
              "term_start": date(2025, 1, 1), "term_end": date(2027, 12, 31)},
    )  # fmt: skip
    assert profile.specialty_list == ["法律", "市场监管"]
    with pytest.raises(DomainError, match="不能早于开始日期"):
        inspectors_service.inspector_profile_save(
            actor=world["lead"],
            inspector=world["liu"],
            data={"term_start": date(2026, 1, 1), "term_end": date(2025, 1, 1)},
        )
    db.session.rollback()
    with pytest.raises(DomainError, match="已被其他督察员使用"):
        inspectors_service.inspector_profile_save(
            actor=world["lead"], inspector=world["liu"], data={"certificate_no": "浙督0001"}
        )
    db.session.rollback()
    with pytest.raises(DomainError, match="只有督察员角色"):
        inspectors_service.inspector_profile_save(actor=world["lead"], inspector=world["liaison"], data={})
    db.session.rollback()
    with pytest.raises(StaleEdit):
        inspectors_service.inspector_profile_save(
            actor=world["lead"], inspector=world["chen"], data={}, version=99
        )
    db.session.rollback()
    assert events("user", world["chen"].id)[-1].action == "inspector.create"


# Every step of both machines this area drives, for every role, straight through the workflow table.
def _all_steps():
    from supervision.workflow import MACHINES

    return [(name, step) for name in ("task", "finding") for step in MACHINES[name].steps]


@pytest.mark.parametrize(("machine", "step"), _all_steps(), ids=lambda v: getattr(v, "action", v))
@pytest.mark.parametrize("role", ["admin", "lead", "inspector", "liaison"])
def test_every_step_of_the_task_and_finding_machines_by_role(world, machine, step, role):
    from supervision.permissions import can
    from supervision.workflow import transition

    actor = {
        "admin": world["admin"],
        "lead": world["lead"],
        "inspector": world["chen"],
        "liaison": world["liaison"],
    }[role]
    if machine == "task":
        record = world["task"]
    else:
        record = factories.FindingFactory(task=world["task"], unit=world["b"], inspector=world["chen"])
    record.status = step.source
    db.session.commit()
    if can(actor, step.capability):
        transition(record, step.action, actor=actor, reason="理由")
        db.session.commit()
        assert record.status == step.target
    else:
        with pytest.raises(NotAllowed):
            transition(record, step.action, actor=actor, reason="理由")
        db.session.rollback()
        assert db.session.get(type(record), record.id).status == step.source


def test_a_code_taken_meanwhile_is_skipped(world, monkeypatch):
    taken = service._next_task_code(2026)
    factories.TaskFactory(code=taken)
    calls = iter([taken])
    original = service._next_task_code
    monkeypatch.setattr(service, "_next_task_code", lambda year: next(calls, None) or original(year))
    task = service.task_create(actor=world["lead"], data=task_data(world), today=TODAY)
    assert task.code != taken and task.status == "draft"


def test_named_task_steps(world):
    task = world["task"]
    task.status = "draft"
    db.session.commit()
    service.task_activate(actor=world["lead"], task=task)
    service.task_close(actor=world["lead"], task=task)
    service.task_reopen(actor=world["lead"], task=task, reason="补查")
    assert [e.action for e in events("task", task.id)] == ["task.activate", "task.close", "task.reopen"]


def test_categories_and_the_pool_are_kept_by_the_office_managers_only(world):
    from supervision.models import FindingCategory

    with pytest.raises(NotAllowed):
        service.finding_category_add(actor=world["chen"], name="自创分类")
    db.session.rollback()
    service.finding_category_add(actor=world["lead"], name="执法监督")
    category = db.session.scalar(select(FindingCategory).where(FindingCategory.name == "执法监督"))
    with pytest.raises(NotAllowed):
        service.finding_category_set_active(actor=world["liaison"], category=category, active=False)
    db.session.rollback()
    with pytest.raises(NotAllowed):
        inspectors_service.inspector_profile_save(
            actor=world["chen"], inspector=world["chen"], data={"certificate_no": "自封"}
        )
    db.session.rollback()
    assert db.session.get(FindingCategory, category.id).active
