"""UTCDateTime reads timezone-aware UTC datetimes on every database, without a call per value
where the driver gives them aware already (PostgreSQL's timestamptz)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import literal_column, select

from supervision.extensions import db
from supervision.models import User
from supervision.models.base import TIMESTAMPTZ_OID, UTCDateTime
from tests import factories
from tests.conftest import is_postgres


def test_a_stored_timestamp_is_read_aware_and_equal(app):
    at = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    user = factories.UserFactory(created_at=at)
    db.session.commit()
    read = db.session.execute(select(User.created_at).where(User.id == user.id)).scalar_one()
    assert read == at and read.utcoffset().total_seconds() == 0


def test_a_naive_timestamp_is_read_as_utc(app):
    """SQLite's every value, and a PostgreSQL timestamp without time zone, get UTC."""
    naive = "TIMESTAMP '2026-03-01 08:30:00'" if is_postgres() else "'2026-03-01 08:30:00.000000'"
    read = db.session.execute(select(literal_column(naive, UTCDateTime))).scalar_one()
    assert read == datetime(2026, 3, 1, 8, 30, tzinfo=UTC) and read.tzinfo is UTC


def test_no_processor_for_a_postgresql_timestamptz(app):
    if not is_postgres():
        return
    dialect = db.engine.dialect
    assert dialect.dbapi.adapters.types["timestamptz"].oid == TIMESTAMPTZ_OID
    result = db.session.connection().execute(select(User.__table__.c.created_at).limit(0))
    assert result.cursor.description[0].type_code == TIMESTAMPTZ_OID  # what the processor is asked for
    impl = UTCDateTime().dialect_impl(dialect)
    assert impl.result_processor(dialect, TIMESTAMPTZ_OID) is None
    assert impl.result_processor(dialect, dialect.dbapi.adapters.types["timestamp"].oid) is not None
