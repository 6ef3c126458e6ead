"""The unit scorecard's area and trend tables, built in Python (views/scorecards/unit_rows.py):
the old template loops' HTML byte for byte in both languages, with areas without sums, years
without an area and values that need escaping."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from supervision.scoring_indicators import combine_area_sums
from supervision.views.scorecards.unit_rows import area_rows, trend_rows

EVIL = '<script>alert("x")</script>&'

# The tables' loops of templates/scorecards/unit.html, as they were before unit_rows.area_rows
# and trend_rows.
OLD_AREA_LOOP = (
    "<tbody>{% for a in card.areas %}{% set pair = card.score.areas.get(a.id) %}<tr><td>{{ a.code }} "
    '{{ a.text }}</td><td class="text-end">{{ pair[0]|points if pair else \'—\' }}</td><td class="text-end">'
    "{{ pair[1]|points if pair else '—' }}</td><td class=\"text-end\">"
    "{{ card.score.area_percent(a.id)|points }}</td></tr>{% endfor %}</tbody>"
)
OLD_TREND_BODY = (
    "          <tbody>\n"
    "            <tr class=\"fw-semibold\"><td>{{ _('总分') }}</td>{% for y in trend.years %}"
    '<td class="text-end">{{ trend.totals[y]|points }}</td>{% endfor %}</tr>\n'
    "            {% for code, text in trend.areas %}<tr><td>{{ code }} {{ text }}</td>"
    '{% for y in trend.years %}<td class="text-end">{{ trend.cells[y].get(code)|points }}</td>'
    "{% endfor %}</tr>{% endfor %}\n"
    "          </tbody>\n"
)
NEW_TREND_BODY = (
    "          <tbody>\n"
    "            {#- the cells #}{% set total_cells, trend_area_rows = trend_rows(trend) %}\n"
    "            <tr class=\"fw-semibold\"><td>{{ _('总分') }}</td>{{ total_cells }}</tr>\n"
    "            {{ trend_area_rows }}\n"
    "          </tbody>\n"
)


def _card(areas, sums):
    score = combine_area_sums(sums)
    return {"areas": areas, "score": score, "shares": [(a, score.area_percent(a.id)) for a in areas]}


CARDS = [
    _card([], []),
    _card(
        [
            NS(id=1, code="1", text="依法决策"),
            NS(id=2, code=EVIL, text=EVIL),
            NS(id=3, code="3", text="无分"),
        ],
        [(1, 7.25, 10.0), (2, 1 / 3, 3.0), (4, 1.0, 2.0)],
    ),
    _card([NS(id=5, code="5", text="零分")], [(5, 0.0, 0.0)]),
]

TRENDS = [
    {"years": [], "totals": {}, "areas": [], "cells": {}},
    {
        "years": [2024, 2025, 2026],
        "totals": {2024: None, 2025: 68.93, 2026: 75.5},
        "areas": [("1", "依法决策"), (EVIL, EVIL), ("3", "新领域")],
        "cells": {2024: {"1": 70.0}, 2025: {"1": 66.67, EVIL: 0.0}, 2026: {"1": 90.125, EVIL: None, "3": 12}},
    },
]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("card", CARDS)
def test_the_area_table_is_the_old_loop(app, locale, card):
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale(locale):
        old = render_template_string(OLD_AREA_LOOP, card=card)
        new = render_template_string("<tbody>{{ area_rows(card) }}</tbody>", card=card, area_rows=area_rows)
    assert new == old


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("trend", TRENDS)
def test_the_trend_table_is_the_old_loop(app, locale, trend):
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale(locale):
        old = render_template_string(OLD_TREND_BODY, trend=trend)
        new = render_template_string(NEW_TREND_BODY, trend=trend, trend_rows=trend_rows)
    assert new == old


def test_the_area_and_trend_tables_escape_what_was_written():
    html = str(area_rows(CARDS[1]))
    assert "<script>" not in html and html.count("&lt;script&gt;") == 2
    totals, rows = trend_rows(TRENDS[1])
    assert "<script>" not in rows and rows.count("&lt;script&gt;") == 2
    assert totals.count("<td") == 3
