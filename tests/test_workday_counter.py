"""The running-count working-day counter gives exactly what the day-by-day walk gives."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from supervision.calendar import WorkdayCounter, calendar_from_rows, working_days_between

# 国庆 2025 with its 调休 Saturdays/Sundays (9-28 and 10-11 worked), plus a holiday in 2026.
ROWS = [(date(2025, 10, d), False) for d in range(1, 9)] + [
    (date(2025, 9, 28), True),
    (date(2025, 10, 11), True),
    (date(2026, 1, 1), False),
]
CALENDAR = calendar_from_rows(ROWS)
FIRST, LAST = date(2025, 9, 1), date(2026, 1, 31)
days = st.integers(min_value=0, max_value=(LAST - FIRST).days).map(lambda n: FIRST + timedelta(days=n))


@given(days, days)
def test_counter_equals_the_walk(a, b):
    counter = WorkdayCounter(FIRST, LAST, CALENDAR)
    assert counter.between(a, b) == working_days_between(a, b, CALENDAR)


def test_counter_outside_its_range_falls_back():
    counter = WorkdayCounter(FIRST, LAST, CALENDAR)
    a, b = date(2024, 12, 1), date(2025, 10, 9)
    assert counter.between(a, b) == working_days_between(a, b, CALENDAR)


def test_national_day_week():
    counter = WorkdayCounter(FIRST, LAST, CALENDAR)
    # From 9-30 to 10-10: 10-1…10-8 are off, 10-9 and 10-10 are worked.
    assert counter.between(date(2025, 9, 30), date(2025, 10, 10)) == 2
