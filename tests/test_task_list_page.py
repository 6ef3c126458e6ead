"""The task list's page below the layout (views/tasks/task_list.py) beside the template code it
replaces, in both languages, over filters, choices, roles and pages; every written value escaped."""

from __future__ import annotations

import itertools
from collections import namedtuple
from datetime import date

import pytest
from flask_babel import force_locale
from flask_sqlalchemy.pagination import Pagination

from supervision.models import TASK_KINDS
from supervision.workflow import MACHINES

EVIL = '<script>alert("x")</script>&\'%'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;%"

# templates/tasks/index.html's content block as it was (its imports and title before it, no newline
# between them: the page wrote none of theirs).
OLD_PAGE = (
    "{% from \"_macros/ui.html\" import page_header, pagination %}{% from \"_macros/forms.html\" import picker %}{% set title = _('我的任务') if mine else _('督察任务') %}{% block content %}\n"
    "{% call page_header(title, _('专项督察、专项监督与执法检查') if not mine else _('您参与的督察任务')) %}\n"
    '  <a class="btn btn-sm btn-outline-primary" href="{{ url_for(\'tasks.findings\') }}"><i class="bi bi-list-check"></i> {{ _(\'问题清单\') }}</a>\n'
    "  {% if can('tasks.manage') %}\n"
    '  <a class="btn btn-sm btn-primary" href="{{ url_for(\'tasks.new\') }}" data-testid="task-new"><i class="bi bi-plus-lg"></i> {{ _(\'新建任务\') }}</a>\n'
    "  {% endif %}\n"
    "{% endcall %}\n"
    '<form class="filter-bar row g-2 align-items-end" method="get">\n'
    '  <div class="col-12 col-md-2"><input class="form-control form-control-sm" name="q" maxlength="{{ search_max }}" value="{{ args.q }}" placeholder="{{ _(\'任务名称、编号或依据\') }}" aria-label="{{ _(\'关键词\') }}"></div>\n'
    '  <div class="col-6 col-md">\n'
    '    <select class="form-select form-select-sm" name="status" data-autosubmit aria-label="{{ _(\'状态\') }}">\n'
    "      <option value=\"\">{{ _('全部状态') }}</option>\n"
    '      {% for k, label in statuses.items() %}<option value="{{ k }}" {% if k == args.status %}selected{% endif %}>{{ label }}</option>{% endfor %}\n'
    "    </select>\n"
    "  </div>\n"
    '  <div class="col-6 col-md">\n'
    '    <select class="form-select form-select-sm" name="kind" data-autosubmit aria-label="{{ _(\'类型\') }}">\n'
    "      <option value=\"\">{{ _('全部类型') }}</option>\n"
    '      {% for k, label in kinds.items() %}<option value="{{ k }}" {% if k == args.kind %}selected{% endif %}>{{ label }}</option>{% endfor %}\n'
    "    </select>\n"
    "  </div>\n"
    '  <div class="col-6 col-md">\n'
    '    <select class="form-select form-select-sm" name="year" data-autosubmit aria-label="{{ _(\'年度\') }}">\n'
    "      <option value=\"\">{{ _('全部年度') }}</option>\n"
    '      {% for y in years %}<option value="{{ y }}" {% if y == args.year %}selected{% endif %}>{{ y }}</option>{% endfor %}\n'
    "    </select>\n"
    "  </div>\n"
    '  <div class="col-6 col-md-2">\n'
    "    {{ picker('unit', url_for('suggest.units'), unit_choice, _('全部被督察单位'), _('被督察单位')) }}\n"
    "  </div>\n"
    "  {% if pick_inspector %}\n"
    '  <div class="col-6 col-md-2">\n'
    "    {{ picker('inspector', url_for('suggest.inspectors'), inspector_choice, _('全部督察员'), _('督察员')) }}\n"
    "  </div>\n"
    "  {% endif %}\n"
    '  <div class="col-6 col-md">\n'
    '    <select class="form-select form-select-sm" name="sort" data-autosubmit aria-label="{{ _(\'排序\') }}">\n'
    "      <option value=\"new\" {% if args.sort == 'new' %}selected{% endif %}>{{ _('最新在前') }}</option>\n"
    "      <option value=\"old\" {% if args.sort == 'old' %}selected{% endif %}>{{ _('最早在前') }}</option>\n"
    "      <option value=\"code\" {% if args.sort == 'code' %}selected{% endif %}>{{ _('按编号') }}</option>\n"
    "      <option value=\"title\" {% if args.sort == 'title' %}selected{% endif %}>{{ _('按名称') }}</option>\n"
    "    </select>\n"
    "  </div>\n"
    '  <div class="col-auto"><button class="btn btn-sm btn-primary" type="submit"><i class="bi bi-search"></i> {{ _(\'查询\') }}</button></div>\n'
    "</form>\n"
    '<div class="table-card">\n'
    '  <table class="table table-hover align-middle" data-testid="task-table">\n'
    "    <thead><tr>\n"
    "      <th class=\"d-none d-lg-table-cell\">{{ _('编号') }}</th><th>{{ _('任务名称') }}</th><th class=\"d-none d-md-table-cell\">{{ _('类型') }}</th><th class=\"d-none d-md-table-cell\">{{ _('督察期间') }}</th>\n"
    "      <th class=\"d-none d-md-table-cell\">{{ _('组长') }}</th><th class=\"text-end d-none d-lg-table-cell\">{{ _('单位') }}</th><th class=\"text-end\">{{ _('问题') }}</th><th class=\"text-end d-none d-sm-table-cell\">{{ _('待处理') }}</th><th>{{ _('状态') }}</th>\n"
    "    </tr></thead>\n"
    "    <tbody>{# the rows are built in Python (views/tasks/task_rows.py) #}\n"
    "    {{ task_rows(page.items, url_base('tasks.detail', 'task_id')) }}{% if not page.items %}\n"
    '      <tr><td colspan="9" class="empty-state">{{ _(\'没有符合条件的督察任务\') }}</td></tr>\n'
    "    {% endif %}\n"
    "    </tbody>\n"
    "  </table>\n"
    "</div>\n"
    "{{ pagination(page, 'tasks.index') }}\n"
    "{% endblock %}"
)

# The rows' loop as templates/tasks/index.html had it before views/tasks/task_rows.py (from after
# its tbody tag to the loop's end; the empty state is task_list_page's now).
OLD_ROWS = (
    "{% set detail_base, task_labels, until, serious = url_base('tasks.detail', 'task_id'), status_labels('task'), _('截至'), _('严重') %}\n"
    "    {% for task in page.items %}\n"
    "      {% set kind_label = kinds.get(task.kind, task.kind) %}\n"
    "      {# the row's figures are its own columns (queries.tasks._row_figures) #}\n"
    "      <tr>\n"
    '        <td class="text-nowrap text-muted d-none d-lg-table-cell">{{ task.code }}</td>\n'
    '        <td class="task-title-cell"><a href="{{ detail_base ~ task.id }}">{{ task.title }}</a>\n'
    '          <small class="d-block d-md-none text-muted">{{ kind_label }} · {{ until }} {{ task.period_end|cn_date }}</small></td>\n'
    '        <td class="text-nowrap d-none d-md-table-cell">{{ kind_label }}</td>\n'
    '        <td class="text-nowrap small d-none d-md-table-cell">{{ task.period_start|cn_date }} – {{ task.period_end|cn_date }}</td>\n'
    "        <td class=\"text-nowrap d-none d-md-table-cell\">{{ task.leader or '' }}{% if task.team_size > 1 %} <small class=\"text-muted\">{{ _('等 %(n)s 人', n=task.team_size) }}</small>{% endif %}</td>\n"
    '        <td class="text-end d-none d-lg-table-cell">{{ task.units }}</td>\n'
    '        <td class="text-end">{{ task.findings }}{% if task.serious_findings %} <span class="badge sev-serious" title="{{ serious }}">{{ task.serious_findings }}</span>{% endif %}</td>\n'
    '        <td class="text-end d-none d-sm-table-cell">{{ task.open_findings }}</td>\n'
    '        <td><span class="badge status-badge status-task-{{ task.status }}">{{ task_labels[task.status] }}</span></td>\n'
    "      </tr>\n"
    "    {% endfor %}"
)

Row = namedtuple(
    "Row",
    "id code title kind period_start period_end status findings open_findings serious_findings "
    "units team_size leader total years",
)


def _old(app):
    """OLD_PAGE compiled once (render_template_string compiles at each call)."""
    template = app.extensions.get("test_task_list_page.old")
    if template is None:
        template = app.extensions["test_task_list_page.old"] = app.jinja_env.from_string(OLD_PAGE)
    return template


class _Page(Pagination):
    """A page of given rows, as queries.tasks.task_list returns it."""

    def _query_items(self) -> list:
        rows = self._query_args["rows"]
        return rows[self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def _rows(n: int) -> list:
    kinds = [*TASK_KINDS, EVIL]
    statuses = [*MACHINES["task"].statuses, EVIL]
    return [
        Row(
            i + 1,
            f"DC2026-{i:04d}" if i % 5 else EVIL,
            f"任务 {i}" if i % 4 else EVIL,
            kinds[i % len(kinds)],
            date(2026, 1 + i % 12, 1 + i % 28),
            date(2026, 1 + (i + 2) % 12, 1 + (i * 3) % 28),
            statuses[i % len(statuses)],
            i % 7,
            i % 3,
            i % 2,
            i % 4,
            1 + i % 3,
            None if i % 6 == 0 else (EVIL if i % 6 == 1 else "陈敏"),
            n,
            "2026,2025",
        )
        for i in range(n)
    ]


ARGS = [
    {"status": "", "kind": "", "year": None, "unit": None, "inspector": None, "q": "", "sort": "new"},
    {"status": "active", "kind": "special", "year": 2026, "unit": 7, "inspector": 9, "q": "巡查", "sort": "old"},
    {"status": "draft", "kind": "monitor", "year": 2025, "unit": None, "inspector": None, "q": "a", "sort": "code"},
    {"status": "closed", "kind": "inspection", "year": 1999, "unit": None, "inspector": None, "q": "", "sort": "title"},
    {"status": "", "kind": "other", "year": None, "unit": None, "inspector": None, "q": EVIL, "sort": EVIL},
    {"status": EVIL, "kind": EVIL, "year": 2026, "unit": None, "inspector": None, "q": "%_\\", "sort": ""},
]  # fmt: skip
CHOICES = [None, (7, "某区局"), (7, EVIL), (EVIL, EVIL)]
# (request path for the pager's links, rows, page number)
PAGES = [
    ("/tasks/", 0, 1),
    ("/tasks/?page=3", 5, 3),
    ("/tasks/", 5, 1),
    ("/tasks/?sort=title&page=2&q=%3Cb%3E", 130, 2),
    ("/tasks/?page=7&status=active", 130, 7),
]


def _render_both(
    app, locale, args, unit_choice, inspector_choice, pick_inspector, mine, manage, years, pages
):
    from supervision.views.tasks.task_list import task_list_page
    from supervision.views.tasks.task_rows import task_rows

    out = []
    for path, n, number in pages:
        with app.test_request_context(path), force_locale(locale):
            page = _Page(rows=_rows(n), page=number, per_page=20, error_out=False)
            old = _old(app).render(
                page=page,
                years=years,
                statuses=MACHINES["task"].statuses,
                kinds=TASK_KINDS,
                unit_choice=unit_choice,
                inspector_choice=inspector_choice,
                pick_inspector=pick_inspector,
                args=args,
                mine=mine,
                task_rows=task_rows,
                can=lambda capability: manage and capability == "tasks.manage",
            )
            new = task_list_page(
                page, years, args, unit_choice, inspector_choice, pick_inspector, mine, manage
            )
            out.append((old, str(new)))
    return out


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_page_is_the_template_s(app, locale):
    roles = [
        (False, True),
        (False, False),
        (True, False),
    ]  # (mine, may create tasks): lead, viewer, inspector
    for args, (mine, manage) in itertools.product(ARGS, roles):
        for i, unit_choice in enumerate(CHOICES):
            inspector_choice, years = CHOICES[-1 - i], ([2026, 2025], [])[i % 2]
            pairs = _render_both(
                app, locale, args, unit_choice, inspector_choice, not mine, mine, manage, years, PAGES
            )
            for old, new in pairs:
                assert new == old, (args, mine, manage, years, unit_choice, inspector_choice)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_page_is_the_template_s_under_a_mount_point(app, locale):
    from supervision.views.tasks.task_list import task_list_page
    from supervision.views.tasks.task_rows import task_rows

    for script in ("/dct", ""):
        overrides = {"SCRIPT_NAME": script}
        with app.test_request_context("/tasks/?page=2", environ_overrides=overrides), force_locale(locale):
            page = _Page(rows=_rows(45), page=2, per_page=20, error_out=False)
            context = dict(args=ARGS[1], unit_choice=CHOICES[1], inspector_choice=None)
            old = _old(app).render(
                page=page,
                years=[2026],
                statuses=MACHINES["task"].statuses,
                kinds=TASK_KINDS,
                pick_inspector=True,
                mine=False,
                task_rows=task_rows,
                can=lambda capability: True,
                **context,
            )
            new = str(
                task_list_page(page, [2026], pick_inspector=True, mine=False, can_manage=True, **context)
            )
        assert new == old
        assert f'href="{script}/tasks/new"' in new and f'href="{script}/tasks/21"' in new
        assert f'data-source="{script}/suggest/units"' in new


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_page_escapes_every_value(app, locale):
    from supervision.views.tasks.task_list import task_list_page

    args = {
        "status": EVIL,
        "kind": EVIL,
        "year": None,
        "unit": None,
        "inspector": None,
        "q": EVIL,
        "sort": EVIL,
    }
    with app.test_request_context("/tasks/"), force_locale(locale):
        page = _Page(rows=[], page=1, per_page=20, error_out=False)
        html = str(task_list_page(page, [2026], args, (EVIL, EVIL), (EVIL, EVIL), True, False, True))
    assert "<script>" not in html and 'alert("x")' not in html
    # the keyword, each picker's id and name
    assert html.count(ESCAPED) == 5
    assert " selected" not in html and "selected>" not in html


def test_the_rows_unpack_the_columns_the_query_selects(app):
    from supervision.queries.tasks import _task_list_statements
    from supervision.views.tasks.task_rows import COLUMNS

    assert Row._fields == COLUMNS
    args = {"status": "", "kind": "", "year": None, "unit": None, "inspector": None, "q": "", "sort": "new"}
    with app.test_request_context("/"):
        from supervision.models import User

        for role in ("lead", "inspector"):
            rows, _count = _task_list_statements(User(id=1, role=role, username="u"), args)
            assert tuple(c.name for c in rows.selected_columns) == COLUMNS


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_rows_are_the_old_loop_s(app, locale):
    from supervision.views.tasks.task_rows import task_rows

    with app.test_request_context("/tasks/"), force_locale(locale):
        template = app.jinja_env.from_string(OLD_ROWS)
        for n in (0, 1, 20, 43):
            page = _Page(rows=_rows(n), page=1, per_page=50, error_out=False)
            old = template.render(page=page, kinds=TASK_KINDS)
            new = "\n    " + str(task_rows(page.items, "/tasks/"))  # the old block wrote this before
            assert new == old, n
