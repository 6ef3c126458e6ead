"""Session and password rules (等保): idle timeout, absolute lifetime, forced and expired passwords,
the previous login shown, an admin ending a user's sessions, and the audit trail of each, by method."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from supervision.extensions import db
from supervision.models import AuditEvent, User

START = 1_800_000_000.0  # the injected clock's epoch seconds


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta).total_seconds()


@pytest.fixture
def clock(app, monkeypatch):
    clock = Clock()
    monkeypatch.setitem(app.config, "CLOCK", clock)
    return clock


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def _actions(*actions: str) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
    ).all()


# --- idle timeout and absolute lifetime --------------------------------------------------------


def test_a_session_ends_after_the_idle_timeout(client, make_user, clock, app):
    assert app.config["SESSION_IDLE_MINUTES"] == 30
    make_user("lead", username="wang")
    client.login("wang")
    clock.advance(minutes=29)
    assert _signed_in(client)
    clock.advance(minutes=29)  # 29 minutes since the last request, not since login: still in
    assert _signed_in(client)
    clock.advance(minutes=31)
    response = client.get("/tasks/")
    assert response.headers["Location"].startswith("/auth/login")
    assert "登录已超时，请重新登录。" in client.get(response.headers["Location"]).text


def test_a_busy_session_still_ends_at_its_absolute_lifetime(client, make_user, clock, app):
    assert app.config["SESSION_MAX_HOURS"] == 12
    make_user("lead", username="wang")
    client.login("wang")
    for _ in range(11 * 3):  # a request every 20 minutes for 11 hours
        clock.advance(minutes=20)
        assert _signed_in(client)
    clock.advance(minutes=59)
    assert not _signed_in(client)


def test_the_timeouts_follow_the_settings(client, make_user, clock, monkeypatch, app):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    make_user("lead", username="wang")
    client.login("wang")
    clock.advance(minutes=6)
    assert not _signed_in(client)


def test_a_captured_cookie_cannot_be_kept_alive_past_the_lifetime(client, make_user, clock, app):
    """The timestamps are in the signed cookie: the browser cannot move them, and the server judges."""
    make_user("lead", username="wang")
    client.login("wang")
    old_cookie = client.get_cookie("session").value
    clock.advance(hours=13)
    thief = app.test_client()
    thief.set_cookie("session", old_cookie)
    assert not _signed_in(thief)


def test_a_session_without_timestamps_is_refused(client, make_user):
    user = make_user("lead")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["session_version"] = user.session_version
    assert not _signed_in(client)


# --- forced password change ------------------------------------------------------------------


def _admin(app, make_user):
    admin = app.test_client()
    admin.login_user(make_user("admin", username="root"))
    return admin


def test_reset_password_is_shown_once_on_the_admins_page_and_never_in_the_cookie(client, make_user, app):
    user = make_user("inspector", username="chen", display_name="陈明")
    admin = _admin(app, make_user)
    response = admin.post_form(f"/admin/users/{user.id}/reset-password")
    assert response.status_code == 200  # rendered here, not redirected to a page fed by a flash
    assert response.headers["Cache-Control"] == "no-store"
    password = re.search(
        r'data-testid="new-password".*?<code[^>]*>([^<]+)</code>', response.text, re.S
    ).group(1)
    db.session.refresh(user)
    assert user.check_password(password) and user.must_change_password
    with admin.session_transaction() as session:
        assert password not in repr(dict(session))
    assert password not in admin.get(f"/admin/users/{user.id}").text  # once


def test_after_a_reset_every_page_leads_to_the_password_change_until_done(client, make_user, app):
    user = make_user("inspector", username="chen")
    admin = _admin(app, make_user)
    page = admin.post_form(f"/admin/users/{user.id}/reset-password").text
    password = re.search(r"<code[^>]*>(Dc[^<]+)</code>", page).group(1)
    response = client.login("chen", password)
    assert response.status_code == 302
    for path in ("/", "/tasks/", "/admin/users"):
        assert client.get(path).headers["Location"] == "/account/password"
    htmx = client.get("/", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == "/account/password"
    page = client.get("/account/password")
    assert page.status_code == 200 and "请先修改为只有您本人知道的密码" in page.text
    response = client.post_form(
        "/account/password", {"current": password, "new": "Mine2026abc", "confirm": "Mine2026abc"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    db.session.refresh(user)
    assert not user.must_change_password and user.password_changed_at is not None
    assert client.post_form("/auth/logout").status_code == 302  # logout was open all along


def test_an_account_the_admin_creates_must_change_its_password(client, make_user, app):
    admin = _admin(app, make_user)
    admin.post_form(
        "/admin/users/new",
        {"username": "zhou", "display_name": "周丽", "role": "lead", "unit_id": 0, "password": "Start2026x"},
    )
    assert db.session.scalar(select(User).where(User.username == "zhou")).must_change_password
    client.login("zhou", "Start2026x")
    assert client.get("/").headers["Location"] == "/account/password"


def test_an_imported_account_must_change_its_password(make_user):
    from supervision.services.org import users_import

    admin = make_user("admin")
    users_import(
        actor=admin, rows=[(2, {"用户名": "li", "姓名": "李丽", "角色": "督察员", "初始密码": "Change2026"})]
    )
    assert db.session.scalar(select(User).where(User.username == "li")).must_change_password


def test_an_expired_password_must_be_changed(client, make_user, monkeypatch, app):
    user = make_user("lead", username="wang")
    user.password_changed_at = datetime.now(UTC) - timedelta(days=91)
    db.session.commit()
    client.login("wang")
    assert client.get("/").status_code == 200  # no expiry unless configured
    monkeypatch.setitem(app.config, "PASSWORD_MAX_AGE_DAYS", 90)
    assert client.get("/").headers["Location"] == "/account/password"
    assert "已超过有效期" in client.get("/account/password").text
    monkeypatch.setitem(app.config, "PASSWORD_MAX_AGE_DAYS", 120)
    assert client.get("/").status_code == 200


# --- previous login ------------------------------------------------------------------------------


def test_the_previous_login_is_shown_once_after_login(client, make_user):
    user = make_user("lead", username="wang")
    user.last_login_at = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    user.last_login_ip = "10.0.0.5"
    db.session.commit()
    client.login("wang")
    page = client.get("/").text
    assert "上次登录：2026年12月1日 09:30，来自 10.0.0.5" in page
    assert "上次登录" not in client.get("/").text
    db.session.refresh(user)
    assert user.last_login_ip == "127.0.0.1" and user.last_login_at > datetime(2026, 12, 1, 2, tzinfo=UTC)


def test_a_first_login_shows_no_previous_login(client, make_user):
    make_user("lead", username="wang")
    client.login("wang")
    assert "上次登录" not in client.get("/").text


# --- an admin ends a user's sessions --------------------------------------------------------------


def test_an_admin_ends_all_sessions_of_a_user(client, make_user, app):
    user = make_user("inspector", username="chen")
    other_browser = app.test_client()
    client.login("chen")
    other_browser.login("chen")
    admin = _admin(app, make_user)
    assert 'data-testid="end-sessions"' in admin.get(f"/admin/users/{user.id}").text
    response = admin.post_form(f"/admin/users/{user.id}/end-sessions")
    assert response.status_code == 302
    assert not _signed_in(client) and not _signed_in(other_browser)
    assert _signed_in(admin)
    (event,) = _actions("user.end_sessions")
    assert event.record_id == user.id and event.actor.username == "root"
    assert client.login("chen").status_code == 302 and _signed_in(client)


def test_only_an_admin_may_end_sessions(client, make_user, login_as):
    user = make_user("inspector", username="chen")
    login_as("lead")
    assert client.post_form(f"/admin/users/{user.id}/end-sessions").status_code == 403
    assert not _actions("user.end_sessions")


# --- audit trail, with the method -------------------------------------------------------------


def test_sign_in_failure_lockout_and_logout_are_audited_with_the_method(client, make_user, app):
    user = make_user("lead", username="wang")
    client.login("wang", "wrong-password1")
    client.login("nobody", "wrong-password1")
    client.login("wang")
    client.post_form("/auth/logout")
    events = _actions("user.login", "user.login_failed", "user.logout")
    assert [(e.action, e.record_type, e.record_id) for e in events] == [
        ("user.login_failed", "user", user.id),
        ("user.login_failed", "login", 0),
        ("user.login", "user", user.id),
        ("user.logout", "user", user.id),
    ]
    assert all(e.changes["method"] == "local" for e in events)
    assert "本地密码" in events[2].summary
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        client.login("wang", "wrong-password1")
    client.login("wang")
    (throttled,) = _actions("user.login_throttled")
    assert throttled.record_id == user.id and throttled.changes["method"] == "local"


# --- local passwords off, but for the break-glass account ---------------------------------------


def test_local_login_off_leaves_only_the_break_glass_account(client, make_user, monkeypatch, app):
    monkeypatch.setitem(app.config, "LOCAL_LOGIN", False)
    monkeypatch.setitem(app.config, "LOCAL_LOGIN_BREAK_GLASS", "root")
    make_user("lead", username="wang")
    make_user("admin", username="root")
    response = client.login("wang")
    assert response.status_code == 200 and "已关闭本地密码登录" in response.text
    assert client.login("root").status_code == 302 and _signed_in(client)
