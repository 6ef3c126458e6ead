"""The navigation: each entry shows only to users whose role has its capability."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from .permissions import can_any


@dataclass(frozen=True)
class NavItem:
    label: object
    endpoint: str
    capabilities: tuple[str, ...]
    icon: str
    group: str = "main"  # "main" in the top bar; "reports" (统计报表) and "admin" (系统管理) are menus


NAV: list[NavItem] = [
    NavItem(_l("工作台"), "main.home", ("dashboard.view", "tasks.read_assigned", "notices.respond"), "house"),
    NavItem(_l("督察任务"), "tasks.index", ("tasks.read_all",), "clipboard-check"),
    NavItem(_l("我的任务"), "tasks.index", ("tasks.read_assigned",), "clipboard-check"),
    NavItem(_l("督察员库"), "inspectors.index", ("reference.read",), "person-badge"),
    NavItem(_l("通知书"), "notices.index", ("notices.read_all",), "file-earmark-text"),
    NavItem(_l("本单位通知"), "notices.mine", ("notices.read_own_unit",), "file-earmark-text"),
    NavItem(_l("发文登记簿"), "notices.register", ("notices.read_all",), "journal-bookmark"),
    NavItem(
        _l("案卷评查"),
        "reviews.index",
        ("reviews.read_all", "reviews.score", "reviews.read_own_unit"),
        "folder-check",
    ),
    NavItem(
        _l("指标评估"),
        "scorecards.rounds",
        ("assessments.read_all", "assessments.self_assess"),
        "ui-checks-grid",
    ),
    NavItem(
        _l("记分卡"),
        "scorecards.index",
        ("scorecards.read_all", "scorecards.read_own_unit"),
        "bar-chart-line",
    ),
    NavItem(
        _l("路线图"),
        "scorecards.roadmap",
        ("roadmap.manage", "scorecards.read_all", "roadmap.update_own_unit"),
        "signpost-split",
    ),
    NavItem(_l("综合看板"), "dashboard.index", ("dashboard.view",), "speedometer2", "reports"),
    NavItem(_l("年度数据"), "dashboard.annual", ("dashboard.view",), "file-earmark-bar-graph", "reports"),
    NavItem(
        _l("台账下载"),
        "registers.index",
        ("findings.read_all", "tasks.read_assigned", "notices.read_own_unit", "reviews.read_own_unit"),
        "journal-arrow-down",
        "reports",
    ),
    NavItem(_l("单位管理"), "admin.units", ("admin.manage",), "building", "admin"),
    NavItem(_l("用户管理"), "admin.users", ("admin.manage",), "people", "admin"),
    NavItem(_l("操作日志"), "admin.audit", ("admin.manage",), "journal-text", "admin"),
    NavItem(_l("问题分类"), "tasks.categories", ("tasks.manage", "admin.manage"), "tags", "admin"),
    NavItem(_l("指标体系"), "scorecards.frameworks", ("reference.read",), "diagram-3", "admin"),
    NavItem(_l("通知书种类"), "admin.notice_kinds", ("admin.manage",), "file-earmark-ruled", "admin"),
    NavItem(_l("节假日日历"), "admin.holidays", ("admin.manage",), "calendar3", "admin"),
    NavItem(_l("评查标准"), "reviews.rubrics", ("admin.manage",), "list-check", "admin"),
]


def nav_for(user, group: str = "main") -> list[dict]:
    """The entries this user may use, with their URLs; endpoints not (yet) registered are skipped."""
    items = []
    for item in NAV:
        if item.group != group or not can_any(user, *item.capabilities):
            continue
        try:
            url = url_for(item.endpoint)
        except BuildError:
            continue
        items.append({"label": str(item.label), "url": url, "endpoint": item.endpoint, "icon": item.icon})
    return items
