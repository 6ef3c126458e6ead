"""A Flask test client logged in through the real login form, for the in-process measurements."""

from __future__ import annotations

import html
import re

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
