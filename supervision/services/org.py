"""Units and users: create, edit, deactivate, reset passwords, import in bulk. Every change audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit import diff, record_event, snapshot
from ..errors import DomainError, ImportRejected
from ..extensions import db
from ..limits import column_errors
from ..models import ROLES, UNIT_KINDS, Unit, User, utcnow
from ..permissions import authorize, can
from ..sessions import end_all_sessions
from .api_tokens import revoke_all_tokens
from .transaction import attach_and_audit, check_version, edit_and_audit, transactional

UNIT_FIELDS = ["name", "short_name", "kind", "code", "active"]
USER_FIELDS = ["username", "display_name", "role", "unit_id", "active", "phone", "email"]


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


@transactional
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
    return unit


@transactional
def unit_update(*, actor: User, unit: Unit, data: dict, version: int | None = None) -> Unit:
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    check_version(unit, version)
    errors = _validate_unit(data, unit_id=unit.id)
    if errors:
        raise DomainError(errors[0], errors)
    edit_and_audit(
        unit,
        _unit_values(data),
        fields=UNIT_FIELDS,
        actor=actor,
        action="unit.update",
        record_type="unit",
        summary=lambda: f"修改单位“{unit.name}”",
        unit_id=unit.id,
    )
    return unit


@transactional
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


@transactional
def user_create(*, actor: User | None, data: dict, password: str) -> User:
    authorize(actor is None or can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    errors = _validate_user(data)
    if errors:
        raise DomainError(errors[0], errors)
    check_password_rules(password)
    user = User(**_user_values(data), active=True)
    user.set_password(password)
    # A password the admin chose is the admin's to know: the user replaces it at the first login.
    user.must_change_password = actor is not None
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
    return user


@transactional
def user_update(*, actor: User, user: User, data: dict, version: int | None = None) -> User:
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    check_version(user, version)
    errors = _validate_user(data, user_id=user.id)
    if errors:
        raise DomainError(errors[0], errors)
    if user.id == actor.id and data.get("role") != user.role:
        raise DomainError(_("不能修改自己的角色。"))
    edit_and_audit(
        user,
        _user_values(data),
        fields=USER_FIELDS,
        actor=actor,
        action="user.update",
        record_type="user",
        summary=lambda: f"修改用户“{user.display_name}”",
        unit_id=lambda: user.unit_id,
    )
    return user


@transactional
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
    return user


@transactional
def user_reset_password(*, actor: User, user: User) -> str:
    """Give the user a new random password, shown once to the admin."""
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    if user.id == actor.id:
        # The reset ends all the actor's own sessions, so the page showing the new password would
        # never appear: the admin would be locked out of the account.
        raise DomainError(_("不能在这里重置自己的密码，请在“修改密码”中修改。"))
    password = "Dc" + secrets.token_urlsafe(9)
    user.set_password(password)
    user.must_change_password = True
    end_all_sessions(user)
    revoke_all_tokens(actor=actor, user=user, why="管理员重置密码")
    db.session.flush()
    record_event(
        actor=actor,
        action="user.reset_password",
        record_type="user",
        record_id=user.id,
        summary=f"重置用户“{user.display_name}”的密码",
        unit_id=user.unit_id,
    )
    return password


@transactional
def user_end_sessions(*, actor: User, user: User) -> None:
    """End every session the user has (a lost laptop, a leaver): their browsers must log in again."""
    authorize(can(actor, "admin.manage"), "只有系统管理员可以维护单位和用户。")
    end_all_sessions(user)
    record_event(
        actor=actor,
        action="user.end_sessions",
        record_type="user",
        record_id=user.id,
        summary=f"结束用户“{user.display_name}”的所有登录会话",
        unit_id=user.unit_id,
    )


@transactional
def password_change(*, user: User, current: str, new: str, confirm: str) -> int:
    """Change the user's own password; returns how many of their access tokens it revoked."""
    if not user.check_password(current or ""):
        raise DomainError(_("当前密码不正确。"))
    if new != confirm:
        raise DomainError(_("两次输入的新密码不一致。"))
    if current == new:
        raise DomainError(_("新密码不能与当前密码相同。"))
    check_password_rules(new)
    user.set_password(new)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    end_all_sessions(user)  # the view keeps the session that changed it
    revoked = revoke_all_tokens(actor=user, user=user, why="修改密码")
    db.session.flush()
    record_event(
        actor=user,
        action="user.change_password",
        record_type="user",
        record_id=user.id,
        summary="修改了自己的密码",
        changes={"method": "local"},
        unit_id=user.unit_id,
    )
    return revoked


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


@transactional
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
    return ImportResult(created=len(prepared))


@transactional
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
        user = User(**_user_values(data), active=True, must_change_password=True)
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
    return ImportResult(created=len(prepared))


@transactional
def unit_add_files(*, actor: User, unit: Unit, uploads: list) -> list:
    """Attach files to a unit's record, audited in the same transaction."""
    return attach_and_audit(
        actor=actor,
        owner_type="unit",
        owner_id=unit.id,
        uploads=uploads,
        action="unit.attach",
        record_type="unit",
        record_id=unit.id,
        summary="上传附件",
        unit_id=unit.id,
    )
