"""The Python forms of the shared macros (supervision/macros.py) render what the macros did."""

from __future__ import annotations

import pytest
from flask import render_template_string

from supervision.macros import status_badge

OLD_STATUS_BADGE = (
    "{% macro status_badge(record_type, status) -%}\n"
    '<span class="badge status-badge status-{{ record_type }}-{{ status }}">'
    "{{ status_label(record_type, status) }}</span>\n"
    "{%- endmacro %}{{ status_badge(record_type, status) }}"
)


def test_status_badge_is_the_macro_s_html(app):
    with app.test_request_context("/"):
        for record_type, status in (("notice", "issued"), ("task", "draft"), ("notice", '<b>"x"&')):
            old = render_template_string(OLD_STATUS_BADGE, record_type=record_type, status=status)
            assert str(status_badge(record_type, status)) == old


def test_status_badge_escapes_its_values(app):
    with app.test_request_context("/"):
        html = str(status_badge("notice", '"><script>'))
    assert "<script>" not in html
    assert "&#34;&gt;&lt;script&gt;" in html


def test_the_macros_module_exports_it_by_the_old_name(app):
    with app.test_request_context("/"):
        html = render_template_string(
            "{% from '_macros/ui.html' import status_badge %}{{ status_badge('notice', 'issued') }}"
        )
    assert html == str(status_badge("notice", "issued"))


def test_fixed_url_is_url_for(app):
    from flask import url_for

    from supervision.nav import fixed_url

    with app.test_request_context("/"):
        assert fixed_url("exports.start") == url_for("exports.start")
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/dct"}):
        assert fixed_url("exports.start") == url_for("exports.start") == "/dct" + fixed_url_plain(app)


def fixed_url_plain(app) -> str:
    with app.test_request_context("/"):
        from flask import url_for

        return url_for("exports.start")


# The macro that supervision.macros.pagination replaces, as it was.
OLD_PAGINATION = (
    "{% macro pagination(page, endpoint) -%}\n"
    "{% if page.pages > 1 %}\n"
    '<nav aria-label="{{ _(\'分页\') }}" class="d-flex justify-content-between align-items-center mt-2">\n'
    "  <small class=\"text-muted\">{{ _('共 %(n)s 条，第 %(p)s / %(ps)s 页', n=page.total, p=page.page, ps=page.pages) }}</small>\n"
    '  <ul class="pagination pagination-sm mb-0">\n'
    "    {% set args = request.args.to_dict() %}\n"
    '    {% if page.has_prev %}{% set _unused = args.update(page=page.prev_num) %}<li class="page-item"><a class="page-link" href="{{ url_for(endpoint, **dict(request.view_args, **args)) }}">{{ _(\'上一页\') }}</a></li>{% endif %}\n'
    "    {% for p in page.iter_pages(left_edge=1, right_edge=1, left_current=2, right_current=2) %}\n"
    '      {% if p %}{% set _unused = args.update(page=p) %}<li class="page-item {% if p == page.page %}active{% endif %}"><a class="page-link" href="{{ url_for(endpoint, **dict(request.view_args, **args)) }}">{{ p }}</a></li>\n'
    '      {% else %}<li class="page-item disabled"><span class="page-link">…</span></li>{% endif %}\n'
    "    {% endfor %}\n"
    '    {% if page.has_next %}{% set _unused = args.update(page=page.next_num) %}<li class="page-item"><a class="page-link" href="{{ url_for(endpoint, **dict(request.view_args, **args)) }}">{{ _(\'下一页\') }}</a></li>{% endif %}\n'
    "  </ul>\n"
    "</nav>\n"
    "{% elif page.total %}\n"
    "<small class=\"text-muted\">{{ _('共 %(n)s 条', n=page.total) }}</small>\n"
    "{% endif %}\n"
    "{%- endmacro %}"
    "{{ pagination(page, endpoint) }}"
)


class _Page:
    """A pager's figures, as Flask-SQLAlchemy's Pagination (and queries.rows') computes them."""

    def __init__(self, page: int, per_page: int, total: int):
        from flask_sqlalchemy.pagination import Pagination

        self.page, self.per_page, self.total = page, per_page, total
        self.pages = Pagination.pages.fget(self)
        self.has_prev, self.prev_num = page > 1, page - 1 if page > 1 else None
        self.has_next, self.next_num = page < self.pages, page + 1 if page < self.pages else None
        self.iter_pages = lambda **kw: Pagination.iter_pages(self, **kw)


PAGER_CASES = [
    ("/notices/", "notices.index", (1, 20, 0)),
    ("/notices/?q=a", "notices.index", (1, 20, 7)),
    ("/notices/", "notices.index", (1, 20, 200)),
    ("/notices/?q=a&status=open", "notices.index", (3, 20, 200)),
    ("/notices/?page=10&q=%3Cb%3E%22%27%26x", "notices.index", (10, 20, 200)),
    ("/notices/?q=page%3D__page__&xpage=__page__", "notices.index", (2, 20, 41)),
    ("/tasks/7?page=2&tab=findings", "tasks.detail", (2, 30, 95)),
    ("/notices/?q=a", "notices.index", (6, 10, 1000)),
]


@pytest.mark.parametrize("path,endpoint,figures", PAGER_CASES)
@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_pagination_is_the_macro_s_html(app, path, endpoint, figures, locale):
    from flask_babel import force_locale

    from supervision.macros import pagination

    page = _Page(*figures)
    with app.test_request_context(path), force_locale(locale):
        old = render_template_string(OLD_PAGINATION, page=page, endpoint=endpoint)
        assert str(pagination(page, endpoint)) == old
        via_ui = render_template_string(
            "{% from '_macros/ui.html' import pagination %}{{ pagination(page, endpoint) }}",
            page=page,
            endpoint=endpoint,
        )
        assert via_ui == old


# The macro that supervision.macros.timeline replaces, as it was.
OLD_TIMELINE = (
    "{% macro timeline(events) -%}\n"
    '<ol class="timeline" data-testid="timeline">\n'
    "  {% for e in events %}\n"
    '  <li class="timeline-item">\n'
    '    <div class="timeline-time">{{ e.at|cn_datetime }}</div>\n'
    '    <div class="timeline-body">\n'
    "      <strong>{{ e.actor.display_name if e.actor else _('系统') }}</strong> {{ e.summary }}\n"
    "      {% if e.changes %}\n"
    "      <details class=\"timeline-changes\"><summary>{{ _('变更明细') }}</summary>\n"
    '        <table class="table table-sm mb-0">\n'
    "          {% for field, pair in e.changes.items() %}\n"
    "          <tr><th>{{ field }}</th>{% if pair is sequence and pair is not string and pair|length == 2 %}"
    "<td class=\"text-muted\"><del>{{ pair[0] if pair[0] is not none else '' }}</del></td>"
    "<td>{{ pair[1] if pair[1] is not none else '' }}</td>{% else %}<td colspan=\"2\">{{ pair }}</td>"
    "{% endif %}</tr>\n"
    "          {% endfor %}\n"
    "        </table>\n"
    "      </details>\n"
    "      {% endif %}\n"
    "    </div>\n"
    "  </li>\n"
    "  {% else %}\n"
    "  <li class=\"text-muted\">{{ _('暂无记录') }}</li>\n"
    "  {% endfor %}\n"
    "</ol>\n"
    "{%- endmacro %}"
    "{{ timeline(events) }}"
)

_NASTY = "<b>\"x\" & 'y'</b>"


def _timeline_events():
    from datetime import UTC, datetime
    from types import SimpleNamespace as Event

    at = datetime(2026, 3, 5, 6, 5, tzinfo=UTC)
    actor = Event(display_name=_NASTY)
    return [
        Event(at=at, summary="签发通知书", changes=None, actor=actor),
        Event(at=at, summary=_NASTY, changes={}, actor=None),
        Event(at=None, summary=None, changes={"x": 1}, actor=Event(display_name="张三")),
        Event(
            at=datetime(2025, 12, 31, 23, 59, tzinfo=UTC),
            summary="修改",
            changes={
                "title": ["旧", "新"],
                "deadline": [None, "2026-04-01"],
                "note": ["<old>&", None],
                _NASTY: [_NASTY, "'\"&<>"],
                "three": [1, 2, 3],
                "one": ["a"],
                "text": "ab",
                "escaped": _NASTY,
                "none": None,
                "flag": True,
                "number": 2.5,
                "pairdict": {"a": 1, "b": 2},
                "dict": {"a": "<x>"},
                "tuple": (0, False),
                "zeroes": [0, ""],
            },
            actor=actor,
        ),
    ]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("events", ["none", "all", "one"])
def test_timeline_is_the_macro_s_html(app, locale, events):
    from flask_babel import force_locale

    from supervision.macros import timeline

    case, events = events, {"none": [], "all": _timeline_events(), "one": _timeline_events()[:1]}[events]
    with app.test_request_context("/"), force_locale(locale):
        old = render_template_string(OLD_TIMELINE, events=events)
        assert str(timeline(events)) == old
        via_ui = render_template_string(
            "{% from '_macros/ui.html' import timeline %}{{ timeline(events) }}", events=events
        )
        assert via_ui == old
    words = {"zh_CN": ("系统", "变更明细", "暂无记录"), "en": ("System", "Changes", "No records")}[locale]
    shown = {"none": (words[2],), "all": words[:2], "one": ()}[case]
    assert all(word in old for word in shown)


def test_timeline_escapes_its_values(app):
    from supervision.macros import timeline

    with app.test_request_context("/"):
        html = str(timeline(_timeline_events()))
    assert "<b>" not in html and "<old>" not in html and "<x>" not in html
    assert "&lt;b&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/b&gt;" in html
    assert "<td>&#39;&#34;&amp;&lt;&gt;</td>" in html
