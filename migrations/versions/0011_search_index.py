"""search index: SQLite FTS5 (trigram) kept by triggers; PostgreSQL pg_trgm GIN indexes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:55:00

On SQLite, `search_fts` holds one row per searched record (rowid = id * 8 + kind, body = the
searched columns joined by newlines), filled here from the records and kept by triggers in the
same transaction as every insert, update of a searched column and delete. A later migration that
rebuilds one of these tables with batch_alter_table drops its triggers with it: such a migration
must call `create_triggers(table)` from this module again (tests/test_search.py fails otherwise).

On PostgreSQL, GIN indexes with gin_trgm_ops on the searched columns answer the same LIKE '%…%'
filters the search has always used; the index is transactional by nature.

Neither is declared in the models: supervision.search.include_name leaves them out of the model
comparison (autogenerate and tests/test_migrations.py).
"""

from alembic import op

revision = "0011"
down_revision = "0010"
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


def _body(prefix: str, columns) -> str:
    return " || char(10) || ".join(f"coalesce({prefix}.{c}, '')" for c in columns)


def create_triggers(kind: str) -> None:
    code, table, columns = KINDS[kind]
    row = f"new.id * 8 + {code}"
    op.execute(
        f"CREATE TRIGGER search_{table}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO search_fts (rowid, body) VALUES ({row}, {_body('new', columns)}); END"
    )
    op.execute(
        f"CREATE TRIGGER search_{table}_au AFTER UPDATE OF {', '.join(columns)} ON {table} BEGIN "
        f"DELETE FROM search_fts WHERE rowid = old.id * 8 + {code}; "
        f"INSERT INTO search_fts (rowid, body) VALUES ({row}, {_body('new', columns)}); END"
    )
    op.execute(
        f"CREATE TRIGGER search_{table}_ad AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM search_fts WHERE rowid = old.id * 8 + {code}; END"
    )


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(body, tokenize = 'trigram')")
        for kind, (code, table, columns) in KINDS.items():
            op.execute(
                f"INSERT INTO search_fts (rowid, body) SELECT id * 8 + {code}, {_body(table, columns)} FROM {table}"
            )
            create_triggers(kind)
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for _code, table, columns in KINDS.values():
            for c in columns:
                op.execute(f"CREATE INDEX ix_{table}_{c}_trgm ON {table} USING gin ({c} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for _code, table, _columns in KINDS.values():
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{suffix}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        for _code, table, columns in KINDS.values():
            for c in columns:
                op.execute(f"DROP INDEX IF EXISTS ix_{table}_{c}_trgm")
        # The extension stays: other databases objects may use it, and dropping it needs more rights.
