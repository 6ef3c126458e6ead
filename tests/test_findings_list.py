"""The findings list (/tasks/findings): its filter bar built in Python beside the template it replaces,
its rows read by unpacking, its evidence counts and categories read with the page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import render_template_string, url_for
from flask_babel import force_locale
from sqlalchemy import select

from supervision.extensions import db
from supervision.models import SEVERITIES, Finding
from supervision.workflow import MACHINES

from .conftest import count_queries
from .test_tasks_views import world  # noqa: F401  (the fixture)

EVIL = '<script>alert("x")</script>&\'%'

# The findings list's include of the filter bar, as templates/tasks/findings.html had it.
OLD_FILTER = (
    '{% with form_class=form_class, action=action %}{% include "tasks/_findings_filter.html" %}{% endwith %}'
)

ARGS = [
    {"unit": None, "severity": "", "category": "", "status": "", "q": "", "year": None},
    {"unit": 7, "severity": "major", "category": "程序", "status": "counted", "q": "程序", "year": 2025},
    {"unit": 7, "severity": "serious", "category": EVIL, "status": "open", "q": EVIL, "year": 2026},
    {"unit": None, "severity": EVIL, "category": "x", "status": EVIL, "q": "a", "year": 1999},
    {"unit": None, "severity": "normal", "category": "", "status": "dismissed", "q": "", "year": 2021},
]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_filter_bar_is_the_template_s(app, locale):
    from supervision.views.tasks.finding_filter import findings_filter

    categories = ("主体", "程序", EVIL, "其他")
    with app.test_request_context("/tasks/findings"), force_locale(locale):
        for args in ARGS:
            for unit_choice in (None, (7, "某区局"), (7, EVIL)):
                for years in ([2026, 2025, 2024, 2023, 2022, 2021], []):
                    for form_class, action in (
                        ("filter-bar row g-2 align-items-end", url_for("tasks.findings")),
                        (EVIL, EVIL),
                    ):
                        old = render_template_string(
                            OLD_FILTER,
                            args=args,
                            unit_choice=unit_choice,
                            categories=categories,
                            severities=SEVERITIES,
                            finding_statuses=MACHINES["finding"].statuses,
                            years=years,
                            form_class=form_class,
                            action=action,
                        )
                        new = findings_filter(args, unit_choice, categories, years, form_class, action)
                        assert str(new) == old, (args, unit_choice, years, form_class)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_filter_bar_escapes_every_value(app, locale):
    from supervision.views.tasks.finding_filter import findings_filter

    args = {"unit": 7, "severity": "", "category": EVIL, "status": "", "q": EVIL, "year": None}
    with app.test_request_context("/tasks/findings"), force_locale(locale):
        html = str(findings_filter(args, (EVIL, EVIL), (EVIL,), [2026], EVIL, EVIL))
    assert "<script>" not in html and 'alert("x")' not in html
    # the keyword, the unit's id and name, the category, the form's class and action
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;%") == 6


def test_the_rows_unpack_the_columns_the_query_selects():
    from supervision.queries.tasks import _finding_columns
    from supervision.views.tasks.finding_rows import COLUMNS

    names = [c.name for c in _finding_columns(select(Finding)).selected_columns]
    assert tuple(names[: len(COLUMNS)]) == COLUMNS


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_written_value_of_a_finding_row_is_escaped(app, locale):
    from supervision.views.tasks.finding_rows import finding_rows, texts

    row = (5, date(2026, 3, 5), 9, EVIL, EVIL, "full", EVIL, EVIL, EVIL, EVIL, "open", 2)
    loose = (6, date(2026, 3, 5), None, None, None, EVIL, "c", "normal", "d" * 80, None, "resolved", 0)
    with app.test_request_context("/"), force_locale(locale):
        html = str(finding_rows([row, loose], {5: 2}, SEVERITIES, True))
        no_task = texts().no_task
    assert "<script>" not in html and 'alert("x")' not in html
    # task code, unit, category, severity (class and label), description, inspector; the second's unit
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;%") == 8
    assert 'href="/tasks/9"' in html and 'href="/tasks/findings/5"' in html
    assert '<i class="bi bi-paperclip"></i>2</td>' in html and "d" * 58 + "…</a>" in html
    assert html.count(no_task) == 1


def test_the_list_shows_evidence_counts_and_a_new_category_at_once_in_three_queries(client, world):  # noqa: F811
    from supervision.services.tasks import finding_category_add

    client.login_user(world["lead"])
    with count_queries() as n:
        html = client.get("/tasks/findings").get_data(as_text=True)
    assert n() <= 6  # the user, the rows with their evidence counts, the total, the categories (two on an
    # empty list), the audit stamp
    with count_queries(keep_cache=True) as n:
        assert client.get("/tasks/findings").status_code == 200
    assert n() == 3  # kept: the total and the categories (their stamp is read once for both)
    row = re.search(rf'href="/tasks/findings/{world["finding"].id}".*?</tr>', html, re.S).group(0)
    assert '<i class="bi bi-paperclip"></i>1</td>' in row
    loose = re.search(rf'href="/tasks/findings/{world["loose"].id}".*?</tr>', html, re.S).group(0)
    assert "bi-paperclip" not in loose
    assert "新增的分类" not in html
    finding_category_add(actor=world["lead"], name="新增的分类")
    db.session.commit()
    html = client.get("/tasks/findings").get_data(as_text=True)
    assert "<option >新增的分类</option>" in html
    html = client.get("/tasks/findings?category=新增的分类").get_data(as_text=True)
    assert "<option selected>新增的分类</option>" in html
