"""The templates' csrf_token() (sessions.csrf_token): signed once per session's raw token and kept,
never shared between sessions, and Flask-WTF's own answer where tokens expire."""

from __future__ import annotations

import re

from supervision.sessions import csrf_token


def _page_tokens(client) -> set[str]:
    html = client.get("/").get_data(as_text=True)
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html)) | set(
        re.findall(r'name="csrf-token" content="([^"]+)"', html)
    )


def _language_post(client, token: str) -> int:
    return client.post("/auth/lang/en", data={"csrf_token": token, "next": "/"}).status_code


def test_one_session_gets_one_token_that_is_accepted(app, client, login_as):
    login_as("lead")
    assert len(_page_tokens(client)) == 1  # the meta tag and every form of the page: one token
    first = _page_tokens(client)  # the session's raw token now exists: signed once more, and kept
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    assert app.extensions["supervision.csrf_tokens"][raw] in first
    assert _page_tokens(client) == first
    assert _language_post(client, first.pop()) == 302


def test_two_sessions_never_share_a_token(app, make_user):
    one, other = app.test_client(), app.test_client()
    one.login_user(make_user("lead"))
    other.login_user(make_user("lead"))
    (token_one,), (token_other,) = _page_tokens(one), _page_tokens(other)
    assert token_one != token_other
    assert _language_post(one, token_other) == 400  # another session's token is refused
    assert _language_post(other, token_other) == 302


def test_a_new_session_gets_a_new_token_at_once(client, login_as):
    login_as("lead")
    (old,) = _page_tokens(client)
    with client.session_transaction() as session:
        session.pop("csrf_token")  # a new session's raw token, as after a logout
    (new,) = _page_tokens(client)
    assert new != old
    assert _language_post(client, old) == 400
    assert _language_post(client, new) == 302


def test_with_a_time_limit_tokens_are_flask_wtfs_own(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 3600)
    kept = app.extensions.setdefault("supervision.csrf_tokens", {})
    kept.clear()
    login_as("lead")
    (token,) = _page_tokens(client)
    assert kept == {}  # nothing kept: a signed token carries its time and may expire
    assert _language_post(client, token) == 302


def test_outside_a_session_token_it_is_flask_wtfs(app):
    with app.test_request_context("/"):
        from flask import session

        token = csrf_token()
        assert "csrf_token" in session  # made the raw token, as Flask-WTF does
        assert csrf_token() == token  # once per request
