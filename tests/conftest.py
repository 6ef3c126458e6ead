"""Test set-up: one schema per run built by the migrations; each test runs in a transaction rolled back.

Isolation. The schema is built once per run (per database) by the migrations. Each test then gets one
connection with an outer transaction (BEGIN), and every session made while the test runs — the test's
own `db.session`, each request's, each job's — is bound to that connection with
`join_transaction_mode="create_savepoint"` (SQLAlchemy's "Joining a Session into an External
Transaction"): the code's own commits and rollbacks become RELEASE / ROLLBACK TO SAVEPOINT, and at the
end of the test the outer transaction is rolled back, so the next test starts on empty tables without
a single commit or DELETE. On SQLite the pysqlite driver's own transaction handling is switched off
on that connection (`isolation_level = None`, BEGIN emitted on `begin`), as SQLAlchemy documents for
SAVEPOINT support.

Real commits. A test that needs its data really committed — threads racing on a key, a second app
server or engine, a worker process, a live server (tests/e2e), the migrations, anything opening a
second connection and expecting to see committed rows — is marked `@pytest.mark.real_commits`, or
asks for the `real_commits` fixture (directly or through a fixture of its own, like a second
server's); tests/e2e are treated so too. Such a test runs as the whole suite did before: sessions on
the engine, real commits, and every table emptied (DELETE) after it. During a rolled-back test a
session used from another thread, or a second connection taken from the pool (`db.engine.connect()`
or `begin()`, as export jobs do for their progress), raises at once, naming the marker; so does a
session's commit made while another session's transaction is open (a job run in immediate mode
inside a request, a nested app context), which on one connection the other's rollback would undo.
TEST_REAL_COMMITS=1 runs every test with real commits (to compare timings, or to tell whether a
failure comes from the isolation).

Module worlds. A module whose tests only read a world may build it once (a module-scoped fixture
that commits it and overrides `_app_context`; see test_route_matrix.py): such a module empties the
tables itself when it ends.

TEST_DB=postgres (with TEST_DATABASE_URL) runs the same suite on PostgreSQL.
"""

from __future__ import annotations

import contextvars
import os
import re
import threading
import time
import weakref
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import current_app, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, text
from sqlalchemy.engine import Connection

from supervision import cache, create_app
from supervision.extensions import db
from supervision.models import User
from supervision.queue import huey

from . import factories

# Jobs run at once, in the calling thread (Huey's immediate mode); test_jobs_worker.py runs a real consumer.
huey.immediate = True

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_collection_modifyitems(items) -> None:
    """Schemathesis gives each operation of a parametrized test the same node id; pytest-xdist keys
    tests by node id, so all but one operation would silently not run. Each gets its own."""
    from _pytest.nodeid import NodeId  # pytest 9's structured node id (pinned in requirements-dev)

    for item in items:
        if "[" in item.name and "[" not in item.nodeid:
            item._id = NodeId.parse(item.nodeid + item.name[item.name.index("[") :])


def _database_url(tmp_path_factory) -> str:
    if os.environ.get("TEST_DB") == "postgres":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.exit("TEST_DB=postgres needs TEST_DATABASE_URL", returncode=2)
        return _worker_database(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")  # per worker already


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (test → test_gw0, created on
    first use), so that the workers' schemas and real commits never meet. The worker's URL replaces
    TEST_DATABASE_URL for everything the tests start (second servers, worker processes)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if exists.first() is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    worker_url = base.set(database=name).render_as_string(hide_password=False)
    os.environ["TEST_DATABASE_URL"] = worker_url
    return worker_url


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def reset_schema() -> None:
    """Drop everything, so that the migrations build the schema from empty."""
    if is_postgres():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


# --- the rolled-back transaction of each test -------------------------------------------------

# The connection of the running test (for its app), and the thread that may use it.
_BOUND: dict[object, tuple[Connection, int]] = {}


_SESSIONS: weakref.WeakSet = weakref.WeakSet()
_NESTED_COMMITS: list[str] = []


class TestSession(FlaskSession):
    """Flask-SQLAlchemy's session, bound to the test's connection while a rolled-back test runs
    (Flask-SQLAlchemy's own get_bind always answers its engine, so the bind is chosen here).

    On one connection a session's commit is only a savepoint released: if another session has its
    transaction open meanwhile (a job run in immediate mode inside a request, a nested app context),
    that other session's rollback would undo the commit. Such a commit is recorded and fails the test,
    which then needs real commits."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _SESSIONS.add(self)

    def commit(self) -> None:
        if _BOUND and any(s is not self and s.in_transaction() for s in list(_SESSIONS)):
            _NESTED_COMMITS.append("a session committed while another session's transaction was open")
        super().commit()

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and _BOUND and has_app_context():
            bound = _BOUND.get(current_app._get_current_object())  # type: ignore[attr-defined]
            if bound is not None:
                connection, thread = bound
                if threading.get_ident() != thread:
                    raise RuntimeError(
                        "the database was used from another thread during a rolled-back test: "
                        "mark the test @pytest.mark.real_commits"
                    )
                return connection
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _install_test_session() -> None:
    factory = db.session.session_factory
    factory.class_ = type("Session", (TestSession,), {})
    # Only matters for a session bound to a connection already in a transaction (the test's).
    factory.kw["join_transaction_mode"] = "create_savepoint"


def bound_connection() -> Connection | None:
    """The running test's connection (None in a real-commits test)."""
    bound = _BOUND.get(current_app._get_current_object()) if _BOUND else None  # type: ignore[attr-defined]
    return bound[0] if bound else None


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


def _refuse_second_connection(dbapi_connection, record, proxy) -> None:
    """A second connection would not see the test's rows (and on SQLite would wait for its lock)."""
    raise RuntimeError(
        "a second database connection was opened during a rolled-back test (db.engine.connect() or "
        "begin(), another engine's pool): mark the test @pytest.mark.real_commits"
    )


@contextmanager
def rolled_back(app):
    """Bind every session of `app` to one connection inside a transaction rolled back at the end."""
    db.session.remove()
    connection = db.engine.connect()
    driver = connection.connection.driver_connection
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # pysqlite: no BEGIN of its own, so that SAVEPOINT works (SQLAlchemy's recipe)
        isolation = driver.isolation_level
        driver.isolation_level = None
        event.listen(connection, "begin", _sqlite_begin)
    transaction = connection.begin()
    _BOUND[app] = (connection, threading.get_ident())
    engine = db.engine
    event.listen(engine, "checkout", _refuse_second_connection)
    _NESTED_COMMITS.clear()
    try:
        yield connection
    finally:
        nested = list(_NESTED_COMMITS)
        _NESTED_COMMITS.clear()
        event.remove(engine, "checkout", _refuse_second_connection)
        db.session.remove()
        del _BOUND[app]
        if transaction.is_active:
            transaction.rollback()
        if sqlite:
            event.remove(connection, "begin", _sqlite_begin)
            driver.isolation_level = isolation
        connection.close()
    if nested:
        pytest.fail(
            f"{nested[0]} (on the test's one connection it would be undone): "
            "mark the test @pytest.mark.real_commits"
        )


def empty_tables() -> None:
    """Delete every row (the test's own rows in a rolled-back test; committed rows otherwise)."""
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    connection = bound_connection()
    # DELETE, not TRUNCATE: for the few rows a test leaves it is some 50 times faster on PostgreSQL.
    with _nested(connection) if connection is not None else db.engine.begin() as conn:
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))


@contextmanager
def _nested(connection: Connection):
    with connection.begin_nested():
        yield connection


class Client(FlaskClient):
    """A test client whose requests get their own app context (and so their own session and g).

    The test's own session is committed before each request (so the request sees the test's rows)
    and expired after it (so the test sees the request's changes).
    """

    csrf: str | None = None

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect followed inside the request's own context
            return super().open(*args, **kwargs)
        db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        db.session.commit()
        return response

    def csrf_token(self) -> str:
        if self.csrf is None:
            page = self.get("/account/password")
            if page.status_code != 200:
                page = self.get("/auth/login")
            match = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
            assert match, "no CSRF token on the page"
            self.csrf = match.group(1)
        return self.csrf

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with a valid CSRF token, as the browser would."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def login(self, username: str, password: str = factories.PASSWORD):
        self.csrf = None
        response = self.post_form("/auth/login", {"username": username, "password": password})
        self.csrf = None
        return response

    def login_user(self, user: User) -> User:
        """Sign in without the form (fast); the login flow itself is tested in test_auth."""
        with self.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
            session["session_version"] = user.session_version
            stamp = int(self.application.config.get("CLOCK", time.time)())
            session["session_started"] = stamp
            session["session_seen"] = stamp
        self.csrf = None
        return user


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    upload_dir = tmp_path_factory.mktemp("uploads")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
            "SECRET_KEY": "test-secret",
            "UPLOAD_DIR": str(upload_dir),
            "MAX_UPLOAD_MB": 1,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "OFFICE_NAME": "海曙区全面依法治区委员会办公室",
        }
    )
    app.test_client_class = Client
    with app.app_context():
        reset_schema()
        upgrade()
    _install_test_session()
    return app


@pytest.fixture
def real_commits():
    """Asked for (directly or by another fixture, such as a second server's), the test commits for
    real, as if marked @pytest.mark.real_commits."""


def _needs_real_commits(request) -> bool:
    if os.environ.get("TEST_REAL_COMMITS") or "real_commits" in request.fixturenames:
        return True
    return any(request.node.get_closest_marker(name) for name in ("real_commits", "e2e"))


@pytest.fixture(autouse=True)
def _app_context(request, app):
    """Each test runs inside an app context, on empty tables: in a transaction rolled back at the
    end, or (marked real_commits) with real commits and every table emptied afterwards."""
    with app.app_context():
        if _needs_real_commits(request):
            try:
                yield
            finally:
                empty_tables()
        else:
            with rolled_back(app):
                yield
        cache.clear()  # derived figures are keyed by ids that the next test reuses


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def make_user():
    def make(role: str = "inspector", **kwargs) -> User:
        if role in ("admin", "lead") and "unit" not in kwargs:
            kwargs.setdefault("unit", None)
        return factories.UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def login_as(client, make_user):
    """login_as('lead') → a new user with that role, signed in on `client`."""

    def login(role: str, **kwargs) -> User:
        return client.login_user(make_user(role, **kwargs))

    return login


_ISOLATION_STATEMENTS = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")


@contextmanager
def count_queries(keep_cache: bool = False):
    """Count the SQL statements run inside the block: `with count_queries() as n: ...; n()`."""
    statements: list[str] = []
    if not keep_cache:
        cache.clear()  # count what a page computes, not what an earlier request left in the cache

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(_ISOLATION_STATEMENTS):  # the rolled-back test's own SAVEPOINTs
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def statements_during(fn) -> list[str]:
    """The SQL statements `fn()` runs (the rolled-back test's SAVEPOINTs left out), caches kept."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(_ISOLATION_STATEMENTS):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return statements


@pytest.fixture
def artifacts() -> Path:
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
