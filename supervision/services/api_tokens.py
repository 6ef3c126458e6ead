"""Personal access tokens: create (shown once), revoke, and look a presented token up.

The secret is 32 random bytes; only its SHA-256 is stored (a token is as strong as a key, so a slow
password hash would add nothing but latency to every API call).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit import record_event
from ..errors import DomainError, NotAllowed
from ..extensions import db
from ..models import TOKEN_SCOPES, ApiToken, User, utcnow
from ..permissions import can_revoke_token
from .transaction import transactional

TOKEN_PREFIX = "dct_"  # 督察通: lets secret scanners and people recognise the token
MAX_DAYS = 366
NAME_MAX = 60
# last_used_at is written at most this often per token, so reads do not each cost a write.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def token_create(*, actor: User, name: str, scope: str, days: int | None) -> tuple[ApiToken, str]:
    """A new token for the actor; returns the record and the secret (never shown again)."""
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append(_("请填写令牌名称。"))
    elif len(name) > NAME_MAX:
        errors.append(_("令牌名称不能超过 %(n)s 个字。", n=NAME_MAX))
    if scope not in TOKEN_SCOPES:
        errors.append(_("权限范围只能是只读或读写。"))
    if days is not None and not 1 <= days <= MAX_DAYS:
        errors.append(_("有效期应为 1 至 %(n)s 天。", n=MAX_DAYS))
    if errors:
        raise DomainError(errors[0], errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=actor.id,
        name=name,
        scope=scope,
        prefix=secret[:12],
        token_hash=_hash(secret),
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        actor=actor,
        action="api_token.create",
        record_type="user",
        record_id=actor.id,
        summary=f"创建访问令牌“{name}”（{token.scope_label}，{token.prefix}…）",
    )
    return token, secret


@transactional
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """The owner revokes their own token; the admin anyone's."""
    if not can_revoke_token(actor, token):
        raise NotAllowed(_("只能撤销自己的访问令牌。"))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_event(
            actor=actor,
            action="api_token.revoke",
            record_type="user",
            record_id=token.user_id,
            summary=f"撤销访问令牌“{token.name}”（{token.prefix}…）",
        )
    return token


def revoke_all_tokens(*, actor: User, user: User, why: str) -> int:
    """Revoke every live token of the user, in the caller's transaction; returns how many.

    Called when the user's password changes or an admin resets it: whoever knew the old password
    may have made a token with it, and a token must not outlive the password that made it."""
    now = utcnow()
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    live = [token for token in tokens if token.is_live(now)]
    for token in live:
        token.revoked_at = now
    if live:
        record_event(
            actor=actor,
            action="api_token.revoke_all",
            record_type="user",
            record_id=user.id,
            summary=f"{why}，撤销其 {len(live)} 个访问令牌（{'、'.join(t.prefix + '…' for t in live)}）",
            changes={"tokens": "、".join(str(t.id) for t in live)},  # text: a 2-item list reads as old → new
        )
    return len(live)


@transactional
def token_authenticate(secret: str) -> ApiToken | None:
    """The live token with this secret, its last use noted; None for unknown, revoked or expired."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    now = utcnow()
    if token is None or not token.is_live(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
    return token
