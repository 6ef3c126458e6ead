"""Search across what the viewer may see: each kind of record from its scoped query, found through the
search index (supervision/search.py) and ranked, all five lists in ONE statement.

The statement is built once per shape of user and search mode (supervision/statements.py) with the
text bound. It matches the units once (a CTE, scoped by `units_for_user`) for every list that finds
records by their unit, and returns each list as one JSON array of its hits (`search.json_rows`): no
ORM objects, and one round trip instead of five.

A 3+ character query ranks a list's hits (exact, then starts with, then contains: `bound_rank`) over
all of them. Only a record's own text can rank it before "contains", so each list is the union of two
short scans: its text matches ranked (the index answers them), and its unit matches in the list's own
order; LIMIT of each is enough (a unit match outside the first LIMIT of its own order has LIMIT
records of at most its rank before it), and a record found both ways keeps its first, ranked, copy.
A rare 2-character text on SQLite (BIGRAM, its pair index) is the same union unranked: its text
matches and its unit matches, each the first LIMIT in the list's own order, merged in that order;
any other 1-2 character query keeps one scan in the list's own order, stopping at LIMIT rows. The
rows of both are ranked in Python (`ranked`).

On PostgreSQL a list's unit matches are read one of three ways, by how many units match (`_list_rows`):
few, unit by unit; many, in the list's order; and for an asker who sees only some of a wide list
(an inspector's findings), some, all at once through the unit index."""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Integer, func, literal_column, or_, select, true, union_all
from sqlalchemy.sql import ColumnElement, Select

from ..extensions import db
from ..models import CaseFile, Finding, Notice, NoticeKind, SupervisionTask, Unit
from ..permissions import (
    among,
    can,
    case_files_for_user,
    findings_for_user,
    notices_for_user,
    tasks_for_user,
    units_for_user,
)
from ..read_commits import ONLY_READS
from ..search import (
    BIGRAM,
    FEW_HOLD,
    FEW_UNITS,
    LIST_HITS,
    MODERATE_UNITS,
    SHORT,
    SHORT_MODES,
    SOME_HOLD,
    TRIGRAM_LIKE,
    bound_rank,
    fenced,
    fts_found,
    fts_values,
    json_rows,
    matches,
    mode,
    pair_plan,
    ranked,
    uses_hits,
    values,
)
from ..statements import statement
from ..statements import values as statement_values

LIMIT = LIST_HITS

# One hit of each list: what the page shows of it, and the searched columns (`ranked` reads them).
NoticeHit = namedtuple("NoticeHit", "id doc_number title status unit_name kind_name")
CaseFileHit = namedtuple("CaseFileHit", "id case_number title case_type unit_name")
TaskHit = namedtuple("TaskHit", "id code title basis kind period_start status")
FindingHit = namedtuple("FindingHit", "id description legal_basis category found_on status unit_name")
UnitHit = namedtuple("UnitHit", "id name short_name kind")


class _List(NamedTuple):
    kind: str  # its kind in the search index
    model: Any
    scoped: Callable[[Any], Select]  # the permission helper every scan starts from
    searched: tuple[str, ...]
    order: tuple[tuple[str, bool], ...]  # the list's own order: (column, descending)
    shown: tuple[str, ...]  # the hit's columns of the record itself
    names: tuple[tuple[str, Any], ...]  # the hit's names of other records: (foreign key, model)
    by_unit: bool  # also found by its unit's name
    hit: Any
    dates: tuple[int, ...] = ()  # the hit's fields that are dates (ISO text in JSON)
    # An asker who sees some of it sees many (an inspector: every finding without a task, and
    # their tasks'): their records of a moderate number of units are read through the unit index
    # (`_list_rows`). A narrow scope (a reviewer's case files) is read first, as it is.
    wide_scope: bool = False


LISTS = {
    "notices": _List(
        "notice",
        Notice,
        notices_for_user,
        ("doc_number", "title"),
        (("updated_at", True), ("id", True)),
        ("id", "doc_number", "title", "status"),
        (("unit_id", Unit), ("kind_id", NoticeKind)),
        True,
        NoticeHit,
    ),
    "case_files": _List(
        "case_file",
        CaseFile,
        case_files_for_user,
        ("case_number", "title"),
        (("id", True),),
        ("id", "case_number", "title", "case_type"),
        (("unit_id", Unit),),
        True,
        CaseFileHit,
    ),
    "tasks": _List(
        "task",
        SupervisionTask,
        tasks_for_user,
        ("title", "code", "basis"),
        (("id", True),),
        ("id", "code", "title", "basis", "kind", "period_start", "status"),
        (),
        False,
        TaskHit,
        dates=(5,),
    ),
    "findings": _List(
        "finding",
        Finding,
        findings_for_user,
        ("description", "legal_basis"),
        (("found_on", True), ("id", True)),
        ("id", "description", "legal_basis", "category", "found_on", "status"),
        (("unit_id", Unit),),
        True,
        FindingHit,
        dates=(4,),
        wide_scope=True,
    ),
}
UNIT_COLUMNS = ("id", "name", "short_name", "kind")
SEARCHED_ATTRIBUTES = {name: spec.searched for name, spec in LISTS.items()} | {
    "units": ("name", "short_name")
}


def _limit(n: int) -> ColumnElement[int]:
    """LIMIT n written into the statement, not bound: the limits never change, and each bound one
    is one more value to adapt and send per run (a 3+ character search has ten)."""
    return literal_column(str(int(n)), Integer)


def _order(columns, order) -> list[ColumnElement]:
    return [columns[c].desc() if descending else columns[c] for c, descending in order]


def _columns(spec: _List) -> dict[str, Any]:
    """A scan's columns of the record: what the hit shows, its names' keys, the list's order."""
    names = dict.fromkeys((*spec.shown, *(fk for fk, _m in spec.names), *(c for c, _d in spec.order)))
    return {c: getattr(spec.model, c) for c in names}


def _scan(spec: _List, asker, where, rank: ColumnElement | None, fence: bool = False) -> Select:
    """One scan of the list, scoped: its hits' columns and rank (`r`), in order, at most LIMIT.

    `fence`: all its rows found first, then ordered (`search.fenced`). PostgreSQL fences every
    scan of an asker who sees a few of the list (`_narrow`): it would read the list's order for
    them (a reviewer's 80 case files: the whole of an index of 120,000 assignments, 19 ms from disk)."""
    columns = _columns(spec)
    r = (literal_column("2") if rank is None else rank).label("r")
    found = (
        spec.scoped(asker).where(where).with_only_columns(r, *(col.label(c) for c, col in columns.items()))
    )
    if fence or _narrow(spec, asker):
        rows = found.offset(_limit(0)).subquery("fenced")
        ranks = [] if rank is None else [rows.c.r]
        return select(rows).order_by(*ranks, *_order(rows.c, spec.order)).limit(_limit(LIMIT))
    order = _order(columns, spec.order)
    # by its label: the rank worked out once a row
    return found.order_by(*([] if rank is None else [r]), *order).limit(_limit(LIMIT))


def _per_unit(spec: _List, asker, unit_ids: Select) -> Select:
    """The list's records of the matched units read unit by unit (LATERAL: each unit's newest
    LIMIT through its index), at most LIMIT of them in the list's order."""
    units = unit_ids.subquery("each_unit")
    columns = _columns(spec)
    per = (
        spec.scoped(asker)
        .where(spec.model.unit_id == units.c.id)
        .with_only_columns(literal_column("2").label("r"), *(col.label(c) for c, col in columns.items()))
        .order_by(*_order(columns, spec.order))
        .limit(_limit(LIMIT))
        .lateral("per_unit")
    )
    return (
        select(per)
        .select_from(units)
        .join(per, true())
        .order_by(*_order(per.c, spec.order))
        .limit(_limit(LIMIT))
    )


def _restricted(spec: _List, asker) -> bool:
    """The asker sees some of the list's rows (its permission helper adds a WHERE)."""
    return spec.scoped(asker).whereclause is not None


def _wide_but_restricted(spec: _List, asker) -> bool:
    """The asker sees some of a list found by its units, many of them (`_List.wide_scope`)."""
    return spec.by_unit and spec.wide_scope and _restricted(spec, asker)


def _narrow(spec: _List, asker) -> bool:
    """PostgreSQL: the asker sees a few of the list's rows (their scope is read first)."""
    postgresql = db.engine.dialect.name == "postgresql"
    return postgresql and not spec.wide_scope and _restricted(spec, asker)


def _through_units(spec: _List, asker, unit_ids: Select) -> Select:
    """The list's records of the matched units found all at once through its unit index, then
    sorted (fenced: PostgreSQL would read the list in its order and test each row)."""
    return _scan(spec, asker, among(spec.model.unit_id, unit_ids), None, fence=True)


def _list_rows(
    spec: _List,
    asker,
    how: str,
    unit_ids: Select,
    few: ColumnElement | None = None,
    moderate: ColumnElement | None = None,
    held: str = FEW_HOLD,
) -> ColumnElement:
    """The list's hits as one JSON array (a scalar subquery of the search statement).

    `few` (PostgreSQL, 3+ characters): true when few units match (FEW_UNITS). The unit matches are
    then read unit by unit (`_per_unit`), else in the list's order until LIMIT of them: each way
    is the other's worst case (海曙区 matches one unit, whose records the list's order found only
    by reading all 120,000 findings at province scale; 街道办 matches 3,000). Both are in the
    statement, each gated by `few`, which PostgreSQL tests once before running either.

    `moderate`: true when no more than MODERATE_UNITS units match. An asker who sees some of a
    wide list (`_List.wide_scope`: an inspector's findings) then gets its records of those units
    all at once through the unit index (`unit_id = ANY(ARRAY(…))`, fenced) and sorted: the list's
    order tests the scope and the unit on every row it reads, and may read many before LIMIT of
    them are both (横街第, 399 units at province scale: 33,000 findings, 11.6 ms of PostgreSQL's
    time; through the unit index and the scope's (`permissions.among`) 2.4 ms). Its cost grows with
    the units (3,599: 9.6 ms), the scan's with how rare they are in the scope: past MODERATE_UNITS
    the scan is kept (街道办: 0.2 ms).

    `held` (PostgreSQL, BIGRAM): how many units hold the pair by the statistics (search.pair_plan),
    which chose the same ways in Python: few, unit by unit; some (a wide list only), all at once."""
    model = spec.model
    text = matches(spec.kind, model.id, how, *(getattr(model, c) for c in spec.searched))
    by_unit = model.unit_id.in_(unit_ids) if spec.by_unit else None
    if how in SHORT_MODES:
        scans = [_scan(spec, asker, text if by_unit is None else or_(text, by_unit), None)]
    else:
        rank = next(iter(bound_rank(how, *(getattr(model, c) for c in spec.searched))), None)
        scans = [_scan(spec, asker, text, rank, fenced(how))]
        if moderate is not None and _wide_but_restricted(spec, asker):
            scans += [
                _scan(spec, asker, by_unit, None).where(~moderate),
                _through_units(spec, asker, unit_ids).where(moderate & ~few),
                _per_unit(spec, asker, unit_ids).where(few),
            ]
        elif by_unit is not None and few is not None:
            scans += [
                _scan(spec, asker, by_unit, None).where(~few),
                _per_unit(spec, asker, unit_ids).where(few),
            ]
        elif by_unit is not None and fenced(how):  # `_search` chose this list's way
            few_hold = held == FEW_HOLD
            scans.append((_per_unit if few_hold else _through_units)(spec, asker, unit_ids))
        elif by_unit is not None:
            scans.append(_scan(spec, asker, by_unit, None))
    if len(scans) == 1:
        found = scans[0].subquery("found")
    else:  # each scan in its own subquery: SQLite takes no LIMIT inside a compound select
        found = union_all(*(select(s.subquery(f"scan{i}")) for i, s in enumerate(scans))).subquery("found")
    order = [found.c.r, *_order(found.c, spec.order)]
    hits = select(found).order_by(*order).limit(_limit(LIMIT * len(scans))).subquery("hits")
    row = [hits.c[c] for c in spec.shown]
    row += [select(m.name).where(m.id == hits.c[fk]).scalar_subquery() for fk, m in spec.names]
    return json_rows(row, [hits.c.r, *_order(hits.c, spec.order)]).select_from(hits).scalar_subquery()


def _unit_rows(how: str, units) -> ColumnElement:
    rank = bound_rank(how, units.c.name, units.c.short_name)
    order = [*rank, units.c.kind, units.c.id]
    hits = select(units).order_by(*order).limit(_limit(LIMIT)).subquery("unit_hits")
    order = [
        *bound_rank(how, hits.c.name, hits.c.short_name),
        hits.c.kind,
        hits.c.id,
    ]
    return json_rows([hits.c[c] for c in UNIT_COLUMNS], order).select_from(hits).scalar_subquery()


def _counted(unit_ids: Select, n: int) -> ColumnElement[int]:
    """How many units match, counting n + 1 of them at most: once a statement (a CTE), however
    many of its lists' gates ask (six to nine; each count read the units again, 0.05–0.16 ms)."""
    held = unit_ids.limit(_limit(n + 1)).subquery("held")
    counted = select(func.count().label("n")).select_from(held).cte("held_units")
    return select(counted.c.n).scalar_subquery()


def _search(how: str, indexed: tuple[str, ...] = (), held: str = FEW_HOLD):
    """The statement for a mode. BIGRAM: `indexed`, the kinds whose text the pair index finds
    sooner than the scan, `held`, how many units hold the text (search.pair_plan); a list found
    by its units as well uses the index only when few do, or some do and the list is wide but
    the asker sees only some of it (`_wide_but_restricted`); any other list keeps the scan, as
    does a list not found by its units that the asker sees a few of (`_narrow`)."""
    specs = {spec.kind: spec for spec in LISTS.values()}
    few_units = held == FEW_HOLD

    def build(asker):
        def each(kind: str) -> str:
            if how != BIGRAM:
                return how
            spec = specs.get(kind)
            if spec is not None and not spec.by_unit and _narrow(spec, asker):
                # Its scope is read first: LIKE tests those rows, where the pair index's function
                # would be worked out again on each (an inspector's 14 tasks: 0.6 ms of 3.3). A
                # list found by its units as well keeps the index: as one scan, its units were
                # matched by that function on every unit (60 of them: 0.7 ms).
                return SHORT
            by_units = spec is not None and spec.by_unit
            some = held == SOME_HOLD and by_units and _wide_but_restricted(spec, asker)
            return how if kind in indexed and (few_units or not by_units or some) else SHORT

        matched = (
            units_for_user(asker)
            .where(matches("unit", Unit.id, each("unit"), Unit.name, Unit.short_name))
            .with_only_columns(*(getattr(Unit, c) for c in UNIT_COLUMNS))
        )
        scanned = how in SHORT_MODES or (how == BIGRAM and not few_units)  # each list: its one scan
        if db.engine.dialect.name == "sqlite" or scanned:
            # Matched once for every list: SQLite materializes a CTE that is read more than once, and
            # PostgreSQL hashes it once for a short query's OR (its scan of the units has no index).
            units = matched.cte("matched_unit")
            unit_ids = select(units.c.id)
        else:
            # PostgreSQL plans a join against a CTE's rows blind (a semi join against it read 340,000
            # rows at province scale): each list's unit scan asks the unit table, through its indexes.
            units = matched.subquery("matched_unit")
            unit_ids = matched.with_only_columns(Unit.id)
        few = moderate = None
        if how == TRIGRAM_LIKE:
            wide = any(_wide_but_restricted(spec, asker) for spec in LISTS.values())
            counted = _counted(unit_ids, MODERATE_UNITS if wide else FEW_UNITS)
            few = counted <= _limit(FEW_UNITS)
            if wide:
                moderate = counted <= _limit(MODERATE_UNITS)
        lists = [
            _list_rows(spec, asker, each(spec.kind), unit_ids, few, moderate, held).label(name)
            for name, spec in LISTS.items()
        ]
        if can(asker, "reference.read"):
            lists.append(_unit_rows(how, units).label("units"))
        # A WITH of SELECTs (its matched units): it only reads, and its transaction ends with COMMIT.
        found = select(*lists).execution_options(**{ONLY_READS: True})
        # SQLite's index: no row when the FTS table has no hit, and then no list is read.
        return found.where(fts_found(how)) if uses_hits(how) else found

    return build


# PostgreSQL, 2-3+ characters: the search statement runs its generic plan (this transaction's
# setting; a SELECT, so the transaction still ends as a read, supervision/read_commits.py). Its
# shape, not the text's statistics, picks its scans (the pair plan, the gates on `few`), so planning
# it again for each text (PostgreSQL's custom plans, its choice here) cost 1–2 ms a search for
# nothing: 横街镇 2.4 → 0.3 ms, 海曙区 2.1 → 0.4 ms of backend CPU at province scale. A short
# (1-2 character, common) text keeps its custom plan.
_GENERIC_PLAN = "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)"


def _hits(spec: _List | None, value: Any, dedupe: bool) -> list:
    rows = json.loads(value) if isinstance(value, str) else value or []
    hit = UnitHit if spec is None else spec.hit
    dates = () if spec is None else spec.dates
    out, seen = [], set()
    for row in rows:
        if dedupe:  # found by its text and by its unit: the first (ranked) copy
            if row[0] in seen:
                continue
            seen.add(row[0])
        for i in dates:
            if row[i] is not None:
                row[i] = date.fromisoformat(row[i])
        out.append(hit(*row))
    return out[:LIMIT]


def search_all(user, q: str) -> dict[str, list]:
    """Each kind of record, from the viewer's scoped query, at most LIMIT hits each (one statement),
    found through the search index (supervision/search.py) and ranked: exact matches first.

    On SQLite a 3+ character query reads the FTS table once for every kind, in the statement."""
    how = mode(q)
    params = values(q)
    params.update(fts_values(q, how))
    plan = pair_plan(q) if how == BIGRAM else ((), FEW_HOLD)
    stmt = statement(("search", how, *plan), user, _search(how, *plan))
    session = db.session()
    if session.autoflush:  # what the ORM's execute does for a read, without the rest of its work
        session.flush()
    connection = session.connection()
    if connection.dialect.name == "postgresql" and how not in SHORT_MODES:
        connection.exec_driver_sql(_GENERIC_PLAN)
    row = connection.execute(stmt, statement_values(user, **params)).one_or_none()
    if row is None:  # SQLite's index: nothing matched, nothing was read but the index
        return {name: [] for name in SEARCHED_ATTRIBUTES}
    found = row._mapping
    results: dict[str, list] = {}
    for name, spec in LISTS.items():
        results[name] = _hits(spec, found[name], dedupe=how not in SHORT_MODES and spec.by_unit)
    results["units"] = _hits(None, found["units"], dedupe=False) if "units" in found else []
    # A 1-2 character query was ordered in the list's own order: exact matches first among its rows.
    return {name: ranked(q, rows, *SEARCHED_ATTRIBUTES[name]) for name, rows in results.items()}
