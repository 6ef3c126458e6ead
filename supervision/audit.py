"""Writing the audit trail (留痕). Called inside the same transaction as the change it records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import func, select

from .extensions import db
from .models import AuditEvent, User


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """Fields whose value changed, as {field: [before, after]}."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in after
        if _plain(before.get(key)) != _plain(after.get(key))
    }


def snapshot(record: Any, fields: list[str]) -> dict[str, Any]:
    return {field: getattr(record, field) for field in fields}


def record_event(
    *,
    actor: User | None,
    action: str,
    record_type: str,
    record_id: int,
    summary: str = "",
    changes: dict | None = None,
    unit_id: int | None = None,
) -> AuditEvent:
    """Add an AuditEvent to the session; the caller's commit makes it permanent with the change."""
    ip = ""
    if has_request_context():
        ip = request.remote_addr or ""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        record_type=record_type,
        record_id=record_id,
        summary=summary,
        changes=changes or None,
        unit_id=unit_id,
        ip=ip,
    )
    db.session.add(event)
    return event


def records_stamp() -> int | None:
    """The newest audit event's id: a stamp of the whole database for caches of derived figures.

    Every change in this system writes an AuditEvent in its own transaction (workflow.transition and
    the services), so anything computed from the records stays valid until this moves.
    """
    return db.session.scalar(select(func.max(AuditEvent.id)))
