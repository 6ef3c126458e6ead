"""An admin resets a password (shown once on their page); the person sees their previous login and must
change the password before anything else."""

from __future__ import annotations

from datetime import UTC, datetime

from supervision.extensions import db

from .conftest import click_through, login, shot


def test_reset_forced_change_and_previous_login(make_user, new_page, artifacts):
    make_user("admin", username="root", password="Admin2026x")
    person = make_user("inspector", username="chen", display_name="陈明")
    person.last_login_at = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    person.last_login_ip = "10.0.0.5"
    db.session.commit()

    admin = new_page()
    login(admin, "root", "Admin2026x")
    admin.goto(f"/admin/users/{person.id}")
    admin.on("dialog", lambda dialog: dialog.accept())
    click_through(admin, "button:has-text('重置密码')")
    password = admin.locator("[data-testid=new-password] code").inner_text().strip()
    assert password.startswith("Dc")
    shot(admin, artifacts, "admin-reset-password")

    page = new_page()
    login(page, "chen", password)
    assert page.url.endswith("/account/password")
    assert "请先修改为只有您本人知道的密码" in page.content()
    # The first page after the login, whichever it is, tells when and where the previous one was.
    banner = page.locator("[data-testid=previous-login]")
    assert "上次登录：2026年12月1日 09:30，来自 10.0.0.5" in banner.inner_text()
    shot(page, artifacts, "forced-password-change")
    page.goto("/tasks/")
    assert page.url.endswith("/account/password")
    page.fill("#current", password)
    page.fill("#new", "Mine2026abc")
    page.fill("#confirm", "Mine2026abc")
    click_through(page, "button[type=submit]:has-text('保存')")
    assert not page.url.endswith("/account/password")
    assert page.locator("[data-testid=home-inspector]").count() == 1
    assert page.locator("[data-testid=previous-login]").count() == 0  # once
