"""Unit and user management by the admin, including bad input, imports and the audit trail."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from supervision.extensions import db
from supervision.models import AuditEvent, Unit, User

from . import factories
from .factories import UnitFactory, UserFactory


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _events(record_type: str, record_id: int) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.record_type == record_type, AuditEvent.record_id == record_id)
        .order_by(AuditEvent.id)
    ).all()


def _xlsx(rows: list[list]) -> io.BytesIO:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


# --- units ----------------------------------------------------------------------------


def test_admin_creates_edits_and_deactivates_a_unit(client, login_as):
    admin = login_as("admin")
    response = client.post_form(
        "/admin/units/new",
        {"name": "海曙区审计局", "short_name": "区审计局", "kind": "department", "code": ""},
    )
    assert response.status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.name == "海曙区审计局"))
    assert unit is not None and unit.active
    response = client.post_form(
        f"/admin/units/{unit.id}/edit",
        {
            "name": "海曙区审计局",
            "short_name": "审计局",
            "kind": "department",
            "code": "A-1",
            "version": unit.version,
        },
    )
    assert response.status_code == 302
    client.post_form(f"/admin/units/{unit.id}/active", {"active": "0"})
    db.session.refresh(unit)
    assert unit.short_name == "审计局" and unit.code == "A-1" and not unit.active
    events = _events("unit", unit.id)
    assert [e.action for e in events] == ["unit.create", "unit.update", "unit.deactivate"]
    assert all(e.actor_id == admin.id for e in events)
    assert events[1].changes["short_name"] == ["区审计局", "审计局"]
    page = client.get(f"/admin/units/{unit.id}").get_data(as_text=True)
    assert "新建单位" in page and "修改单位" in page and "停用单位" in page


def test_duplicate_unit_name_is_refused(client, login_as):
    login_as("admin")
    UnitFactory(name="海曙区审计局")
    before = _count(Unit)
    response = client.post_form("/admin/units/new", {"name": "海曙区审计局", "kind": "department"})
    assert response.status_code == 200
    assert "已存在" in response.get_data(as_text=True)
    assert _count(Unit) == before


def test_stale_unit_edit_is_refused_and_nothing_lost(client, login_as):
    login_as("admin")
    unit = UnitFactory(name="旧名称")
    old_version = unit.version
    unit.short_name = "别人改的"
    db.session.commit()
    response = client.post_form(
        f"/admin/units/{unit.id}/edit",
        {"name": "我的新名称", "kind": "department", "version": old_version},
    )
    assert "已被他人修改" in response.get_data(as_text=True)
    db.session.refresh(unit)
    assert unit.name == "旧名称" and unit.short_name == "别人改的"


# --- users ----------------------------------------------------------------------------


def test_admin_creates_a_user_and_resets_the_password(client, login_as):
    login_as("admin")
    unit = UnitFactory()
    response = client.post_form(
        "/admin/users/new",
        {
            "username": "zhou",
            "display_name": "周丽",
            "role": "liaison",
            "unit_id": unit.id,
            "password": "Start2026x",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "zhou"))
    assert user.unit_id == unit.id and user.check_password("Start2026x")
    assert user.password_hash != "Start2026x"
    response = client.post_form(f"/admin/users/{user.id}/reset-password", follow_redirects=True)
    assert "新密码" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.check_password("Start2026x")
    assert [e.action for e in _events("user", user.id)] == ["user.create", "user.reset_password"]


def test_an_admin_cannot_reset_their_own_password_and_lock_themselves_out(client, login_as):
    # The reset ends all the admin's sessions, so the page that shows the new password once never
    # appeared: the admin was sent to the login page, with neither the old nor the new password.
    admin = login_as("admin")
    response = client.post_form(f"/admin/users/{admin.id}/reset-password", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "修改密码" in page and "新密码：" not in page
    db.session.refresh(admin)
    assert admin.check_password(factories.PASSWORD)
    assert "user.reset_password" not in [e.action for e in _events("user", admin.id)]
    assert client.get("/admin/users").status_code == 200  # still signed in


def test_duplicate_username_is_refused(client, login_as):
    login_as("admin")
    UserFactory(username="chen")
    before = _count(User)
    response = client.post_form(
        "/admin/users/new",
        {
            "username": "CHEN",
            "display_name": "陈",
            "role": "inspector",
            "unit_id": 0,
            "password": "Start2026x",
        },
    )
    assert "已被使用" in response.get_data(as_text=True)
    assert _count(User) == before


def test_liaison_without_unit_is_refused(client, login_as):
    login_as("admin")
    before = _count(User)
    response = client.post_form(
        "/admin/users/new",
        {
            "username": "nounit",
            "display_name": "无单位",
            "role": "liaison",
            "unit_id": 0,
            "password": "Start2026x",
        },
    )
    assert "必须属于一个单位" in response.get_data(as_text=True)
    assert _count(User) == before


def test_weak_initial_password_is_refused(client, login_as):
    login_as("admin")
    response = client.post_form(
        "/admin/users/new",
        {"username": "weak", "display_name": "弱", "role": "inspector", "unit_id": 0, "password": "123"},
    )
    assert "至少" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "weak")) is None


def test_deactivated_user_is_signed_out_and_cannot_log_in(client, app, login_as, make_user):
    login_as("admin")
    victim = make_user("inspector", username="victim")
    open_session = app.test_client()
    open_session.login_user(victim)
    assert open_session.get("/").status_code == 200
    client.post_form(f"/admin/users/{victim.id}/active", {"active": "0"})
    assert db.session.get(User, victim.id).active is False
    assert open_session.get("/").status_code == 302  # the session she had open ends at once
    other = app.test_client()
    assert "已停用" in other.login("victim").get_data(as_text=True)
    assert other.get("/").status_code == 302


def test_admin_cannot_deactivate_self(client, login_as):
    admin = login_as("admin")
    response = client.post_form(f"/admin/users/{admin.id}/active", {"active": "0"}, follow_redirects=True)
    assert "不能停用自己的账号" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active


def test_user_edit_is_audited_with_changes(client, login_as):
    login_as("admin")
    user = UserFactory(display_name="张三", role="inspector")
    client.post_form(
        f"/admin/users/{user.id}/edit",
        {
            "username": user.username,
            "display_name": "张三丰",
            "role": "inspector",
            "unit_id": user.unit_id or 0,
            "version": user.version,
        },
    )
    event = _events("user", user.id)[-1]
    assert event.action == "user.update" and event.changes["display_name"] == ["张三", "张三丰"]


# --- imports --------------------------------------------------------------------------


def test_unit_import_with_one_bad_row_imports_nothing(client, login_as):
    login_as("admin")
    UnitFactory(name="已存在的单位")
    before = _count(Unit)
    data = _xlsx(
        [
            ["单位名称", "简称", "类型", "编码"],
            ["海曙区审计局", "区审计局", "部门", ""],
            ["已存在的单位", "", "部门", ""],
            ["集士港镇人民政府", "集士港镇", "镇乡街道", ""],
            ["无类型单位", "", "外星", ""],
        ]
    )
    response = client.post_form(
        "/admin/units/import", {"file": (data, "units.xlsx")}, content_type="multipart/form-data"
    )
    html = response.get_data(as_text=True)
    assert "第 3 行" in html and "已存在" in html
    assert "第 5 行" in html and "单位类型无效" in html
    assert "第 2 行" not in html
    assert _count(Unit) == before


def test_unit_import_good_file(client, login_as):
    login_as("admin")
    data = _xlsx(
        [
            ["单位名称", "简称", "类型", "编码"],
            ["海曙区审计局", "区审计局", "部门", "X1"],
            ["高桥镇人民政府", "高桥镇", "镇乡街道", ""],
        ]
    )
    response = client.post_form(
        "/admin/units/import", {"file": (data, "units.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    names = set(db.session.scalars(select(Unit.name)))
    assert {"海曙区审计局", "高桥镇人民政府"} <= names
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "unit.import")) == 2


def test_user_import_csv_reports_rows(client, login_as):
    login_as("admin")
    UnitFactory(name="海曙区司法局", short_name="区司法局")
    csv_text = (
        "用户名,姓名,角色,所属单位,电话,邮箱,初始密码\n"
        "a1,甲,督察员,区司法局,,,Start2026x\n"
        "a2,乙,单位联络员,,,,Start2026x\n"
        "a1,丙,督察员,区司法局,,,Start2026x\n"
        "a4,丁,督察员,不存在局,,,short\n"
    ).encode("gb18030")
    before = _count(User)
    response = client.post_form(
        "/admin/users/import",
        {"file": (io.BytesIO(csv_text), "users.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "第 3 行" in html and "必须属于一个单位" in html
    assert "第 4 行" in html and "重复" in html
    assert "第 5 行" in html and "不存在" in html
    assert _count(User) == before


def test_user_import_good_file(client, login_as):
    login_as("admin")
    UnitFactory(name="横街镇人民政府", short_name="横街镇")
    data = _xlsx(
        [
            ["用户名", "姓名", "角色", "所属单位", "电话", "邮箱", "初始密码"],
            ["zl", "周丽", "单位联络员", "横街镇", "", "", "Start2026x"],
        ]
    )
    response = client.post_form(
        "/admin/users/import", {"file": (data, "u.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "zl"))
    assert user.role == "liaison" and user.unit.short_name == "横街镇" and user.check_password("Start2026x")


def test_import_templates_download(client, login_as):
    login_as("admin")
    for url, first in (
        ("/admin/units/import/template.xlsx", "单位名称"),
        ("/admin/users/import/template.xlsx", "用户名"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
        assert sheet.cell(1, 1).value == first


def test_import_rejects_other_file_types(client, login_as):
    login_as("admin")
    response = client.post_form(
        "/admin/units/import",
        {"file": (io.BytesIO(b"hello"), "units.txt")},
        content_type="multipart/form-data",
    )
    assert "只支持 .xlsx 或 .csv" in response.get_data(as_text=True)


def test_admin_lists_run_a_fixed_number_of_queries(client, login_as):
    from .conftest import count_queries

    login_as("admin")
    urls = ["/admin/units", "/admin/users", "/admin/audit", "/registers/"]

    def measure() -> dict[str, int]:
        counts = {}
        for url in urls:
            with count_queries() as n:
                assert client.get(url).status_code == 200
            counts[url] = n()
        return counts

    small = measure()
    for _ in range(12):
        unit = UnitFactory()
        UserFactory(unit=unit)
        UserFactory(role="liaison", unit=unit)
        client.post_form(f"/admin/units/{unit.id}/active", {"active": "0"})
    assert measure() == small


# --- who reads a user's details -------------------------------------------


def _person(make_user):
    person = make_user("liaison", display_name="周丽", username="zhouli-login", phone="13905740001")
    person.email = "zhouli@example.cn"
    db.session.commit()
    return person


@pytest.mark.parametrize("role", ["lead", "inspector"])
def test_the_office_sees_a_users_name_and_unit_only(client, login_as, make_user, role):
    person = _person(make_user)
    login_as(role)
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "周丽" in page and person.unit.name in page
    for secret in ("13905740001", "zhouli@example.cn", "zhouli-login", "变更记录"):
        assert secret not in page, secret
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "周丽" in listing and "zhouli-login" not in listing
    unit_page = client.get(f"/admin/units/{person.unit.id}").get_data(as_text=True)
    assert "周丽" in unit_page and "zhouli-login" not in unit_page
    assert "周丽" not in client.get("/admin/users?q=zhouli-login").get_data(as_text=True)


def test_the_admin_sees_every_detail(client, login_as, make_user):
    person = _person(make_user)
    login_as("admin")
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    for detail in ("13905740001", "zhouli@example.cn", "zhouli-login", "变更记录"):
        assert detail in page, detail
    assert "zhouli-login" in client.get("/admin/users").get_data(as_text=True)
    assert "周丽" in client.get("/admin/users?q=zhouli-login").get_data(as_text=True)


def test_org_services_refuse_anyone_but_the_admin(make_user):
    from supervision.errors import NotAllowed
    from supervision.services import org

    lead = make_user("lead")
    unit = UnitFactory()
    person = make_user("inspector")
    calls = [
        lambda: org.unit_create(
            actor=lead, data={"name": "新单位", "short_name": "新", "kind": "department"}
        ),
        lambda: org.unit_update(actor=lead, unit=unit, data={"name": "改名"}, version=None),
        lambda: org.unit_set_active(actor=lead, unit=unit, active=False),
        lambda: org.user_create(
            actor=lead, data={"username": "x1", "display_name": "某", "role": "admin"}, password="Passw0rd!x"
        ),
        lambda: org.user_update(actor=lead, user=person, data={"role": "admin"}, version=None),
        lambda: org.user_set_active(actor=lead, user=person, active=False),
        lambda: org.user_reset_password(actor=lead, user=person),
        lambda: org.units_import(actor=lead, rows=[]),
        lambda: org.users_import(actor=lead, rows=[]),
    ]
    for call in calls:
        with pytest.raises(NotAllowed, match="系统管理员"):
            call()
        db.session.rollback()
    assert db.session.get(User, person.id).role == "inspector" and db.session.get(Unit, unit.id).active
    assert _count(User) == 2
