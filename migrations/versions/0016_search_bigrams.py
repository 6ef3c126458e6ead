"""search index for rare two-character queries on SQLite: every record's character pairs

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 19:00:00

A trigram index has nothing to look up for a two-character text, so a 2-character query (the
commonest in Chinese: 横街, 执法, 公示) scans each list in its own order until it has 20 rows. That
is quick for a pair many records hold and slow for a rare one, whose lists are read to their end.

SQLite: `search_bigram`, an FTS5 table like `search_fts` (rowid = id * 8 + kind) whose body is the
record's character pairs, each as the hex of its UTF-8 (lowered as SQLite's LIKE folds case: ASCII
letters only), separated by spaces, so that the `ascii` tokenizer makes each pair one term and a
2-character query is one term's lookup; `search_bigram_vocab` (fts5vocab) says how many records
hold a term, which decides between the lookup and the scan (supervision.search.COMMON_PAIR).
Filled here and kept by triggers in the same transaction as every insert, update of a searched
column and delete (a later batch migration of one of these tables must call this module's
`create_triggers` again, as for 0011's).

PostgreSQL: nothing. A GIN index on an immutable `search_bigrams(text)` array was tried twice and
measured worse than the scan at province scale. With the plain LIKE beside it the planner took
1,720 case files holding 执法 for 35 and called the function on each (40 ms); alone, and declared
costly, it still ran the findings' scan calling it row by row in parallel workers (鄞州: 0.9 s),
and a list's unit scan read all 24,000 notices when no unit matched. A pair index there needs
its own table of pairs, not an expression index.

Neither table is declared in the models (supervision.search.include_name leaves them out).
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
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5(body, tokenize = 'ascii', detail = 'none', columnsize = 0)"
    )
    op.execute(f"CREATE VIRTUAL TABLE {TABLE}_vocab USING fts5vocab({TABLE}, 'row')")
    for kind, (code, table, columns) in KINDS.items():
        op.execute(
            f"INSERT INTO {TABLE} (rowid, body) SELECT {table}.id * 8 + {code}, {_pairs(table, columns)} FROM {table}"
        )
        create_triggers(kind)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for _code, table, _columns in KINDS.values():
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS search_bigram_{table}_{suffix}")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}_vocab")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
