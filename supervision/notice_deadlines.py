"""A notice's deadline: the bounds of its time limit (at most MAX_DAYS working days, at most two years
after issue) and the deadline a draft gets if issued on a given day. The draft form, its preview and
the services ask here."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from .calendar import add_working_days, load_calendar
from .errors import DomainError
from .formatting import zh_date
from .models import Notice

MAX_DAYS = 250
DEADLINE_YEARS = 2  # a deadline (or an extension) lies at most two years after the issue date


def latest_deadline(issued: date) -> date:
    """The last deadline a notice issued on `issued` may have (two years on; 29 Feb → 28 Feb)."""
    year = issued.year + DEADLINE_YEARS
    return issued.replace(year=year) if (issued.month, issued.day) != (2, 29) else date(year, 2, 28)


def fixed_deadline_problem(deadline: date, today: date) -> str | None:
    """Why a draft's fixed deadline cannot stand if the notice were issued today (the draft form and
    its preview say the same), or None."""
    if deadline <= today:
        return _("截止日期不能早于签发日期（最早的签发日期是今天）。")
    if deadline > latest_deadline(today):
        return _(
            "截止日期不能晚于%(latest)s（签发后%(years)s年内）。",
            latest=zh_date(latest_deadline(today)),
            years=DEADLINE_YEARS,
        )
    return None


def check_deadline_bound(deadline: date, issued: date, what: str | None = None) -> None:
    """Refuse a deadline (or an extension's new one) more than two years after the issue date."""
    if deadline > latest_deadline(issued):
        raise DomainError(
            _(
                "%(what)s不能晚于%(latest)s（签发日期%(issued)s后%(years)s年内）。",
                what=what or _("截止日期"),
                latest=zh_date(latest_deadline(issued)),
                issued=zh_date(issued),
                years=DEADLINE_YEARS,
            )
        )


def notice_deadline_for(notice: Notice, issue_date: date, calendar=None) -> date | None:
    """The deadline the notice gets if issued on `issue_date`."""
    if notice.fixed_deadline is not None:
        return notice.fixed_deadline
    if notice.time_limit_days and 1 <= notice.time_limit_days <= MAX_DAYS:  # no walk of a million days
        calendar = calendar or load_calendar(issue_date)
        return add_working_days(issue_date, notice.time_limit_days, calendar)
    return None
