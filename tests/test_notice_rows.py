"""The notice lists' rows built in Python (views/notices/list_rows.py): the same markup as the
macros they replace (templates/notices/_macros.html), and every written value escaped."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace as NS

import pytest
from flask import get_template_attribute

from supervision.views.notices import list_rows

EVIL = '<script>alert("x")</script>&'

INFOS = [
    None,
    {"left": -3, "overdue": True, "soon": False, "weekends_only": False},
    {"left": -1, "overdue": True, "soon": False, "weekends_only": True},
    {"left": 0, "overdue": False, "soon": True, "weekends_only": True},
    {"left": 2, "overdue": False, "soon": True, "weekends_only": False},
    {"left": 9, "overdue": False, "soon": False, "weekends_only": True},
    {"left": 9, "overdue": False, "soon": False, "weekends_only": False},
]
COUNTS = [
    None,
    {"total": 3, "accepted": 1, "submitted": 0},
    {"total": 3, "accepted": 1, "submitted": 2},
]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_rows_days_left_and_progress_are_the_macros(app, locale):
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale(locale):
        days_left = get_template_attribute("notices/_macros.html", "days_left")
        progress = get_template_attribute("notices/_macros.html", "progress")
        T = list_rows.texts()
        for info in INFOS:
            assert list_rows.days_left(info, T) == str(days_left(info))
        for c in COUNTS:
            for rectify in (True, False, None):
                assert list_rows.progress(c, rectify, T) == str(progress(c, rectify=rectify))


def test_every_written_value_of_a_notice_row_is_escaped(app):
    row = NS(
        id=5,
        doc_number=EVIL,
        title=EVIL,
        status="issued",
        issue_date=date(2026, 3, 5),
        deadline=date(2026, 4, 1),
        kind_name=EVIL,
        requires_rectification=True,
        unit_short=EVIL,
        unit_name=EVIL,
    )
    info = {5: INFOS[1]}
    counts = {5: COUNTS[2]}
    with app.test_request_context("/"):
        pieces = [
            list_rows.notice_rows([row], info, counts, "/notices/"),
            list_rows.unit_open_rows([row], info, counts, "/notices/"),
            list_rows.unit_closed_rows([row], "/notices/"),
        ]
    for html in map(str, pieces):
        assert "<script>" not in html and 'alert("x")' not in html
        assert "&lt;script&gt;" in html and 'href="/notices/5"' in html


def test_the_office_rankings_rows_escape_the_unit_names(app):
    from supervision.services.scorecard_reports import UnitRow
    from supervision.views.scorecards.boards import _ranking_rows

    board = {"areas": [NS(id=1)]}
    rows = [UnitRow(unit_id=4, name=EVIL, kind="town", assessment_id=9, total=91.5, areas={1: 88.0}, rank=1)]
    with app.test_request_context("/"):
        html = str(_ranking_rows(board, rows, ("/scorecards/units/", "?year=2026")))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="/scorecards/units/4?year=2026"' in html and "heat-g" in html
