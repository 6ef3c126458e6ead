"""What the notification centre reads: only the signed-in user's own notifications."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Notification, User

NOTIFICATIONS_PER_PAGE = 30


def notifications_page(user: User, *, unread_only: bool, page: int):
    """A page of the user's notifications, newest first."""
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return db.paginate(query, page=page, per_page=NOTIFICATIONS_PER_PAGE, error_out=False)


def notification_for_user(user: User, notification_id: int) -> Notification | None:
    """One of the user's own notifications (another user's looks missing)."""
    return db.session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )
