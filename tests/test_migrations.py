"""Migrations: one head, the schema built from empty by them (see conftest), no drift from the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from supervision.extensions import db
from supervision.search import include_name

# The schema is read on connections of their own (the migration context's).
pytestmark = pytest.mark.real_commits


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
        # The search index (FTS5 table and trigram indexes) is migration 0011's, not the models'.
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], differences


def test_sqlite_runs_with_foreign_keys_and_wal():
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_down_and_up_again_on_sqlite_with_data(tmp_path):
    """Each migration can be undone and redone on a SQLite file that holds records referring to
    the tables it rebuilds (foreign keys are enforced by the app)."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from supervision import create_app

    other = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    )
    with other.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO notice_kind (name, prefix, default_days, requires_rectification, closing,"
                    " active, sort, version, created_at, updated_at) VALUES"
                    " ('执法监督通知书', '海法督', 15, 1, '请于{期限}前纠正。', 1, 1, 1, '2026-01-01', '2026-01-01')"
                )
            )
            kind_id = conn.execute(text("SELECT id FROM notice_kind")).scalar()
            conn.execute(
                text(
                    "INSERT INTO unit (name, short_name, kind, active, version, created_at, updated_at)"
                    " VALUES ('横街镇人民政府', '横街镇', 'town', 1, 1, '2026-01-01', '2026-01-01')"
                )
            )
            conn.execute(  # a notice refers to the kind: the rebuilt table must keep it
                text(
                    "INSERT INTO notice (kind_id, unit_id, title, intro, requirements, status, void_reason,"
                    " return_reason, version, created_at, updated_at) VALUES (:kind, (SELECT id FROM unit),"
                    " '整改通知', '', '', 'draft', '', '', 1, '2026-01-01', '2026-01-01')"
                ),
                {"kind": kind_id},
            )
        revisions = [s.revision for s in _script().walk_revisions()]  # newest first
        for target in revisions[1:]:
            downgrade(revision=target)
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT id FROM notice_kind")).scalar() == kind_id
            assert conn.execute(text("SELECT kind_id FROM notice")).scalar() == kind_id
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
