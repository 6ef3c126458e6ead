"""Working days (工作日): pure arithmetic over a holiday table with 调休 working days.

The table is given as input (`WorkCalendar`), so the rules are tested without a database.
For a year the table does not cover, only weekends are days off, and callers say so on the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import MAXYEAR, MINYEAR, date, timedelta
from functools import cache


@dataclass(frozen=True)
class WorkCalendar:
    # date → True for an adjusted working day (调休), False for a day off (holiday)
    days: Mapping[date, bool] = field(default_factory=dict)
    # years the holiday table covers; other years count weekends only
    years: frozenset[int] = frozenset()
    # uncovered years whose table holds the app's estimate (预估) of the statutory holidays
    estimated_years: frozenset[int] = frozenset()

    def covers(self, year: int) -> bool:
        return year in self.years

    def estimated(self, year: int) -> bool:
        """Not covered, but counted with estimated statutory holidays rather than weekends only."""
        return year not in self.years and year in self.estimated_years

    def is_workday(self, day: date) -> bool:
        if day in self.days:
            return self.days[day]
        return day.weekday() < 5

    def uncovered_years(self, *days: date | None) -> list[int]:
        """The years among these dates that the calendar does not cover (weekends-only counting)."""
        return sorted({d.year for d in days if d is not None and d.year not in self.years})


def add_working_days(start: date, n: int, calendar: WorkCalendar) -> date:
    """The n-th working day after `start` (start itself not counted); n = 0 gives start."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    remaining = n
    while remaining > 0:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, calendar: WorkCalendar) -> int:
    """Working days d with start < d <= end; negative (the days in end < d <= start) if end is earlier.

    So `working_days_between(today, deadline)` is the working days left (0 on the deadline day),
    and a negative number counts the working days overdue. Counted by arithmetic over weeks plus the
    calendar's exceptions, not day by day: a stored deadline of 9999-12-31 costs no more than any other.
    """
    if end == start:
        return 0
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count = _weekdays_through(end) - _weekdays_through(start)
    for day, is_workday in calendar.days.items():
        if start < day <= end and is_workday != (day.weekday() < 5):
            count += 1 if is_workday else -1
    return sign * count


def _weekdays_through(day: date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) to `day` inclusive."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


class WorkdayCounter:
    """working_days_between for many date pairs in a known range: O(1) each after one pass.

    Holds the running count of working days from `first` to every day up to `last`, so that a
    year of notices is counted with one walk over the year instead of one walk per notice.
    """

    def __init__(self, first: date, last: date, calendar: WorkCalendar):
        self.first, self.last, self.calendar = first, last, calendar
        self._running = [0]
        day = first
        while day < last:
            day += timedelta(days=1)
            self._running.append(self._running[-1] + (1 if calendar.is_workday(day) else 0))

    def between(self, start: date, end: date) -> int:
        """The same value as working_days_between(start, end, calendar)."""
        if not (self.first <= start <= self.last and self.first <= end <= self.last):
            return working_days_between(start, end, self.calendar)
        return self._running[(end - self.first).days] - self._running[(start - self.first).days]


def calendar_from_rows(
    rows: Iterable[tuple[date, bool]],
    years: Iterable[int] | None = None,
    estimated_years: Iterable[int] = (),
) -> WorkCalendar:
    """The calendar of these rows; covering the given years, or (None) every year with a row."""
    days = {day: bool(is_workday) for day, is_workday in rows}
    covered = frozenset(d.year for d in days) if years is None else frozenset(years)
    return WorkCalendar(days=days, years=covered, estimated_years=frozenset(estimated_years))


def load_calendar(*days: date | None, margin_years: int = 1) -> WorkCalendar:
    """One query: the holiday rows for the years around the given dates."""
    from sqlalchemy import Date, bindparam, select

    from .extensions import db
    from .models import Holiday

    known = [d for d in days if d is not None] or [date.today()]
    # Clamped to the years a date can have: a stored deadline of 9999-12-31 must not break a page.
    first = date(max(MINYEAR, min(d.year for d in known) - margin_years), 1, 1)
    last = date(min(MAXYEAR, max(d.year for d in known) + margin_years), 12, 31)
    from . import statements

    def build():
        return select(Holiday.day, Holiday.is_workday).where(
            Holiday.day >= bindparam("first", type_=Date), Holiday.day <= bindparam("last", type_=Date)
        )

    rows = db.session.execute(statements.once("holidays", build), {"first": first, "last": last}).all()
    return calendar_with_coverage(rows, first.year, last.year)


def request_calendar(*days: date | None) -> WorkCalendar:
    """load_calendar(*days) for a page: the calendar of the years around these dates, read once per
    change of the calendar (and once per request: the liaison's home counts the same deadlines in two
    panels). Kept per process until an audit event of the holidays or the years moves its stamp:
    every write of the two tables is audited (services/calendar.py, tests/test_calendar_cache.py)."""
    from .audit import changes_stamp, engine_key
    from .cache import derived
    from .extensions import db
    from .request_memo import per_request

    known = [d for d in days if d is not None] or [date.today()]
    first, last = min(d.year for d in known) - 1, max(d.year for d in known) + 1
    loaded: list = per_request("calendars", list)
    for (lo, hi), calendar in loaded:
        if lo <= first and last <= hi:
            return calendar
    calendar = derived(
        ("calendar", engine_key(db.engine), first, last, changes_stamp(*CALENDAR_RECORDS)),
        lambda: load_calendar(*known),
    )
    loaded.append(((first, last), calendar))
    return calendar


# The record types of the audit events that a change of the holiday table or of a year's
# confirmation writes (services/calendar.py): the stamp of a kept calendar.
CALENDAR_RECORDS = ("holiday", "calendar_year")


# --- seeding from the chinese-calendar package ----------------------------------------------

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def package_days() -> list[tuple[date, bool, str]]:
    """(date, is_workday, name) for every holiday and 调休 day the chinese-calendar package knows."""
    from chinese_calendar import constants

    rows = []
    for day, name in constants.holidays.items():
        rows.append((day, False, HOLIDAY_NAMES.get(str(name), str(name))))
    for day, name in constants.workdays.items():
        rows.append((day, True, HOLIDAY_NAMES.get(str(name), str(name)) + "调休"))
    return sorted(rows)


# --- which years are covered: confirmed by the admin, or from the package's data ----------------


@cache
def package_years() -> frozenset[int]:
    """The years the chinese-calendar package has the official holiday arrangements for (the
    installed package's data: read once per process, every list of deadlines asks)."""
    from chinese_calendar import constants

    return frozenset(day.year for day in constants.holidays)


def calendar_with_coverage(
    rows: Iterable[tuple[date, bool]], first_year: int, last_year: int
) -> WorkCalendar:
    """The calendar of these rows, covering the confirmed years and the package's years that have rows.

    One entered day no longer covers a year: until the admin confirms it (`CalendarYear`), its deadlines
    carry the warning, whether they are counted with estimated holidays (预估) or weekends only.
    """
    from sqlalchemy import Date, Integer, bindparam, extract, literal, select, union_all

    from .extensions import db
    from .models import CalendarYear, Holiday

    rows = list(rows)
    from . import statements

    def build():
        year_of_day = extract("year", Holiday.day)
        first, last = bindparam("first_year", type_=Integer), bindparam("last_year", type_=Integer)
        return union_all(
            select(CalendarYear.year, literal(True)).where(CalendarYear.year.between(first, last)),
            select(year_of_day, literal(False))
            .where(
                Holiday.estimated,
                Holiday.day.between(bindparam("first_day", type_=Date), bindparam("last_day", type_=Date)),
            )
            .distinct(),
        )

    statuses = db.session.execute(
        statements.once("calendar_coverage", build),
        {
            "first_year": first_year,
            "last_year": last_year,
            "first_day": date(first_year, 1, 1),
            "last_day": date(last_year, 12, 31),
        },
    ).all()
    confirmed = {int(year) for year, is_confirmed in statuses if is_confirmed}
    estimated = {int(year) for year, is_confirmed in statuses if not is_confirmed}
    from_package = package_years() & {day.year for day, _is_workday in rows}
    return calendar_from_rows(rows, years=confirmed | from_package, estimated_years=estimated)
