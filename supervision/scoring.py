"""Case-file scoring rules (DESIGN §6) as pure functions: no database, no Flask.

Each category scores its max minus its deductions, never below zero (扣完为止、不计负分); the total
is the sum of the categories; any veto hit makes the total 0 and the grade 不合格; grades follow the
rubric's bands; the final score of a file is the mean of its reviewers' totals, and reviewers who
differ by more than the margin are flagged for the lead to settle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .numbers import SCORE_PLACES, rounded, score_text

FAIL_GRADE = "不合格"
DEFAULT_BANDS: tuple[tuple[str, float], ...] = (("优秀", 90.0), ("良好", 80.0), ("合格", 60.0))


def _round(value: float) -> float:
    return rounded(value + 0.0, SCORE_PLACES)


def category_scores(
    category_max: Mapping[str, float], deductions: Iterable[tuple[str, float]]
) -> dict[str, float]:
    """Score per category: its max minus the deductions booked to it, floored at 0."""
    taken: dict[str, float] = dict.fromkeys(category_max, 0.0)
    for category, points in deductions:
        if category in taken:
            taken[category] += max(0.0, float(points))
    return {name: _round(max(0.0, float(top) - taken[name])) for name, top in category_max.items()}


def total_score(
    category_max: Mapping[str, float], deductions: Iterable[tuple[str, float]], *, veto: bool = False
) -> float:
    """The file's total out of the categories' sum (100); 0 if any veto item was hit."""
    if veto:
        return 0.0
    return _round(sum(category_scores(category_max, deductions).values()))


def grade_for(
    total: float | None, bands: Sequence[tuple[str, float]] = DEFAULT_BANDS, *, veto: bool = False
) -> str | None:
    """The grade by bands (highest first that the total reaches); veto or below all → 不合格."""
    if total is None:
        return None
    if veto:
        return FAIL_GRADE
    for label, minimum in sorted(bands, key=lambda b: -float(b[1])):
        if total >= float(minimum):
            return label
    return FAIL_GRADE


def mean_score(totals: Sequence[float]) -> float | None:
    """The final score of a file: the mean of its reviewers' totals (None without any)."""
    if not totals:
        return None
    return _round(sum(totals) / len(totals))


def spread(totals: Sequence[float]) -> float:
    return _round(max(totals) - min(totals)) if totals else 0.0


def is_divergent(totals: Sequence[float], margin: float) -> bool:
    """True when the reviewers differ by more than the margin (the lead must settle the file)."""
    return len(totals) > 1 and spread(totals) > float(margin)


def grade_labels(bands: Sequence[tuple[str, float]] = DEFAULT_BANDS) -> list[str]:
    """All grades from best to worst, 不合格 last."""
    labels = [label for label, _ in sorted(bands, key=lambda b: -float(b[1]))]
    return [*labels, FAIL_GRADE] if FAIL_GRADE not in labels else labels


def validate_deduction(points: float, item_max: float, note: str) -> str | None:
    """An error message for one deduction, or None if it is acceptable."""
    if points < 0:
        return "扣分不能为负数。"
    if points > item_max:
        return f"扣分不能超过该项最高分 {score_text(item_max)} 分。"
    if points > 0 and not (note or "").strip():
        return "有扣分时必须填写扣分说明。"
    return None
