"""Which login sessions are still valid: the user's session version, kept in the session at login.

The session is a signed cookie, so ending it on the server means changing what it must match:
logout, 退出所有设备, a password change or reset and deactivation move `User.session_version` on,
and every session (every captured copy of the cookie too) that holds the old number is refused.
"""

from __future__ import annotations

from flask import session
from sqlalchemy import update

from .extensions import db
from .models import User

SESSION_KEY = "session_version"


def session_bind(user: User) -> None:
    """Mark the current session as one of the user's valid sessions (at login, after a password change)."""
    session[SESSION_KEY] = user.session_version


def session_is_current(user: User) -> bool:
    return session.get(SESSION_KEY) == user.session_version


def end_all_sessions(user: User) -> None:
    """Refuse every session the user has now; the caller commits.

    An UPDATE of its own, so that it neither counts as an edit of the user (their `version`, which
    an admin's open edit form holds, stays) nor loses a concurrent logout's increment.
    """
    db.session.execute(
        update(User).where(User.id == user.id).values(session_version=User.session_version + 1)
    )
