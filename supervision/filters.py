"""List filters shared by a page and its export, so that both show the same rows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, or_

from .models import Finding
from .models.tasks import SEVERITIES
from .workflow import MACHINES


def filter_findings(base: Select, args: dict) -> Select:
    """The findings list's filters (also used by the 督察问题台账 export, so both show the same rows)."""
    if args.get("unit"):
        base = base.where(Finding.unit_id == args["unit"])
    if args.get("severity") in SEVERITIES:
        base = base.where(Finding.severity == args["severity"])
    if args.get("category"):
        base = base.where(Finding.category == args["category"])
    if args.get("status") in MACHINES["finding"].statuses:
        base = base.where(Finding.status == args["status"])
    if args.get("q"):
        like = f"%{args['q']}%"
        base = base.where(or_(Finding.description.like(like), Finding.legal_basis.like(like)))
    if args.get("year"):  # found in that year (the dashboard links here)
        base = base.where(
            Finding.found_on >= date(args["year"], 1, 1), Finding.found_on < date(args["year"] + 1, 1, 1)
        )
    return base
