"""A notice's page (/notices/<id>), read: the notice, then its items with their reports and verdicts in
one query of tuples, its history, and only when the notice has any its extension requests, escalations
and report files (the notice's row says whether it has them). Scoped through permissions.py.

The items are plain objects built once here (no ORM objects per item, report or verdict: they cost more
than the rows), with the attributes the template and permissions.can_verify_item read."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import abort
from sqlalchemy import Select, and_, bindparam, exists, select
from sqlalchemy.orm import aliased, joinedload

from .. import statements
from ..calendar import request_calendar
from ..extensions import db
from ..models import (
    ESCALATION_KINDS,
    Attachment,
    AuditEvent,
    Escalation,
    ExtensionRequest,
    Finding,
    Notice,
    NoticeItem,
    Rectification,
    SupervisionTask,
    Unit,
    User,
    Verification,
)
from ..models.notices import EXTENSION_DECISIONS, PENDING_DECISION
from ..notice_deadlines import notice_deadline_for
from ..permissions import notice_events_for_user, notices_for_user
from .notices import LIVE_DRAFT_STATUSES, deadline_info
from .rows import plannable

# Built once: an alias costs more than the rows it joins.
_DRAFTED = aliased(User, name="drafted")
_APPROVED = aliased(User, name="approved")
_ACKNOWLEDGED = aliased(User, name="acknowledged")
_REPORTER = aliased(User, name="reporter")
_VERIFIER = aliased(User, name="verifier")
_ACTOR = aliased(User, name="actor")

_NOTICE_ID = bindparam("notice_id")


class Item:
    """A notice item as its page shows it."""

    __slots__ = ("description", "id", "legal_basis", "rectifications", "requirement", "seq", "status")

    def __init__(self, id, seq, requirement, status, description, legal_basis):
        self.id, self.seq, self.requirement, self.status = id, seq, requirement, status
        self.description, self.legal_basis = description, legal_basis
        self.rectifications: list[Report] = []


class Report:
    """A rectification report with its verdicts (the verifications that name it), oldest first."""

    __slots__ = ("by_name", "completed_on", "id", "measures", "submitted_at", "submitted_by_id", "verdicts")

    def __init__(self, id, measures, completed_on, submitted_by_id, submitted_at, by_name):
        self.id, self.measures, self.completed_on = id, measures, completed_on
        self.submitted_by_id, self.submitted_at, self.by_name = submitted_by_id, submitted_at, by_name
        self.verdicts: list = []


def _name(user, id_column):
    """A user's display name by id, as a scalar subquery of the notice's row."""
    return select(user.display_name).where(user.id == id_column).scalar_subquery()


def _notice(asker) -> Select:
    """The notice, its kind, the names it shows, and whether it has extensions, escalations, files.

    The names are scalar subqueries, not joins: PostgreSQL plans the statement anew on every request
    (psycopg drops its prepared statements at each rollback), and a join of seven tables took
    1.9 ms to plan where these take 0.6 ms; running it costs the same (0.1-0.2 ms)."""
    rect_files = (
        select(Attachment.id)
        .join(Rectification, Rectification.id == Attachment.owner_id)
        .join(NoticeItem, NoticeItem.id == Rectification.item_id)
        .where(Attachment.owner_type == "rectification", NoticeItem.notice_id == Notice.id)
    )
    return plannable(
        notices_for_user(asker)
        .options(joinedload(Notice.kind))
        .add_columns(
            select(Unit.name).where(Unit.id == Notice.unit_id).scalar_subquery(),
            select(SupervisionTask.title).where(SupervisionTask.id == Notice.task_id).scalar_subquery(),
            _name(_DRAFTED, Notice.drafted_by_id),
            _name(_APPROVED, Notice.approved_by_id),
            _name(_ACKNOWLEDGED, Notice.acknowledged_by_id),
            exists().where(ExtensionRequest.notice_id == Notice.id),
            exists().where(Escalation.notice_id == Notice.id),
            exists(rect_files),
        )
        .where(Notice.id == _NOTICE_ID)
    )


def _items() -> Select:
    """Each item with its finding's words, each report on it, each verdict on each report: one row per
    verdict (or per report without one, or per item without reports), in the page's order. The
    names as scalar subqueries (see _notice): 0.57 ms to plan as joins, less as these."""
    return plannable(
        select(
            NoticeItem.id,
            NoticeItem.seq,
            NoticeItem.requirement,
            NoticeItem.status,
            Finding.description,
            Finding.legal_basis,
            Rectification.id,
            Rectification.measures,
            Rectification.completed_on,
            Rectification.submitted_by_id,
            Rectification.submitted_at,
            _name(_REPORTER, Rectification.submitted_by_id),
            Verification.id,
            Verification.decision,
            Verification.reason,
            Verification.at,
            _name(_VERIFIER, Verification.by_id),
        )
        .join(Finding, Finding.id == NoticeItem.finding_id)
        .outerjoin(Rectification, Rectification.item_id == NoticeItem.id)
        .outerjoin(
            Verification,
            and_(Verification.rectification_id == Rectification.id, Verification.item_id == NoticeItem.id),
        )
        .where(NoticeItem.notice_id == _NOTICE_ID)
        .order_by(NoticeItem.seq, NoticeItem.id, Rectification.id, Verification.id)
    )


def _build_items(rows) -> list[Item]:
    items: list[Item] = []
    item = report = None
    for row in rows:
        if item is None or item.id != row[0]:
            item = Item(*row[:6])
            items.append(item)
            report = None
        if row[6] is None:
            continue
        if report is None or report.id != row[6]:
            report = Report(*row[6:12])
            item.rectifications.append(report)
        if row[12] is not None:
            report.verdicts.append(
                SimpleNamespace(decision=row[13], reason=row[14], at=row[15], by_name=row[16])
            )
    return items


def _extensions() -> Select:
    return plannable(
        select(
            ExtensionRequest.id,
            ExtensionRequest.reason,
            ExtensionRequest.requested_deadline,
            ExtensionRequest.requested_at,
            ExtensionRequest.decision,
            ExtensionRequest.decision_note,
            ExtensionRequest.old_deadline,
            ExtensionRequest.new_deadline,
            _REPORTER.display_name.label("by_name"),
        )
        .outerjoin(_REPORTER, _REPORTER.id == ExtensionRequest.requested_by_id)
        .where(ExtensionRequest.notice_id == _NOTICE_ID)
        .order_by(ExtensionRequest.id)
    )


def _escalations() -> Select:
    return plannable(
        select(Escalation.kind, Escalation.on_date, Escalation.note, _REPORTER.display_name.label("by_name"))
        .outerjoin(_REPORTER, _REPORTER.id == Escalation.by_id)
        .where(Escalation.notice_id == _NOTICE_ID)
        .order_by(Escalation.on_date, Escalation.id)
    )


def _files(items: list[Item]) -> dict[int, list[Attachment]]:
    """Each rectification report's evidence files, by report id."""
    files: dict[int, list[Attachment]] = {}
    report_ids = [r.id for item in items for r in item.rectifications]
    if report_ids:
        for a in db.session.scalars(
            select(Attachment)
            .where(Attachment.owner_type == "rectification", Attachment.owner_id.in_(report_ids))
            .order_by(Attachment.id)
        ):
            files.setdefault(a.owner_id, []).append(a)
    return files


class _Actor:
    __slots__ = ("display_name",)

    def __init__(self, display_name: str) -> None:
        self.display_name = display_name


def _events_statement(asker) -> Select:
    """The notice's history as this user may read it (permissions.notice_events_for_user), newest first:
    the columns the timeline prints, the actor's name joined."""
    return plannable(
        notice_events_for_user(asker, SimpleNamespace(id=_NOTICE_ID), bindparam("item_ids", expanding=True))
        .with_only_columns(AuditEvent.at, AuditEvent.summary, AuditEvent.changes, _ACTOR.display_name)
        .outerjoin(_ACTOR, _ACTOR.id == AuditEvent.actor_id)
        .limit(200)
    )


def _events(user: User, notice_id: int, items: list[Item]) -> list[SimpleNamespace]:
    """The timeline's events, the actor as an object with its name (the shared timeline macro reads
    `e.actor.display_name`)."""
    stmt = statements.statement("notice_detail_events", user, _events_statement)
    actors: dict[str, _Actor] = {}
    events = []
    for at, summary, changes, name in db.session.connection().execute(
        stmt, statements.values(user, notice_id=notice_id, item_ids=[i.id for i in items] or [0])
    ):
        actor = None if name is None else actors.get(name) or actors.setdefault(name, _Actor(name))
        events.append(SimpleNamespace(at=at, summary=summary, changes=changes, actor=actor))
    return events


def _draft_preview(notice: Notice, today: date) -> dict | None:
    """A draft's deadline if it were issued today (an issued notice shows its own)."""
    if notice.deadline or notice.status not in LIVE_DRAFT_STATUSES:
        return None
    calendar = request_calendar(today)
    deadline = notice_deadline_for(notice, today, calendar)
    return {
        "deadline": deadline,
        "weekends_only": not calendar.covers(today.year)
        or (deadline is not None and not calendar.covers(deadline.year)),
    }


def notice_detail_page(user: User, notice_id: int, today: date) -> dict:
    """A notice's page: items, reports and their files, extensions, escalations, history; a 404 if the
    notice is out of the user's scope."""
    stmt = statements.statement("notice_detail", user, _notice)
    row = db.session.execute(stmt, statements.values(user, notice_id=notice_id)).one_or_none()
    if row is None:
        abort(404)
    notice, unit_name, task_title, drafted, approved, acknowledged, has_ext, has_esc, has_files = row
    params = {"notice_id": notice.id}
    # The reads of columns run on the connection: the ORM's execution of them costs more than the rows.
    connection = db.session.connection()
    items = _build_items(connection.execute(statements.once("notice_detail_items", _items), params))
    extensions = (
        [
            SimpleNamespace(
                **e._mapping, decision_label=EXTENSION_DECISIONS.get(e.decision or "", PENDING_DECISION)
            )
            for e in connection.execute(statements.once("notice_detail_extensions", _extensions), params)
        ]
        if has_ext
        else []
    )
    escalations = (
        connection.execute(statements.once("notice_detail_escalations", _escalations), params).all()
        if has_esc
        else []
    )
    open_deadline = notice.deadline is not None and notice.status in Notice.OPEN_STATUSES
    return {
        "notice": notice,
        "unit_name": unit_name,
        "task_title": task_title,
        "drafted_by_name": drafted,
        "approved_by_name": approved,
        "acknowledged_by_name": acknowledged,
        "items": items,
        "files": _files(items) if has_files else {},
        "extensions": extensions,
        "escalations": escalations,
        "escalation_kinds": ESCALATION_KINDS,
        "pending_extension": next((e for e in extensions if e.decision is None), None),
        "events": _events(user, notice.id, items),
        "info": deadline_info(notice, today, request_calendar(today, notice.deadline))
        if open_deadline
        else None,
        "preview": _draft_preview(notice, today),
    }
