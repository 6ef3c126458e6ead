"""Test set-up: one schema per run built by the migrations, every table emptied after each test.

TEST_DB=postgres (with TEST_DATABASE_URL) runs the same suite on PostgreSQL.
"""

from __future__ import annotations

import contextvars
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text

from supervision import cache, create_app
from supervision.extensions import db
from supervision.models import User
from supervision.queue import huey

from . import factories

# Jobs run at once, in the calling thread (Huey's immediate mode); test_jobs_worker.py runs a real consumer.
huey.immediate = True

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def _database_url(tmp_path_factory) -> str:
    if os.environ.get("TEST_DB") == "postgres":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.exit("TEST_DB=postgres needs TEST_DATABASE_URL", returncode=2)
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


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


def empty_tables() -> None:
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    # DELETE, not TRUNCATE: for the few rows a test leaves it is some 50 times faster on PostgreSQL.
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))


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
    return app


@pytest.fixture(autouse=True)
def _app_context(app):
    """Each test runs inside an app context, on empty tables."""
    with app.app_context():
        yield
        empty_tables()
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


@contextmanager
def count_queries(keep_cache: bool = False):
    """Count the SQL statements run inside the block: `with count_queries() as n: ...; n()`."""
    statements: list[str] = []
    if not keep_cache:
        cache.clear()  # count what a page computes, not what an earlier request left in the cache

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


@pytest.fixture
def artifacts() -> Path:
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
