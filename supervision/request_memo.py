"""Values read once per request: two panels of one home page that need the same rows share them.

Kept on `flask.g`, so never across requests or users beyond the key given; only inside a request
(a direct call in an app context, as in a shell or a test, computes every time), and forgotten at
any flush, commit or rollback of the session, so a request that writes reads its own changes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")


def per_request(key: Hashable, compute: Callable[[], T]) -> T:
    """The value for `key` in this request, computed on first use."""
    if not has_request_context():
        return compute()
    memo = g.setdefault("_request_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[return-value]


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_on_write(session, *args) -> None:
    if has_request_context():
        g.pop("_request_memo", None)
