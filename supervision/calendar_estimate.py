"""An estimate (预估) of a year's statutory holidays, for a year whose official notice is not in yet.

The 国务院办公厅 publishes each year's arrangement in the autumn before; until then deadlines that run
into the next year would count weekends only. The estimate follows the pattern of the notices for
2025 and 2026 (the 2024 revision of 全国年节及纪念日放假办法: 春节 4 statutory days including 除夕,
劳动节 2), as the days off the notices actually gave:

- 元旦, 清明节, 端午节, 中秋节: the day itself; on a Saturday or Sunday the following Monday (补休);
- 春节: 除夕 to 正月初七, 8 days (2025: 1月28日–2月4日; 2026 began on the Sunday before 除夕);
- 劳动节: 5月1日–5日; 国庆节: 10月1日–7日, to 8日 when 中秋 falls inside (2025).

调休 working days are not estimated: which weekend days are worked is a choice each notice makes.
So the estimate errs towards later deadlines, never inside a holiday week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# lunar-python's tables; outside them there is nothing sensible to estimate
FIRST_YEAR, LAST_YEAR = 1901, 2099


@dataclass(frozen=True)
class EstimatedDay:
    day: date
    name: str


def _span(first: date, days: int, name: str) -> list[EstimatedDay]:
    return [EstimatedDay(first + timedelta(days=k), name) for k in range(days)]


def _one_day(day: date, name: str) -> list[EstimatedDay]:
    """The festival; when it falls on a weekend, the Monday after is given as 补休."""
    if day.weekday() >= 5:
        return [EstimatedDay(day, name), EstimatedDay(day + timedelta(days=7 - day.weekday()), name)]
    return [EstimatedDay(day, name)]


def lunar_dates(year: int) -> dict[str, date]:
    """正月初一, 五月初五, 八月十五 and the solar term 清明 of this year, as Gregorian dates."""
    from lunar_python import Lunar

    def solar(month: int, day: int) -> date:
        s = Lunar.fromYmd(year, month, day).getSolar()
        return date(s.getYear(), s.getMonth(), s.getDay())

    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return {
        "春节": solar(1, 1),
        "端午节": solar(5, 5),
        "中秋节": solar(8, 15),
        "清明节": date(qingming.getYear(), qingming.getMonth(), qingming.getDay()),
    }


def estimate_holidays(year: int) -> list[EstimatedDay]:
    """The days off of this year's statutory holidays, estimated; sorted, one entry per date."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"no estimate for {year}")
    lunar = lunar_dates(year)
    days = _one_day(date(year, 1, 1), "元旦")
    days += _span(lunar["春节"] - timedelta(days=1), 8, "春节")
    days += _one_day(lunar["清明节"], "清明节")
    days += _span(date(year, 5, 1), 5, "劳动节")
    days += _one_day(lunar["端午节"], "端午节")
    national_day = date(year, 10, 1)
    if national_day <= lunar["中秋节"] < national_day + timedelta(days=7):
        days += _span(national_day, 8, "国庆节、中秋节")
    else:
        days += _one_day(lunar["中秋节"], "中秋节")
        days += _span(national_day, 7, "国庆节")
    first = {}
    for d in days:  # the first name wins where two would overlap
        first.setdefault(d.day, d)
    return sorted(first.values(), key=lambda d: d.day)
