"""Indicator scoring rules (DESIGN §6) as pure functions: no database, no Flask.

达标 earns the indicator's full points, 基本达标 a score strictly between 0 and the max, 未达标 0;
不适用 leaves the denominator. A unit's score is Σ points ÷ Σ applicable max × 100, overall and per
first-level area. An indicator is weak (短板) when rated 未达标 or scored under 60 % of its points.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _

from .i18n import N_
from .numbers import INDICATOR_PLACES, indicator_text, rounded
from .parsing import BadNumber, parse_decimal

RATINGS = {"met": N_("达标"), "basic": N_("基本达标"), "unmet": N_("未达标"), "na": N_("不适用")}
WEAK_SHARE = 0.6
# Bands of the office scorecard: green from 85, amber from 70, red below. The one source of the
# band rule: pages get it through band_scale() (the charts of scorecards.js read it from there).
BANDS: tuple[tuple[str, str, float], ...] = (("green", N_("好"), 85.0), ("amber", N_("中"), 70.0))
RED = ("red", N_("差"))
# The colour of each band: dots, pills and bars (as .band-* in app.css), and the lighter heatmap cells.
BAND_COLOURS = {"green": "#1e7b46", "amber": "#9e6900", "red": "#c8161d", "none": "#9aa5b1"}
HEAT_COLOURS = {"green": "#5cb27f", "amber": "#f2c14e", "red": "#e0665f"}
HISTOGRAM_EDGES = (60, 70, 80, 90)


class RatingError(ValueError):
    """A rating and score that do not fit together; the message is shown to the user."""


def _round(value: float) -> float:
    return rounded(float(value) + 0.0, INDICATOR_PLACES)


def parse_score(text: str | float | None) -> float | None:
    """A score typed by a user: '' → None; '0.5' → 0.5; anything else is an error."""
    try:
        value = parse_decimal(text)
    except BadNumber as exc:
        raise RatingError(_("得分“%(text)s”不是数字。", text=str(text).strip())) from exc
    return None if value is None else float(value)


def points_for(rating: str | None, score: float | None, max_points: float) -> float | None:
    """The points a rating earns, checking the score fits it. None for 不适用 or no rating.

    Raises RatingError with a clear message when the pair does not fit.
    """
    if rating in (None, ""):
        if score is not None:
            raise RatingError(_("请先选择评价等次，再填写得分。"))
        return None
    if rating not in RATINGS:
        raise RatingError(_("评价等次无效。"))
    if score is not None:
        if score < 0:
            raise RatingError(_("得分不能为负数。"))
        if score > max_points + 1e-9:
            raise RatingError(
                _("得分不能超过该指标的分值（%(max_points)s 分）。", max_points=indicator_text(max_points))
            )
    if rating == "na":
        return None
    if rating == "met":
        if score is not None and abs(score - max_points) > 1e-9:
            raise RatingError(
                _(
                    "“达标”即得满分（%(max_points)s 分）；如未得满分，请选择“基本达标”。",
                    max_points=indicator_text(max_points),
                )
            )
        return _round(max_points)
    if rating == "unmet":
        if score is not None and score > 1e-9:
            raise RatingError(_("“未达标”的得分为 0；如得部分分，请选择“基本达标”。"))
        return 0.0
    # 基本达标: strictly between 0 and the max.
    if score is None:
        raise RatingError(
            _(
                "“基本达标”须填写得分（大于 0 且小于 %(max_points)s 分）。",
                max_points=indicator_text(max_points),
            )
        )
    if score <= 1e-9 or score >= max_points - 1e-9:
        raise RatingError(
            _("“基本达标”的得分须大于 0 且小于 %(max_points)s 分。", max_points=indicator_text(max_points))
        )
    return _round(score)


def is_weak(rating: str | None, points: float | None, max_points: float) -> bool:
    """短板: rated 未达标, or scored under 60 % of the indicator's points (不适用 never)."""
    if rating == "unmet":
        return True
    if rating in (None, "", "na") or points is None or max_points <= 0:
        return False
    return points < WEAK_SHARE * max_points - 1e-9


def percent(earned: float, possible: float) -> float | None:
    """earned ÷ possible × 100, or None when nothing applies."""
    if possible <= 0:
        return None
    return _round(earned / possible * 100)


@dataclass
class UnitScore:
    earned: float = 0.0
    possible: float = 0.0
    areas: dict = field(default_factory=dict)  # area key → [earned, possible]

    @property
    def total(self) -> float | None:
        return percent(self.earned, self.possible)

    def area_percent(self, key) -> float | None:
        earned, possible = self.areas.get(key, (0.0, 0.0))
        return percent(earned, possible)


def unit_score(items: Iterable[tuple[object, str | None, float | None, float]]) -> UnitScore:
    """Items: (area key, rating, points, max points). 不适用 and unrated items leave the denominator."""
    result = UnitScore()
    for area, rating, points, max_points in items:
        if rating in (None, "", "na"):
            continue
        earned = float(points or 0.0)
        result.earned += earned
        result.possible += float(max_points)
        pair = result.areas.setdefault(area, [0.0, 0.0])
        pair[0] += earned
        pair[1] += float(max_points)
    result.earned = _round(result.earned)
    result.possible = _round(result.possible)
    return result


def combine_area_sums(rows: Iterable[tuple[object, float, float]]) -> UnitScore:
    """Sums already made by the database, one row per area: (area key, earned, possible)."""
    result = UnitScore()
    for area, earned, possible in rows:
        result.areas[area] = [float(earned or 0), float(possible or 0)]
        result.earned += float(earned or 0)
        result.possible += float(possible or 0)
    result.earned = _round(result.earned)
    result.possible = _round(result.possible)
    return result


def band(total: float | None) -> tuple[str, str]:
    """(css key, label) of the red/amber/green band a total falls in."""
    if total is None:
        return ("none", "—")
    for key, label, floor in BANDS:
        if total >= floor:
            return (key, label)
    return RED


def histogram(
    totals: Iterable[float | None], edges: tuple[int, ...] = HISTOGRAM_EDGES
) -> list[tuple[str, int]]:
    """How many totals fall in each bucket: <60, 60–70, …, ≥90."""
    labels = [f"<{edges[0]}"] + [f"{a}–{b}" for a, b in itertools.pairwise(edges)] + [f"≥{edges[-1]}"]
    counts = [0] * len(labels)
    for total in totals:
        if total is None:
            continue
        index = sum(1 for edge in edges if total >= edge)
        counts[index] += 1
    return list(zip(labels, counts, strict=True))


def weak_percent() -> str:
    """The 短板 threshold as the pages state it ("60")."""
    return f"{WEAK_SHARE * 100:g}"


def band_scale(edges: tuple[int, ...] = HISTOGRAM_EDGES) -> dict:
    """The band rule as plain data for templates and charts (JSON-ready): the weak share, each band
    with its range, label and colours (best first), and the colour of each histogram bucket (the
    best band a total in the bucket can reach)."""
    bands, upper = [], None
    for key, _label, floor in BANDS:
        range_label = f"≥{floor:g}" if upper is None else f"{floor:g}–{upper:g}"
        bands.append({"key": key, "min": floor, "max": upper, "label": range_label})
        upper = floor
    bands.append({"key": RED[0], "min": None, "max": upper, "label": f"<{upper:g}"})
    for item in bands:
        item["colour"], item["heat"] = BAND_COLOURS[item["key"]], HEAT_COLOURS[item["key"]]
    tops = [edge - 1e-9 for edge in edges] + [float(edges[-1])]
    return {
        "weak_share": WEAK_SHARE,
        "bands": bands,
        "colours": BAND_COLOURS,
        "histogram": [BAND_COLOURS[band(top)[0]] for top in tops],
    }
