"""Small helpers the views share: form errors, domain errors, paging, file responses."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import flash, g, request, send_file
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import DomainError, StaleEdit
from ..extensions import db
from ..formatting import zh_date
from ..models import FormSubmission
from ..parsing import BadNumber, int_arg, page_arg, parse_int  # noqa: F401  (views import them from here)
from ..services.transaction import unit_of_work

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def flash_form_errors(form: FlaskForm) -> None:
    for field, errors in form.errors.items():
        label = getattr(form, field).label.text if hasattr(form, field) else field
        for error in errors:
            flash(f"{label}：{error}", "danger")


def flash_domain_error(error: DomainError) -> None:
    if error.errors and len(error.errors) > 1:
        flash(error.message + "\n" + "\n".join(error.errors), "danger")
    else:
        flash(error.errors[0] if error.errors else error.message, "danger")


@dataclass
class Once:
    """What submit_once did: the record it created, or (repeated) only the earlier POST's page."""

    record: Any
    url: str
    repeated: bool = False


def submit_once(create: Callable[[], Any], url_of: Callable[[Any], str]) -> Once:
    """Run a create service once per form token (the form's `form_token` field).

    The token row is inserted first, in the same transaction as the record: of two POSTs with the
    same token the second one's insert waits for the first and then fails on the primary key; its
    transaction rolls back and it lands on the first one's result page. A POST without a token (an
    old page, a script) simply creates.
    """
    token = (request.form.get("form_token") or "").strip()[:64]
    if not token:
        record = create()
        return Once(record, url_of(record))
    for _attempt in range(3):
        done = _submitted_url(token)
        if done:
            return Once(None, done, repeated=True)
        try:
            with unit_of_work():
                submission = FormSubmission(token=token, user_id=current_user.id, result_url="")
                db.session.add(submission)
                db.session.flush()
                record = create()
                url = url_of(record)
                submission.result_url = url
            return Once(record, url)
        except IntegrityError:
            # The same token committed meanwhile (or another unique clash: then try again).
            done = _submitted_url(token, wait=2.0)
            if done:
                return Once(None, done, repeated=True)
    raise DomainError(_("保存冲突，请稍后重试。"))


def flash_repeat() -> None:
    flash(_("该表单已提交过，没有重复保存。"), "info")


def _submitted_url(token: str, wait: float = 0.0) -> str | None:
    """The result page of a token already used by this user, waiting up to `wait` seconds for it."""
    deadline = time.monotonic() + wait
    while True:
        url = db.session.scalar(
            select(FormSubmission.result_url).where(
                FormSubmission.token == token, FormSubmission.user_id == current_user.id
            )
        )
        if url or time.monotonic() >= deadline:
            return url or None
        time.sleep(0.05)


# StaleEdit's own message says to refresh, right where no panel is shown (a workflow step, a row);
# beside the panel refreshing would lose what was typed, so the page says to compare and save again.
STALE_FORM_MESSAGE = "该记录已被他人修改，您的修改未保存。请对照下方他人保存的内容，确认后可再次保存。"


def flash_stale_form() -> None:
    """The message above a stale_panel: what was typed is still in the form, saving again works."""
    flash(STALE_FORM_MESSAGE, "danger")


def flash_edit_error(error: DomainError, form: FlaskForm, record: Any) -> None:
    """An edit form's refusal: the message, and after a stale edit what the other person saved."""
    if isinstance(error, StaleEdit) and record is not None:
        flash_stale_form()
        show_stale_edit(form, record)
    else:
        flash_domain_error(error)


def form_version(form: FlaskForm) -> int | None:
    """The version the form was opened at. A form with a version field that came back without one
    gives 0, which no stored record has: the edit is refused, never saved unchecked."""
    if not hasattr(form, "version"):
        return None
    # raw_data, not data: a form built with obj= fills a missing field from the stored record.
    raw = form.version.raw_data or [""]
    try:
        return parse_int(raw[0], minimum=0) or 0
    except BadNumber:
        return 0


def show_stale_edit(form: FlaskForm, record: Any) -> None:
    """After a refused stale edit: the form keeps what was typed but takes the stored version (so a
    deliberate second save goes through), and the page lists, field by field, what the other person
    saved beside what was typed (base.html shows `g.stale_edit` through the stale_panel macro)."""
    db.session.refresh(record)
    if hasattr(form, "version"):
        form.version.data = record.version
    rows = []
    for field in form:
        if (
            field.name in ("csrf_token", "version", "form_token")
            or field.type in ("PasswordField", "FileField", "MultipleFileField")
            or not hasattr(record, field.name)
        ):
            continue
        stored, typed = getattr(record, field.name), field.data
        if _shown(field, stored) != _shown(field, typed):
            rows.append(
                {"label": field.label.text, "theirs": _shown(field, stored), "mine": _shown(field, typed)}
            )
    g.stale_edit = rows


def stale_rows(fields: list[tuple[str, Any, Any]]) -> list[dict[str, str]]:
    """Rows for the stale_panel macro from (label, stored, typed) of a hand-written form."""
    return [
        {"label": label, "theirs": str(stored or ""), "mine": str(typed or "")}
        for label, stored, typed in fields
        if str(stored or "") != str(typed or "")
    ]


def _shown(field: Any, value: Any) -> str:
    """A field's value as the user reads it (a choice's label, a date as 2026年3月5日)."""
    if value in (None, ""):
        return ""
    try:
        choices = {str(k): v for k, v, *_ in field.iter_choices()} if hasattr(field, "iter_choices") else {}
    except TypeError:  # a select whose choices were never set
        choices = {}
    if isinstance(value, list | tuple | set):
        return "、".join(sorted(choices.get(str(v), str(v)) for v in value))
    if str(value) in choices:
        return str(choices[str(value)])
    if isinstance(value, date):
        return zh_date(value)
    return str(value)


def download(data: bytes, filename: str, mimetype: str):
    """Send generated bytes as an attachment with a UTF-8 (Chinese) file name.

    The name is made of users' titles: control characters (a CR would be a 500) and slashes go.
    """
    filename = "".join(ch for ch in filename if ch.isprintable() and ch not in "/\\") or "download"
    # send_file measures a BytesIO through its buffer, which copies one shared with `data` (a
    # province's 50 MB workbook in memory twice); a reader over it is not copied, and its size known.
    response = send_file(
        io.BufferedReader(io.BytesIO(data)),
        mimetype=mimetype,
        as_attachment=True,
        download_name=filename,
        conditional=False,
    )
    response.content_length = len(data)
    response = response.make_conditional(request.environ, accept_ranges=True, complete_length=len(data))
    response.headers["Content-Disposition"] = (
        f"attachment; filename=download; filename*=UTF-8''{quote(filename, safe='')}"
    )
    return response


_URL_MARK = 987654321


def url_around(endpoint: str, key: str, **values: Any) -> tuple[str, str]:
    """The URL of `endpoint` before and after its argument `key`, built once for a list page's rows:
    `before ~ n.id ~ after` is `url_for(endpoint, key=n.id, **values)` for an integer id."""
    from flask import url_for

    before, mark, after = url_for(endpoint, **values, **{key: _URL_MARK}).rpartition(str(_URL_MARK))
    if not mark:
        raise ValueError(f"{endpoint}: {key} is not in its URL")
    return before, after


def url_base(endpoint: str, key: str, **values: Any) -> str:
    """The URL of `endpoint` up to its last argument `key`: `url_base('notices.detail', 'notice_id')
    ~ n.id` is `url_for('notices.detail', notice_id=n.id)`."""
    before, after = url_around(endpoint, key, **values)
    if after:
        raise ValueError(f"{endpoint}: {key} is not the end of its URL")
    return before
