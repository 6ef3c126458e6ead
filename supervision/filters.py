"""List filters shared by a page and its export, so that both show the same rows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Date, Select, String, bindparam, or_

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


def filter_findings(base: Select, args: dict, *, bound: bool = False) -> Select:
    """The findings list's filters (also used by the 督察问题台账 export, so both show the same rows).

    With `bound`, the values are bound parameters (finding_filter_values gives them) and the
    statement suits one built once for every such set of filters (finding_filter_shape)."""
    unit, severity, category, status, keyword, year = finding_filter_shape(args)

    def value(name: str):
        return bindparam(name) if bound else args.get(name)

    if unit:
        base = base.where(Finding.unit_id == value("unit"))
    if severity:
        base = base.where(Finding.severity == value("severity"))
    if category:
        base = base.where(Finding.category == value("category"))
    if status == COUNTED:
        base = counted_findings(base)
    elif status:
        base = base.where(Finding.status == value("status"))
    if keyword:
        pattern = bindparam("q_pattern", type_=String) if bound else like_pattern(args["q"])
        columns = (Finding.description, Finding.legal_basis)
        base = base.where(or_(*(c.like(pattern, escape=LIKE_ESCAPE) for c in columns)))
    if year:  # found in that year (the dashboard links here)
        first = bindparam("year_first", type_=Date) if bound else date(args["year"], 1, 1)
        after = bindparam("year_after", type_=Date) if bound else date(args["year"] + 1, 1, 1)
        base = base.where(Finding.found_on >= first, Finding.found_on < after)
    return base


def finding_filter_shape(args: dict) -> tuple:
    """Which of the findings filters are set (the status: COUNTED, a status, or none)."""
    status = args.get("status")
    return (
        bool(args.get("unit")),
        args.get("severity") in SEVERITIES,
        bool(args.get("category")),
        COUNTED if status == COUNTED else bool(status in MACHINES["finding"].statuses),
        bool(args.get("q")),
        bool(args.get("year")),
    )


def finding_filter_values(args: dict) -> dict:
    """The values of filter_findings(..., bound=True)."""
    year = args.get("year")
    return {
        "unit": args.get("unit"),
        "severity": args.get("severity"),
        "category": args.get("category"),
        "status": args.get("status"),
        "q_pattern": like_pattern(args["q"]) if args.get("q") else None,
        "year_first": date(year, 1, 1) if year else None,
        "year_after": date(year + 1, 1, 1) if year else None,
    }
