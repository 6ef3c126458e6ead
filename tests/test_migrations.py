"""Migrations: one head, the schema built from empty by them (see conftest), no drift from the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from supervision.extensions import db


def _script() -> ScriptDirectory:
    from flask import current_app

    migrate: Migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))


def test_one_head():
    assert len(_script().get_heads()) == 1


def test_database_is_at_head():
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    assert current == _script().get_current_head()


def test_no_difference_between_models_and_migrations():
    # conftest built the schema with `flask db upgrade` from an empty database.
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], differences


def test_sqlite_runs_with_foreign_keys_and_wal():
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
