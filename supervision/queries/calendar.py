"""The holiday calendar, read: a year's rows and its status (confirmed, from the package, estimated),
for the admin's holiday page and for the services that check a year before changing it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..calendar import package_years
from ..calendar_estimate import FIRST_YEAR, LAST_YEAR
from ..extensions import db
from ..models import CalendarYear, Holiday


def holidays_in_year(year: int) -> list[Holiday]:
    """The year's rows of the holiday table, in date order."""
    return list(
        db.session.scalars(
            select(Holiday)
            .where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
            .order_by(Holiday.day)
        )
    )


@dataclass(frozen=True)
class YearStatus:
    """What the holiday page says about a year."""

    year: int
    confirmation: CalendarYear | None
    from_package: bool
    days: int
    estimated_days: int

    @property
    def covered(self) -> bool:
        return self.confirmation is not None or self.from_package

    @property
    def can_estimate(self) -> bool:
        """Not for the package's years: 从内置数据补充 brings their official days."""
        return not self.covered and self.year not in package_years() and FIRST_YEAR <= self.year <= LAST_YEAR

    @property
    def can_confirm(self) -> bool:
        return not self.covered and self.days > 0


def calendar_year_status(year: int, rows: list[Holiday]) -> YearStatus:
    """The year's status, given its holiday rows (already loaded for the page)."""
    return YearStatus(
        year=year,
        confirmation=db.session.get(CalendarYear, year),
        from_package=year in package_years() and bool(rows),
        days=len(rows),
        estimated_days=sum(1 for h in rows if h.estimated),
    )


def holidays_page(year: int) -> dict:
    """The holiday page's year (within the years the app can estimate), its rows and its status."""
    year = min(max(year, FIRST_YEAR), LAST_YEAR)
    rows = holidays_in_year(year)
    return {"year": year, "rows": rows, "status": calendar_year_status(year, rows)}
