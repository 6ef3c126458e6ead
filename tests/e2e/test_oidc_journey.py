"""统一身份认证 in a browser: our login page → the OpenID provider's login form → back, signed in."""

from __future__ import annotations

import pytest

from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider

from .conftest import click_through, shot


@pytest.fixture(scope="module")
def provider(live_server):
    with running_provider(f"{live_server}/auth/oidc/callback", f"{live_server}/auth/login") as issuer:
        yield issuer


@pytest.fixture
def oidc(app, provider, monkeypatch):
    for key, value in {
        "OIDC_ISSUER": provider,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_SCOPES": "openid profile",
        "OIDC_USERNAME_CLAIM": "preferred_username",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return provider


def test_sign_in_through_the_provider_and_out_again(oidc, make_user, new_page, artifacts, live_server):
    make_user("lead", username="wang", display_name="王芳")
    page = new_page()
    page.goto("/auth/login")
    assert page.locator("[data-testid=oidc-login]").inner_text().strip() == "统一身份认证登录"
    shot(page, artifacts, "login-oidc")
    click_through(page, "[data-testid=oidc-login]")
    assert page.url.startswith(oidc)  # at the provider's own login form
    page.fill("input[name=login]", "wang")
    page.fill("input[name=password]", "any-password")
    click_through(page, "button[type=submit]")
    assert page.url.startswith(live_server)
    assert page.locator("[data-testid=home-lead]").count() == 1
    assert "王芳" in page.content()
    shot(page, artifacts, "home-after-oidc")
    # Logout goes through the provider's end-session page, which asks before it signs out there too.
    with page.expect_navigation(wait_until="networkidle"):  # the button sits in the user menu
        page.locator("[data-testid=logout]").evaluate("button => button.form.requestSubmit()")
    assert page.url.startswith(oidc)
    click_through(page, "button[name=logout]")
    assert page.url.startswith(f"{live_server}/auth/login")
    page.goto("/")
    assert "/auth/login" in page.url


def test_a_person_without_an_account_sees_a_clear_page(oidc, new_page, artifacts):
    page = new_page()
    page.goto("/auth/login")
    click_through(page, "[data-testid=oidc-login]")
    page.fill("input[name=login]", "stranger")
    page.fill("input[name=password]", "any-password")
    click_through(page, "button[type=submit]")
    assert "本系统中没有您的账号" in page.locator("[data-testid=sso-error]").inner_text()
    shot(page, artifacts, "oidc-no-account")
