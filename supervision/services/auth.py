"""Logging in, with failed attempts counted in the database (no per-process memory)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from ..audit import record_event
from ..errors import DomainError
from ..extensions import db
from ..models import LoginAttempt, User, utcnow


def _recent_failures(column, value: str) -> int:
    since = utcnow() - timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    return db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= since
        )
    )


def login_check(*, username: str, password: str, ip: str) -> User:
    """The user if the credentials are right and the account or address is not throttled."""
    username = (username or "").strip()
    config = current_app.config
    minutes = config["LOGIN_WINDOW_MINUTES"]
    if (
        _recent_failures(LoginAttempt.username, username.lower()) >= config["LOGIN_MAX_FAILURES_USER"]
        or _recent_failures(LoginAttempt.ip, ip) >= config["LOGIN_MAX_FAILURES_IP"]
    ):
        raise DomainError(f"登录失败次数过多，请 {minutes} 分钟后再试，或联系系统管理员。")
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    ok = user is not None and user.check_password(password or "") and user.active
    db.session.add(LoginAttempt(username=username.lower(), ip=ip, success=ok))
    if not ok:
        db.session.commit()
        if user is not None and not user.active and user.check_password(password or ""):
            raise DomainError("该账号已停用，请联系系统管理员。")
        raise DomainError("用户名或密码不正确。")
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
