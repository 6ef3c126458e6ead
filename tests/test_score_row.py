"""The assessment's indicator row, built in Python (views/scorecards/score_row.py): every value that
users or the framework wrote is escaped, in each mode and with the htmx messages."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from supervision.views.scorecards import assessments as views
from supervision.views.scorecards.score_row import score_row

EVIL = '<script>alert("x")</script>&'


@pytest.mark.parametrize("mode", ["self", "evaluate", "read"])
@pytest.mark.parametrize("saved", [False, True])
def test_every_written_value_of_a_row_is_escaped(app, mode, saved):
    indicator = NS(id=7, code=EVIL, text=EVIL, max_points=2, method=EVIL, responsible=EVIL)
    score = NS(
        id=3,
        self_rating="met",
        self_score=2,
        evaluated_rating="not_met",
        evaluated_score=0,
        explanation=EVIL,
        comment=EVIL,
        version=1,
    )
    previous = {EVIL: NS(self_rating="met", self_score=1, evaluated_rating="met", evaluated_score=1)}
    files = {3: [NS(id=11, original_name=EVIL)]}
    with app.test_request_context("/"):
        data = {"previous_year": 2025, "files": files, "prev_scores": previous}
        context = views._row_context(NS(id=1), mode, views._translated_ratings(), data)
        kwargs = {"saved": True} if saved else {"error": EVIL, "refused": {"comment": EVIL}}
        html = str(score_row(indicator, score, context, **kwargs))
    assert "<script>" not in html and 'alert("x")' not in html
    assert "&lt;script&gt;" in html
    assert html.count('id="ind-7"') == 1 and html.endswith("</div>\n</div>")


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
