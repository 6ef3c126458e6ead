"""One rounding rule (四舍五入) and one precision per kind of figure, for pages, .xlsx and .docx.

Python's `round()` and `f"{x:.2f}"` round half to even on the binary value (94.25 → 94.2,
96.625 → 96.62), which is not how an office rounds; every figure is rounded here instead, from the
decimal text of the number, half up. A figure is rounded once, where it is computed, to the
precision of its kind, and shown at that precision, so a page, a workbook and a document agree.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

Number = float | int | Decimal

# Case-file scores: a reviewer's total, a file's final score, unit and overall averages, deductions.
SCORE_PLACES = 2
# Indicator points and the scorecard's figures out of 100 (Σ points ÷ Σ applicable max × 100).
INDICATOR_PLACES = 2
# Shares of counts in % (整改完成率).
RATE_PLACES = 1
# Average working days (销号平均用时).
DAYS_PLACES = 1

EMPTY = "—"


def round_half_up(value: Number, places: int) -> Decimal:
    """`value` rounded half up to `places` decimals; a float is read from its shortest repr."""
    if isinstance(value, float):
        value = repr(value)  # 94.25 → "94.25", not the binary 94.2499999…
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rounded(value: Number | None, places: int) -> float | None:
    """The rounded figure as a float (for JSON and numeric .xlsx cells); None stays None."""
    return None if value is None else float(round_half_up(value, places))


def fmt(value: Number | None, places: int, *, empty: str = EMPTY) -> str:
    """The figure as text, rounded half up, without trailing zeros (94.50 → 94.5, 90.00 → 90)."""
    if value is None:
        return empty
    if type(value) is int:
        return str(value)
    return _text(value, places)


@lru_cache(maxsize=4096, typed=True)  # a page shows the same few values (1, 2, 0.5) hundreds of times
def _text(value: Number, places: int) -> str:
    if type(value) is float:
        # A figure is rounded where it is computed: its shortest repr (what round_half_up reads)
        # mostly has no more decimals than `places`, and then rounding leaves it as it is.
        head, dot, tail = repr(value).partition(".")
        if dot and len(tail) <= places and tail.isdigit():
            text = (head + "." + tail).rstrip("0").rstrip(".")
            return "0" if text == "-0" else text
    text = f"{round_half_up(value, places):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def score_text(value: Number | None, *, empty: str = EMPTY) -> str:
    return fmt(value, SCORE_PLACES, empty=empty)


def indicator_text(value: Number | None, *, empty: str = EMPTY) -> str:
    return fmt(value, INDICATOR_PLACES, empty=empty)


def rate_text(value: Number | None, *, empty: str = EMPTY) -> str:
    return fmt(value, RATE_PLACES, empty=empty)


def days_text(value: Number | None, *, empty: str = EMPTY) -> str:
    return fmt(value, DAYS_PLACES, empty=empty)


_CODE_PART = re.compile(r"\d+|\D+")


def code_sort_key(code: str | None) -> tuple:
    """A total natural order for codes (1.2 < 1.10 < A < B.1): numbers before letters, never a
    comparison of a number with a text, whatever two frameworks' codes mix."""
    parts = [
        part
        for piece in (code or "").replace("-", ".").split(".")
        for part in _CODE_PART.findall(piece.strip())
    ]
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)
