"""Login, logout, wrong password, throttling, CSRF, landing pages and navigation."""

from __future__ import annotations

import pytest

from supervision.models import LoginAttempt


def test_login_page_is_chinese(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "登录" in page and "用户名" in page and "密码" in page


def test_login_and_logout(client, make_user):
    user = make_user("lead", username="wang")
    response = client.login("wang")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    home = client.get("/")
    assert home.status_code == 200 and user.display_name in home.get_data(as_text=True)
    response = client.post_form("/auth/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_wrong_password_is_refused(client, make_user):
    make_user("lead", username="wang")
    response = client.login("wang", "wrong-password1")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_log_in(client, make_user):
    make_user("lead", username="gone", active=False)
    response = client.login("gone")
    assert "已停用" in response.get_data(as_text=True)


ADDRESS_A = "198.51.100.1"
ADDRESS_B = "203.0.113.2"


def _login_from(client, address: str, username: str, password: str = "Passw0rd!", **kwargs):
    client.csrf = None
    response = client.post_form(
        "/auth/login",
        {"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **kwargs,
    )
    client.csrf = None
    return response


def _age_login_attempts(seconds: int) -> None:
    """Move every recorded attempt `seconds` into the past (instead of waiting)."""
    from datetime import timedelta

    from supervision.extensions import db

    for attempt in db.session.query(LoginAttempt):
        attempt.at -= timedelta(seconds=seconds)
    db.session.commit()


def test_repeated_failures_make_that_account_wait_at_that_address(client, make_user, app):
    make_user("lead", username="wang")
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        _login_from(client, ADDRESS_A, "wang", "wrong-password1")
    # Now even the right password waits a while there, and the page says how long.
    response = _login_from(client, ADDRESS_A, "wang")
    assert "登录失败次数过多，请 30 秒后再试" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    _age_login_attempts(30)
    assert _login_from(client, ADDRESS_A, "wang").status_code == 302


def test_failures_elsewhere_never_stop_the_right_password_from_another_address(client, make_user, app):
    make_user("lead", username="wang")
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 3):
        _login_from(client, ADDRESS_A, "wang", "wrong-password1")
    response = _login_from(client, ADDRESS_B, "wang")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _signed_in(client)


def test_throttling_by_address(client, make_user, app):
    app.config["LOGIN_FREE_FAILURES_ADDRESS"] = 3
    try:
        make_user("lead", username="wang")
        for name in ("a1", "a2", "a3"):
            _login_from(client, ADDRESS_A, name, "whatever1")
        response = _login_from(client, ADDRESS_A, "wang")
        assert "登录失败次数过多" in response.get_data(as_text=True)
        # The address waits, not the accounts behind it.
        assert _login_from(client, ADDRESS_B, "wang").status_code == 302
    finally:
        app.config["LOGIN_FREE_FAILURES_ADDRESS"] = 20


def test_a_waiting_try_is_neither_checked_nor_counted(client, make_user, app, monkeypatch):
    from supervision.extensions import db
    from supervision.models import org

    make_user("lead", username="wang")
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        _login_from(client, ADDRESS_A, "wang", "wrong-password1")
    checks = []
    monkeypatch.setattr(org, "check_password_hash", lambda *args: checks.append(args) or True)
    _login_from(client, ADDRESS_A, "wang", "wrong-password1")
    assert checks == []
    assert db.session.query(LoginAttempt).count() == app.config["LOGIN_FREE_FAILURES"]


def test_the_wait_doubles_with_each_further_failure_up_to_the_limit(app, make_user):
    from datetime import timedelta

    from supervision.errors import DomainError
    from supervision.models import utcnow
    from supervision.services.auth import login_check, login_wait_seconds

    make_user("lead", username="wang")
    now = utcnow()
    waits = []
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 6):
        with pytest.raises(DomainError, match="用户名或密码不正确"):
            login_check(username="wang", password="wrong-password1", ip=ADDRESS_A, now=now)
        wait = login_wait_seconds(username="wang", ip=ADDRESS_A, now=now)
        waits.append(wait)
        last_failure, now = now, now + timedelta(seconds=wait)
    assert waits == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    with pytest.raises(DomainError, match="请 15 分钟后再试"):
        login_check(username="wang", password="Passw0rd!", ip=ADDRESS_A, now=last_failure)
    with pytest.raises(DomainError, match="请 1 秒后再试"):
        login_check(username="wang", password="Passw0rd!", ip=ADDRESS_A, now=now - timedelta(seconds=1))
    # Waited out, the right password works, and the account starts afresh at that address.
    assert login_check(username="wang", password="Passw0rd!", ip=ADDRESS_A, now=now).user.username == "wang"
    assert login_wait_seconds(username="wang", ip=ADDRESS_A, now=now) == 0
    # Failures older than the window no longer count.
    later = now + timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"], seconds=1)
    assert login_wait_seconds(username="other", ip=ADDRESS_A, now=later) == 0


def test_a_success_does_not_clear_the_address_bucket(app, make_user):
    from supervision.errors import DomainError
    from supervision.models import utcnow
    from supervision.services.auth import login_check, login_wait_seconds

    app.config["LOGIN_FREE_FAILURES_ADDRESS"] = 3
    try:
        make_user("inspector", username="mine")
        now = utcnow()
        for name in ("a1", "a2", "a3"):
            with pytest.raises(DomainError):
                login_check(username=name, password="whatever1", ip=ADDRESS_A, now=now)
        with pytest.raises(DomainError, match="登录失败次数过多"):
            login_check(username="mine", password="Passw0rd!", ip=ADDRESS_A, now=now)
        assert login_wait_seconds(username="a4", ip=ADDRESS_A, now=now) == 30
    finally:
        app.config["LOGIN_FREE_FAILURES_ADDRESS"] = 20


def test_unknown_and_known_usernames_cost_the_same_hash_check(client, make_user, monkeypatch):
    """No timing oracle: an unknown or inactive username is checked against a dummy hash."""
    from supervision.models import org

    make_user("lead", username="wang")
    make_user("lead", username="gone", active=False)
    real = org.check_password_hash
    checks = []

    def counting(stored: str, password: str) -> bool:
        checks.append(stored.split("$", 1)[0])
        return real(stored, password)

    monkeypatch.setattr(org, "check_password_hash", counting)
    for username in ("wang", "nobody", "gone"):
        checks.clear()
        _login_from(client, ADDRESS_A, username, "wrong-password1")
        # One check each, with the method real passwords are hashed with.
        assert checks == ["pbkdf2:sha256:1000"], username


@pytest.fixture
def proxied_client(app, real_commits):
    """A client of the app configured as behind one reverse proxy (TRUSTED_PROXIES=1)."""
    from supervision import create_app
    from supervision.extensions import db

    behind_proxy = create_app({**app.config, "TRUSTED_PROXIES": 1})
    behind_proxy.test_client_class = app.test_client_class
    yield behind_proxy.test_client()
    with behind_proxy.app_context():
        db.engine.dispose()


def _login_forwarded(client, forwarded_for: str, username: str, password: str = "Passw0rd!"):
    client.csrf = None
    response = client.post_form(
        "/auth/login",
        {"username": username, "password": password},
        headers={"X-Forwarded-For": forwarded_for},
    )
    client.csrf = None
    return response


def _login_addresses() -> list[str]:
    from supervision.extensions import db
    from supervision.models import AuditEvent

    events = db.session.query(AuditEvent).filter_by(action="user.login").order_by(AuditEvent.id)
    return [event.ip for event in events]


def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(proxied_client, make_user):
    from supervision.extensions import db

    make_user("lead", username="wang")
    assert _login_forwarded(proxied_client, "203.0.113.9", "wang").status_code == 302
    assert _login_addresses() == ["203.0.113.9"]
    assert [a.ip for a in db.session.query(LoginAttempt)] == ["203.0.113.9"]


def test_without_trusted_proxies_a_forwarded_address_is_ignored(client, make_user, app):
    make_user("lead", username="wang")
    assert _login_forwarded(client, "203.0.113.9", "wang").status_code == 302
    assert _login_addresses() == ["127.0.0.1"]
    # Nor can a client escape its wait by claiming another address in the header.
    make_user("inspector", username="chen")
    other = app.test_client()
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        _login_forwarded(other, "203.0.113.9", "chen", "wrong-password1")
    response = _login_forwarded(other, "192.0.2.77", "chen")
    assert "登录失败次数过多" in response.get_data(as_text=True)


def test_behind_a_proxy_failures_under_many_usernames_do_not_stop_a_lead_elsewhere(
    proxied_client, make_user, app
):
    make_user("lead", username="wang")
    for number in range(app.config["LOGIN_FREE_FAILURES_ADDRESS"]):
        _login_forwarded(proxied_client, ADDRESS_A, f"guess{number}", "wrong-password1")
    assert "登录失败次数过多" in _login_forwarded(proxied_client, ADDRESS_A, "wang").get_data(as_text=True)
    assert _login_forwarded(proxied_client, ADDRESS_B, "wang").status_code == 302


def test_login_attempts_are_recorded(client, make_user):
    from supervision.extensions import db

    make_user("lead", username="wang")
    client.login("wang", "bad-one-1")
    client.login("wang")
    attempts = db.session.query(LoginAttempt).order_by(LoginAttempt.id).all()
    assert [a.success for a in attempts] == [False, True]


def test_post_without_csrf_token_is_refused(client, make_user):
    make_user("lead", username="wang")
    response = client.post("/auth/login", data={"username": "wang", "password": "Passw0rd!"})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)


OFF_SITE_TARGETS = [
    "https://evil.example/",
    "http:evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "%2F%2Fevil.example",
    "/%255Cevil.example",
    "/%25255Cevil.example",
    "/\tevil.example",
    "/\t/evil.example",
    "/%09/evil.example",
    "/\n/evil.example",
    "/\x00/evil.example",
    " /evil",
    " //evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "",
    None,
]


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_safe_next_refuses_anything_but_a_path_on_this_site(target):
    from supervision.urls import safe_next

    assert safe_next(target) is None


@pytest.mark.parametrize(
    "target", ["/", "/tasks/3", "/search?q=%E6%B5%B7&page=2", "/notices/?status=draft#list"]
)
def test_safe_next_keeps_paths_on_this_site(target):
    from supervision.urls import safe_next

    assert safe_next(target) == target


@pytest.mark.parametrize(
    "query", ["https://evil.example/", "/%5Cevil.example", "%2F%2Fevil.example", "/%09/evil.example"]
)
def test_open_redirect_is_ignored(client, make_user, query):
    make_user("lead", username="wang")
    client.csrf = None
    response = client.post_form(f"/auth/login?next={query}", {"username": "wang", "password": "Passw0rd!"})
    assert response.headers["Location"] == "/"


def test_login_follows_a_next_path_on_this_site(client, make_user):
    make_user("lead", username="wang")
    client.csrf = None
    response = client.post_form(
        "/auth/login?next=/notices/%3Fstatus%3Ddraft", {"username": "wang", "password": "Passw0rd!"}
    )
    assert response.headers["Location"] == "/notices/?status=draft"


def test_language_switch_does_not_redirect_off_site(client):
    response = client.post_form("/auth/lang/en", {"next": "/\\evil.example"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("admin", ["单位管理", "用户管理", "操作日志"], []),
        ("lead", ["工作台"], ["用户管理", "操作日志"]),
        ("inspector", ["工作台"], ["单位管理", "用户管理"]),
        ("liaison", ["工作台"], ["单位管理", "用户管理", "操作日志"]),
    ],
)
def test_each_role_lands_on_its_home_with_its_navigation(client, login_as, role, visible, hidden):
    kwargs = {}
    login_as(role, **kwargs)
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-testid="home-{role}"' in html
    nav = html.split('data-testid="main-nav"', 1)[1].split("</nav>", 1)[0]
    for label in visible:
        assert label in nav
    for label in hidden:
        assert label not in nav


def test_language_switch_to_english(client, login_as):
    login_as("admin")
    client.post_form("/auth/lang/en", {"next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "<title>Dashboard - Supervision Tracker" in html
    nav = html.split('data-testid="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert "Notices" in nav and "通知书" not in nav  # needs the compiled catalogue: make translations


def test_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_inline_scripts_in_pages(client, login_as):
    login_as("admin")
    for url in ("/", "/admin/units", "/admin/users", "/auth/login"):
        html = client.get(url).get_data(as_text=True)
        for tag in html.split("<script")[1:]:
            assert tag.lstrip().startswith("src="), f"inline script on {url}"


def test_change_own_password(client, make_user):
    make_user("inspector", username="chen")
    client.login("chen")
    bad = client.post_form(
        "/account/password", {"current": "nope12345", "new": "Newpass123", "confirm": "Newpass123"}
    )
    assert "当前密码不正确" in bad.get_data(as_text=True)
    short = client.post_form("/account/password", {"current": "Passw0rd!", "new": "ab1", "confirm": "ab1"})
    assert "至少" in short.get_data(as_text=True)
    ok = client.post_form(
        "/account/password", {"current": "Passw0rd!", "new": "Newpass123", "confirm": "Newpass123"}
    )
    assert ok.status_code == 302
    client.post_form("/auth/logout")
    assert client.login("chen", "Newpass123").status_code == 302


def test_error_pages_are_chinese_in_layout(client, login_as):
    login_as("liaison")
    page = client.get("/admin/units")
    assert page.status_code == 403 and "没有权限" in page.get_data(as_text=True)
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)
    assert "督察通" in missing.get_data(as_text=True)


def test_a_get_on_a_post_only_address_is_a_chinese_page(client, login_as):
    # A bookmarked or retyped action address (/auth/logout, /notices/1/void) showed werkzeug's bare
    # English "405 Method Not Allowed" page.
    login_as("lead")
    response = client.get("/auth/logout")
    page = response.get_data(as_text=True)
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    assert "督察通" in page and "Method Not Allowed" not in page


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_server_error_page_is_chinese(app):
    from supervision import create_app

    other = create_app({**app.config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @other.route("/boom")
    def boom():
        raise RuntimeError("故意的错误")

    response = other.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "系统出错了" in html and "故意的错误" not in html


def test_language_chosen_on_the_login_page_survives_login(client, make_user):
    make_user("lead", username="wang")
    client.post_form("/auth/lang/en", {"next": "/auth/login"})
    assert "Sign in" in client.get("/auth/login").get_data(as_text=True)
    client.login("wang")
    assert "Dashboard" in client.get("/").get_data(as_text=True)


# --- ending sessions: a captured cookie stops working ------------------------------------------------


def _copy_of_session(client, app):
    """Another browser holding a copy of this client's session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_logout_ends_a_captured_copy_of_the_session(client, make_user, app):
    make_user("lead", username="wang")
    client.login("wang")
    thief = _copy_of_session(client, app)
    assert _signed_in(thief)
    client.post_form("/auth/logout")
    assert not _signed_in(client)
    assert not _signed_in(thief)
    assert thief.get("/").headers["Location"].startswith("/auth/login")


def test_logout_everywhere_ends_every_session_of_the_user(client, make_user, app):
    from supervision.extensions import db
    from supervision.models import AuditEvent

    make_user("lead", username="wang")
    phone = app.test_client()
    phone.login("wang")
    client.login("wang")
    assert "退出所有设备" in client.get("/account/password").get_data(as_text=True)
    response = client.post_form("/account/logout-everywhere")
    assert response.headers["Location"].startswith("/auth/login")
    assert not _signed_in(client)
    assert not _signed_in(phone)
    assert db.session.query(AuditEvent).filter_by(action="user.logout_everywhere").count() == 1
    assert phone.login("wang").status_code == 302 and _signed_in(phone)  # a new login works


def test_password_change_ends_other_sessions_but_keeps_this_one(client, make_user, app):
    make_user("inspector", username="chen")
    client.login("chen")
    thief = _copy_of_session(client, app)
    response = client.post_form(
        "/account/password", {"current": "Passw0rd!", "new": "Newpass123", "confirm": "Newpass123"}
    )
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(thief)


def test_admin_reset_ends_the_users_sessions(client, make_user, app):
    user = make_user("inspector", username="chen")
    client.login("chen")
    admin = app.test_client()
    admin.login_user(make_user("admin"))
    admin.post_form(f"/admin/users/{user.id}/reset-password")
    assert not _signed_in(client)


def test_deactivation_ends_the_users_sessions_for_good(client, make_user, app):
    user = make_user("inspector", username="chen")
    client.login("chen")
    admin = app.test_client()
    admin.login_user(make_user("admin"))
    admin.post_form(f"/admin/users/{user.id}/active", {"active": "0"})
    assert not _signed_in(client)
    admin.post_form(f"/admin/users/{user.id}/active", {"active": "1"})
    assert not _signed_in(client)  # reactivated, the account needs a new login


def test_logout_does_not_count_as_an_edit_of_the_user(client, make_user):
    user = make_user("lead", username="wang")
    version = user.version
    client.login("wang")
    client.post_form("/auth/logout")
    assert user.version == version and user.session_version == 2


def test_a_session_without_its_version_is_refused(client, make_user):
    user = make_user("lead")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert not _signed_in(client)
