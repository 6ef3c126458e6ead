"""Writing the audit trail (留痕). Called inside the same transaction as the change it records."""

from __future__ import annotations

from datetime import date, datetime
from threading import Lock
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Engine, bindparam, func, select

from .cache import on_clear
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
    the services), so anything computed from the records stays valid until this moves. It moves with
    every write, a login too: a cache of figures keys by `changes_stamp` of what it reads instead.
    """
    return db.session.scalar(select(func.max(AuditEvent.id)))


# Events that change nothing a derived figure reads: a user's own sign-ins, sessions and secrets.
SESSION_ACTIONS = frozenset(
    {
        "user.login",
        "user.login_failed",
        "user.login_throttled",
        "user.logout",
        "user.logout_everywhere",
        "user.end_sessions",
        "user.change_password",
        "user.reset_password",
        "api_token.create",
        "api_token.revoke",
    }
)
# The record types this code writes. An event of any other type (a new one) counts as a change of
# every kind (`EVERYTHING`), so a reader that forgot it is invalidated rather than stale.
KNOWN_TYPES = frozenset(
    {
        "assessment",
        "assignment",
        "calendar_year",
        "campaign",
        "case_file",
        "finding",
        "finding_category",
        "framework",
        "holiday",
        "login",
        "notice",
        "notice_item",
        "notice_kind",
        "roadmap",
        "round",
        "rubric",
        "task",
        "unit",
        "user",
    }
)
EVERYTHING = "*"
# Events committed out of id order (PostgreSQL hands out ids before commit) are still seen if they
# land within this many ids below the newest one this process has read.
# SQLite has one writer at a time, so its ids are committed in order and no window is needed.
_WINDOW = 64
_events = AuditEvent.__table__
_EVENTS_ABOVE = select(_events.c.id, _events.c.record_type, _events.c.action).where(
    _events.c.id > bindparam("low")
)
_EVENTS_NEAR_TOP = select(_events.c.id, _events.c.record_type, _events.c.action).where(
    _events.c.id > func.coalesce(select(func.max(_events.c.id)).scalar_subquery(), 0) - bindparam("window")
)


def _window(dialect: str) -> int:
    return 0 if dialect == "sqlite" else _WINDOW


def engine_key(engine: Engine) -> str:
    """The database's URL as text (password masked), the key of what a process keeps per database;
    made once per engine (rendering a URL, or hashing one, costs more than a cache lookup)."""
    key = engine.__dict__.get("_supervision_key")
    if key is None:
        key = engine.__dict__["_supervision_key"] = engine.url.render_as_string()
    return key


class _Feed:
    """What this process has read of one database's audit trail: the ids seen near the top, and a
    counter per record type that moves whenever an event of that type appears."""

    def __init__(self) -> None:
        self.last = 0
        self.seen: set[int] = set()
        self.versions: dict[str, int] = {}


_feeds: dict[str, _Feed] = {}
_feeds_lock = Lock()


@on_clear
def reset_feeds() -> None:
    with _feeds_lock:
        _feeds.clear()


def change_versions() -> dict[str, int]:
    """A counter per record type that moves whenever that kind of record changes (this process's).

    One query a request, by primary key: the events above the newest one this process has read
    (less a small window for late commits). Logins and other session events move nothing. Each
    process keeps its own counters (its cache is its own too) and reads the same trail, so every
    process sees every change, whichever process wrote it. Relies, as `records_stamp`, on every
    change writing an AuditEvent in its own transaction.
    """
    memo = getattr(request, "_change_versions", None) if has_request_context() else None
    if memo is not None:  # read once per request (not per app context: a test may keep one)
        return memo
    engine = db.engine
    window = _window(engine.dialect.name)
    with _feeds_lock:
        feed = _feeds.setdefault(engine_key(engine), _Feed())
        last = feed.last
    # Core statements built once: the ORM's construction and execution of this small read cost
    # four times what running it does, on every page that shows a cached figure.
    connection = db.session.connection()
    if last:
        rows = connection.execute(_EVENTS_ABOVE, {"low": last - window}).all()
    else:  # this process's first look: nothing of this database is cached yet
        rows = connection.execute(_EVENTS_NEAR_TOP, {"window": max(window, 1)}).all()  # the newest too
    with _feeds_lock:
        # Only the process's very first look counts nothing (nothing can be cached before it); a
        # thread that started its first look while another finished one counts what is new to it.
        first = not feed.last
        for event_id, record_type, action in rows:
            if event_id in feed.seen:
                continue
            feed.seen.add(event_id)
            if first or action in SESSION_ACTIONS:
                continue
            kind = record_type if record_type in KNOWN_TYPES else EVERYTHING
            feed.versions[kind] = feed.versions.get(kind, 0) + 1
        feed.last = max([feed.last, *(row[0] for row in rows)])
        if not feed.last:
            feed.last = -1  # an empty trail: look from the start next time
        feed.seen = {i for i in feed.seen if i > feed.last - window}
        versions = dict(feed.versions)
    if has_request_context():
        request._change_versions = versions
    return versions


def changes_stamp(*record_types: str) -> tuple[int, ...]:
    """The stamp of what a derived figure reads, named by record type (see `change_versions`):
    it moves when a record of one of these types changes, or one of an unknown type."""
    versions = change_versions()
    return (versions.get(EVERYTHING, 0), *(versions.get(t, 0) for t in record_types))
