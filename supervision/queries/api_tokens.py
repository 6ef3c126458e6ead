"""What the token pages read: a user's personal access tokens (their own page, the admin's user page)."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, User


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (live, expired and revoked alike)."""
    return list(
        db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    )
