"""Search across what the viewer may see: document and case numbers, units, keywords."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import or_
from sqlalchemy.orm import joinedload

from ..extensions import db
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

bp = Blueprint("search", __name__, url_prefix="/search")

LIMIT = 20


def search_all(user, q: str) -> dict[str, list]:
    """Each kind of record, from the viewer's scoped query, at most LIMIT hits each (five queries)."""
    like = f"%{q}%"
    unit_match = units_for_user(user).where(or_(Unit.name.like(like), Unit.short_name.like(like)))
    unit_ids = unit_match.with_only_columns(Unit.id)
    results: dict[str, list] = {}
    results["notices"] = db.session.scalars(
        notices_for_user(user)
        .options(joinedload(Notice.unit), joinedload(Notice.kind))
        .where(or_(Notice.doc_number.like(like), Notice.title.like(like), Notice.unit_id.in_(unit_ids)))
        .order_by(Notice.updated_at.desc(), Notice.id.desc())
        .limit(LIMIT)
    ).all()
    results["case_files"] = db.session.scalars(
        case_files_for_user(user)
        .options(joinedload(CaseFile.unit))
        .where(
            or_(CaseFile.case_number.like(like), CaseFile.title.like(like), CaseFile.unit_id.in_(unit_ids))
        )
        .order_by(CaseFile.id.desc())
        .limit(LIMIT)
    ).all()
    results["tasks"] = db.session.scalars(
        tasks_for_user(user)
        .where(
            or_(
                SupervisionTask.title.like(like),
                SupervisionTask.code.like(like),
                SupervisionTask.basis.like(like),
            )
        )
        .order_by(SupervisionTask.id.desc())
        .limit(LIMIT)
    ).all()
    results["findings"] = db.session.scalars(
        findings_for_user(user)
        .options(joinedload(Finding.unit), joinedload(Finding.task))
        .where(
            or_(Finding.description.like(like), Finding.legal_basis.like(like), Finding.unit_id.in_(unit_ids))
        )
        .order_by(Finding.found_on.desc(), Finding.id.desc())
        .limit(LIMIT)
    ).all()
    results["units"] = (
        db.session.scalars(unit_match.order_by(Unit.kind, Unit.id).limit(LIMIT)).all()
        if can(user, "reference.read")
        else []
    )
    return results


@bp.route("/")
@require("search.use")
def index():
    q = request.args.get("q", "").strip()[:100]
    results = search_all(current_user, q) if len(q) >= 1 else None
    total = sum(len(v) for v in results.values()) if results else 0
    return render_template("search/index.html", q=q, results=results, total=total, limit=LIMIT)
