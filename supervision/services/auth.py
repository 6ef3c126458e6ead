"""Logging in and out. Failed attempts are counted in the database, so every app server sees them.

Throttling follows OWASP's authentication guidance: growing delays, and no lockout that an attacker
can trigger. Failures count per account and address, and per address over all accounts, so wrong
passwords typed anywhere else never stop the right one from an address that has not failed
(behind a proxy the address is the client's: see TRUSTED_PROXIES).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit import record_event
from ..errors import DomainError
from ..extensions import db
from ..models import LoginAttempt, User, utcnow
from ..models.org import check_dummy_password
from ..sessions import end_all_sessions


@dataclass(frozen=True)
class _Failures:
    count: int
    last: datetime | None


def _failures(*conditions, since: datetime) -> _Failures:
    count, last = db.session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(
            LoginAttempt.success.is_(False), LoginAttempt.at >= since, *conditions
        )
    ).one()
    return _Failures(count, last)


def _backoff_seconds(failures: int, free: int) -> int:
    """The wait after the last failure: none for the first `free` failures, then doubling each time."""
    config = current_app.config
    if failures < free:
        return 0
    doublings = min(failures - free, 30)
    return min(config["LOGIN_DELAY_SECONDS"] * 2**doublings, config["LOGIN_MAX_DELAY_SECONDS"])


def _remaining(failures: _Failures, free: int, now: datetime) -> int:
    delay = _backoff_seconds(failures.count, free)
    if not delay or failures.last is None:
        return 0
    return max(0, math.ceil((failures.last + timedelta(seconds=delay) - now).total_seconds()))


def login_wait_seconds(*, username: str, ip: str, now: datetime) -> int:
    """How long this account must wait before its next try from this address (0: it may try now)."""
    config = current_app.config
    since = now - timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.id)).where(
            LoginAttempt.username == username, LoginAttempt.ip == ip, LoginAttempt.success.is_(True)
        )
    )
    pair = _failures(
        LoginAttempt.username == username,
        LoginAttempt.ip == ip,
        LoginAttempt.id > (last_success or 0),
        since=since,
    )
    # Not reset by a success: an attacker must not clear it by logging into an account of their own.
    address = _failures(LoginAttempt.ip == ip, since=since)
    return max(
        _remaining(pair, config["LOGIN_FREE_FAILURES"], now),
        _remaining(address, config["LOGIN_FREE_FAILURES_ADDRESS"], now),
    )


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} 秒"
    return f"{math.ceil(seconds / 60)} 分钟"


def login_check(*, username: str, password: str, ip: str, now: datetime | None = None) -> User:
    """The user if the credentials are right and this account and address need not wait."""
    now = now or utcnow()
    username = (username or "").strip().lower()[:60]
    ip = (ip or "")[:64]
    wait = login_wait_seconds(username=username, ip=ip, now=now)
    if wait:
        # Refused before the password is even checked, and not counted: waiting is all it takes.
        raise DomainError(_("登录失败次数过多，请 %(wait)s后再试。", wait=_wait_text(wait)))
    user = db.session.scalar(select(User).where(func.lower(User.username) == username))
    # The same hash work whether or not the username exists, so the answer's timing tells nothing.
    password_ok = user.check_password(password or "") if user else check_dummy_password(password or "")
    ok = user is not None and password_ok and user.active
    db.session.add(LoginAttempt(at=now, username=username, ip=ip, success=ok))
    if not ok:
        db.session.commit()
        if user is not None and password_ok:
            raise DomainError(_("该账号已停用，请联系系统管理员。"))
        raise DomainError(_("用户名或密码不正确。"))
    record_event(
        actor=user,
        action="user.login",
        record_type="user",
        record_id=user.id,
        summary="登录系统",
        unit_id=user.unit_id,
    )
    db.session.commit()
    return user


def sessions_end(*, user: User, everywhere: bool = False) -> None:
    """Log the user out of every session (logout, or 退出所有设备 with an audit record)."""
    end_all_sessions(user)
    if everywhere:
        record_event(
            actor=user,
            action="user.logout_everywhere",
            record_type="user",
            record_id=user.id,
            summary="退出所有设备",
            unit_id=user.unit_id,
        )
    db.session.commit()
