"""A Flask test client logged in through the real login form, for the in-process measurements."""

from __future__ import annotations

import contextlib
import html
import re
import time

from bench.build_data import BENCH_PASSWORD


def logged_in_client(app, username: str, password: str = BENCH_PASSWORD):
    """A test client with the session a browser gets from the login form (CSRF token, session rules).

    No app context is held around it: each request pushes its own, as under gunicorn."""
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    if not token:
        raise RuntimeError("no CSRF token on the login page")
    response = client.post(
        "/auth/login",
        data={"csrf_token": html.unescape(token.group(1)), "username": username, "password": password},
    )
    if response.status_code != 302 or "/auth/login" in response.headers.get("Location", ""):
        raise RuntimeError(f"login of {username} failed (HTTP {response.status_code})")
    client.get(response.headers["Location"])  # the first page after login shows the previous login once
    return client


def switch_language(client, code: str) -> None:
    """Choose the page language as the user menu's form does (POST /auth/lang/<code>)."""
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    if not token:
        raise RuntimeError("no CSRF token on the home page")
    response = client.post(
        f"/auth/lang/{code}", data={"csrf_token": html.unescape(token.group(1)), "next": "/"}
    )
    if response.status_code != 302:
        raise RuntimeError(f"language switch to {code} failed (HTTP {response.status_code})")


@contextlib.contextmanager
def statements_run(engine):
    """Each statement the engine runs meanwhile, as [ms, statement, parameters], without a
    `before_cursor_execute` listener: one left on an engine (SQLAlchemy keeps dispatching
    connection events after the last is removed) would add its cost to every later request."""
    dialect = engine.dialect
    names = ("do_execute", "do_execute_no_params", "do_executemany")
    originals = {name: getattr(dialect, name) for name in names}
    own = {name for name in names if name in vars(dialect)}  # set on the instance (read_commits)
    run: list[list] = []

    def timed(name):
        original = originals[name]

        def call(cursor, statement, *args):
            t0 = time.perf_counter()
            try:
                return original(cursor, statement, *args)
            finally:
                parameters = args[0] if name != "do_execute_no_params" else None
                run.append([(time.perf_counter() - t0) * 1000, statement, parameters])

        return call

    for name in names:
        setattr(dialect, name, timed(name))
    try:
        yield run
    finally:
        for name in names:
            if name in own:
                setattr(dialect, name, originals[name])
            else:
                delattr(dialect, name)
