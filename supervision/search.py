"""The search index: which records' searched columns contain a text, found through an index.

- SQLite: one FTS5 table with the trigram tokenizer (`search_fts`, migration 0011). Each searched
  record has one row whose rowid is `id * 8 + kind` and whose body is its searched columns joined
  by newlines; triggers on the record tables keep it in the same transaction as the records.
- PostgreSQL: pg_trgm GIN indexes on the searched columns themselves, so the plain `LIKE '%…%'`
  filter is answered from the index and is transactional by nature.
- Queries shorter than 3 characters: a trigram index has nothing to look up (a trigram is three
  characters), so both databases run the plain `LIKE` filter (or `instr`) for them: correct, scoped
  and ranked the same way, each kind's scan in its own order stopping at LIMIT rows. That is fast
  for a text many records contain, and slow for a rare one (the scan reads a list to its end). So
  a 2-character text that is rare (`COMMON_PAIR`) is looked up in an index of every record's
  character pairs instead (migration 0016): SQLite's `search_bigram`, kept by triggers like
  `search_fts`, whose vocabulary counts the records holding a pair; PostgreSQL's GIN indexes on
  `search_bigrams(column)`, whose statistics (ANALYZE's most common elements) name the common pairs.

Results are ranked: an exact match of a searched column first, then a column that starts with the
text, then the rest in each list's own order. For 1–2 character queries the SQL keeps the list's own
order (so the scan stops at LIMIT rows) and those rows are ranked the same way in Python (`ranked`).
Scoping is the caller's: every list starts from its `*_for_user` query and only adds `searched(...)`
to it.
"""

from __future__ import annotations

import re
import time

from sqlalchemy import Integer, Text, bindparam, case, cast, column, func, literal_column, or_, select, text
from sqlalchemy.sql import ColumnElement, Select

from .extensions import db
from .filters import LIKE_ESCAPE, contains, like_pattern, starts_with

TRIGRAM = 3
BIGRAM_LENGTH = 2

# kind -> (its code in the FTS rowid, its table, the searched columns); migration 0011 keeps a copy.
KINDS: dict[str, tuple[int, str, tuple[str, ...]]] = {
    "notice": (1, "notice", ("doc_number", "title")),
    "case_file": (2, "case_file", ("case_number", "title")),
    "task": (3, "supervision_task", ("title", "code", "basis")),
    "finding": (4, "finding", ("description", "legal_basis")),
    "unit": (5, "unit", ("name", "short_name")),
}
FTS_TABLE = "search_fts"
BIGRAM_TABLE = "search_bigram"  # migration 0016: SQLite's 2-character index (PostgreSQL: *_bigram)
BIGRAM_VOCABULARY = "search_bigram_vocab"  # its terms, each with the number of records holding it
FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")
# SQLite: a pair held by more records than this is searched by the scan, which soon finds LIMIT of them; a
# rarer one through the index, whose cost grows with its hits (at city scale, CPU per search page,
# scan → index: 鄞州 held by none 14.9 → 1.3 ms, 未按 by 1,500 findings 13.0 → 2.9, 横街 by 570
# records 5.5 → 3.1, 街道 by 359 (most of them units) 3.0 → 3.8; 执法 by 5,718 2.8 → 10.2 ms).
COMMON_PAIR = 2000
# PostgreSQL decides list by list, by the pair indexes' statistics. A list finds its text matches
# through the index when the rows holding the pair are fewer than sqrt(SCAN_COST * LIMIT * rows):
# the index reads each of them, the scan in the list's order reads some LIMIT * rows / held rows,
# each costing about SCAN_COST times as much (a LIKE on every searched column). A list also found by
# its units does so only when at most FEW_UNITS units hold the pair: their records are then read
# through the units, all of them, and sorted (横街, 399 units at province scale, was 8,000 findings
# to sort: 28 ms, where its scan finds 20 in a few hundred rows); any other list keeps the scan.
# The scan alone read all 120,000 findings when nothing matched (鄞州: 101 ms → 1.4 ms).
SCAN_COST = 2
FEW_UNITS = 50
# PostgreSQL, an asker who sees some of a wide list found by its units (an inspector's findings):
# up to this many units matching (2 characters: by the statistics), the list's records of them are
# read through the unit index and the scope's, and sorted, instead of the scan in the list's order,
# which tests the scope and the unit row by row (queries/search.py `_list_rows`).
MODERATE_UNITS = 600
FEW_HOLD, SOME_HOLD, MANY_HOLD = "few", "some", "many"  # units holding a text: `pair_plan`
LIST_HITS = 20  # queries/search.py's LIMIT: the hits a list shows
# PostgreSQL: each table's rows and its pairs' rows by the statistics, per database, read again
# after this many seconds (ANALYZE, run by autovacuum, moves them slowly).
PAIR_STATISTICS_SECONDS = 600
_pair_rows: dict[str, tuple[float, dict[str, tuple[float, dict[str, float]]]]] = {}


def is_index_object(name: str | None, type_: str) -> bool:
    """The FTS table, its shadow tables and the trigram indexes: kept by migration 0011, not models."""
    if name is None:
        return False
    if type_ == "table":
        tables = (FTS_TABLE, BIGRAM_TABLE)
        return name == BIGRAM_VOCABULARY or any(
            name in (t, *(t + s for s in FTS_SHADOW_SUFFIXES)) for t in tables
        )
    return type_ == "index" and name.endswith(("_trgm", "_bigram"))


def include_name(name, type_, parent_names) -> bool:
    """Alembic's include_name: leave the search index out of the model comparison (autogenerate, tests)."""
    return not is_index_object(name, type_)


def _fts_match(q: str) -> str:
    """The FTS5 query for the literal text q: one quoted string (a quote inside doubled)."""
    return '"' + q.replace('"', '""') + '"'


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _pair_term(q: str) -> str:
    """A 2-character q's one term in `search_bigram`: the hex of its UTF-8 with ASCII letters
    lowered (as SQLite's lower() made the index's, and as its LIKE folds case)."""
    return q.translate(_ASCII_LOWER).encode().hex()


def _bigram_match(q: str) -> str:
    return '"' + _pair_term(q) + '"'


def _rare_pair(q: str) -> bool:
    """2 characters: the pair index beats the scan (SQLite: few records hold q; PostgreSQL: for
    at least one list)."""
    if len(q) != BIGRAM_LENGTH:
        return False
    if not _uses_fts():
        return bool(pair_plan(q)[0])
    held = db.session.connection().exec_driver_sql(
        f"SELECT doc FROM {BIGRAM_VOCABULARY} WHERE term = ?", (_pair_term(q),)
    )
    return (held.scalar() or 0) <= COMMON_PAIR


def pair_plan(q: str) -> tuple[tuple[str, ...], str]:
    """PostgreSQL, 2 characters: the kinds whose text matches the pair index finds sooner than
    the scan, and how many units hold q: FEW_HOLD (at most FEW_UNITS), SOME_HOLD (at most
    MODERATE_UNITS) or MANY_HOLD (see SCAN_COST). SQLite: every kind, and FEW_HOLD (its statement
    reads the pair index's hits once for all of them)."""
    if _uses_fts():
        return tuple(KINDS), FEW_HOLD
    statistics = _pair_statistics()

    def held(table: str) -> tuple[float, float]:
        rows, pairs = statistics.get(table, (0.0, {}))
        return pairs.get(q, 0.0), rows  # 0: fewer than the statistics list

    indexed = tuple(
        kind
        for kind, (_code, table, _cols) in KINDS.items()
        if held(table)[0] ** 2 <= SCAN_COST * LIST_HITS * held(table)[1]
    )
    units = held("unit")[0]
    return indexed, FEW_HOLD if units <= FEW_UNITS else SOME_HOLD if units <= MODERATE_UNITS else MANY_HOLD


def _pair_statistics() -> dict[str, tuple[float, dict[str, float]]]:
    """PostgreSQL: each table's rows and its most common pairs with the rows of its most holding
    column, by the pair indexes' statistics (ANALYZE's most common elements), kept a while per
    process: one catalog read, not one per search. A table never analyzed has none (and is small)."""
    from .audit import engine_key

    database = engine_key(db.engine)
    read_at, pairs = _pair_rows.get(database, (float("-inf"), {}))
    now = time.monotonic()
    if now - read_at < PAIR_STATISTICS_SECONDS:
        return pairs
    rows = db.session.connection().exec_driver_sql(
        "SELECT i.indrelid::regclass::text, s.most_common_elems::text::text[], "
        "s.most_common_elem_freqs, c.reltuples "
        "FROM pg_stats AS s "
        "JOIN pg_class AS c ON c.oid = to_regclass(quote_ident(s.schemaname) || '.' || quote_ident(s.tablename)) "
        "JOIN pg_index AS i ON i.indexrelid = c.oid "
        "WHERE s.schemaname = current_schema() AND s.tablename ~ '^ix_.*_bigram$' "
        "AND s.most_common_elems IS NOT NULL"
    )
    found: dict[str, tuple[float, dict[str, float]]] = {}
    for table, elements, frequencies, reltuples in rows:
        counts = found.setdefault(table, (reltuples, {}))[1]
        # The frequencies end with three more figures (their least, their most, the null share).
        for pair, frequency in zip(elements, frequencies[: len(elements)], strict=True):
            counts[pair] = max(counts.get(pair, 0.0), frequency * reltuples)
    _pair_rows[database] = (now, found)
    return found


def _uses_fts() -> bool:
    return db.engine.dialect.name == "sqlite"


def searched(kind: str, id_column, q: str, *columns) -> ColumnElement[bool]:
    """A filter: the record's searched columns contain q (through the index when it can be used)."""
    if _uses_fts() and len(q) >= TRIGRAM:
        return _index_ids(FTS_TABLE, kind, id_column, _fts_match(q))
    if _uses_fts() and len(q) == BIGRAM_LENGTH:
        return _index_ids(BIGRAM_TABLE, kind, id_column, _bigram_match(q))
    if len(q) == BIGRAM_LENGTH:
        return _held(columns, bindparam(None, q))
    return or_(*(contains(c, q) for c in columns))


def _index_ids(table: str, kind: str, id_column, match: str) -> ColumnElement[bool]:
    """SQLite: the record is among the FTS table's hits of its kind for `match`."""
    code, key = KINDS[kind][0], f"{table}_{kind}"
    ids = text(
        f"SELECT rowid / 8 AS id FROM {table} WHERE {table} MATCH :{key} AND rowid % 8 = {code}"
    ).bindparams(**{key: match})
    return id_column.in_(ids.columns(column("id")))


def _held(columns, pair) -> ColumnElement[bool]:
    """PostgreSQL: a column's pairs hold the 2-character `pair` (its pair index answers)."""
    from sqlalchemy.dialects.postgresql import array

    wanted = array([cast(pair, Text)])  # text[], as search_bigrams returns (no @> with varchar[])
    return or_(*(func.search_bigrams(c).op("@>")(wanted) for c in columns))


def rank(q: str, *columns) -> list[ColumnElement[int]]:
    """ORDER BY terms: 0 for an exact match of a column, 1 for a column that starts with q, 2 for the rest.

    No terms for a query shorter than a trigram: ranking in SQL would sort every match of a scan that can
    otherwise stop at LIMIT rows in the list's own (indexed) order; `ranked` orders those rows instead.
    """
    if len(q) < TRIGRAM:
        return []
    return [
        case(
            (or_(*(c == q for c in columns)), 0),
            (or_(*(starts_with(c, q) for c in columns)), 1),
            else_=2,
        )
    ]


def ranked(q: str, rows: list, *attributes: str) -> list:
    """A short query's rows, exact matches first, then those that start with q (a stable sort)."""
    if len(q) >= TRIGRAM or len(rows) < 2:
        return rows
    folded = q.casefold()

    def key(row) -> int:
        best = 2
        for a in attributes:
            value = getattr(row, a)
            if value:
                value = value.casefold()
                if value == folded:
                    return 0
                if best == 2 and value.startswith(folded):
                    best = 1
        return best

    return sorted(rows, key=key)


# Statements built once (supervision/statements.py) take the query as bound values: `mode(q)` is the
# shape of the SQL a query needs, `values(q)` its values, and `fts_values(q, how)` SQLite's index
# lookup (INDEXED, BIGRAM).
SHORT, SHORT_INSTR, INDEXED, TRIGRAM_LIKE, BIGRAM = "short", "instr", "fts", "like", "bigram"
SHORT_MODES = (SHORT, SHORT_INSTR)  # one scan of each list in its own order
UNRANKED_MODES = (*SHORT_MODES, BIGRAM)  # no rank in SQL: `ranked` orders the rows in Python
_ASCII_LETTER = re.compile("[A-Za-z]")


# The constants of a statement built once, written into its SQL: as Python ints each would be one
# more bound value to adapt and send on every run (a 3+ character search had some forty).
_INT = tuple(literal_column(str(i), Integer) for i in range(3))


def mode(q: str) -> str:
    """SHORT (< 3 characters: LIKE, ranked in Python), BIGRAM (a rare pair: the pair index, ranked
    in Python), INDEXED (SQLite: the FTS table's hits read in the statement) or TRIGRAM_LIKE
    (PostgreSQL: LIKE answered by the pg_trgm indexes, ranked in SQL).

    SHORT_INSTR: SHORT on SQLite for a text without ASCII letters, as `instr(column, q) > 0`, which
    finds what the LIKE finds (SQLite's LIKE folds the case of ASCII letters only, and the pattern
    is literal) at some 60 % of its cost per row: a short query scans hundreds of rows per list."""
    if _rare_pair(q):
        return BIGRAM
    if len(q) < TRIGRAM:
        return SHORT_INSTR if _uses_fts() and not _ASCII_LETTER.search(q) else SHORT
    return INDEXED if _uses_fts() else TRIGRAM_LIKE


def values(q: str) -> dict[str, str]:
    """The bound values of `matches` and `bound_rank` for q."""
    return {"q": q, "q_like": like_pattern(q), "q_prefix": like_pattern(q, anywhere=False)}


def fts_values(q: str, how: str) -> dict[str, str]:
    """SQLite's index lookup for q (INDEXED or BIGRAM mode), read once by the statement's CTE of
    hits for every kind."""
    if how == BIGRAM:
        return {"bigram": _bigram_match(q)}
    return {"fts": _fts_match(q)} if how == INDEXED else {}


# INDEXED (BIGRAM) mode: the FTS table's (the pair table's) hits for every kind, ONE lookup per
# statement (a CTE that SQLite materializes, as it is read by every list and by the unit matches),
# each kind's ids taken from it by their code (rowid % 8): the index is searched once per query, and
# no ids go through Python.
_HITS = {
    how: text(f"SELECT rowid AS hit FROM {table} WHERE {table} MATCH :{key}")
    .columns(column("hit", Integer))
    .cte(f"{key}_hit")
    for how, table, key in ((INDEXED, FTS_TABLE, "fts"), (BIGRAM, BIGRAM_TABLE, "bigram"))
}


def _fts_ids(kind: str, how: str) -> Select:
    code = KINDS[kind][0]
    hits = _HITS[how]
    return (
        select(literal_column(f"{hits.name}.hit / 8", Integer))
        .select_from(hits)
        .where(literal_column(f"{hits.name}.hit % 8 = {code}"))
    )


def uses_hits(how: str) -> bool:
    """The statement reads SQLite's FTS hits (a CTE) for this mode."""
    return how == INDEXED or (how == BIGRAM and _uses_fts())


def fenced(how: str) -> bool:
    """PostgreSQL, BIGRAM: a scan is planned for all its rows, then ordered (OFFSET 0 keeps the
    planner from reading a list in its own order and testing each row: for a rare pair, to the
    list's end; with the pair index, the scan reads only the records holding the pair)."""
    return how == BIGRAM and not _uses_fts()


def fts_found(how: str) -> ColumnElement[bool]:
    """The FTS table has a hit (a statement's WHERE: without one, no list is read)."""
    return select(literal_column("1")).select_from(_HITS[how]).exists()


def matches(kind: str, id_column, how: str, *columns) -> ColumnElement[bool]:
    """`searched` for a statement built once: the text (or the FTS hits) as bound values."""
    if uses_hits(how):
        return id_column.in_(_fts_ids(kind, how))
    if how == BIGRAM:
        return _held(columns, bindparam("q"))
    if how == SHORT_INSTR:
        q = bindparam("q")
        return or_(*(func.instr(c, q) > _INT[0] for c in columns))
    pattern = bindparam("q_like")
    return or_(*(c.like(pattern, escape=LIKE_ESCAPE) for c in columns))


def bound_rank(how: str, *columns) -> list[ColumnElement[int]]:
    """`rank` for a statement built once (no terms for a short query, as `rank`)."""
    if how in UNRANKED_MODES:
        return []
    q, prefix = bindparam("q"), bindparam("q_prefix")
    return [
        case(
            (or_(*(c == q for c in columns)), _INT[0]),
            (or_(*(c.like(prefix, escape=LIKE_ESCAPE) for c in columns)), _INT[1]),
            else_=_INT[2],
        )
    ]


def json_rows(columns: list, order_by: list) -> Select:
    """SELECT one JSON array of the rows of the FROM it is given, each row an array of `columns`.

    PostgreSQL: json_agg in `order_by` order. SQLite (whose aggregates take no ORDER BY before 3.44):
    json_group_array in the order the FROM yields its rows, which must be a subquery with ORDER BY
    and LIMIT (an ORDER BY that LIMIT needs is never dropped from a subquery)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import aggregate_order_by

        return select(func.json_agg(aggregate_order_by(func.json_build_array(*columns), *order_by)))
    return select(func.json_group_array(func.json_array(*columns)))
