"""The one way to create notifications (the bell), and the daily reminders of `flask remind`."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from ..calendar import load_calendar, working_days_between
from ..extensions import db
from ..formatting import zh_date
from ..models import Notice, Notification, User, utcnow
from .transaction import transactional

log = logging.getLogger(__name__)

DUE_SOON_WORKING_DAYS = 3
TEXT_MAX = Notification.__table__.c.text.type.length


def fit_text(text: str, limit: int = TEXT_MAX) -> str:
    """`text` cut to the column with "…": a notification links to the record that has it in full."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@transactional
def notification_mark_read(note: Notification) -> None:
    if note.read_at is None:
        note.read_at = utcnow()


@transactional
def notifications_mark_all_read(user: User) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def notify(
    users: list[User] | list[int],
    text: str,
    link: str = "",
    *,
    kind: str = "info",
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Add one notification per user (the caller commits). With a dedupe_key, a user who already
    has a notification with that key gets no second one, also when two runs (two servers' workers
    at once) make it at the same moment: the insert skips rows whose (user, key) exists."""
    ids = sorted({u if isinstance(u, int) else u.id for u in users if u is not None})
    if not ids:
        return []
    if dedupe_key:
        return _notify_once(ids, fit_text(text), link, kind, dedupe_key)
    created = []
    for user_id in ids:
        note = Notification(user_id=user_id, kind=kind, text=fit_text(text), link=link, dedupe_key=dedupe_key)
        db.session.add(note)
        created.append(note)
    return created


def _notify_once(ids: list[int], text: str, link: str, kind: str, dedupe_key: str) -> list[Notification]:
    """INSERT … ON CONFLICT (user_id, dedupe_key) DO NOTHING: a concurrent run's row wins, no error."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    statement = (
        insert(Notification)
        .values(
            [
                {
                    "user_id": i,
                    "kind": kind,
                    "text": text,
                    "link": link,
                    "dedupe_key": dedupe_key,
                    "created_at": now,
                }
                for i in ids
            ]
        )
        .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        .returning(Notification.id)
    )
    made = list(db.session.scalars(statement))
    if not made:
        return []
    return list(
        db.session.scalars(select(Notification).where(Notification.id.in_(made)).order_by(Notification.id))
    )


def unit_liaisons(unit_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.unit_id == unit_id, User.role == "liaison", User.active.is_(True))
        )
    )


@dataclass
class RemindResult:
    due_soon: int = 0
    overdue: int = 0
    emailed: int = 0
    created: list[Notification] = field(default_factory=list)


def remind(*, today: date) -> RemindResult:
    """Due-soon (within 3 working days) and overdue reminders for open notices. Idempotent:
    each reminder carries a key naming the notice, the kind and the deadline, so a second run the
    same day (or any later day before the deadline changes) creates nothing new."""
    notices = db.session.scalars(
        select(Notice)
        .options(joinedload(Notice.kind))
        .where(Notice.status.in_(Notice.OPEN_STATUSES), Notice.deadline.is_not(None))
        .order_by(Notice.id)
    ).all()
    result = RemindResult()
    if not notices:
        return result
    calendar = load_calendar(today, *(n.deadline for n in notices))
    liaisons_by_unit: dict[int, list[User]] = {}
    for user in db.session.scalars(
        select(User).where(
            User.role == "liaison",
            User.active.is_(True),
            User.unit_id.in_({n.unit_id for n in notices}),
        )
    ):
        liaisons_by_unit.setdefault(user.unit_id, []).append(user)
    for notice in notices:
        left = working_days_between(today, notice.deadline, calendar)
        link = f"/notices/{notice.id}"
        recipients = list(liaisons_by_unit.get(notice.unit_id, []))
        if left < 0:
            if notice.drafted_by_id:
                recipients.append(notice.drafted_by_id)
            made = notify(
                recipients,
                f"通知书 {notice.display_number} 已逾期 {-left} 个工作日（截止日期 {zh_date(notice.deadline)}），请尽快整改并报告。",
                link,
                kind="overdue",
                dedupe_key=f"notice:{notice.id}:overdue:{notice.deadline.isoformat()}",
            )
            result.overdue += len(made)
        elif left <= DUE_SOON_WORKING_DAYS:
            made = notify(
                recipients,
                f"通知书 {notice.display_number} 将于 {zh_date(notice.deadline)} 到期（剩余 {left} 个工作日），请按期报送整改情况。",
                link,
                kind="due_soon",
                dedupe_key=f"notice:{notice.id}:due:{notice.deadline.isoformat()}",
            )
            result.due_soon += len(made)
        else:
            continue
        result.created.extend(made)
    db.session.commit()
    if current_app.config.get("SMTP_HOST") and result.created:
        result.emailed = send_emails(result.created)
    return result


def send_emails(notes: list[Notification]) -> int:
    """Send each notification to its user's e-mail address, if they have one. Failures are logged."""
    config = current_app.config
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({n.user_id for n in notes})))}
    messages = []
    for note in notes:
        user = users.get(note.user_id)
        if user is None or not user.email:
            continue
        message = EmailMessage()
        message["Subject"] = "【督察通】" + note.text[:40]
        message["From"] = config.get("SMTP_FROM") or config.get("SMTP_USER") or "noreply@localhost"
        message["To"] = user.email
        message.set_content(note.text + ("\n\n" + note.link if note.link else ""))
        messages.append(message)
    if not messages:
        return 0
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config.get("SMTP_PORT", 25), timeout=30) as smtp:
            if config.get("SMTP_TLS"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
            for message in messages:
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("sending reminder e-mails failed: %s", error)
        return 0
    return len(messages)
