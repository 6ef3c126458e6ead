"""Working-day arithmetic (pure), the holiday seed, and document numbering (incl. concurrency on PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from supervision.calendar import (
    WorkCalendar,
    add_working_days,
    calendar_from_rows,
    load_calendar,
    package_days,
    working_days_between,
)
from supervision.extensions import db
from supervision.models import DocCounter, Holiday
from supervision.numbering import format_number, next_number

from .conftest import is_postgres

PACKAGE = calendar_from_rows((day, is_workday) for day, is_workday, _name in package_days())
EMPTY = WorkCalendar()


# --- pure working-day arithmetic ------------------------------------------------------------


def test_national_day_2025_with_adjusted_working_days():
    # 2025: 10月1日–8日 off; Sunday 28 September and Saturday 11 October are working days (调休).
    assert PACKAGE.is_workday(date(2025, 9, 28)) and PACKAGE.is_workday(date(2025, 10, 11))
    assert not any(PACKAGE.is_workday(date(2025, 10, d)) for d in range(1, 9))
    # From Friday 26 September: Sun 28 (调休), Mon 29, Tue 30, then Thu 9, Fri 10, Sat 11 (调休).
    assert add_working_days(date(2025, 9, 26), 1, PACKAGE) == date(2025, 9, 28)
    assert add_working_days(date(2025, 9, 26), 3, PACKAGE) == date(2025, 9, 30)
    assert add_working_days(date(2025, 9, 26), 4, PACKAGE) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 26), 6, PACKAGE) == date(2025, 10, 11)
    assert add_working_days(date(2025, 9, 26), 7, PACKAGE) == date(2025, 10, 13)
    # Counting weekends only would be badly wrong across the holiday.
    assert add_working_days(date(2025, 9, 26), 4, EMPTY) == date(2025, 10, 2)


def test_national_day_2026_with_adjusted_working_days():
    # 2026: 10月1日–7日 off; Sunday 20 September and Saturday 10 October are working days.
    assert PACKAGE.is_workday(date(2026, 9, 20)) and PACKAGE.is_workday(date(2026, 10, 10))
    assert not PACKAGE.is_workday(date(2026, 10, 7))
    assert PACKAGE.is_workday(date(2026, 10, 8))
    # From Wednesday 30 September, 15 working days: 8, 9, 10(Sat), 12–16, 19–23, 26, 27 October.
    assert add_working_days(date(2026, 9, 30), 15, PACKAGE) == date(2026, 10, 27)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 27), PACKAGE) == 15


def test_working_days_between_is_signed_and_zero_on_the_day():
    cal = PACKAGE
    assert working_days_between(date(2025, 9, 30), date(2025, 9, 30), cal) == 0
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9), cal) == 1
    assert working_days_between(date(2025, 10, 9), date(2025, 9, 30), cal) == -1
    # Overdue across the holiday: 5 working days from Tue 30 Sep 2025 to Tue 14 Oct (9, 10, 11, 13, 14).
    assert working_days_between(date(2025, 10, 14), date(2025, 9, 30), cal) == -5


@pytest.mark.parametrize("n", [0, 1, 5, 15, 30, 61])
def test_add_and_between_agree(n):
    for start in (date(2025, 9, 26), date(2026, 1, 30), date(2026, 9, 18)):
        end = add_working_days(start, n, PACKAGE)
        assert working_days_between(start, end, PACKAGE) == n
        assert n == 0 or PACKAGE.is_workday(end)


def test_year_without_calendar_counts_weekends_only():
    cal = calendar_from_rows([(date(2026, 10, 1), False)])
    assert cal.covers(2026) and not cal.covers(2030)
    assert cal.uncovered_years(date(2026, 5, 1), date(2030, 10, 1)) == [2030]
    # 1 October 2030 is a Tuesday: a working day, since 2030 has no holiday table.
    assert cal.is_workday(date(2030, 10, 1))
    assert add_working_days(date(2030, 9, 27), 1, cal) == date(2030, 9, 30)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 1), -1, EMPTY)


# --- the holiday table ------------------------------------------------------------------------


def test_seed_calendar_is_idempotent_and_keeps_edits(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "calendar"])
    assert first.exit_code == 0 and "新增" in first.output
    count = db.session.scalar(select(func.count(Holiday.id)))
    assert count > 500
    edited = db.session.scalar(select(Holiday).where(Holiday.day == date(2026, 10, 7)))
    edited.name = "国庆节（本单位另行安排）"
    db.session.commit()
    second = runner.invoke(args=["seed", "calendar"])
    assert "已是最新" in second.output
    assert db.session.scalar(select(func.count(Holiday.id))) == count
    assert db.session.get(Holiday, edited.id).name == "国庆节（本单位另行安排）"
    cal = load_calendar(date(2026, 10, 1))
    assert cal.covers(2026) and not cal.is_workday(date(2026, 10, 1)) and cal.is_workday(date(2026, 10, 10))
    assert db.session.scalar(select(Holiday.name).where(Holiday.day == date(2025, 9, 28))) == "国庆节调休"


# --- numbering --------------------------------------------------------------------------------


def test_number_format():
    assert format_number("海法督", 2026, 3) == "海法督〔2026〕3号"
    assert format_number("海法督", 2026, 12) == "海法督〔2026〕12号"


def test_series_per_prefix_and_year():
    assert [next_number("海法督", 2026) for _ in range(3)] == [1, 2, 3]
    assert next_number("海法督", 2027) == 1
    assert next_number("海法整改", 2026) == 1
    db.session.commit()
    assert (
        db.session.scalar(
            select(DocCounter.last).where(DocCounter.prefix == "海法督", DocCounter.year == 2026)
        )
        == 3
    )


def test_rolled_back_issue_leaves_no_gap():
    assert next_number("海法督", 2026) == 1
    db.session.commit()
    assert next_number("海法督", 2026) == 2
    db.session.rollback()
    assert next_number("海法督", 2026) == 2


@pytest.mark.postgres
def test_twenty_concurrent_issuers_get_one_to_twenty(app):
    if not is_postgres():
        pytest.skip("concurrency of numbering is tested on PostgreSQL")
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(20, timeout=60)

    def issue() -> None:
        try:
            with app.app_context():
                barrier.wait()
                n = next_number("海法督", 2026)
                results.append(n)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=issue) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == list(range(1, 21))
