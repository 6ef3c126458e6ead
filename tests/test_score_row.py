"""The assessment's indicator row, built in Python (views/scorecards/score_row.py): every value that
users or the framework wrote is escaped, in each mode and with the htmx messages."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest
from markupsafe import escape

from supervision.queries.scorecards import ScoreLine
from supervision.views.scorecards import assessments as views
from supervision.views.scorecards.score_row import esc, score_list, score_row

EVIL = '<script>alert("x")</script>&'


def _line(**values) -> ScoreLine:
    return ScoreLine(
        **{
            "id": 7,
            "code": EVIL,
            "text": EVIL,
            "max_points": 2,
            "method": EVIL,
            "responsible": EVIL,
            "area_id": 1,
            "parent_id": 2,
            "score_id": 3,
            "self_rating": "met",
            "self_score": 2,
            "explanation": EVIL,
            "evaluated_rating": "not_met",
            "evaluated_score": 0,
            "comment": EVIL,
            "version": 1,
            "files": ((11, EVIL),),
            **values,
        }
    )


def _context(app, mode):
    previous = {EVIL: NS(self_rating="met", self_score=1, evaluated_rating="met", evaluated_score=1)}
    data = {"previous_year": 2025, "prev_scores": previous}
    return views._row_context(NS(id=1), mode, data)


@pytest.mark.parametrize("mode", ["self", "evaluate", "read"])
@pytest.mark.parametrize("saved", [False, True])
def test_every_written_value_of_a_row_is_escaped(app, mode, saved):
    with app.test_request_context("/"):
        kwargs = {"saved": True} if saved else {"error": EVIL, "refused": {"comment": EVIL}}
        html = str(score_row(_line(), _context(app, mode), **kwargs))
    assert "<script>" not in html and 'alert("x")' not in html
    assert "&lt;script&gt;" in html
    assert html.count('id="ind-7"') == 1 and html.endswith("</div>\n</div>")


@pytest.mark.parametrize("mode", ["self", "evaluate", "read"])
def test_the_page_rows_and_their_headings_escape_what_was_written(app, mode):
    headings = {1: NS(code=EVIL, text=EVIL), 2: NS(code=EVIL, text=EVIL)}
    with app.test_request_context("/"):
        html = str(score_list([_line(), _line(id=8, score_id=None, files=())], headings, _context(app, mode)))
    assert "<script>" not in html and 'alert("x")' not in html
    assert html.count('<h2 class="score-area">&lt;script&gt;') == 1
    assert html.count('<h3 class="score-group">&lt;script&gt;') == 1
    assert html.count('class="score-row') == 2


@pytest.mark.parametrize("value", [EVIL, "'单引号' & \"双引号\" <b>", "", "plain 文本", 12, None])
def test_the_rows_escape_is_markupsafes(value):
    assert esc(value) == str(escape(value))


def test_the_unit_scorecards_indicator_rows_escape_what_was_written():
    from supervision.views.scorecards.unit_rows import indicator_rows

    row = NS(
        id=5,
        area_id=1,
        code=EVIL,
        text=EVIL,
        self_rating=EVIL,
        evaluated_rating=EVIL,
        evaluated_score=1,
        max_points=2,
    )
    card = {
        "lines": [NS(indicator=row, score=row, weak=True, findings=2)],
        "parents": {1: NS(code=EVIL, text=EVIL)},
        "ratings": {},
    }
    html = str(indicator_rows(card, "/scorecards/units/4/indicators/"))
    assert "<script>" not in html and html.count("&lt;script&gt;") == 5
    assert 'href="/scorecards/units/4/indicators/5#findings">2</a>' in html


# The weak table's loop of templates/scorecards/assessment.html, as it was before score_row.weak_list.
OLD_WEAK_LOOP = (
    '{% from "_macros/ui.html" import status_badge %}'
    "{% for i in weak %}{% set s = scores.get(i.id) %}{% set item = roadmap.get(i.id) %}\n"
    "        <tr>\n"
    "          <td>{{ i.code }}</td><td>{{ i.text }}</td>\n"
    "          <td class=\"text-nowrap\">{{ ratings.get(s.evaluated_rating, '') }} "
    "{{ s.evaluated_score|points }}/{{ i.max_points|points }}</td>\n"
    '          <td class="text-nowrap">\n'
    "            {% if item %}<a href=\"{{ url_for('scorecards.roadmap_detail', item_id=item.id) }}\">"
    "{{ status_badge('roadmap', item.status) }} {{ item.due_date|cn_date }}</a>\n"
    "            {% elif can_manage_roadmap_for_unit(assessment.unit_id) %}\n"
    '              <a class="btn btn-sm btn-outline-danger" href="{{ url_for(\'scorecards.roadmap_new\', '
    'assessment=assessment.id, indicator=i.id) }}" data-testid="roadmap-new-{{ i.code }}">'
    "<i class=\"bi bi-plus\"></i> {{ _('制定路线图') }}</a>\n"
    "            {% else %}<span class=\"text-danger small\">{{ _('尚未制定') }}</span>{% endif %}\n"
    "          </td>\n"
    "        </tr>\n"
    "      {% else %}\n"
    '        <tr><td colspan="4" class="empty-state">{{ _(\'没有短板指标\') }}</td></tr>\n'
    "      {% endfor %}"
)


def _weak_world():
    from datetime import date

    from supervision.queries.scorecards import RoadmapLine

    weak = [
        _line(id=7, evaluated_rating="unmet", evaluated_score=0),
        _line(id=8, code="2.1", text="文本 & <i>", evaluated_rating="basic", evaluated_score=0.5),
        _line(id=9, code="3.1", evaluated_rating=EVIL, evaluated_score=None),
        _line(id=10, code="4.1", evaluated_rating="unmet", evaluated_score=0),
    ]
    roadmap = {
        7: RoadmapLine(7, 31, "planned", date(2027, 6, 30)),
        9: RoadmapLine(9, 32, "done", date(2026, 1, 5)),
        10: RoadmapLine(10, 33, EVIL, date(2026, 12, 1)),
    }
    return weak, roadmap


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("can_manage", [True, False])
@pytest.mark.parametrize("empty", [False, True])
def test_the_weak_table_is_the_old_loop(app, monkeypatch, locale, can_manage, empty):
    from flask import render_template_string
    from flask_babel import force_locale

    from supervision.views.scorecards.score_row import weak_list

    weak, roadmap = ([], {}) if empty else _weak_world()
    assessment = NS(id=1030, unit_id=430)
    monkeypatch.setattr(views, "can_manage_roadmap_for_unit", lambda _user, _unit_id: can_manage)
    with app.test_request_context("/"), force_locale(locale):
        row_context = views._row_context(assessment, "read", {"previous_year": None, "prev_scores": {}})
        old = render_template_string(
            OLD_WEAK_LOOP,
            weak=weak,
            scores={line.id: line for line in weak},
            roadmap=roadmap,
            ratings=row_context.ratings,
            assessment=assessment,
            can_manage_roadmap_for_unit=lambda _unit_id: can_manage,
        )
        new = str(weak_list(weak, roadmap, views._weak_context(assessment, row_context)))
    assert new == old
    assert "<script>" not in new and "<i>" not in new


def test_a_roadmap_row_is_overdue_as_the_item_is():
    from datetime import date

    from supervision.models import RoadmapItem
    from supervision.services.scorecard_reports import RoadmapRow

    today = date(2026, 6, 1)
    for status in ("planned", "in_progress", "done"):
        for due in (date(2026, 5, 31), today, date(2026, 6, 2)):
            row = RoadmapRow(1, 2, "措施", due, status)
            assert row.is_overdue(today) == RoadmapItem(status=status, due_date=due).is_overdue(today)
