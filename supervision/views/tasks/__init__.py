"""Supervision tasks and their findings: one blueprint, a module per screen family."""

from flask import Blueprint, request

from ...parsing import id_arg, year_arg

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

READ = ("tasks.read_all", "tasks.read_assigned")
FINDINGS_READ = ("findings.read_all", "tasks.read_assigned")


def finding_filter_args() -> dict:
    """The findings filters from the query string (the task page, the findings list, the register)."""
    return {
        "unit": id_arg("unit"),
        "severity": request.args.get("severity", ""),
        "category": request.args.get("category", ""),
        "status": request.args.get("status", ""),
        "q": request.args.get("q", "").strip(),
        "year": year_arg(),
    }


from . import categories, findings, tasks  # noqa: E402,F401  (routes register on bp)
