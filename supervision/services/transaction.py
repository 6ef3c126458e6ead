"""The one transaction boundary of the write side, and the edit/attach helpers that run inside it.

A service decorated with `@transactional` (or a block under `with unit_of_work():`) commits when it
returns and rolls back when anything is raised, so no view and no other service commits or rolls
back by hand. Nested boundaries join the outermost one: a service calling another commits once, at
the end. A concurrent change to a versioned record (SQLAlchemy's StaleDataError at any flush or at
the commit) becomes the domain's StaleEdit, which the views show as "someone changed this".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage

from ..audit import diff, record_event, snapshot
from ..errors import DomainError, StaleEdit
from ..extensions import db
from ..models import Attachment, User

P = ParamSpec("P")
R = TypeVar("R")

_DEPTH = "unit_of_work_depth"


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit on leaving the outermost block; on any error roll back (StaleDataError → StaleEdit)."""
    info = db.session.info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            db.session.commit()
    except StaleDataError as error:
        if depth == 0:
            db.session.rollback()
        raise StaleEdit() from error
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        info[_DEPTH] = depth


def transactional(func: Callable[P, R]) -> Callable[P, R]:
    """Run the service inside `unit_of_work()`: it owns the commit, never the caller."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return func(*args, **kwargs)

    return wrapper


def in_unit_of_work() -> bool:
    return db.session.info.get(_DEPTH, 0) > 0


def transactional_retry(*, attempts: int, message: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Like `transactional`, but a unique-constraint clash (IntegrityError) retries in a fresh
    transaction; inside an outer boundary the clash goes up, for the outermost one to retry."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            for _attempt in range(attempts):
                try:
                    with unit_of_work():
                        return func(*args, **kwargs)
                except IntegrityError:
                    if in_unit_of_work():
                        raise
            raise DomainError(message)

        return wrapper

    return decorate


def check_version(record: Any, version: int | None, attr: str = "version") -> None:
    """Refuse an edit made on an older copy of the record (optimistic locking).

    `None` means the caller is not a form (a service calling a service, a job); a form that lost its
    version field sends 0 (see views.helpers.form_version), which no stored record has.
    """
    if version is not None and getattr(record, attr) != version:
        raise StaleEdit()


def edit_and_audit(
    record: Any,
    values: dict[str, Any],
    *,
    actor: User | None,
    action: str,
    summary: str | Callable[[], str],
    fields: list[str] | None = None,
    take: Callable[[Any], dict[str, Any]] | None = None,
    record_type: str | None = None,
    record_id: int | None = None,
    unit_id: int | Callable[[], int | None] | None = None,
    before: dict[str, Any] | None = None,
) -> dict[str, list]:
    """Snapshot → set the values → diff → audit (if anything changed); returns the changes.

    `take` snapshots the record (default: the `fields`, or the keys of `values`); `before` is given
    when the caller changed related rows before calling. `summary` and `unit_id` may be callables,
    evaluated after the change (a new name, a new unit). Runs inside the caller's transaction.
    """
    take = take or (lambda r: snapshot(r, fields or list(values)))
    if before is None:
        before = take(record)
    for key, value in values.items():
        setattr(record, key, value)
    changes = diff(before, take(record))
    if changes:
        db.session.flush()
        record_event(
            actor=actor,
            action=action,
            record_type=record_type or action.split(".", 1)[0],
            record_id=record_id if record_id is not None else record.id,
            summary=summary() if callable(summary) else summary,
            changes=changes,
            unit_id=unit_id() if callable(unit_id) else unit_id,
        )
    return changes


def attach_and_audit(
    *,
    actor: User,
    owner_type: str,
    owner_id: int,
    uploads: list[FileStorage],
    action: str,
    record_type: str,
    record_id: int,
    summary: str,
    unit_id: int | None = None,
    empty_message: str = "请选择要上传的文件。",
    evidence_change: bool = False,
) -> list[Attachment]:
    """Store the uploads on the owner and audit them as one event "<summary>：a、b"; none → DomainError."""
    from .attachments import attachments_add

    added = attachments_add(actor=actor, owner_type=owner_type, owner_id=owner_id, uploads=uploads)
    if not added:
        raise DomainError(empty_message)
    names = [a.original_name for a in added]
    record_event(
        actor=actor,
        action=action,
        record_type=record_type,
        record_id=record_id,
        summary=summary + "：" + "、".join(names),
        changes={"evidence": [None, names]} if evidence_change else None,
        unit_id=unit_id,
    )
    return added


def database_reachable() -> bool:
    """Whether the database answers a trivial query; a failed probe is rolled back, not raised."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database is reported, not raised
        db.session.rollback()
        return False
    return True
