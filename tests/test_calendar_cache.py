"""The holiday calendar kept per process for the pages (calendar.request_calendar), keyed by the audit
events of the holidays and the years: a change shows at once, and every writer of the two tables
writes such an event (a writer that did not would leave the pages counting with the old table).

The calendar is the same for every user (the office's working days), so one entry serves all users.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import event, select

from supervision.audit import changes_stamp
from supervision.calendar import CALENDAR_RECORDS, package_years
from supervision.extensions import db
from supervision.models import Holiday
from supervision.services import calendar as calendar_svc

from .factories import NoticeFactory, UnitFactory


def _weekday_after(day: date, days: int) -> date:
    day += timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _holiday_reads(client, path: str) -> tuple[int, str]:
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        html = client.get(path).get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return sum("FROM holiday" in s for s in statements), html


def _days_left(html: str) -> int:
    return int(re.search(r"剩 (\d+) 个工作日", html).group(1))


def test_the_liaison_home_keeps_the_calendar_and_shows_a_holiday_at_once(client, make_user):
    unit = UnitFactory(name="日历单位")
    liaison = make_user("liaison", unit=unit)
    today = date.today()
    NoticeFactory(
        unit=unit, status="issued", doc_number="海法督〔2026〕901号", deadline=_weekday_after(today, 20)
    )
    client.login_user(liaison)
    reads, html = _holiday_reads(client, "/")
    before = _days_left(html)
    reads, html = _holiday_reads(client, "/")
    assert reads == 0 and _days_left(html) == before  # kept: the table is not read again

    admin = make_user("admin")
    day = _weekday_after(today, 7)
    holiday = calendar_svc.holiday_save(actor=admin, day=day, is_workday=False, name="临时放假")
    reads, html = _holiday_reads(client, "/")
    assert reads >= 1 and _days_left(html) == before - 1  # at once, in the next request

    calendar_svc.holiday_delete(actor=admin, holiday=db.session.get(Holiday, holiday.id))
    db.session.commit()
    assert _days_left(client.get("/").get_data(as_text=True)) == before

    # Another user of another unit gets the same calendar (it is the office's, not the unit's).
    other = make_user("liaison", unit=UnitFactory(name="另一单位"))
    NoticeFactory(
        unit=other.unit, status="issued", doc_number="海法督〔2026〕902号", deadline=_weekday_after(today, 20)
    )
    client.login_user(other)
    reads, html = _holiday_reads(client, "/")
    assert reads == 0 and _days_left(html) == before
    assert "日历单位" not in html


def test_every_writer_of_the_holiday_table_moves_the_calendar_stamp(make_user):
    admin = make_user("admin")

    def moved(write) -> bool:
        stamp = changes_stamp(*CALENDAR_RECORDS)
        write()
        db.session.commit()
        return changes_stamp(*CALENDAR_RECORDS) != stamp

    year = max(package_years())
    assert moved(lambda: calendar_svc.calendar_seed(actor=admin))
    assert moved(lambda: calendar_svc.estimate_upcoming_years(date(year, 12, 1)))
    assert db.session.scalar(select(Holiday.id).where(Holiday.day >= date(year + 1, 1, 1), Holiday.estimated))
    assert moved(
        lambda: calendar_svc.holiday_add_range(
            actor=admin, first=date(year + 1, 3, 3), last=None, name="活动", is_workday=False
        )
    )
    assert moved(lambda: calendar_svc.calendar_year_confirm(actor=admin, year=year + 1))
    assert moved(lambda: calendar_svc.calendar_year_unconfirm(actor=admin, year=year + 1))
    assert moved(lambda: calendar_svc.holidays_estimate(actor=admin, year=year + 2))
