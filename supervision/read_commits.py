"""PostgreSQL: a transaction that only read ends with COMMIT, so psycopg keeps its prepared statements.

psycopg prepares a statement once it has run five times on a connection, and forgets every one it
has prepared at each ROLLBACK (a rolled-back DDL may have changed what they refer to). Every
request ends its transaction with a rollback (the session's close, then the pool's reset), so no
statement was ever kept: each query of each request was parsed and planned again, most of the
backend's CPU on a page. For a transaction that ran nothing but SELECTs, COMMIT and ROLLBACK end it
the same way; one that ran anything else (a write, a SAVEPOINT, SET, a WITH that might write,
unless its statement says it only reads: ONLY_READS) or failed is rolled back as before.
Statements SQLAlchemy runs all pass the dialect's `do_execute`, `do_execute_no_params` or
`do_executemany`, where they are looked at (a `before_cursor_execute` listener would see the
same ones, but any such listener on the engine makes SQLAlchemy dispatch every connection event of
every statement, begin, commit and rollback: 95 of the 557 function calls of a request that runs
one query). The app runs none on a raw cursor on PostgreSQL.
"""

from __future__ import annotations

import weakref

from sqlalchemy import event
from sqlalchemy.engine import Engine

# An execution option for a statement that only reads though it does not start with SELECT (a
# WITH of SELECTs, as the search's): its transaction still ends with COMMIT. Without it the search
# rolled back every request, and psycopg planned its statement again each time.
ONLY_READS = "only_reads"


def end_reads_with_commit(engine: Engine, prepared: bool = True) -> None:
    """On PostgreSQL (psycopg), end a read-only transaction with COMMIT instead of ROLLBACK.

    `prepared` False (DATABASE_PREPARED=off, for a PgBouncer in transaction mode older than 1.21,
    which cannot follow a prepared statement from one server connection to the next): psycopg
    prepares nothing, and transactions end as SQLAlchemy ends them.
    """
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return
    if not prepared:

        @event.listens_for(engine, "connect")
        def prepare_nothing(dbapi_connection, connection_record) -> None:
            dbapi_connection.prepare_threshold = None

        return
    from psycopg.pq import TransactionStatus

    dialect = engine.dialect
    rollback, commit = dialect.do_rollback, dialect.do_commit
    wrote: weakref.WeakSet = weakref.WeakSet()  # psycopg connections whose transaction ran more than reads

    execute, execute_no_params, executemany = (
        dialect.do_execute,
        dialect.do_execute_no_params,
        dialect.do_executemany,
    )

    def reads(statement: str, context) -> bool:
        if statement.startswith("SELECT "):
            return True
        return context is not None and context.execution_options.get(ONLY_READS, False)

    def do_execute(cursor, statement, parameters, context=None) -> None:
        if not reads(statement, context):
            wrote.add(cursor.connection)
        execute(cursor, statement, parameters, context)

    def do_execute_no_params(cursor, statement, context=None) -> None:
        if not reads(statement, context):
            wrote.add(cursor.connection)
        execute_no_params(cursor, statement, context)

    def do_executemany(cursor, statement, parameters, context=None) -> None:
        wrote.add(cursor.connection)  # many rows at once: never a read
        executemany(cursor, statement, parameters, context)

    idle, in_transaction = TransactionStatus.IDLE, TransactionStatus.INTRANS

    def do_rollback(dbapi_connection) -> None:
        raw = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)  # the pool's proxy or psycopg's
        # libpq's own status (`info.transaction_status` makes an object and an enum to say it)
        status = raw.pgconn.transaction_status
        if status == idle:
            # Nothing to end (the pool's reset after the session's close): psycopg's rollback
            # would send nothing either, after taking its lock and running its generator.
            wrote.discard(raw)
        elif status == in_transaction and raw not in wrote:
            raw.commit()
        else:
            wrote.discard(raw)
            rollback(dbapi_connection)

    def do_commit(dbapi_connection) -> None:
        wrote.discard(getattr(dbapi_connection, "dbapi_connection", dbapi_connection))
        commit(dbapi_connection)

    dialect.do_execute = do_execute
    dialect.do_execute_no_params = do_execute_no_params
    dialect.do_executemany = do_executemany
    dialect.do_rollback = do_rollback
    dialect.do_commit = do_commit
