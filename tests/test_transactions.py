"""The one transaction boundary (services/transaction.py) and the edit/attach helpers that run in it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage

from supervision.errors import DomainError, StaleEdit
from supervision.extensions import db
from supervision.models import AuditEvent, Unit
from supervision.services.transaction import (
    attach_and_audit,
    edit_and_audit,
    transactional,
    transactional_retry,
    unit_of_work,
)

from . import factories

# What is committed is read on a connection of its own: the boundaries are tested with real commits.
pytestmark = pytest.mark.real_commits

ROOT = Path(__file__).resolve().parent.parent / "supervision"


def stored_name(unit_id: int) -> str:
    """The unit's name as another connection sees it (what is committed)."""
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT name FROM unit WHERE id = :id"), {"id": unit_id}).scalar_one()


@pytest.fixture
def unit() -> Unit:
    unit = factories.UnitFactory(name="原名")
    db.session.commit()
    return unit


@transactional
def rename(unit: Unit, name: str, fail: Exception | None = None) -> None:
    unit.name = name
    db.session.flush()
    if fail is not None:
        raise fail


def test_commits_on_success(unit):
    rename(unit, "新名")
    assert stored_name(unit.id) == "新名"


def test_rolls_back_on_a_domain_error(unit):
    with pytest.raises(DomainError):
        rename(unit, "新名", DomainError("不行"))
    assert stored_name(unit.id) == "原名"
    assert db.session.get(Unit, unit.id).name == "原名"


def test_rolls_back_on_any_error(unit):
    with pytest.raises(ZeroDivisionError):
        rename(unit, "新名", ZeroDivisionError())
    assert stored_name(unit.id) == "原名"


def test_stale_data_becomes_stale_edit(unit):
    with pytest.raises(StaleEdit) as caught:
        rename(unit, "新名", StaleDataError("0 rows matched"))
    assert "已被他人修改" in caught.value.message
    assert stored_name(unit.id) == "原名"


def test_a_real_version_clash_at_flush_becomes_stale_edit(unit):
    assert unit.version == 1  # this session read the unit at version 1
    with db.engine.begin() as conn:  # someone else saved the unit meanwhile
        conn.execute(text("UPDATE unit SET version = version + 1 WHERE id = :id"), {"id": unit.id})
    with pytest.raises(StaleEdit):
        rename(unit, "新名")
    assert stored_name(unit.id) == "原名"


def test_nested_services_commit_once_at_the_outer_end(unit):
    @transactional
    def outer() -> None:
        rename(unit, "内层改的")
        assert stored_name(unit.id) == "原名"  # the inner service did not commit
        raise DomainError("外层拒绝")

    with pytest.raises(DomainError):
        outer()
    assert stored_name(unit.id) == "原名"


def test_unit_of_work_block(unit):
    with unit_of_work():
        db.session.get(Unit, unit.id).name = "块内改的"
    assert stored_name(unit.id) == "块内改的"


def test_retry_takes_a_fresh_transaction_after_a_unique_clash(unit):
    other = factories.UnitFactory(code="TAKEN")
    db.session.commit()
    codes = iter(["TAKEN", "FREE"])

    @transactional_retry(attempts=3, message="冲突")
    def give_code() -> None:
        db.session.get(Unit, unit.id).code = next(codes)
        db.session.flush()

    give_code()
    assert db.session.get(Unit, unit.id).code == "FREE" and other.code == "TAKEN"


def test_retry_inside_an_outer_boundary_lets_the_outer_one_decide(unit):
    factories.UnitFactory(code="TAKEN")
    db.session.commit()

    @transactional_retry(attempts=3, message="冲突")
    def give_code() -> None:
        db.session.get(Unit, unit.id).code = "TAKEN"
        db.session.flush()

    with pytest.raises(IntegrityError), unit_of_work():
        give_code()


def events(unit_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.record_id == unit_id)))


def test_edit_and_audit_records_the_changed_fields_once(unit, make_user):
    actor = make_user("admin")
    with unit_of_work():
        changes = edit_and_audit(
            unit,
            {"name": "新名", "kind": unit.kind},
            actor=actor,
            action="unit.update",
            summary=lambda: f"修改单位“{unit.name}”",
            unit_id=unit.id,
        )
    assert changes == {"name": ["原名", "新名"]}
    [event] = events(unit.id)
    assert event.summary == "修改单位“新名”" and event.record_type == "unit" and event.changes == changes


def test_edit_and_audit_without_a_change_records_nothing(unit, make_user):
    with unit_of_work():
        assert (
            edit_and_audit(unit, {"name": "原名"}, actor=make_user("admin"), action="unit.update", summary="")
            == {}
        )
    assert events(unit.id) == []


def test_attach_and_audit_refuses_no_files_and_audits_the_names(unit, make_user):
    actor = make_user("admin")
    common = dict(actor=actor, owner_type="unit", owner_id=unit.id, action="unit.attach")
    with pytest.raises(DomainError, match="请选择"), unit_of_work():
        attach_and_audit(**common, uploads=[], record_type="unit", record_id=unit.id, summary="上传附件")
    upload = FileStorage(stream=io.BytesIO(b"%PDF-1.4 x"), filename="依据.pdf")
    with unit_of_work():
        [added] = attach_and_audit(
            **common, uploads=[upload], record_type="unit", record_id=unit.id, summary="上传附件"
        )
    [event] = events(unit.id)
    assert event.summary == "上传附件：依据.pdf" and added.original_name == "依据.pdf"


# Code that may still end a transaction by hand, and why.
ALLOWED = {
    "services/transaction.py": "the boundary itself, and the health check's probe of the database",
    "services/auth.py": "a failed login is recorded even though the login is refused",
    "services/notify.py": "flask remind commits before it sends e-mail",
    "services/calendar.py": "calendar_seed, run by `flask seed`, commits unless its caller does",
    "services/export_jobs.py": "a job row is committed before it is queued; the worker commits its progress",
}


def test_no_view_or_service_commits_or_rolls_back_by_hand():
    offenders = []
    for path in sorted((ROOT / "views").rglob("*.py")) + sorted((ROOT / "services").glob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        hits = re.findall(r"db\.session\.(?:commit|rollback)\(\)", path.read_text())
        allowed = {"services/calendar.py": 1}.get(name)
        if (hits and name not in ALLOWED) or (allowed is not None and len(hits) > allowed):
            offenders.append(f"{name}: {len(hits)}")
    assert offenders == [], "use @transactional (services/transaction.py): " + ", ".join(offenders)
