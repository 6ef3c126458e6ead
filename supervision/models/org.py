"""Units (the supervised bodies, the district government included) and the people who log in."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, ColumnElement, ForeignKey, Integer, String, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..i18n import N_
from .base import Timestamped, UTCDateTime

UNIT_KINDS = {"district": N_("区政府"), "department": N_("部门"), "town": N_("镇乡街道")}
ROLES = {
    "admin": N_("系统管理员"),
    "lead": N_("法治办负责人"),
    "inspector": N_("督察员"),
    "liaison": N_("单位联络员"),
}


class Unit(Timestamped, db.Model):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(20), index=True)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    version: Mapped[int] = mapped_column(default=1)

    users: Mapped[list[User]] = relationship(back_populates="unit")

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return UNIT_KINDS.get(self.kind, self.kind)

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def __repr__(self) -> str:
        return f"<Unit {self.name}>"


def password_hash_method() -> str:
    # Tests configure a cheap hash method; production keeps Werkzeug's default (scrypt).
    method = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
    return method or "scrypt"


_dummy_hashes: dict[str, str] = {}


def check_dummy_password(password: str) -> bool:
    """Check a password against a hash nobody has, as long as checking a real one takes (always False).

    Without it a login for an unknown username answers at once and one for a real user only after
    the hash, which tells an attacker which usernames exist.
    """
    method = password_hash_method()
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash(secrets.token_hex(16), method=method)
    check_password_hash(_dummy_hashes[method], password)
    return False


class User(UserMixin, Timestamped, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_ip: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Set when someone else chose the password (an admin's reset or new account, an import): the user
    # must choose their own at the next login before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    # Stored in the session at login; a session holding another number is refused (sessions.py).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    unit: Mapped[Unit | None] = relationship(back_populates="users")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @hybrid_property
    def in_inspector_pool(self) -> bool:
        """An inspector account still in use: the pool (督察员队伍) tasks, reviews and evaluations draw from."""
        return self.role == "inspector" and self.active

    @in_inspector_pool.inplace.expression
    @classmethod
    def _in_inspector_pool(cls) -> ColumnElement[bool]:
        return and_(cls.role == "inspector", cls.active.is_(True))

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
