"""The transition mechanism: allowed steps by role, reasons, audit events in the same transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from supervision.errors import InvalidTransition, NotAllowed
from supervision.extensions import db
from supervision.models import AuditEvent
from supervision.workflow import MACHINES, allowed_steps, transition

from .factories import TaskFactory


def test_every_step_targets_a_known_status():
    for machine in MACHINES.values():
        for step in machine.steps:
            assert step.source in machine.statuses and step.target in machine.statuses, step


def test_transition_changes_status_and_audits(make_user):
    lead = make_user("lead")
    task = TaskFactory(status="draft")
    transition(task, "activate", actor=lead)
    db.session.commit()
    assert task.status == "active"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "task"))
    assert event.action == "task.activate" and event.actor_id == lead.id
    assert event.changes["status"] == ["draft", "active"]


def test_step_not_in_table_is_refused(make_user):
    lead = make_user("lead")
    task = TaskFactory(status="draft")
    with pytest.raises(InvalidTransition):
        transition(task, "close", actor=lead)
    assert task.status == "draft"


def test_role_without_capability_is_refused(make_user):
    inspector = make_user("inspector")
    task = TaskFactory(status="draft")
    with pytest.raises(NotAllowed):
        transition(task, "activate", actor=inspector)


def test_reason_required(make_user):
    lead = make_user("lead")
    task = TaskFactory(status="closed")
    with pytest.raises(InvalidTransition, match="理由"):
        transition(task, "reopen", actor=lead, reason="  ")
    transition(task, "reopen", actor=lead, reason="发现遗漏问题")
    assert task.status == "active"


def test_allowed_steps_offer_only_the_roles_next_steps(make_user):
    task = TaskFactory(status="active")
    assert [s.action for s in allowed_steps(task, make_user("lead"))] == ["close"]
    assert allowed_steps(task, make_user("inspector")) == []
