"""Search across what the viewer may see: each kind of record from its scoped query, found through the
search index (supervision/search.py) and ranked."""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import CaseFile, Finding, Notice, SupervisionTask, Unit
from ..permissions import (
    can,
    case_files_for_user,
    findings_for_user,
    notices_for_user,
    tasks_for_user,
    units_for_user,
)
from ..search import INDEXED, bound_rank, has_hits, hit_values, matches, mode, ranked, values
from ..statements import statement
from ..statements import values as statement_values

LIMIT = 20
SEARCHED_ATTRIBUTES = {
    "notices": ("doc_number", "title"),
    "case_files": ("case_number", "title"),
    "tasks": ("title", "code", "basis"),
    "findings": ("description", "legal_basis"),
    "units": ("name", "short_name"),
}


def _unit_ids(asker, how: str):
    """The ids of the units the viewer may see whose names match (a subquery of each list)."""
    return (
        units_for_user(asker)
        .where(matches("unit", Unit.id, how, Unit.name, Unit.short_name))
        .with_only_columns(Unit.id)
    )


def _notices(how: str):
    def build(asker):
        columns = (Notice.doc_number, Notice.title)
        return (
            notices_for_user(asker)
            .options(joinedload(Notice.unit), joinedload(Notice.kind))
            .where(
                or_(matches("notice", Notice.id, how, *columns), Notice.unit_id.in_(_unit_ids(asker, how)))
            )
            .order_by(*bound_rank(how, *columns), Notice.updated_at.desc(), Notice.id.desc())
            .limit(LIMIT)
        )

    return build


def _case_files(how: str):
    def build(asker):
        columns = (CaseFile.case_number, CaseFile.title)
        return (
            case_files_for_user(asker)
            .options(joinedload(CaseFile.unit))
            .where(
                or_(
                    matches("case_file", CaseFile.id, how, *columns),
                    CaseFile.unit_id.in_(_unit_ids(asker, how)),
                )
            )
            .order_by(*bound_rank(how, *columns), CaseFile.id.desc())
            .limit(LIMIT)
        )

    return build


def _tasks(how: str):
    def build(asker):
        columns = (SupervisionTask.title, SupervisionTask.code, SupervisionTask.basis)
        return (
            tasks_for_user(asker)
            .where(matches("task", SupervisionTask.id, how, *columns))
            .order_by(*bound_rank(how, *columns), SupervisionTask.id.desc())
            .limit(LIMIT)
        )

    return build


def _findings(how: str):
    def build(asker):
        columns = (Finding.description, Finding.legal_basis)
        return (
            findings_for_user(asker)
            .options(joinedload(Finding.unit))
            .where(
                or_(matches("finding", Finding.id, how, *columns), Finding.unit_id.in_(_unit_ids(asker, how)))
            )
            .order_by(*bound_rank(how, *columns), Finding.found_on.desc(), Finding.id.desc())
            .limit(LIMIT)
        )

    return build


def _units(how: str):
    def build(asker):
        columns = (Unit.name, Unit.short_name)
        return (
            units_for_user(asker)
            .where(matches("unit", Unit.id, how, *columns))
            .order_by(*bound_rank(how, *columns), Unit.kind, Unit.id)
            .limit(LIMIT)
        )

    return build


# result list -> (its statement's builder, the FTS kinds whose hits can find its records)
LISTS = {
    "notices": (_notices, ("notice", "unit")),
    "case_files": (_case_files, ("case_file", "unit")),
    "tasks": (_tasks, ("task",)),
    "findings": (_findings, ("finding", "unit")),
    "units": (_units, ("unit",)),
}


def search_all(user, q: str) -> dict[str, list]:
    """Each kind of record, from the viewer's scoped query, at most LIMIT hits each (five queries),
    found through the search index (supervision/search.py) and ranked: exact matches first.

    Each list's statement is built once per shape of user and search mode (supervision/statements.py)
    with the text bound. On SQLite a 3+ character query reads the FTS table once for every kind
    (`hit_values`) and a list that no hit can reach is not queried."""
    how = mode(q)
    params = values(q)
    hits = None
    if how == INDEXED:
        hits = hit_values(q)
        params.update(hits)
    results: dict[str, list] = {}
    for kind, (builder, found_by) in LISTS.items():
        if kind == "units" and not can(user, "reference.read"):
            results[kind] = []
            continue
        if hits is not None and not any(has_hits(hits, k) for k in found_by):
            results[kind] = []
            continue
        stmt = statement(("search", kind, how), user, builder(how))
        found = db.session.scalars(stmt, statement_values(user, **params)).all()
        # A 1-2 character query was ordered in the list's own order: exact matches first among its rows.
        results[kind] = ranked(q, found, *SEARCHED_ATTRIBUTES[kind])
    return results
