"""The transition mechanism: allowed steps by role, reasons, audit events in the same transaction.

Every machine is covered from the table itself: each (status, action) pair of each machine is a
case, so a new machine, status or step is tested as soon as it is added (a new machine's record
needs a factory in tests/factories.py; test_every_machine_has_a_model_and_a_factory says so).
"""

from __future__ import annotations

import pytest
from factory.alchemy import SQLAlchemyModelFactory
from flask_babel import force_locale
from sqlalchemy import func, select

from supervision.errors import InvalidTransition, NotAllowed
from supervision.extensions import db
from supervision.models import AuditEvent
from supervision.permissions import CAPABILITIES
from supervision.workflow import MACHINES, Machine, Step, allowed_steps, transition

from . import factories
from .factories import TaskFactory, UserFactory

REASON = "经核实需要调整"


# --- the table, read once ----------------------------------------------------------------------


def _model_for(record_type: str):
    models = [
        m.class_ for m in db.Model.registry.mappers if getattr(m.class_, "__workflow__", None) == record_type
    ]
    return models[0] if len(models) == 1 else None


def _factory_for(model) -> type[SQLAlchemyModelFactory] | None:
    for value in vars(factories).values():
        if (
            isinstance(value, type)
            and issubclass(value, SQLAlchemyModelFactory)
            and not value._meta.abstract
            and value._meta.model is model
        ):
            return value
    return None


def _actions(machine: Machine) -> list[str]:
    return list(dict.fromkeys(step.action for step in machine.steps))


def _roles_with(capability: str) -> list[str]:
    return [role for role, caps in CAPABILITIES.items() if capability in caps]


def _roles_without(capability: str) -> list[str]:
    return [role for role, caps in CAPABILITIES.items() if capability not in caps]


PAIRS = [
    pytest.param(machine, status, action, id=f"{name}:{status}-{action}")
    for name, machine in MACHINES.items()
    for status in machine.statuses
    for action in _actions(machine)
]
STEPS = [
    pytest.param(machine, step, id=f"{name}:{step.source}-{step.action}")
    for name, machine in MACHINES.items()
    for step in machine.steps
]
STATUSES = [
    pytest.param(machine, status, id=f"{name}:{status}")
    for name, machine in MACHINES.items()
    for status in machine.statuses
]


def make_record(machine: Machine, status: str):
    """A saved record of the machine's kind in that status, built by its factory."""
    factory = _factory_for(_model_for(machine.record_type))
    assert factory is not None, f"tests/factories.py has no factory for the {machine.record_type} machine"
    record = factory(status=status)
    assert record.status == status and record.__workflow__ == machine.record_type
    return record


def make_actor(role: str):
    return UserFactory(role=role, **({"unit": None} if role in ("admin", "lead") else {}))


def _events(record_type: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == record_type)))


def assert_nothing_changed(machine: Machine, record, status: str) -> None:
    """The refused step left no trace: not in memory, not in the session, not after a commit."""
    assert record.status == status
    assert not [obj for obj in db.session.new if isinstance(obj, AuditEvent)]
    db.session.commit()  # the worst case: a caller that commits after catching the error
    db.session.expire_all()
    assert db.session.get(type(record), record.id).status == status
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


# --- the table is well formed ------------------------------------------------------------------


def test_every_step_targets_a_known_status():
    for machine in MACHINES.values():
        for step in machine.steps:
            assert step.source in machine.statuses and step.target in machine.statuses, step


def test_every_step_is_defined_once_and_some_role_may_take_it():
    for machine in MACHINES.values():
        pairs = [(s.action, s.source) for s in machine.steps]
        assert len(pairs) == len(set(pairs)), machine.record_type  # step() would hide the second
        for step in machine.steps:
            assert _roles_with(step.capability), (
                f"{machine.record_type}.{step.action}: nobody holds {step.capability}"
            )


@pytest.mark.parametrize("name", list(MACHINES))
def test_every_machine_has_a_model_and_a_factory(name):
    model = _model_for(name)
    assert model is not None, f"no model (or more than one) declares __workflow__ = {name!r}"
    assert _factory_for(model) is not None, f"add a factory for {model.__name__} to tests/factories.py"


# --- every (status, action) pair of every machine ----------------------------------------------


@pytest.mark.parametrize("machine, status, action", PAIRS)
def test_each_action_from_each_status(machine, status, action):
    """Allowed from the table: the status moves and one audit row says who and what. Otherwise refused."""
    step = machine.step(action, status)
    record = make_record(machine, status)
    # The actor holds the action's capability, so a refusal can only come from the status.
    capability = (step or next(s for s in machine.steps if s.action == action)).capability
    actor = make_actor(_roles_with(capability)[0])
    reason = REASON if step is not None and step.reason_required else ""

    if step is None:
        with pytest.raises(InvalidTransition, match=str(machine.label(status))):
            transition(record, action, actor=actor, reason=reason)
        assert_nothing_changed(machine, record, status)
        return

    assert transition(record, action, actor=actor, reason=reason) is step
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(record), record.id).status == step.target
    [event] = _events(machine.record_type)
    with force_locale("zh_CN"):
        summary = f"{step.label}：{machine.label(status)} → {machine.label(step.target)}"
    if reason:
        summary += f"（理由：{reason}）"
    assert event.action == f"{machine.record_type}.{action}"
    assert (event.record_id, event.actor_id) == (record.id, actor.id)
    assert event.summary == summary
    assert event.changes == {"status": [status, step.target], **({"reason": reason} if reason else {})}
    assert event.unit_id == getattr(record, "unit_id", None)


@pytest.mark.parametrize("machine, step", STEPS)
def test_each_step_by_role_and_reason(machine, step):
    """Roles without the capability are refused; each role with it is offered the step and takes it;
    a step that needs a reason is refused without one. Refusals leave no trace."""
    record = make_record(machine, step.source)
    for role in _roles_without(step.capability):
        with pytest.raises(NotAllowed):
            transition(record, step.action, actor=make_actor(role), reason=REASON)
        assert_nothing_changed(machine, record, step.source)
    if step.reason_required:
        actor = make_actor(_roles_with(step.capability)[0])
        for blank in ("", "   "):
            with pytest.raises(InvalidTransition, match="理由"):
                transition(record, step.action, actor=actor, reason=blank)
            assert_nothing_changed(machine, record, step.source)
    for role in _roles_with(step.capability):
        record = make_record(machine, step.source)
        actor = make_actor(role)
        assert step in allowed_steps(record, actor), role
        transition(record, step.action, actor=actor, reason=REASON)
        assert record.status == step.target, role


@pytest.mark.parametrize("machine, status", STATUSES)
def test_allowed_steps_offer_each_role_exactly_the_steps_it_may_take(machine, status):
    """The buttons: a step from this status is offered iff the role holds its capability."""
    record = make_record(machine, status)
    for role, capabilities in CAPABILITIES.items():
        user = make_actor(role)
        offered = allowed_steps(record, user)
        expected = [s for s in machine.steps if s.source == status and s.capability in capabilities]
        assert offered == expected, role
        assert all(isinstance(s, Step) and s.source == status for s in offered)
    inactive = make_actor(_roles_with(machine.steps[0].capability)[0])
    inactive.active = False
    db.session.commit()
    assert allowed_steps(record, inactive) == []
    # An action the table does not know is refused from every status, whoever asks.
    with pytest.raises(InvalidTransition):
        transition(record, "frobnicate", actor=make_actor("lead"))
    assert_nothing_changed(machine, record, status)


# --- the task machine, step by step ------------------------------------------------------------


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
