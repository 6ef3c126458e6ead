"""The demo district: its units and the demo accounts."""

from __future__ import annotations

from ..audit import record_event
from ..extensions import db
from ..models import Unit, User

DEMO_PASSWORD = "Demo@2026"

UNITS = [
    # name, short name, kind, code
    ("海曙区人民政府", "区政府", "district", "330203-000"),
    ("海曙区司法局", "区司法局", "department", "330203-001"),
    ("海曙区市场监督管理局", "区市场监管局", "department", "330203-002"),
    ("海曙区综合行政执法局", "区综合行政执法局", "department", "330203-003"),
    ("宁波市自然资源和规划局海曙分局", "区自然资源和规划分局", "department", "330203-004"),
    ("宁波市生态环境局海曙分局", "区生态环境分局", "department", "330203-005"),
    ("海曙区住房和城乡建设局", "区住建局", "department", "330203-006"),
    ("海曙区交通运输局", "区交通运输局", "department", "330203-007"),
    ("海曙区卫生健康局", "区卫健局", "department", "330203-008"),
    ("海曙区教育局", "区教育局", "department", "330203-009"),
    ("海曙区农业农村局", "区农业农村局", "department", "330203-010"),
    ("海曙区应急管理局", "区应急管理局", "department", "330203-011"),
    ("海曙区人力资源和社会保障局", "区人力社保局", "department", "330203-012"),
    ("海曙区文化和广电旅游体育局", "区文广旅体局", "department", "330203-013"),
    ("海曙区民政局", "区民政局", "department", "330203-014"),
    ("横街镇人民政府", "横街镇", "town", "330203-101"),
    ("石碶街道办事处", "石碶街道", "town", "330203-102"),
    ("古林镇人民政府", "古林镇", "town", "330203-103"),
    ("集士港镇人民政府", "集士港镇", "town", "330203-104"),
    ("高桥镇人民政府", "高桥镇", "town", "330203-105"),
    ("鄞江镇人民政府", "鄞江镇", "town", "330203-106"),
    ("月湖街道办事处", "月湖街道", "town", "330203-107"),
    ("南门街道办事处", "南门街道", "town", "330203-108"),
]

ACCOUNTS = [
    # username, name, role, unit short name
    ("admin", "系统管理员", "admin", "区司法局"),
    ("lead", "王建国", "lead", "区司法局"),
    ("inspector1", "陈敏", "inspector", "区司法局"),
    ("inspector2", "刘洋", "inspector", "区市场监管局"),
    ("liaison1", "周丽", "liaison", "横街镇"),
    ("liaison2", "吴刚", "liaison", "区综合行政执法局"),
]


def seed_org() -> dict[str, Unit]:
    units = {}
    for name, short, kind, code in UNITS:
        unit = Unit(name=name, short_name=short, kind=kind, code=code, active=True)
        db.session.add(unit)
        units[short] = unit
    db.session.flush()
    for username, display, role, unit_short in ACCOUNTS:
        user = User(
            username=username,
            display_name=display,
            role=role,
            unit_id=units[unit_short].id,
            active=True,
            phone="",
            email="",
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
    db.session.flush()
    for unit in units.values():
        record_event(
            actor=None,
            action="unit.create",
            record_type="unit",
            record_id=unit.id,
            summary=f"系统初始化：建立单位“{unit.name}”",
            unit_id=unit.id,
        )
    for user in db.session.scalars(db.select(User)):
        record_event(
            actor=None,
            action="user.create",
            record_type="user",
            record_id=user.id,
            summary=f"系统初始化：建立账号“{user.display_name}”（{user.role_label}）",
            unit_id=user.unit_id,
        )
    return units
