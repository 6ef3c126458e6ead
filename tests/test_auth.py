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


def test_repeated_failures_are_throttled(client, make_user, app):
    make_user("lead", username="wang")
    for _ in range(app.config["LOGIN_MAX_FAILURES_USER"]):
        client.login("wang", "wrong-password1")
    # Now even the right password is refused for a while, with a clear message.
    response = client.login("wang")
    assert "登录失败次数过多" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_throttling_by_address(client, make_user, app):
    app.config["LOGIN_MAX_FAILURES_IP"] = 3
    try:
        make_user("lead", username="wang")
        for name in ("a1", "a2", "a3"):
            client.login(name, "whatever1")
        response = client.login("wang")
        assert "登录失败次数过多" in response.get_data(as_text=True)
    finally:
        app.config["LOGIN_MAX_FAILURES_IP"] = 20


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
    assert "Dashboard" in html or "Supervision Tracker" in html


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
