"""The task list's page (督察任务 / 我的任务) below the layout, as HTML built in Python: the header and
its buttons, the filter bar (two type-ahead pickers), the table's head, its rows (task_rows), the
empty state and the pager: what templates/tasks/index.html's content block wrote, byte for byte.

As Jinja the block cost more than its twenty rows: 39 translated strings, the page_header and two
picker macro calls, some twenty options through the getattr, finalize and escape hooks and a
comparison each, and six url_for. Here the fixed text (labels, placeholders, the options, the
table's head) is translated once per catalogue and kept on it (template_gettext.kept_on_catalogue),
the fixed links once per app and mount point (nav.fixed_url); a request escapes its own values (the
keyword, the chosen unit and inspector) and marks the selected options.
tests/test_task_list_page.py renders the old template code beside this in both languages.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from markupsafe import Markup

from ...escaping import esc
from ...filters import SEARCH_MAX_CHARS
from ...macros import pagination
from ...models import TASK_KINDS
from ...nav import fixed_url
from ...template_gettext import fixed_text, fixed_texts, kept_on_catalogue
from ...workflow import MACHINES
from ..helpers import url_base
from .task_rows import task_rows

SORT_KEYS = ("new", "old", "code", "title")


def _select(pairs) -> dict:
    """The options of a fixed list of (value, label), as the template's loop wrote them, for each
    value chosen (a key) and for none (None): `<option value="k" selected>label</option>`…"""

    def options(chosen) -> str:
        return "".join(
            f'<option value="{esc(k)}" {"selected" if k == chosen else ""}>{label}</option>'
            for k, label in pairs
        )

    made = {k: options(k) for k, _ in pairs}
    made[None] = options(None)
    return made


class Texts:
    """The page's text for one catalogue: the templates' _() of each fixed string (markup, not
    escaped), the status options (lazy strings: Jinja writes them as their text), the kind options
    (vocabulary words, translated and escaped as the templates' finalize and autoescape do), the
    sort options and the table's head, each for every choice."""

    __slots__ = ("heads", "kinds", "sorts", "statuses", "t")

    def __init__(self, gettext) -> None:
        def markup(text: str) -> str:
            return fixed_text(gettext, text)

        self.t = t = fixed_texts(
            gettext,
            (
                ("mine", "我的任务"),
                ("all", "督察任务"),
                ("mine_sub", "您参与的督察任务"),
                ("all_sub", "专项督察、专项监督与执法检查"),
                ("findings", "问题清单"),
                ("new", "新建任务"),
                ("placeholder", "任务名称、编号或依据"),
                ("keyword", "关键词"),
                ("status", "状态"),
                ("all_statuses", "全部状态"),
                ("kind", "类型"),
                ("all_kinds", "全部类型"),
                ("year", "年度"),
                ("all_years", "全部年度"),
                ("no_match", "没有相符的结果"),
                ("all_units", "全部被督察单位"),
                ("unit", "被督察单位"),
                ("all_inspectors", "全部督察员"),
                ("inspector", "督察员"),
                ("sort", "排序"),
                ("search", "查询"),
                ("empty", "没有符合条件的督察任务"),
            ),
        )
        self.statuses = _select([(k, str(label)) for k, label in MACHINES["task"].statuses.items()])
        self.kinds = _select([(k, esc(gettext(label))) for k, label in TASK_KINDS.items()])
        sorts = (
            ("new", markup("最新在前")),
            ("old", markup("最早在前")),
            ("code", markup("按编号")),
            ("title", markup("按名称")),
        )

        def sort_options(chosen) -> str:
            return "\n".join(
                f'      <option value="{k}" {"selected" if k == chosen else ""}>{label}</option>'
                for k, label in sorts
            )

        self.sorts = {k: sort_options(k) for k in (*SORT_KEYS, None)}
        heads = (
            ("d-none d-lg-table-cell", "编号"),
            ("", "任务名称"),
            ("d-none d-md-table-cell", "类型"),
            ("d-none d-md-table-cell", "督察期间"),
            ("d-none d-md-table-cell", "组长"),
            ("text-end d-none d-lg-table-cell", "单位"),
            ("text-end", "问题"),
            ("text-end d-none d-sm-table-cell", "待处理"),
            ("", "状态"),
        )
        cells = [
            f'<th class="{c}">{markup(text)}</th>' if c else f"<th>{markup(text)}</th>" for c, text in heads
        ]
        self.heads = (
            '<div class="table-card">\n'
            '  <table class="table table-hover align-middle" data-testid="task-table">\n'
            "    <thead><tr>\n"
            f"      {''.join(cells[:4])}\n"
            f"      {''.join(cells[4:])}\n"
            "    </tr></thead>\n"
            "    <tbody>\n    "
        )
        self.t["empty_row"] = f'\n      <tr><td colspan="9" class="empty-state">{t["empty"]}</td></tr>\n    '


def texts() -> Texts:
    return kept_on_catalogue("_supervision_task_list", Texts)


def _picker(name: str, source: str, chosen: Any, placeholder: str, label: str, no_match: str) -> str:
    """_macros/forms.html's picker (autosubmit, no id), as the task list called it."""
    return (
        f'<div class="picker" data-picker data-source="{esc(source)}" data-empty="{no_match}">\n'
        f'  <input type="hidden" name="{name}" value="{esc(chosen[0]) if chosen else ""}" data-picker-value>\n'
        f'  <input type="search" class="form-control form-control-sm" name="{name}_name" value="{esc(chosen[1]) if chosen else ""}"\n'
        f'         placeholder="{placeholder}" aria-label="{label}" autocomplete="off" role="combobox" aria-expanded="false" aria-autocomplete="list"\n'
        f'         data-picker-input data-picker-submit data-testid="picker-{name}">\n'
        '  <div class="dropdown-menu picker-menu" role="listbox"></div>\n'
        "</div>"
    )


def detail_base() -> str:
    """url_base('tasks.detail', 'task_id'), built once per app and mount point (as nav.fixed_url)."""
    key = ("tasks.detail", request.script_root)
    cache = current_app.extensions.setdefault("supervision.task_list_urls", {})
    base = cache.get(key)
    if base is None:
        base = cache[key] = url_base("tasks.detail", "task_id")
    return base


def task_list_page(
    page: Any,
    years: list[int],
    args: dict,
    unit_choice: Any,
    inspector_choice: Any,
    pick_inspector: bool,
    mine: bool,
    can_manage: bool,
) -> Markup:
    """templates/tasks/index.html's content block for a page of the list (queries.tasks.task_list),
    the filters `args` (views.tasks.tasks.index), the pickers' choices ((id, name) or None), whether
    the inspector picker is shown, whether the list is the user's own (我的任务) and whether the user
    may create tasks."""
    T = texts()
    t = T.t
    if mine:
        title, subtitle = t["mine"], t["mine_sub"]
    else:
        title, subtitle = t["all"], t["all_sub"]
    new_button = (
        f'  <a class="btn btn-sm btn-primary" href="{esc(fixed_url("tasks.new"))}" data-testid="task-new">'
        f'<i class="bi bi-plus-lg"></i> {t["new"]}</a>\n  \n'
        if can_manage
        else ""
    )
    status, kind, sort = args["status"], args["kind"], args["sort"]
    year = args["year"]
    year_options = "".join(
        f'<option value="{y}" {"selected" if y == year else ""}>{y}</option>' for y in years
    )
    if pick_inspector:
        inspector = (
            '  <div class="col-6 col-md-2">\n    '
            + _picker(
                "inspector",
                fixed_url("suggest.inspectors"),
                inspector_choice,
                t["all_inspectors"],
                t["inspector"],
                t["no_match"],
            )
            + "\n  </div>\n  \n"
        )
    else:
        inspector = ""
    unit = _picker("unit", fixed_url("suggest.units"), unit_choice, t["all_units"], t["unit"], t["no_match"])
    items = page.items
    rows = task_rows(items, detail_base())
    return Markup(
        "\n"
        '<div class="page-header d-flex flex-wrap justify-content-between align-items-end gap-2">\n'
        "  <div>\n"
        f'    <h1 class="page-title">{title}</h1>\n'
        f'    <div class="page-subtitle">{subtitle}</div>\n'
        "  </div>\n"
        '  <div class="page-actions d-flex flex-wrap gap-2">\n'
        f'  <a class="btn btn-sm btn-outline-primary" href="{esc(fixed_url("tasks.findings"))}">'
        f'<i class="bi bi-list-check"></i> {t["findings"]}</a>\n  \n'
        f"{new_button}"
        "</div>\n"
        "</div>\n"
        '<form class="filter-bar row g-2 align-items-end" method="get">\n'
        '  <div class="col-12 col-md-2"><input class="form-control form-control-sm" name="q" '
        f'maxlength="{SEARCH_MAX_CHARS}" value="{esc(args["q"])}" placeholder="{t["placeholder"]}" '
        f'aria-label="{t["keyword"]}"></div>\n'
        '  <div class="col-6 col-md">\n'
        f'    <select class="form-select form-select-sm" name="status" data-autosubmit aria-label="{t["status"]}">\n'
        f'      <option value="">{t["all_statuses"]}</option>\n'
        f"      {T.statuses.get(status) or T.statuses[None]}\n"
        "    </select>\n"
        "  </div>\n"
        '  <div class="col-6 col-md">\n'
        f'    <select class="form-select form-select-sm" name="kind" data-autosubmit aria-label="{t["kind"]}">\n'
        f'      <option value="">{t["all_kinds"]}</option>\n'
        f"      {T.kinds.get(kind) or T.kinds[None]}\n"
        "    </select>\n"
        "  </div>\n"
        '  <div class="col-6 col-md">\n'
        f'    <select class="form-select form-select-sm" name="year" data-autosubmit aria-label="{t["year"]}">\n'
        f'      <option value="">{t["all_years"]}</option>\n'
        f"      {year_options}\n"
        "    </select>\n"
        "  </div>\n"
        '  <div class="col-6 col-md-2">\n'
        f"    {unit}\n"
        "  </div>\n"
        "  \n"
        f"{inspector}"
        '  <div class="col-6 col-md">\n'
        f'    <select class="form-select form-select-sm" name="sort" data-autosubmit aria-label="{t["sort"]}">\n'
        f"{T.sorts.get(sort) or T.sorts[None]}\n"
        "    </select>\n"
        "  </div>\n"
        '  <div class="col-auto"><button class="btn btn-sm btn-primary" type="submit"><i class="bi bi-search"></i> '
        f"{t['search']}</button></div>\n"
        "</form>\n"
        f"{T.heads}{rows}{'' if items else t['empty_row']}\n"
        "    </tbody>\n"
        "  </table>\n"
        "</div>\n"
        f"{pagination(page, 'tasks.index')}\n"
    )
