"""A read-only transaction on PostgreSQL ends with COMMIT (psycopg keeps its prepared statements);
anything that wrote, or failed, is still rolled back."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.exc import ProgrammingError

from supervision.extensions import db
from supervision.models import Unit, User
from tests import factories
from tests.conftest import is_postgres

pytestmark = pytest.mark.real_commits


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if not is_postgres():
        pytest.skip("psycopg's prepared statements: PostgreSQL only")


def stored_name(unit_id: int) -> str:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT name FROM unit WHERE id = :id"), {"id": unit_id}).scalar_one()


def prepared_on(conn) -> int:
    return conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()


def test_a_read_only_transaction_keeps_the_prepared_statements(app):
    unit = factories.UnitFactory(name="读取")
    db.session.commit()
    query = select(Unit.name).where(Unit.id == unit.id)
    with db.engine.connect() as conn:
        for _ in range(8):  # psycopg prepares at the fifth run; each block ends as a request does
            assert conn.execute(query).scalar_one() == "读取"
            conn.rollback()
        assert prepared_on(conn) >= 1
        raw = conn.connection.dbapi_connection
        assert raw.info.transaction_status.name == "INTRANS"  # the count query's own transaction
        conn.rollback()
        assert raw.info.transaction_status.name == "IDLE"


def test_a_transaction_that_wrote_is_rolled_back(app):
    unit = factories.UnitFactory(name="原名")
    db.session.commit()
    with db.engine.connect() as conn:
        for _ in range(6):
            conn.execute(select(Unit.name).where(Unit.id == unit.id))
            conn.rollback()
        conn.execute(text("UPDATE unit SET name = '改名' WHERE id = :id"), {"id": unit.id})
        conn.rollback()
        assert stored_name(unit.id) == "原名"


def test_a_write_without_parameters_is_rolled_back(app):
    """A statement with no parameters takes the dialect's do_execute_no_params: it is seen too."""
    unit = factories.UnitFactory(name="原名")
    db.session.commit()
    with db.engine.connect() as conn:
        conn.exec_driver_sql(f"UPDATE unit SET name = '改名' WHERE id = {int(unit.id)}")
        conn.rollback()
    assert stored_name(unit.id) == "原名"


def test_a_write_of_many_rows_at_once_is_rolled_back(app):
    """An UPDATE with a list of parameters takes the dialect's do_executemany."""
    units = [factories.UnitFactory(name=name) for name in ("原名一", "原名二")]
    db.session.commit()
    statement = update(Unit.__table__).where(Unit.__table__.c.id == bindparam("uid"))
    with db.engine.connect() as conn:
        renames = [{"uid": u.id, "new": f"改名{u.id}"} for u in units]
        conn.execute(statement.values(name=bindparam("new")), renames)
        conn.rollback()
    assert [stored_name(u.id) for u in units] == ["原名一", "原名二"]


def test_no_listener_on_every_statement(app):
    """The reads are told from the writes in the dialect, not by a connection event: with any
    such listener on the engine, SQLAlchemy dispatches every connection event of every statement,
    begin and commit."""
    from sqlalchemy.events import ConnectionEvents

    from supervision import create_app

    other = create_app({**app.config})
    with other.app_context():
        engine = db.engine
        try:
            names = [n for n in dir(ConnectionEvents) if not n.startswith("_") and n != "dispatch"]
            assert "before_cursor_execute" in names and "begin" in names
            assert [n for n in names if len(getattr(engine.dispatch, n))] == []
            with engine.connect() as conn:  # and the engine still ends its reads with COMMIT
                for _ in range(6):
                    conn.execute(text("SELECT 1 FROM unit LIMIT 1"))
                    conn.rollback()
                assert prepared_on(conn) >= 1
        finally:
            engine.dispose()


def test_a_connection_with_no_transaction_is_returned_without_a_rollback(app, monkeypatch):
    """The pool's reset after the session's close finds the transaction ended (IDLE in libpq's
    status, the one psycopg's own `info.transaction_status` reports): psycopg is not asked."""
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        raw = conn.connection.dbapi_connection
        assert raw.pgconn.transaction_status == raw.info.transaction_status
        assert raw.info.transaction_status.name == "INTRANS"
        conn.commit()
        assert raw.pgconn.transaction_status == raw.info.transaction_status
        asked = []
        monkeypatch.setattr(raw, "rollback", lambda: asked.append("rollback"))
        conn.rollback()  # nothing begun since the commit
    assert asked == []  # nor at the pool's reset on return
    monkeypatch.undo()
    with db.engine.connect() as conn:  # a transaction still open is ended as before
        conn.execute(text("SELECT 1"))
        raw = conn.connection.dbapi_connection
    assert raw.info.transaction_status.name == "IDLE"


def test_a_session_that_flushed_then_failed_writes_nothing(app):
    unit = factories.UnitFactory(name="原名")
    db.session.commit()
    db.session.get(Unit, unit.id).name = "未提交"
    db.session.flush()
    db.session.rollback()
    assert stored_name(unit.id) == "原名"


def test_a_failed_read_is_rolled_back(app):
    with db.engine.connect() as conn:
        with pytest.raises(ProgrammingError):
            conn.execute(text("SELECT no_such_column FROM unit"))
        conn.rollback()
        assert conn.execute(text("SELECT 1")).scalar_one() == 1


def test_database_prepared_off_prepares_nothing(app):
    """DATABASE_PREPARED=off (a PgBouncer in transaction mode before 1.21): no statement is kept."""
    from supervision import create_app

    other = create_app({**app.config, "DATABASE_PREPARED": False})
    with other.app_context():
        engine = db.engine
        try:
            with engine.connect() as conn:
                for _ in range(8):
                    conn.execute(text("SELECT 1 FROM unit LIMIT 1"))
                    conn.rollback()
                assert conn.connection.dbapi_connection.prepare_threshold is None
                assert prepared_on(conn) == 0
        finally:
            engine.dispose()


def test_the_settings_from_the_environment(monkeypatch, tmp_path):
    from supervision.config import from_environment

    monkeypatch.setenv("DATABASE_PREPARED", "off")
    monkeypatch.setenv("DATABASE_PING_IDLE_SECONDS", "off")
    config = from_environment(str(tmp_path))
    assert config["DATABASE_PREPARED"] is False and config["DATABASE_PING_IDLE_SECONDS"] is None
    monkeypatch.setenv("DATABASE_PREPARED", "on")
    monkeypatch.setenv("DATABASE_PING_IDLE_SECONDS", "5")
    config = from_environment(str(tmp_path))
    assert config["DATABASE_PREPARED"] is True and config["DATABASE_PING_IDLE_SECONDS"] == 5.0


def test_the_search_a_with_of_selects_keeps_them_too(app):
    """The search's statement starts with WITH (its matched units, for a short text): it says it
    only reads, so its request ends with COMMIT and psycopg keeps it prepared instead of planning
    it again on every search."""
    from supervision.queries.search import search_all

    lead = factories.UserFactory(role="lead")
    factories.TaskFactory(title="横街镇专项督察")
    db.session.commit()
    lead_id = lead.id
    db.session.close()
    db.engine.dispose()  # the pool starts again with one connection, which every search then takes
    lead = db.session.get(User, lead_id)
    raw = db.session.connection().connection.dbapi_connection
    for _ in range(8):  # each as a request ends: the session's rollback
        assert [t.title for t in search_all(lead, "横")["tasks"]] == ["横街镇专项督察"]
        assert db.session.connection().connection.dbapi_connection is raw  # the pool's one connection
        db.session.rollback()
    prepared = db.session.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
    assert any(s.startswith("WITH matched_unit") for s in prepared), [s[:40] for s in prepared]
