"""The role × route matrix for the foundation's routes: an unauthorised role gets 403 or 404, never data."""

from __future__ import annotations

from datetime import date

import pytest

from supervision.extensions import db
from supervision.models import Holiday
from supervision.permissions import CAPABILITIES, can

from .factories import NoticeKindFactory, UnitFactory, UserFactory

ROLES = ["anonymous", "admin", "lead", "inspector", "liaison"]
OFFICE = {"admin", "lead", "inspector"}
ADMIN = {"admin"}
ANY = {"admin", "lead", "inspector", "liaison"}

# (method, url template, roles allowed). {unit}, {user}, {kind} and {holiday} are filled with real ids.
MATRIX = [
    ("GET", "/", ANY),
    ("GET", "/notifications", ANY),
    ("POST", "/notifications/read-all", ANY),
    ("GET", "/account/password", ANY),
    ("POST", "/account/password", ANY),
    ("POST", "/account/logout-everywhere", ANY),
    ("GET", "/account/tokens", ANY),
    ("POST", "/account/tokens", ANY),
    ("POST", "/account/tokens/{token}/revoke", ANY),  # another's (here: none) is a redirect, not a revoke
    ("GET", "/admin/units", OFFICE),
    ("GET", "/admin/units/new", ADMIN),
    ("POST", "/admin/units/new", ADMIN),
    ("GET", "/admin/units/{unit}", OFFICE),
    ("GET", "/admin/units/{unit}/edit", ADMIN),
    ("POST", "/admin/units/{unit}/edit", ADMIN),
    ("POST", "/admin/units/{unit}/active", ADMIN),
    ("POST", "/admin/units/{unit}/files", ADMIN),
    ("GET", "/admin/units/import", ADMIN),
    ("POST", "/admin/units/import", ADMIN),
    ("GET", "/admin/units/import/template.xlsx", ADMIN),
    ("GET", "/admin/users", OFFICE),
    ("GET", "/admin/users/new", ADMIN),
    ("POST", "/admin/users/new", ADMIN),
    ("GET", "/admin/users/{user}", OFFICE),
    ("GET", "/admin/users/{user}/edit", ADMIN),
    ("POST", "/admin/users/{user}/edit", ADMIN),
    ("POST", "/admin/users/{user}/active", ADMIN),
    ("POST", "/admin/users/{user}/reset-password", ADMIN),
    ("POST", "/admin/users/{user}/end-sessions", ADMIN),
    ("GET", "/admin/users/import", ADMIN),
    ("POST", "/admin/users/import", ADMIN),
    ("GET", "/admin/users/import/template.xlsx", ADMIN),
    ("GET", "/admin/audit", ADMIN),
    ("GET", "/admin/notice-kinds", OFFICE),
    ("GET", "/admin/notice-kinds/new", ADMIN),
    ("POST", "/admin/notice-kinds/new", ADMIN),
    ("GET", "/admin/notice-kinds/{kind}/edit", ADMIN),
    ("POST", "/admin/notice-kinds/{kind}/edit", ADMIN),
    ("POST", "/admin/notice-kinds/{kind}/template", ADMIN),
    ("GET", "/admin/holidays", OFFICE),
    ("POST", "/admin/holidays", ADMIN),
    ("POST", "/admin/holidays/import", ADMIN),
    ("POST", "/admin/holidays/{year}/estimate", ADMIN),
    ("POST", "/admin/holidays/{year}/confirm", ADMIN),
    ("POST", "/admin/holidays/{year}/unconfirm", ADMIN),
    ("GET", "/admin/holidays/{holiday}/edit", ADMIN),
    ("POST", "/admin/holidays/{holiday}/edit", ADMIN),
    ("POST", "/admin/holidays/{holiday}/delete", ADMIN),
    ("POST", "/admin/holidays/seed", ADMIN),
]

FOUNDATION_BLUEPRINTS = {"admin", "main", "account"}


def _cases():
    for method, url, allowed in MATRIX:
        for role in ROLES:
            yield pytest.param(method, url, role, role in allowed, id=f"{method} {url} as {role}")


@pytest.mark.parametrize(("method", "url", "role", "allowed"), list(_cases()))
def test_role_route_matrix(client, make_user, method, url, role, allowed):
    unit = UnitFactory(name="矩阵测试单位")
    target = UserFactory(role="inspector", username="target-user", unit=unit)
    if role != "anonymous":
        client.login_user(make_user(role, unit=unit if role == "liaison" else None))
    kind = NoticeKindFactory()
    holiday = Holiday(day=date(2030, 10, 1), is_workday=False, name="国庆节")
    db.session.add(holiday)
    db.session.flush()
    path = url.format(unit=unit.id, user=target.id, token=999999, kind=kind.id, holiday=holiday.id, year=2030)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post_form(path, {})
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    elif allowed:
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code in (403, 404), response.status_code
        body = response.get_data(as_text=True)
        assert "矩阵测试单位" not in body and "target-user" not in body


def test_matrix_covers_every_foundation_route(app):
    covered = {
        (
            m,
            u.replace("{unit}", "<int:unit_id>")
            .replace("{user}", "<int:user_id>")
            .replace("{token}", "<int:token_id>")
            .replace("{kind}", "<int:kind_id>")
            .replace("{holiday}", "<int:holiday_id>")
            .replace("{year}", "<int:year>"),
        )
        for m, u, _ in MATRIX
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in FOUNDATION_BLUEPRINTS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if rule.endpoint in ("main.healthz", "main.notification_open"):
                continue
            if (method, rule.rule) not in covered:
                missing.append((method, rule.rule))
    assert not missing, f"routes missing from the matrix: {missing}"


def test_capabilities_are_role_scoped():
    assert "admin.manage" in CAPABILITIES["admin"]
    assert not any("admin.manage" in CAPABILITIES[r] for r in ("lead", "inspector", "liaison"))
    assert "notices.issue" in CAPABILITIES["lead"] and "notices.issue" not in CAPABILITIES["inspector"]
    assert "notices.respond" in CAPABILITIES["liaison"]


def test_can_refuses_anonymous_and_inactive(make_user):
    user = make_user("admin")
    assert can(user, "admin.manage")
    user.active = False
    assert not can(user, "admin.manage")
    assert not can(None, "admin.manage")


def test_notifications_are_private(client, make_user):
    from supervision.extensions import db
    from supervision.models import Notification

    owner = make_user("lead")
    other = make_user("lead")
    note = Notification(user_id=owner.id, text="机密通知", link="/")
    db.session.add(note)
    db.session.commit()
    client.login_user(other)
    assert "机密通知" not in client.get("/notifications").get_data(as_text=True)
    client.post_form(f"/notifications/{note.id}/open")
    db.session.refresh(note)
    assert note.read_at is None
    client.login_user(owner)
    assert "机密通知" in client.get("/notifications").get_data(as_text=True)
    client.post_form(f"/notifications/{note.id}/open")
    db.session.refresh(note)
    assert note.read_at is not None
