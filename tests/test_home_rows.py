"""The inspector's home panels' rows built in Python (supervision/views/home_rows.py) are the Jinja
loops they replace, byte for byte, in both languages; every value of a record is escaped."""

from __future__ import annotations

from collections import namedtuple
from datetime import UTC, date, datetime

import pytest
from flask import render_template_string
from flask_babel import force_locale

from supervision.views.home_rows import evaluate_rows, verify_rows

# The loops of templates/notices/_panel_inspector.html and templates/scorecards/_home_inspector.html
# before views/home_rows.py (only their rows; the {% else %} stays in the templates).
OLD_VERIFY = (
    "{% for item in items %}\n"
    "        <tr>\n"
    '          <td class="text-nowrap">{{ item.doc_number }}</td>\n'
    "          <td>{{ item.unit_short_name or item.unit_name }}</td>\n"
    "          <td><a href=\"{{ notice_base ~ item.notice_id ~ '#item-' ~ item.item_id }}\">"
    "{{ _('第%(n)s项', n=item.seq) }} · {{ item.description|truncate(36) }}</a></td>\n"
    "        </tr>\n"
    "      {% endfor %}"
)
OLD_EVALUATE = (
    "{% for a in rows %}\n"
    '        <tr><td><a href="{{ assessment_base ~ a.id }}">{{ a.unit_name }}</a></td>'
    '<td class="small">{{ a.round_title }}</td>'
    '<td class="text-nowrap small">{{ a.submitted_at|cn_datetime }}</td></tr>\n'
    "      {% endfor %}"
)

Item = namedtuple(
    "Item",
    "item_id seq notice_id doc_number unit_name unit_short_name deadline drafted_by_id description",
)
ToEvaluate = namedtuple("ToEvaluate", "id unit_name round_title deadline submitted_at total")

NASTY = '<script>alert("x")</script>&\'<b>'
LONG = "证据材料未加盖单位印章，来源不明，且未附送达回证和调查询问笔录原件，" * 2
WORDS = "The evidence was not stamped and its source is unknown, nor was the receipt attached at all."


def _items():
    return [
        Item(7457, 3, 1882, "海法督建〔2026〕135号", "自然资源和规划分局521", "", date(2026, 3, 5), 1, LONG),
        Item(7458, 12, 1883, NASTY, NASTY, None, None, 2, NASTY),
        Item(7459, 1, 1884, "A1", "全称", "简称", date(2026, 1, 1), 1, WORDS),
        Item(7460, 2, 1885, "A2", "全称", "简称", date(2026, 1, 1), 1, "短"),
        Item(7461, 2, 1886, "A3", "全称", "简称", date(2026, 1, 1), 1, "x" * 40),
        Item(7462, 2, 1887, "A4", "全称", "简称", date(2026, 1, 1), 1, "x" * 41 + " y"),
    ]


def _to_evaluate():
    return [
        ToEvaluate(
            602,
            "第1号单位市场监督管理局",
            "2026年度自评",
            date(2026, 12, 1),
            datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
            3,
        ),
        ToEvaluate(603, NASTY, NASTY, None, datetime(2026, 12, 31, 17, 5, tzinfo=UTC), 3),
        ToEvaluate(604, None, "轮次", None, None, 3),
    ]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("count", [0, 1, 6])
def test_verify_rows_are_the_loop_s_html(app, locale, count):
    items = _items()[:count]
    with app.test_request_context("/"), force_locale(locale):
        old = render_template_string(OLD_VERIFY, items=items, notice_base="/notices/")
        assert str(verify_rows(items, "/notices/")) == old
    if count:
        assert ("第3项 · " if locale == "zh_CN" else "Item 3 · ") in old


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("count", [0, 1, 3])
def test_evaluate_rows_are_the_loop_s_html(app, locale, count):
    rows = _to_evaluate()[:count]
    with app.test_request_context("/"), force_locale(locale):
        old = render_template_string(OLD_EVALUATE, rows=rows, assessment_base="/scorecards/assessments/")
        assert str(evaluate_rows(rows, "/scorecards/assessments/")) == old
    if count:
        assert ("2026年11月20日 10:00" if locale == "zh_CN" else "20 Nov 2026 10:00") in old


def test_home_rows_escape_what_the_records_say(app):
    with app.test_request_context("/"):
        html = str(verify_rows(_items()[1:2], '/n/"&')) + str(evaluate_rows(_to_evaluate()[1:2], '/a/"&'))
    assert "<script>" not in html and "<b>" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;&lt;b&gt;") >= 4
    assert 'href="/n/&#34;&amp;1883#item-7458"' in html and 'href="/a/&#34;&amp;603"' in html


# The loop of templates/tasks/_home_inspector.html before views/home_rows.task_rows (its rows only).
OLD_TASKS = (
    "{% set task_base = url_base('tasks.detail', 'task_id') %}{% set new_before, new_after = finding_new_url %}"
    "{% for t in tasks %}\n"
    "    {# t: (id, code, title, period_end, leader, findings, total), todo.active_tasks_rows #}\n"
    '    <li class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2">\n'
    '      <span><a href="{{ task_base ~ t.id }}">{{ t.title }}</a>\n'
    "        <small class=\"text-muted d-block\">{{ t.code }} · {{ _('组长') }} {{ t.leader or '' }} · "
    "{{ _('截至') }} {{ t.period_end|cn_date }}</small></span>\n"
    '      <span class="d-flex align-items-center gap-2">\n'
    "        <small class=\"text-muted\">{{ _('问题 %(n)s', n=t.findings) }}</small>\n"
    '        <a class="btn btn-sm btn-primary" href="{{ new_before ~ t.id ~ new_after }}">'
    "<i class=\"bi bi-plus-lg\"></i> {{ _('记录问题') }}</a>\n"
    "      </span>\n"
    "    </li>\n"
    "    {% endfor %}"
)

Task = namedtuple("Task", "id code title period_end leader findings total")


def _tasks():
    return [
        Task(41, "DC-2026-041", "2026年度行政执法专项督察（第1批）", date(2026, 3, 5), "张三", 12, 3),
        Task(42, NASTY, NASTY, date(2026, 12, 31), NASTY, 0, 3),
        Task(43, "DC-2026-043", "任务", None, None, 1, 3),
    ]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("count", [0, 1, 3])
def test_task_rows_are_the_loop_s_html(app, locale, count):
    from supervision.views.helpers import url_around, url_base
    from supervision.views.home_rows import task_rows

    tasks = _tasks()[:count]
    with app.test_request_context("/"), force_locale(locale):
        around = url_around("tasks.finding_new", "task_id")
        old = render_template_string(OLD_TASKS, tasks=tasks, finding_new_url=around)
        assert str(task_rows(tasks, url_base("tasks.detail", "task_id"), around)) == old
    if count:
        assert ("组长 张三 · 截至 2026年3月5日" if locale == "zh_CN" else "5 Mar 2026") in old
        assert ("问题 12" if locale == "zh_CN" else "12") in old


def test_task_rows_escape_what_the_records_say(app):
    from supervision.views.home_rows import task_rows

    with app.test_request_context("/"):
        html = str(task_rows(_tasks()[1:2], '/t/"&', ('/new/"&', "/x?a=1&b=2")))
    assert "<script>" not in html and "<b>" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;&lt;b&gt;") == 3
    assert 'href="/t/&#34;&amp;42"' in html and 'href="/new/&#34;&amp;42/x?a=1&amp;b=2"' in html


# The loop of templates/notices/_panel_liaison.html before views/home_rows.unit_notice_rows.
OLD_UNIT_NOTICES = (
    '{% from "notices/_macros.html" import days_left, progress %}'
    '{% from "_macros/ui.html" import status_badge %}'
    "{% set notice_base = url_base('notices.detail', 'notice_id') %}{% for n in ctx.notices %}\n"
    "    <li class=\"list-group-item notice-row{{ ' notice-row-overdue' if ctx.info[n.id] and "
    "ctx.info[n.id].overdue else '' }}\">\n"
    '      <div class="d-flex justify-content-between gap-2 flex-wrap">\n'
    '        <a class="fw-semibold" href="{{ notice_base ~ n.id }}">{{ n.title }}</a>\n'
    "        <span>{{ status_badge('notice', n.status) }}{% if n.status == 'issued' %} "
    "<span class=\"badge bg-danger\">{{ _('待签收') }}</span>{% endif %}</span>\n"
    "      </div>\n"
    '      <div class="small d-flex flex-wrap gap-3 mt-1">\n'
    '        <span class="text-muted">{{ n.doc_number }}</span>\n'
    "        <span>{{ _('截止') }} {{ n.deadline|cn_date }}</span>\n"
    "        <span>{{ days_left(ctx.info[n.id]) }}</span>\n"
    "        {{ progress(n if n.total else none, no_rectification=not n.requires_rectification) }}\n"
    "      </div>\n"
    "    </li>\n"
    "    {% endfor %}"
)

OpenNotice = namedtuple(
    "OpenNotice",
    "id doc_number title status deadline requires_rectification total accepted submitted to_report returned",
)


def _open_notices():
    d = date(2026, 3, 5)
    notices = [
        OpenNotice(21, "海法督〔2026〕3号", "关于整改的通知", "issued", d, True, 3, 1, 1, 1, 0),
        OpenNotice(22, NASTY, NASTY, "acknowledged", d, True, 2, 0, 0, 2, 1),
        OpenNotice(23, "A3", "建议书", "acknowledged", d, False, 0, 0, 0, 0, 0),
        OpenNotice(24, "A4", "无事项", "acknowledged", None, True, 0, 0, 0, 0, 0),
        OpenNotice(25, "A5", "今日", "acknowledged", d, True, 4, 4, 0, 0, 0),
        OpenNotice(26, "A6", "将到期", "issued", d, True, 1, 0, 0, 1, 0),
        OpenNotice(27, "A7", "宽裕", "acknowledged", d, True, 1, 0, 1, 0, 0),
    ]
    info = {
        21: {"left": -4, "overdue": True, "soon": False, "weekends_only": False},
        22: {"left": 0, "overdue": True, "soon": True, "weekends_only": True},
        23: None,
        24: None,
        25: {"left": 0, "overdue": False, "soon": True, "weekends_only": False},
        26: {"left": 2, "overdue": False, "soon": True, "weekends_only": True},
        27: {"left": 9, "overdue": False, "soon": False, "weekends_only": False},
    }
    return notices, info


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("count", [0, 1, 7])
def test_unit_notice_rows_are_the_loop_s_html(app, locale, count):
    from supervision.views.helpers import url_base
    from supervision.views.home_rows import unit_notice_rows

    notices, info = _open_notices()
    notices = notices[:count]
    with app.test_request_context("/"), force_locale(locale):
        old = render_template_string(OLD_UNIT_NOTICES, ctx={"notices": notices, "info": info})
        assert str(unit_notice_rows(notices, info, url_base("notices.detail", "notice_id"))) == old
    if count == 7:
        for mark in ("notice-row-overdue", "no-rectification", "bi-info-circle", "bg-danger", "text-primary"):
            assert mark in old


def test_unit_notice_rows_escape_what_the_records_say(app):
    from supervision.views.home_rows import unit_notice_rows

    notices, info = _open_notices()
    with app.test_request_context("/"):
        html = str(unit_notice_rows(notices[1:2], info, '/n/"&'))
    assert "<script>" not in html and "<b>" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;&lt;b&gt;") == 2
    assert 'href="/n/&#34;&amp;22"' in html
