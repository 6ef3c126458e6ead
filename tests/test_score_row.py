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
