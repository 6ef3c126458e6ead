"""search index for two-character queries: every record's character pairs

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 19:00:00

A trigram index has nothing to look up for a two-character text, so a 2-character query (the
commonest in Chinese: 横街, 执法, 公示) scanned each list in its own order until it had 20 rows. That
is quick for a pair many records hold and slow for a rare one, whose lists are read to their end
(鄞州, held by no record: 15.9 ms CPU per search at city scale on SQLite, 137 ms of PostgreSQL's at
province scale). A rare pair is now looked up in an index of pairs; a common one keeps the scan,
which soon finds its 20 (supervision/search.py says which pairs are common).

- SQLite: `search_bigram`, an FTS5 table like `search_fts` (rowid = id * 8 + kind) whose body is
  the record's character pairs, each as the hex of its UTF-8 (lowered as SQLite's LIKE folds case:
  ASCII letters only), separated by spaces, so that the `ascii` tokenizer makes each pair one term;
  `search_bigram_vocab` (fts5vocab) counts the records holding a term. Filled here and kept by
  triggers in the same transaction as every insert, update of a searched column and delete (a later
  batch migration of one of these tables must call this module's `create_triggers` again, as for
  0011's).
- PostgreSQL: `search_bigrams(text)`, the distinct character pairs of a text as an array, and a GIN
  index on it for every searched column: `search_bigrams(col) @> ARRAY[q]` holds exactly when col
  contains the 2-character q (case-sensitive, as PostgreSQL's LIKE). ANALYZE gives the indexes the
  statistics of their pairs that name the common ones. The search keeps the function out of row by
  row tests (some 17 µs a row) by fencing its scans (supervision/search.py `fenced`); declaring it
  costly instead (COST 10000) pushed whole statements over `jit_above_cost`: 41 ms of JIT a search.

Neither is declared in the models (supervision.search.include_name leaves them out).
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# A copy of supervision.search.KINDS as it was at this revision: kind code, table, searched columns.
KINDS = {
    "notice": (1, "notice", ("doc_number", "title")),
    "case_file": (2, "case_file", ("case_number", "title")),
    "task": (3, "supervision_task", ("title", "code", "basis")),
    "finding": (4, "finding", ("description", "legal_basis")),
    "unit": (5, "unit", ("name", "short_name")),
}
TABLE = "search_bigram"


def _pairs(prefix: str, columns) -> str:
    """SQLite: the record's character pairs as space-separated hex, from its searched columns.

    No recursive CTE (a trigger takes none): json_each over a JSON array of length(text) - 1 zeros
    gives the pairs' offsets."""
    text = "lower(" + " || char(10) || ".join(f"coalesce({prefix}.{c}, '')" for c in columns) + ")"
    offsets = "'[' || rtrim(replace(hex(zeroblob(max(length(p.v) - 1, 0))), '00', '0,'), ',') || ']'"
    return (
        f"(SELECT group_concat(hex(substr(p.v, o.key + 1, 2)), ' ') "
        f"FROM (SELECT {text} AS v) AS p, json_each({offsets}) AS o)"
    )


def create_triggers(kind: str) -> None:
    code, table, columns = KINDS[kind]
    row = f"new.id * 8 + {code}"
    op.execute(
        f"CREATE TRIGGER search_bigram_{table}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {TABLE} (rowid, body) VALUES ({row}, {_pairs('new', columns)}); END"
    )
    op.execute(
        f"CREATE TRIGGER search_bigram_{table}_au AFTER UPDATE OF {', '.join(columns)} ON {table} BEGIN "
        f"DELETE FROM {TABLE} WHERE rowid = old.id * 8 + {code}; "
        f"INSERT INTO {TABLE} (rowid, body) VALUES ({row}, {_pairs('new', columns)}); END"
    )
    op.execute(
        f"CREATE TRIGGER search_bigram_{table}_ad AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {TABLE} WHERE rowid = old.id * 8 + {code}; END"
    )


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(body, tokenize = 'ascii', detail = 'none', columnsize = 0)"
        )
        op.execute(f"CREATE VIRTUAL TABLE {TABLE}_vocab USING fts5vocab({TABLE}, 'row')")
        for kind, (code, table, columns) in KINDS.items():
            op.execute(
                f"INSERT INTO {TABLE} (rowid, body) SELECT {table}.id * 8 + {code}, {_pairs(table, columns)} FROM {table}"
            )
            create_triggers(kind)
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION search_bigrams(text) RETURNS text[] "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
        "SELECT coalesce(array_agg(DISTINCT substr($1, i, 2)), '{}') "
        "FROM generate_series(1, length($1) - 1) AS i $$"
    )
    for _code, table, columns in KINDS.values():
        for c in columns:
            op.execute(f"CREATE INDEX ix_{table}_{c}_bigram ON {table} USING gin (search_bigrams({c}))")
        op.execute(f"ANALYZE {table}")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for _code, table, _columns in KINDS.values():
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS search_bigram_{table}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {TABLE}_vocab")
        op.execute(f"DROP TABLE IF EXISTS {TABLE}")
        return
    for _code, table, columns in KINDS.values():
        for c in columns:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_{c}_bigram")
    op.execute("DROP FUNCTION IF EXISTS search_bigrams(text)")
