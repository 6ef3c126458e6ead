"""Search across what the viewer may see: document and case numbers, units, keywords."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..filters import SEARCH_MAX_CHARS
from ..models import CaseFile, Finding, Notice, SupervisionTask, Unit
from ..permissions import (
    can,
    case_files_for_user,
    findings_for_user,
    notices_for_user,
    require,
    tasks_for_user,
    units_for_user,
)
from ..search import rank, ranked, searched

bp = Blueprint("search", __name__, url_prefix="/search")

LIMIT = 20
SEARCHED_ATTRIBUTES = {
    "notices": ("doc_number", "title"),
    "case_files": ("case_number", "title"),
    "tasks": ("title", "code", "basis"),
    "findings": ("description", "legal_basis"),
    "units": ("name", "short_name"),
}


def search_all(user, q: str) -> dict[str, list]:
    """Each kind of record, from the viewer's scoped query, at most LIMIT hits each (five queries),
    found through the search index (supervision/search.py) and ranked: exact matches first."""
    unit_match = units_for_user(user).where(searched("unit", Unit.id, q, Unit.name, Unit.short_name))
    unit_ids = unit_match.with_only_columns(Unit.id)
    results: dict[str, list] = {}
    notice_columns = (Notice.doc_number, Notice.title)
    results["notices"] = db.session.scalars(
        notices_for_user(user)
        .options(joinedload(Notice.unit), joinedload(Notice.kind))
        .where(or_(searched("notice", Notice.id, q, *notice_columns), Notice.unit_id.in_(unit_ids)))
        .order_by(*rank(q, *notice_columns), Notice.updated_at.desc(), Notice.id.desc())
        .limit(LIMIT)
    ).all()
    case_columns = (CaseFile.case_number, CaseFile.title)
    results["case_files"] = db.session.scalars(
        case_files_for_user(user)
        .options(joinedload(CaseFile.unit))
        .where(or_(searched("case_file", CaseFile.id, q, *case_columns), CaseFile.unit_id.in_(unit_ids)))
        .order_by(*rank(q, *case_columns), CaseFile.id.desc())
        .limit(LIMIT)
    ).all()
    task_columns = (SupervisionTask.title, SupervisionTask.code, SupervisionTask.basis)
    results["tasks"] = db.session.scalars(
        tasks_for_user(user)
        .where(searched("task", SupervisionTask.id, q, *task_columns))
        .order_by(*rank(q, *task_columns), SupervisionTask.id.desc())
        .limit(LIMIT)
    ).all()
    finding_columns = (Finding.description, Finding.legal_basis)
    results["findings"] = db.session.scalars(
        findings_for_user(user)
        .options(joinedload(Finding.unit))
        .where(or_(searched("finding", Finding.id, q, *finding_columns), Finding.unit_id.in_(unit_ids)))
        .order_by(*rank(q, *finding_columns), Finding.found_on.desc(), Finding.id.desc())
        .limit(LIMIT)
    ).all()
    results["units"] = (
        db.session.scalars(
            unit_match.order_by(*rank(q, Unit.name, Unit.short_name), Unit.kind, Unit.id).limit(LIMIT)
        ).all()
        if can(user, "reference.read")
        else []
    )
    # A 1-2 character query was ordered in each list's own order: exact matches first among its rows.
    for kind, attributes in SEARCHED_ATTRIBUTES.items():
        results[kind] = ranked(q, results[kind], *attributes)
    return results


@bp.route("/")
@require("search.use")
def index():
    q = request.args.get("q", "").strip()
    if len(q) > SEARCH_MAX_CHARS:
        # Refused, not cut: a cut query would find things the user did not ask for.
        message = _("搜索内容过长：最多 %(n)s 个字，请缩短后再搜索。", n=SEARCH_MAX_CHARS)
        page = render_template(
            "search/index.html", q=q[:SEARCH_MAX_CHARS], results=None, total=0, limit=LIMIT, error=message
        )
        return page, 400
    results = search_all(current_user, q) if q else None
    total = sum(len(v) for v in results.values()) if results else 0
    return render_template("search/index.html", q=q, results=results, total=total, limit=LIMIT)
