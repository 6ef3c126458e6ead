"""Units and users: create, edit, deactivate, reset passwords, import in bulk. Every change audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit import diff, record_event, snapshot
from ..errors import DomainError, ImportRejected, StaleEdit
from ..extensions import db
from ..limits import column_errors
from ..models import ROLES, UNIT_KINDS, Unit, User
from ..permissions import authorize, can
from ..sessions import end_all_sessions

UNIT_FIELDS = ["name", "short_name", "kind", "code", "active"]
USER_FIELDS = ["username", "display_name", "role", "unit_id", "active", "phone", "email"]


def _check_version(record, version: int | None) -> None:
    if version is not None and record.version != version:
        raise StaleEdit()


# --- units --------------------------------------------------------------------------------


def _validate_unit(data: dict, *, unit_id: int | None = None) -> list[str]:
    errors = []
    name = (data.get("name") or "").strip()
    if not name:
        errors.append(_("单位名称不能为空。"))
    elif db.session.scalar(select(Unit.id).where(Unit.name == name, Unit.id != (unit_id or 0))):
        errors.append(_("单位名称“%(name)s”已存在。", name=name))
    if data.get("kind") not in UNIT_KINDS:
        errors.append(_("单位类型无效，应为：%(kinds)s。", kinds="、".join(UNIT_KINDS.values())))
    errors += column_errors(Unit, data, {"name": "单位名称", "short_name": "简称", "code": "单位编码"})
    code = (data.get("code") or "").strip()
    if code and db.session.scalar(select(Unit.id).where(Unit.code == code, Unit.id != (unit_id or 0))):
        errors.append(_("单位编码“%(code)s”已存在。", code=code))
    return errors


def _unit_values(data: dict) -> dict:
    return {
        "name": data["name"].strip(),
        "short_name": (data.get("short_name") or "").strip(),
        "kind": data["kind"],
        "code": (data.get("code") or "").strip() or None,
    }


def unit_create(*, actor: User, data: dict) -> Unit:
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    errors = _validate_unit(data)
    if errors:
        raise DomainError(errors[0], errors)
    unit = Unit(**_unit_values(data), active=True)
    db.session.add(unit)
    db.session.flush()
    record_event(
        actor=actor,
        action="unit.create",
        record_type="unit",
        record_id=unit.id,
        summary=f"新建单位“{unit.name}”",
        changes=diff({}, snapshot(unit, UNIT_FIELDS)),
        unit_id=unit.id,
    )
    db.session.commit()
    return unit


def unit_update(*, actor: User, unit: Unit, data: dict, version: int | None = None) -> Unit:
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    _check_version(unit, version)
    errors = _validate_unit(data, unit_id=unit.id)
    if errors:
        raise DomainError(errors[0], errors)
    before = snapshot(unit, UNIT_FIELDS)
    for key, value in _unit_values(data).items():
        setattr(unit, key, value)
    changes = diff(before, snapshot(unit, UNIT_FIELDS))
    if changes:
        db.session.flush()
        record_event(
            actor=actor,
            action="unit.update",
            record_type="unit",
            record_id=unit.id,
            summary=f"修改单位“{unit.name}”",
            changes=changes,
            unit_id=unit.id,
        )
    db.session.commit()
    return unit


def unit_set_active(*, actor: User, unit: Unit, active: bool) -> Unit:
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    if unit.active == active:
        return unit
    unit.active = active
    db.session.flush()
    record_event(
        actor=actor,
        action="unit.activate" if active else "unit.deactivate",
        record_type="unit",
        record_id=unit.id,
        summary=("启用" if active else "停用") + f"单位“{unit.name}”",
        changes={"active": [not active, active]},
        unit_id=unit.id,
    )
    db.session.commit()
    return unit


# --- users --------------------------------------------------------------------------------


def check_password_rules(password: str) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        raise DomainError(_("密码至少需要 %(minimum)s 个字符。", minimum=minimum))
    if password.isdigit() or password.isalpha():
        raise DomainError(_("密码须同时包含字母和数字（或符号）。"))


def _validate_user(data: dict, *, user_id: int | None = None) -> list[str]:
    errors = []
    username = (data.get("username") or "").strip()
    if not username:
        errors.append(_("用户名不能为空。"))
    elif db.session.scalar(
        select(User.id).where(func.lower(User.username) == username.lower(), User.id != (user_id or 0))
    ):
        errors.append(_("用户名“%(username)s”已被使用。", username=username))
    if not (data.get("display_name") or "").strip():
        errors.append(_("姓名不能为空。"))
    errors += column_errors(
        User, data, {"username": "用户名", "display_name": "姓名", "phone": "电话", "email": "邮箱"}
    )
    role = data.get("role")
    if role not in ROLES:
        errors.append(_("角色无效，应为：%(roles)s。", roles="、".join(ROLES.values())))
    unit_id = data.get("unit_id")
    if role == "liaison" and not unit_id:
        errors.append(_("单位联络员必须属于一个单位。"))
    if unit_id and db.session.get(Unit, unit_id) is None:
        errors.append(_("所属单位不存在。"))
    return errors


def _user_values(data: dict) -> dict:
    return {
        "username": data["username"].strip(),
        "display_name": data["display_name"].strip(),
        "role": data["role"],
        "unit_id": data.get("unit_id") or None,
        "phone": (data.get("phone") or "").strip(),
        "email": (data.get("email") or "").strip(),
    }


def user_create(*, actor: User | None, data: dict, password: str) -> User:
    authorize(actor is None or can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    errors = _validate_user(data)
    if errors:
        raise DomainError(errors[0], errors)
    check_password_rules(password)
    user = User(**_user_values(data), active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_event(
        actor=actor,
        action="user.create",
        record_type="user",
        record_id=user.id,
        summary=f"新建用户“{user.display_name}”（{user.role_label}）",
        changes=diff({}, snapshot(user, USER_FIELDS)),
        unit_id=user.unit_id,
    )
    db.session.commit()
    return user


def user_update(*, actor: User, user: User, data: dict, version: int | None = None) -> User:
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    _check_version(user, version)
    errors = _validate_user(data, user_id=user.id)
    if errors:
        raise DomainError(errors[0], errors)
    if user.id == actor.id and data.get("role") != user.role:
        raise DomainError(_("不能修改自己的角色。"))
    before = snapshot(user, USER_FIELDS)
    for key, value in _user_values(data).items():
        setattr(user, key, value)
    changes = diff(before, snapshot(user, USER_FIELDS))
    if changes:
        db.session.flush()
        record_event(
            actor=actor,
            action="user.update",
            record_type="user",
            record_id=user.id,
            summary=f"修改用户“{user.display_name}”",
            changes=changes,
            unit_id=user.unit_id,
        )
    db.session.commit()
    return user


def user_set_active(*, actor: User, user: User, active: bool) -> User:
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    if user.id == actor.id and not active:
        raise DomainError(_("不能停用自己的账号。"))
    if user.active == active:
        return user
    user.active = active
    if not active:
        end_all_sessions(user)
    db.session.flush()
    record_event(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        record_type="user",
        record_id=user.id,
        summary=("启用" if active else "停用") + f"用户“{user.display_name}”",
        changes={"active": [not active, active]},
        unit_id=user.unit_id,
    )
    db.session.commit()
    return user


def user_reset_password(*, actor: User, user: User) -> str:
    """Give the user a new random password, shown once to the admin."""
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    password = "Dc" + secrets.token_urlsafe(9)
    user.set_password(password)
    end_all_sessions(user)
    db.session.flush()
    record_event(
        actor=actor,
        action="user.reset_password",
        record_type="user",
        record_id=user.id,
        summary=f"重置用户“{user.display_name}”的密码",
        unit_id=user.unit_id,
    )
    db.session.commit()
    return password


def password_change(*, user: User, current: str, new: str, confirm: str) -> None:
    if not user.check_password(current or ""):
        raise DomainError(_("当前密码不正确。"))
    if new != confirm:
        raise DomainError(_("两次输入的新密码不一致。"))
    if current == new:
        raise DomainError(_("新密码不能与当前密码相同。"))
    check_password_rules(new)
    user.set_password(new)
    end_all_sessions(user)  # the view keeps the session that changed it
    db.session.flush()
    record_event(
        actor=user,
        action="user.change_password",
        record_type="user",
        record_id=user.id,
        summary="修改了自己的密码",
        unit_id=user.unit_id,
    )
    db.session.commit()


# --- bulk import --------------------------------------------------------------------------

UNIT_COLUMNS = ["单位名称", "简称", "类型", "编码"]
USER_COLUMNS = ["用户名", "姓名", "角色", "所属单位", "电话", "邮箱", "初始密码"]


@dataclass
class ImportResult:
    created: int


def _kind_from_label(text: str) -> str | None:
    text = (text or "").strip()
    for key, label in UNIT_KINDS.items():
        if text in (key, label):
            return key
    return None


def _role_from_label(text: str) -> str | None:
    text = (text or "").strip()
    for key, label in ROLES.items():
        if text in (key, label):
            return key
    return None


def units_import(*, actor: User, rows: list[tuple[int, dict]]) -> ImportResult:
    """rows: (row number in the file, {column: value}). All rows are checked before any is saved."""
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    errors: list[str] = []
    seen_names: set[str] = set()
    seen_codes: set[str] = set()
    prepared = []
    for number, row in rows:
        data = {
            "name": (row.get("单位名称") or "").strip(),
            "short_name": (row.get("简称") or "").strip(),
            "kind": _kind_from_label(row.get("类型")),
            "code": (row.get("编码") or "").strip(),
        }
        problems = _validate_unit(data)
        if data["name"] in seen_names:
            problems.append(_("单位名称“%(name)s”在文件中重复。", name=data["name"]))
        if data["code"] and data["code"] in seen_codes:
            problems.append(_("单位编码“%(code)s”在文件中重复。", code=data["code"]))
        seen_names.add(data["name"])
        if data["code"]:
            seen_codes.add(data["code"])
        errors.extend(f"第 {number} 行：{p}" for p in problems)
        prepared.append(data)
    if not prepared and not errors:
        errors.append(_("文件中没有数据行。"))
    if errors:
        raise ImportRejected(_("导入未执行：%(count)s 处错误，所有数据均未导入。", count=len(errors)), errors)
    for data in prepared:
        unit = Unit(**_unit_values(data), active=True)
        db.session.add(unit)
        db.session.flush()
        record_event(
            actor=actor,
            action="unit.import",
            record_type="unit",
            record_id=unit.id,
            summary=f"批量导入单位“{unit.name}”",
            changes=diff({}, snapshot(unit, UNIT_FIELDS)),
            unit_id=unit.id,
        )
    db.session.commit()
    return ImportResult(created=len(prepared))


def users_import(*, actor: User, rows: list[tuple[int, dict]]) -> ImportResult:
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    errors: list[str] = []
    units_by_name = {
        name: uid
        for uid, name, short in db.session.execute(select(Unit.id, Unit.name, Unit.short_name))
        for name in (name, short)
        if name
    }
    seen: set[str] = set()
    prepared = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    for number, row in rows:
        unit_name = (row.get("所属单位") or "").strip()
        data = {
            "username": (row.get("用户名") or "").strip(),
            "display_name": (row.get("姓名") or "").strip(),
            "role": _role_from_label(row.get("角色")),
            "unit_id": units_by_name.get(unit_name),
            "phone": (row.get("电话") or "").strip(),
            "email": (row.get("邮箱") or "").strip(),
        }
        password = (row.get("初始密码") or "").strip()
        problems = []
        if unit_name and data["unit_id"] is None:
            problems.append(_("所属单位“%(unit_name)s”不存在。", unit_name=unit_name))
        problems += _validate_user(data)
        if data["username"].lower() in seen:
            problems.append(_("用户名“%(username)s”在文件中重复。", username=data["username"]))
        seen.add(data["username"].lower())
        if len(password) < minimum:
            problems.append(_("初始密码至少需要 %(minimum)s 个字符。", minimum=minimum))
        errors.extend(f"第 {number} 行：{p}" for p in problems)
        prepared.append((data, password))
    if not prepared and not errors:
        errors.append(_("文件中没有数据行。"))
    if errors:
        raise ImportRejected(_("导入未执行：%(count)s 处错误，所有数据均未导入。", count=len(errors)), errors)
    for data, password in prepared:
        user = User(**_user_values(data), active=True)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
        record_event(
            actor=actor,
            action="user.import",
            record_type="user",
            record_id=user.id,
            summary=f"批量导入用户“{user.display_name}”（{user.role_label}）",
            changes=diff({}, snapshot(user, USER_FIELDS)),
            unit_id=user.unit_id,
        )
    db.session.commit()
    return ImportResult(created=len(prepared))
