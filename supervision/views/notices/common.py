"""What the notice screens share: the way back to the notice, and a step's flash-and-redirect."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ...errors import DomainError
from ...models import Notice
from ...parsing import form_id
from ..helpers import flash_domain_error, flash_repeat, submit_once


def detail_url(notice: Notice, **anchor) -> str:
    return url_for("notices.detail", notice_id=notice.id, **anchor)


def back(notice: Notice, **anchor):
    return redirect(detail_url(notice, **anchor))


def act(notice: Notice, func, ok: str, **kwargs):
    """Call the service step on the notice; flash its outcome; back to the notice."""
    try:
        func(actor=current_user, notice=notice, **kwargs)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(ok, "success")
    return back(notice)


def add_once(notice: Notice, func, ok: str, **kwargs):
    """act() for a step that adds a record (an extension request, an escalation): once per form token."""
    try:
        done = submit_once(
            lambda: func(actor=current_user, notice=notice, **kwargs), lambda _record: detail_url(notice)
        )
    except DomainError as error:
        flash_domain_error(error)
        return back(notice)
    if done.repeated:
        flash_repeat()
    else:
        flash(ok, "success")
    return redirect(done.url)


def version_arg() -> int | None:
    return form_id(request.form.get("version"))
