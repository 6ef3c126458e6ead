"""Showing dates, times and numbers the way a Chinese office writes them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import g
from flask_babel import get_locale

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _is_chinese() -> bool:
    # The locale Flask-Babel selected for this request (or force_locale set), read from its
    # per-request namespace without its proxy lookups: a list page formats two dates a row.
    babel_ctx = g.__dict__.get("_flask_babel") if g else None
    locale = babel_ctx.__dict__.get("babel_locale") if babel_ctx is not None else None
    if locale is None:
        locale = get_locale()
    return locale is None or locale.language == "zh"


def zh_date(value: date | datetime | None) -> str:
    """2026年3月5日 (no leading zeros), whatever the reader's language.

    The one spelling of a date in documents, registers, the audit log and stored messages.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    return f"{value.year}年{value.month}月{value.day}日"


def en_date(value: date | datetime | None) -> str:
    """5 Mar 2026, the English interface's spelling of a date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    return value.strftime("%-d %b %Y")


def cn_date(value: date | datetime | None) -> str:
    """2026年3月5日 on the page, or 5 Mar 2026 with the English interface."""
    if value is None:
        return ""
    return zh_date(value) if _is_chinese() else en_date(value)


def date_formatter() -> Callable[[date | datetime | None], str]:
    """cn_date for the locale in force now, the locale read once (for a table of dates)."""
    return zh_date if _is_chinese() else en_date


def cn_datetime(value: datetime | None) -> str:
    """2026年3月5日 14:05, in Beijing time."""
    if value is None:
        return ""
    local = value.astimezone(SHANGHAI)
    return f"{cn_date(local)} {local:%H:%M}"


def local_today() -> date:
    return datetime.now(SHANGHAI).date()
