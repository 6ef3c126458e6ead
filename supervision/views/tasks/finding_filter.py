"""The findings list's filter bar, as HTML built in Python: what templates/tasks/_findings_filter.html
writes for the list (the type-ahead unit picker and the year filter), byte for byte.

As Jinja the bar cost as much as the table's thirty rows: some thirty options through the getattr,
finalize and escape hooks and a comparison each, twelve translated strings and the picker's macro.
Here the fixed text (the labels, the placeholders, the severity and status options) is translated
once per catalogue and kept on it; a request escapes its own values (the keyword, the chosen unit,
the categories) and marks the selected options. The task page keeps the template (its unit filter is
a drop-down of the task's units); tests/test_findings_list.py renders the template beside this in
both languages.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from markupsafe import Markup

from ...escaping import esc
from ...filters import SEARCH_MAX_CHARS
from ...models import SEVERITIES
from ...template_gettext import fixed_texts, kept_on_catalogue
from ...workflow import MACHINES


class Texts:
    """The bar's translated text for one catalogue: the templates' _() of each fixed string (markup,
    not escaped), the severity labels (vocabulary words, escaped as the template's finalize and
    autoescape do) and the status labels (lazy strings: Jinja writes them as their text)."""

    __slots__ = ("severities", "statuses", "t")

    def __init__(self, gettext) -> None:
        self.t = fixed_texts(
            gettext,
            (
                ("placeholder", "问题描述或依据"),
                ("keyword", "关键词"),
                ("all_units", "全部单位"),
                ("unit", "单位"),
                ("no_match", "没有相符的结果"),
                ("category", "分类"),
                ("all_categories", "全部分类"),
                ("severity", "严重程度"),
                ("all_severities", "全部程度"),
                ("status", "状态"),
                ("all_statuses", "全部状态"),
                ("counted", "全部（不含已撤销）"),
                ("year", "年度"),
                ("all_years", "全部年度"),
                ("search", "查询"),
            ),
        )
        self.severities = [(k, esc(gettext(v))) for k, v in SEVERITIES.items()]
        self.statuses = [(k, str(label)) for k, label in MACHINES["finding"].statuses.items()]


def texts() -> Texts:
    return kept_on_catalogue("_supervision_finding_filter", Texts)


def _options(pairs, chosen) -> str:
    """`<option value="k" selected>label</option>`… as the template's loops write them."""
    return "".join(
        f'<option value="{esc(k)}" {"selected" if k == chosen else ""}>{label}</option>' for k, label in pairs
    )


def findings_filter(
    args: dict, unit_choice: Any, categories: Any, years: list[int], form_class: str, action: str
) -> Markup:
    """The findings list's filter bar for the filters `args` (views.tasks.finding_filter_args), the
    picker's `unit_choice` ((id, name) or None), the categories offered and the years."""
    T = texts()
    t = T.t
    wide = "col-md-3" if not years else "col-md-2"
    category = args.get("category")
    chosen = unit_choice
    category_options = "".join(
        f"<option {'selected' if c == category else ''}>{esc(c)}</option>" for c in categories
    )
    status = args.get("status")
    year = args.get("year")
    year_options = "".join(
        f'<option value="{y}" {"selected" if y == year else ""}>{y}</option>' for y in years
    )
    if years:
        year_block = (
            '\n  <div class="col-6 col-md">\n'
            f'    <select class="form-select form-select-sm" name="year" data-autosubmit aria-label="{t["year"]}">\n'
            f'      <option value="">{t["all_years"]}</option>\n'
            f"      {year_options}\n"
            "    </select>\n"
            "  </div>\n"
            '  <div class="col-auto"><button class="btn btn-sm btn-primary" type="submit"><i class="bi bi-search"></i> '
            f"{t['search']}</button></div>\n  "
        )
    else:
        year_block = ""
    return Markup(
        "\n\n\n"
        f'<form class="{esc(form_class)}" method="get" action="{esc(action)}">\n'
        f'  <div class="col-12 {wide}"><input class="form-control form-control-sm" name="q" maxlength="{SEARCH_MAX_CHARS}" '
        f'value="{esc(args["q"])}" placeholder="{t["placeholder"]}" aria-label="{t["keyword"]}"></div>\n'
        f'  <div class="col-6 {wide}">\n'
        "    \n"
        f'    <div class="picker" data-picker data-source="{esc(url_for("suggest.units"))}" data-empty="{t["no_match"]}">\n'
        f'  <input type="hidden" name="unit" value="{esc(chosen[0]) if chosen else ""}" data-picker-value>\n'
        f'  <input type="search" class="form-control form-control-sm" name="unit_name" value="{esc(chosen[1]) if chosen else ""}"\n'
        f'         placeholder="{t["all_units"]}" aria-label="{t["unit"]}" autocomplete="off" role="combobox" aria-expanded="false" aria-autocomplete="list"\n'
        '         data-picker-input data-picker-submit data-testid="picker-unit">\n'
        '  <div class="dropdown-menu picker-menu" role="listbox"></div>\n'
        "</div>\n"
        "    \n"
        "  </div>\n"
        '  <div class="col-6 col-md-2">\n'
        f'    <select class="form-select form-select-sm" name="category" data-autosubmit aria-label="{t["category"]}">\n'
        f'      <option value="">{t["all_categories"]}</option>\n'
        f"      {category_options}\n"
        "    </select>\n"
        "  </div>\n"
        '  <div class="col-6 col-md-2">\n'
        f'    <select class="form-select form-select-sm" name="severity" data-autosubmit aria-label="{t["severity"]}">\n'
        f'      <option value="">{t["all_severities"]}</option>\n'
        f"      {_options(T.severities, args.get('severity'))}\n"
        "    </select>\n"
        "  </div>\n"
        f'  <div class="col-6 {"col-md" if years else "col-md-2"}">\n'
        f'    <select class="form-select form-select-sm" name="status" data-autosubmit aria-label="{t["status"]}">\n'
        f'      <option value="">{t["all_statuses"]}</option>\n'
        f'      <option value="counted" {"selected" if status == "counted" else ""}>{t["counted"]}</option>\n'
        f"      {_options(T.statuses, status)}\n"
        "    </select>\n"
        "  </div>\n"
        f"  {year_block}\n"
        "</form>"
    )
