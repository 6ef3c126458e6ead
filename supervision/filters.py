"""List filters shared by a page and its export, so that both show the same rows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, or_

from .models import Finding
from .models.tasks import SEVERITIES
from .workflow import MACHINES

# 发现问题 as every figure counts them (dashboard, annual report, the list and register they link
# to): a finding the lead dismissed (撤销) was found not to be a problem, so it is not counted.
UNCOUNTED_FINDING_STATUSES = ("dismissed",)
# The findings list's status value for exactly the findings the figures count.
COUNTED = "counted"


def counted_findings(query: Select) -> Select:
    """The findings a figure counts (all but the dismissed ones)."""
    return query.where(Finding.status.not_in(UNCOUNTED_FINDING_STATUSES))


def is_counted_finding(status: str) -> bool:
    return status not in UNCOUNTED_FINDING_STATUSES


# The longest text a search or a keyword filter takes (the search box's maxlength): no stored name
# or number is longer, and a page that quotes a 5,000-character query back helps nobody.
SEARCH_MAX_CHARS = 100
LIKE_ESCAPE = "\\"


def like_pattern(text: str, *, anywhere: bool = True) -> str:
    """A LIKE pattern matching `text` literally: a typed % or _ is a character, not a wildcard.

    Use it with `escape=LIKE_ESCAPE`, as `contains` and `starts_with` do.
    """
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
    escaped = escaped.replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%" if anywhere else f"{escaped}%"


def contains(column, text: str) -> ColumnElement[bool]:
    """`column` contains `text` as typed (every keyword filter and search goes through here)."""
    return column.like(like_pattern(text), escape=LIKE_ESCAPE)


def starts_with(column, text: str) -> ColumnElement[bool]:
    return column.like(like_pattern(text, anywhere=False), escape=LIKE_ESCAPE)


def filter_findings(base: Select, args: dict) -> Select:
    """The findings list's filters (also used by the 督察问题台账 export, so both show the same rows)."""
    if args.get("unit"):
        base = base.where(Finding.unit_id == args["unit"])
    if args.get("severity") in SEVERITIES:
        base = base.where(Finding.severity == args["severity"])
    if args.get("category"):
        base = base.where(Finding.category == args["category"])
    if args.get("status") == COUNTED:
        base = counted_findings(base)
    elif args.get("status") in MACHINES["finding"].statuses:
        base = base.where(Finding.status == args["status"])
    if args.get("q"):
        q = args["q"]
        base = base.where(or_(contains(Finding.description, q), contains(Finding.legal_basis, q)))
    if args.get("year"):  # found in that year (the dashboard links here)
        base = base.where(
            Finding.found_on >= date(args["year"], 1, 1), Finding.found_on < date(args["year"] + 1, 1, 1)
        )
    return base
