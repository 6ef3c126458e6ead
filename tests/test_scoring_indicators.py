"""Indicator scoring rules as pure functions (DESIGN §6): no database."""

from __future__ import annotations

import itertools

import pytest

from supervision.scoring_indicators import (
    BANDS,
    HISTOGRAM_EDGES,
    WEAK_SHARE,
    RatingError,
    band,
    band_scale,
    combine_area_sums,
    histogram,
    is_weak,
    parse_score,
    percent,
    points_for,
    unit_score,
)


@pytest.mark.parametrize(
    ("rating", "score", "maximum", "expected"),
    [
        ("met", None, 2.0, 2.0),
        ("met", 2.0, 2.0, 2.0),
        ("basic", 1.5, 2.0, 1.5),
        ("basic", 0.01, 1.0, 0.01),
        ("unmet", None, 2.0, 0.0),
        ("unmet", 0.0, 2.0, 0.0),
        ("na", None, 2.0, None),
        (None, None, 2.0, None),
    ],
)
def test_points_for_each_rating(rating, score, maximum, expected):
    assert points_for(rating, score, maximum) == expected


@pytest.mark.parametrize(
    ("rating", "score", "maximum", "message"),
    [
        ("basic", 2.5, 2.0, "不能超过"),
        ("met", -1, 2.0, "负数"),
        ("unmet", 2.0, 2.0, "未达标"),  # 未达标 with full points
        ("unmet", 0.5, 2.0, "未达标"),
        ("met", 1.0, 2.0, "达标"),  # 达标 but not the full points
        ("basic", 2.0, 2.0, "大于 0 且小于"),  # partial must be strictly between
        ("basic", 0.0, 2.0, "大于 0 且小于"),
        ("basic", None, 2.0, "须填写得分"),
        ("excellent", None, 2.0, "无效"),
        (None, 1.0, 2.0, "请先选择"),
    ],
)
def test_points_for_refuses_what_does_not_fit(rating, score, maximum, message):
    with pytest.raises(RatingError) as error:
        points_for(rating, score, maximum)
    assert message in str(error.value)


def test_parse_score():
    assert parse_score("") is None
    assert parse_score(" 0.5 ") == 0.5
    assert parse_score(2) == 2.0
    for bad in ("一分", "nan", "inf", "-inf"):
        with pytest.raises(RatingError):
            parse_score(bad)


@pytest.mark.parametrize(
    ("rating", "points", "maximum", "weak"),
    [
        ("unmet", 0.0, 1.0, True),
        ("basic", 0.59, 1.0, True),
        ("basic", 0.6, 1.0, False),
        ("basic", 1.1, 2.0, True),
        ("met", 1.0, 1.0, False),
        ("na", None, 1.0, False),
        (None, None, 1.0, False),
    ],
)
def test_weak_is_unmet_or_under_sixty_percent(rating, points, maximum, weak):
    assert is_weak(rating, points, maximum) is weak


def test_unit_score_excludes_not_applicable_from_the_denominator():
    items = [
        ("A", "met", 1.0, 1.0),
        ("A", "basic", 0.5, 1.0),
        ("A", "na", None, 1.0),  # leaves the denominator
        ("B", "unmet", 0.0, 2.0),
        ("B", "met", 2.0, 2.0),
        ("B", None, None, 2.0),  # unrated: not counted
    ]
    score = unit_score(items)
    assert score.earned == 3.5 and score.possible == 6.0
    assert score.total == pytest.approx(58.33, abs=0.01)
    assert score.area_percent("A") == 75.0
    assert score.area_percent("B") == 50.0
    assert score.area_percent("C") is None


def test_all_not_applicable_gives_no_score():
    assert unit_score([("A", "na", None, 1.0)]).total is None
    assert percent(0, 0) is None


def test_combine_area_sums_matches_item_by_item_scoring():
    items = [("A", "met", 1.0, 1.0), ("A", "basic", 0.4, 1.0), ("B", "unmet", 0.0, 1.0)]
    by_item = unit_score(items)
    by_sql = combine_area_sums([("A", 1.4, 2.0), ("B", 0.0, 1.0)])
    assert by_item.total == by_sql.total == pytest.approx(46.67, abs=0.01)
    assert by_sql.area_percent("A") == 70.0


@pytest.mark.parametrize(
    ("total", "key"),
    [(100, "green"), (85, "green"), (84.99, "amber"), (70, "amber"), (69.9, "red"), (None, "none")],
)
def test_bands(total, key):
    assert band(total)[0] == key


def test_histogram():
    assert histogram([55, 65, 65, 95, None, 90, 89.9]) == [
        ("<60", 1),
        ("60–70", 2),
        ("70–80", 0),
        ("80–90", 1),
        ("≥90", 2),
    ]


def test_band_scale_is_the_band_rule_as_data():
    scale = band_scale()
    assert scale["weak_share"] == WEAK_SHARE
    bands = scale["bands"]
    assert [b["key"] for b in bands] == [key for key, _label, _floor in BANDS] + ["red"]
    # Contiguous ranges, best first: each band starts where the one below ends.
    assert bands[0]["max"] is None and bands[-1]["min"] is None
    for upper, lower in itertools.pairwise(bands):
        assert lower["max"] == upper["min"]
    for b in bands:
        inside = b["min"] if b["min"] is not None else b["max"] - 1
        assert band(inside)[0] == b["key"]
    assert [b["label"] for b in bands] == ["≥85", "70–85", "<70"]
    # A histogram bucket takes the colour of the best band a total in it can reach.
    assert len(scale["histogram"]) == len(HISTOGRAM_EDGES) + 1
    assert scale["histogram"] == [scale["colours"][k] for k in ("red", "red", "amber", "green", "green")]


def test_the_stylesheet_uses_the_band_colours_of_the_rule():
    """app.css draws the band dots and pills with the colours band_scale() gives the charts."""
    import re
    from pathlib import Path

    from supervision.scoring_indicators import BAND_COLOURS, weak_percent

    css = (Path(__file__).resolve().parent.parent / "static" / "css" / "app.css").read_text()
    declared = dict(re.findall(r"--band-(\w+):\s*(#[0-9a-fA-F]{6})", css))
    assert declared == BAND_COLOURS
    assert weak_percent() == "60"
