"""PostgreSQL: the cursor's description is made on first use and tells what psycopg's own would."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import select, text

from supervision.extensions import db
from supervision.models import Unit
from tests import factories
from tests.conftest import is_postgres

pytestmark = pytest.mark.real_commits  # a connection of its own beside the session's


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if not is_postgres():
        pytest.skip("psycopg's cursor description: PostgreSQL only")


def told(description):
    if description is None:
        return None
    return [
        (c.name, c.type_code, c.display_size, c.internal_size, c.precision, c.scale, c.null_ok, tuple(c))
        for c in description
    ]


QUERIES = [
    "SELECT 1 AS one, 'a'::text AS t, now() AS at, 1.50::numeric(6, 2) AS n, ARRAY[1, 2] AS a, NULL AS nothing",
    "SELECT id, name, created_at FROM unit",  # columns and no rows
    "SELECT",  # a result with no columns
    "SET LOCAL statement_timeout = 0",  # no result
    'SELECT 1 AS "列"',
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_description_is_the_one_psycopg_makes(app, query):
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        ours, theirs = raw.cursor(), psycopg.Cursor(raw)
        assert type(ours) is not psycopg.Cursor
        ours.execute(query)
        theirs.execute(query)
        assert told(ours.description) == told(theirs.description)
        if theirs.description:
            assert len(ours.description) == len(theirs.description)
            assert [c.name for c in ours.description[-2:]] == [c.name for c in theirs.description[-2:]]
            assert ours.description[0].name == theirs.description[0].name
        elif theirs.description is not None:
            assert len(ours.description) == 0 and list(ours.description) == []
        conn.rollback()


def test_a_description_read_later_tells_of_its_own_statement(app):
    with db.engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        cursor.execute("SELECT 1 AS first_one")
        first = cursor.description
        cursor.execute("SELECT 2 AS second_one, 3 AS third")
        assert [c.name for c in first] == ["first_one"]
        assert [c.name for c in cursor.description] == ["second_one", "third"]
        conn.rollback()


def test_results_read_as_before(app):
    unit = factories.UnitFactory(name="描述")
    db.session.commit()
    for _ in range(7):  # past the compiled statement's first run, with its metadata cached
        row = db.session.execute(select(Unit.id, Unit.name, Unit.created_at).where(Unit.id == unit.id)).one()
        assert row._mapping["name"] == row.name == "描述"
        assert row.created_at.tzinfo is not None
        assert (
            db.session.execute(text("SELECT name AS n FROM unit WHERE id = :id"), {"id": unit.id}).one().n
            == "描述"
        )
        db.session.rollback()
