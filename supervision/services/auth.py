"""Logging in and out. Failed attempts are counted in the database, so every app server sees them.

Throttling follows OWASP's authentication guidance: growing delays, and no lockout that an attacker
can trigger. Failures count per account and address, and per address over all accounts, so wrong
passwords typed anywhere else never stop the right one from an address that has not failed
(behind a proxy the address is the client's: see TRUSTED_PROXIES).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..audit import record_event
from ..errors import DomainError
from ..extensions import db
from ..models import LoginAttempt, User, utcnow
from ..models.org import check_dummy_password
from ..sessions import METHOD_LABELS, end_all_sessions


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
        return _("%(n)s 秒", n=seconds)
    return _("%(n)s 分钟", n=math.ceil(seconds / 60))


@dataclass(frozen=True)
class SignIn:
    """A successful sign-in: the user, and their previous login (shown to them once after this one)."""

    user: User
    method: str
    previous_at: datetime | None
    previous_ip: str


def _normal_username(username: str) -> str:
    return (username or "").strip().lower()[:60]


def _audit_failure(*, user: User | None, username: str, method: str, action: str, summary: str) -> None:
    record_event(
        actor=None,
        action=action,
        record_type="user" if user is not None else "login",
        record_id=user.id if user is not None else 0,
        summary=f"{summary}（{METHOD_LABELS[method]}，用户名 {username}）",
        changes={"method": method, "username": username},
        unit_id=user.unit_id if user is not None else None,
    )


def sign_in(
    *,
    username: str,
    ip: str,
    method: str,
    prove: Callable[[User | None], bool],
    now: datetime | None = None,
) -> SignIn:
    """Sign a person in with whatever proves who they are (`prove`), throttled, recorded and audited.

    `prove(user)` is given the app's account of that username (None if there is none) and says
    whether the credentials are right: the local password hash, or the directory for LDAP. It may
    raise DomainError for a failure that says nothing about the credentials (the directory is down).
    The account gives the role and unit: without an active one nobody signs in.
    """
    now = now or utcnow()
    username = _normal_username(username)
    ip = (ip or "")[:64]
    wait = login_wait_seconds(username=username, ip=ip, now=now)
    if wait:
        # Refused before the password is even checked, and not counted: waiting is all it takes.
        user = _user_named(username)
        _audit_failure(
            user=user, username=username, method=method, action="user.login_throttled", summary="登录被限制"
        )
        db.session.commit()
        raise DomainError(_("登录失败次数过多，请 %(wait)s后再试。", wait=_wait_text(wait)))
    user = _user_named(username)
    proved = prove(user)
    ok = user is not None and proved and user.active
    db.session.add(LoginAttempt(at=now, username=username, ip=ip, success=ok))
    if not ok:
        if proved and user is not None:
            reason, message = "账号已停用", _("该账号已停用，请联系系统管理员。")
        elif proved:
            reason = "无本系统账号"
            message = _(
                "您的身份已验证，但本系统中没有您的账号。请联系系统管理员开通账号（用户名与统一身份一致）。"
            )
        else:
            reason, message = "用户名或密码不正确", _("用户名或密码不正确。")
        _audit_failure(
            user=user,
            username=username,
            method=method,
            action="user.login_failed",
            summary=f"登录失败：{reason}",
        )
        db.session.commit()
        raise DomainError(message)
    return _signed_in(user, method=method, ip=ip, now=now)


def _user_named(username: str) -> User | None:
    if not username:
        return None
    return db.session.scalar(select(User).where(func.lower(User.username) == username))


def _signed_in(user: User, *, method: str, ip: str, now: datetime) -> SignIn:
    result = SignIn(user=user, method=method, previous_at=user.last_login_at, previous_ip=user.last_login_ip)
    # An UPDATE of its own, like end_all_sessions: a login is not an edit of the user (the admin's open
    # edit form holds their `version`).
    db.session.execute(update(User).where(User.id == user.id).values(last_login_at=now, last_login_ip=ip))
    set_committed_value(user, "last_login_at", now)
    set_committed_value(user, "last_login_ip", ip)
    record_event(
        actor=user,
        action="user.login",
        record_type="user",
        record_id=user.id,
        summary=f"登录系统（{METHOD_LABELS[method]}）",
        changes={"method": method},
        unit_id=user.unit_id,
    )
    db.session.commit()
    return result


def local_login_allowed(username: str) -> bool:
    """Local passwords are on, or this is the break-glass account (LOCAL_LOGIN=off)."""
    config = current_app.config
    if config["LOCAL_LOGIN"]:
        return True
    glass = config["LOCAL_LOGIN_BREAK_GLASS"]
    return bool(glass) and _normal_username(username) == glass


def login_check(*, username: str, password: str, ip: str, now: datetime | None = None) -> SignIn:
    """Sign in with the app's own password, if the account and address need not wait."""
    if not local_login_allowed(username):
        raise DomainError(_("本系统已关闭本地密码登录，请使用统一身份认证登录。"))

    def prove(user: User | None) -> bool:
        # The same hash work whether or not the username exists, so the answer's timing tells nothing.
        return user.check_password(password or "") if user else check_dummy_password(password or "")

    return sign_in(username=username, ip=ip, method="local", prove=prove, now=now)


def oidc_sign_in(*, username: str, ip: str, now: datetime | None = None) -> SignIn:
    """Sign in a person whose identity the OpenID provider has proved (the ID token was verified)."""
    return sign_in(username=username, ip=ip, method="oidc", prove=lambda user: True, now=now)


def sign_out(*, user: User, method: str) -> None:
    """Logout: every session of the user ends (a cookie captured from this one must not outlive it)."""
    end_all_sessions(user)
    record_event(
        actor=user,
        action="user.logout",
        record_type="user",
        record_id=user.id,
        summary=f"退出登录（{METHOD_LABELS.get(method, method)}）",
        changes={"method": method},
        unit_id=user.unit_id,
    )
    db.session.commit()


def password_change_due(user: User, *, method: str, now: datetime | None = None) -> bool:
    """A local sign-in whose password someone else chose, or one older than PASSWORD_MAX_AGE_DAYS."""
    if method != "local":
        return False  # the directory or the provider keeps that password, not this app
    if user.must_change_password:
        return True
    days = current_app.config["PASSWORD_MAX_AGE_DAYS"]
    if days <= 0:
        return False
    changed = user.password_changed_at or user.created_at
    return changed is not None and (now or utcnow()) - changed > timedelta(days=days)


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
