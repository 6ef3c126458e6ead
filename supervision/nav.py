"""The navigation: each entry shows only to users whose role has its capability.

The layout's fixed links and menus depend only on the role, the language and where the app is
mounted, so `layout_for` builds them once per (role, locale, script root) and app, instead of some
thirty url_for calls and forty translation lookups on every page; the fixed parts of the navbar and
the side menu are rendered once per layout too (`Layout.part`). Nothing per user is kept: the name,
the unit, the bell's count and the forms' tokens are rendered from the signed-in user on each request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from threading import Lock

from flask import current_app, request, url_for
from flask.globals import _cv_request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from .permissions import can, can_any


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


# The layout's fixed links: name -> (endpoint, arguments).
LINKS: dict[str, tuple[str, dict]] = {
    "home": ("main.home", {}),
    "search": ("search.index", {}),
    "notifications": ("main.notifications", {}),
    "exports": ("exports.index", {}),
    "password": ("account.password", {}),
    "tokens": ("account.tokens", {}),
    "logout": ("auth.logout", {}),
    "language_en": ("auth.set_language", {"code": "en"}),
    "language_zh": ("auth.set_language", {"code": "zh_CN"}),
    "api_docs": ("api.docs", {}),
}
STATIC = {
    "bootstrap_css": "vendor/bootstrap/bootstrap.min.css",
    "icons_css": "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "app_css": "css/app.css",
    "bootstrap_js": "vendor/bootstrap/bootstrap.bundle.min.js",
    "htmx_js": "vendor/htmx/htmx.min.js",
    "app_js": "js/app.js",
}
GROUPS = (("main", None), ("reports", _l("统计报表")), ("admin", _l("系统管理")))


@dataclass(frozen=True)
class Layout:
    """What the layout shows to every user of one role in one language."""

    groups: tuple[tuple[str | None, tuple[dict, ...]], ...]  # (heading, entries) of the non-empty menus
    urls: dict[str, str]
    can_search: bool
    english: bool
    office_name: str = ""
    _parts: dict[tuple, object] = field(default_factory=dict, compare=False, repr=False)

    def part(self, name: str, endpoint: str | None = None) -> Markup:
        """templates/_layout/<name>.html, rendered once per layout (and page entry, for the menu that
        marks it active). The part sees only this layout, `endpoint` and the app's template globals:
        nothing of the signed-in user or the request, so it is the same for everyone it is kept for."""
        key = (name, endpoint)
        html = self._parts.get(key)
        if html is None:
            template = current_app.jinja_env.get_template(f"_layout/{name}.html")
            html = Markup(template.render(layout=self, endpoint=endpoint, office_name=self.office_name))
            self._parts[key] = html
        return html

    def fill(self, name: str, **values) -> Markup:
        """templates/_layout/<name>.html with one user's `values`, at the cost of a join.

        The part is rendered once per layout and shape of the values (which are falsy, and those
        as they are: they choose the part's branches) with a stand-in for each truthy value, and
        cut at the stand-ins; each request's values are then escaped into the cuts, as Jinja
        finalizes and escapes a `{{ value }}`. So the part may show a value or test it, but never filter it or
        look into it (the stand-in would be filtered in its place). Like `part`, the part sees this
        layout and the app's template globals, and of the user and request only `values`."""
        shape = (
            name,
            *((key, True) if value else (key, type(value), value) for key, value in values.items()),
        )
        cut = self._parts.get(shape)
        if cut is None:
            keys = list(values)
            stand_ins = {
                key: Markup(f"\x00{i}\x00") if value else value
                for i, (key, value) in enumerate(values.items())
            }
            template = current_app.jinja_env.get_template(f"_layout/{name}.html")
            html = template.render(layout=self, office_name=self.office_name, **stand_ins)
            pieces = _STAND_IN.split(html)
            cut = (tuple(pieces[0::2]), tuple(keys[int(i)] for i in pieces[1::2]))
            self._parts[shape] = cut
        texts, slots = cut
        finalize = current_app.jinja_env.finalize or _same  # a vocabulary word in the reader's language
        out = [texts[0]]
        for key, text in zip(slots, texts[1:], strict=True):
            out.append(escape(finalize(values[key])))
            out.append(text)
        return Markup("".join(out))


def _same(value):
    return value


_STAND_IN = re.compile("\x00(\\d+)\x00")
_lock = Lock()


def layout_for(user) -> Layout:
    """The layout of this user's role in this request's language, built once per app."""
    role = user.role if user is not None and user.is_authenticated and user.is_active else ""
    locale = get_locale()
    key = (role, str(locale), request.script_root)
    cache = current_app.extensions.setdefault("supervision.layout", {})
    layout = cache.get(key)
    if layout is None:
        links = {name: _url_or_none(endpoint, **args) for name, (endpoint, args) in LINKS.items()}
        links.update({name: url_for("static", filename=path) for name, path in STATIC.items()})
        groups = tuple(
            (None if heading is None else str(heading), tuple(items))
            for group, heading in GROUPS
            if (items := nav_for(user, group))
        )
        layout = Layout(
            groups=groups,
            urls=links,
            can_search=can(user, "search.use"),
            english=locale is not None and locale.language == "en",
            office_name=current_app.config["OFFICE_NAME"],
        )
        with _lock:
            cache[key] = layout
    return layout


def fixed_url(endpoint: str) -> str:
    """url_for(endpoint) of an endpoint without arguments, built once per app and mount point: a
    macro's form action that a page shows in every row (export_button) costs a dict lookup."""
    request_ctx = _cv_request.get(None)  # what the request and current_app proxies look up
    if request_ctx is None:
        return url_for(endpoint)  # outside a request: url_for's answer (and its error)
    key = (endpoint, request_ctx.request.script_root)
    cache = request_ctx.app.extensions.setdefault("supervision.fixed_urls", {})
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint)
    return url


def _url_or_none(endpoint: str, **args) -> str | None:
    try:
        return url_for(endpoint, **args)
    except BuildError:
        return None
