"""The request pipeline's kept answers: a session cookie checked once per cookie string, and a pooled
connection pinged only after lying idle. Each refuses what it refused before."""

from __future__ import annotations

import itertools
import time
import types

import itsdangerous.timed
import pytest
from flask import request
from sqlalchemy import create_engine, text

import supervision
from supervision import db_ping_when_idle
from supervision import sessions as sessions_module


def _cookie(client, app) -> str:
    return client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value


def _verified(app) -> dict:
    return app.session_interface._kept[2]


def _settled(client) -> None:
    """Two pages: the first after login writes the session (its CSRF token, the previous login
    shown once), the second reads that cookie, which is then the one kept."""
    client.get("/")
    client.get("/")


def test_a_cookie_is_checked_once_and_read_again_as_it_was(app, client, login_as):
    login_as("lead")
    _settled(client)
    cookie = _cookie(client, app)
    assert cookie in _verified(app)
    assert client.get("/").status_code == 200  # read from the kept answer: still signed in
    assert 'data-testid="user-menu"' in client.get("/").get_data(as_text=True)


def test_an_altered_cookie_is_refused_though_the_real_one_is_kept(app, client, login_as):
    login_as("lead")
    client.get("/")
    cookie = _cookie(client, app)
    payload, stamp, signature = cookie.rsplit(".", 2)
    forged = f"{payload}.{stamp}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    other = app.test_client()
    other.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), forged)
    response = other.get("/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert forged not in _verified(app)


def test_a_kept_cookie_past_the_session_lifetime_is_refused(app, client, login_as, monkeypatch):
    login_as("lead")
    _settled(client)
    assert _cookie(client, app) in _verified(app)
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    now = time.time()
    later = types.SimpleNamespace(time=lambda: now + lifetime + 60)
    monkeypatch.setattr(sessions_module, "time", later)  # the kept answer's clock
    monkeypatch.setattr(itsdangerous.timed, "time", later)  # itsdangerous's own
    response = client.get("/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_each_request_gets_its_own_copy_of_a_kept_session(app, client, login_as):
    login_as("lead")
    client.get("/")
    cookie = _cookie(client, app)
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        first = app.session_interface.open_session(app, request)
        first.setdefault("_flashes", []).append(("info", "only mine"))
        first["lang"] = "en"
        second = app.session_interface.open_session(app, request)
    assert "_flashes" not in second and second.get("lang") != "en"


def test_the_kept_cookies_go_with_the_key(app, client, login_as, monkeypatch):
    login_as("lead")
    client.get("/")
    cookie = _cookie(client, app)
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-for-this-test-only")
    monkeypatch.setattr(app, "secret_key", "another-secret-key-for-this-test-only")
    response = client.get("/")
    assert response.status_code == 302  # signed with the old key: not a session any more
    assert cookie not in _verified(app)


@pytest.fixture
def file_engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'ping.db'}")
    yield engine
    engine.dispose()


def _dbapi_pings(engine, monkeypatch) -> list[int]:
    calls: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection):
        calls.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return calls


def test_a_connection_in_use_is_not_pinged(file_engine, monkeypatch):
    db_ping_when_idle(file_engine, 30)
    pings = _dbapi_pings(file_engine, monkeypatch)
    for _ in range(5):
        with file_engine.connect() as conn:
            assert conn.execute(text("select 1")).scalar() == 1
    assert pings == []


def test_an_idle_connection_is_pinged_and_kept_if_alive(file_engine, monkeypatch):
    clock = itertools.count(1000, 100)  # each reading 100 s after the last
    monkeypatch.setattr(supervision, "time", types.SimpleNamespace(monotonic=lambda: next(clock)))
    db_ping_when_idle(file_engine, 30)
    pings = _dbapi_pings(file_engine, monkeypatch)
    with file_engine.connect() as conn:
        first = conn.connection.dbapi_connection
    with file_engine.connect() as conn:
        assert conn.connection.dbapi_connection is first  # alive: the same connection
    assert pings == [1]


def test_a_dead_idle_connection_is_replaced_before_use(file_engine, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(supervision, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    db_ping_when_idle(file_engine, 30)
    with file_engine.connect() as conn:
        first = conn.connection.dbapi_connection
    now[0] += 60  # idle for a minute
    real = file_engine.dialect.do_ping

    def ping(dbapi_connection):
        if dbapi_connection is first:
            raise file_engine.dialect.loaded_dbapi.OperationalError("server closed the connection")
        return real(dbapi_connection)

    monkeypatch.setattr(file_engine.dialect, "do_ping", ping)
    monkeypatch.setattr(file_engine.dialect, "is_disconnect", lambda *args: True)
    with file_engine.connect() as conn:
        assert conn.execute(text("select 1")).scalar() == 1
        assert conn.connection.dbapi_connection is not first  # replaced, the request never saw it
