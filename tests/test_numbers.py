"""The one rounding rule (四舍五入) and the total order of codes: pure functions, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from supervision import scoring
from supervision.numbers import (
    INDICATOR_PLACES,
    RATE_PLACES,
    SCORE_PLACES,
    code_sort_key,
    fmt,
    round_half_up,
    rounded,
)
from supervision.scoring_indicators import percent


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (94.25, 1, "94.3"),  # round() and "%.1f" give 94.2 (half to even on the binary value)
        (96.625, 2, "96.63"),  # round() and "%.2f" give 96.62
        (2.675, 2, "2.68"),  # binary 2.67499999…; the decimal number is what was typed
        (Decimal("0.125"), 2, "0.13"),
        (7, 2, "7.00"),
        (-1.25, 1, "-1.3"),
        (0.0, 1, "0.0"),
    ],
)
def test_round_half_up(value, places, expected):
    assert round_half_up(value, places) == Decimal(expected)
    assert str(round_half_up(value, places)) == expected


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "x"])
def test_round_half_up_refuses_what_is_not_a_finite_number(bad):
    with pytest.raises(ValueError):
        round_half_up(bad, 2)


def test_fmt_trims_zeros_and_shows_none_as_a_dash():
    assert fmt(94.5, SCORE_PLACES) == "94.5"
    assert fmt(90.0, SCORE_PLACES) == "90"
    assert fmt(96.625, SCORE_PLACES) == "96.63"
    assert fmt(94.25, RATE_PLACES) == "94.3"
    assert fmt(-0.001, SCORE_PLACES) == "0"
    assert fmt(None, SCORE_PLACES) == "—"
    assert fmt(None, SCORE_PLACES, empty="") == ""
    assert rounded(None, 1) is None and rounded(96.625, 2) == 96.63


def test_scores_are_computed_half_up_at_their_precision():
    # A final score is the reviewers' mean, kept at SCORE_PLACES half up (96.625 → 96.63).
    assert scoring.mean_score([96.5, 96.75]) == 96.63
    # Indicator percentages: 38.625 / 100 × 100, kept at INDICATOR_PLACES half up.
    assert INDICATOR_PLACES == 2 and percent(38.625, 100) == 38.63


def test_code_sort_key_is_total_and_natural():
    codes = ["B", "1.10", "A.1", "1.2", "10", "2", "A", "1", "", None, "1-3", "二"]
    ordered = sorted(codes, key=code_sort_key)  # a key comparing int with str raised TypeError
    assert ordered[:2] == ["", None] or ordered[:2] == [None, ""]
    assert ordered[2:] == ["1", "1.2", "1-3", "1.10", "2", "10", "A", "A.1", "B", "二"]
