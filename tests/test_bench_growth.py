"""bench/growth.py's arithmetic: the best round per page, growth and the flags."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import growth


def row(label, app, db, queries, role="lead"):
    return dict(label=label, role=role, path="/", app=app, db=db, queries=queries)


def test_best_round_and_flags():
    small = growth.best_of(
        [[row("a", 2.0, 1.0, 3), row("b", 1.0, 0.0, 2)], [row("a", 1.5, 0.5, 3), row("b", 1.2, 0.0, 2)]]
    )
    assert small[("a", "lead")]["app"] == 1.5  # the round with the least app + db
    large = growth.best_of([[row("a", 2.1, 0.3, 3), row("b", 1.3, 0.0, 3)]])
    text, flagged = growth.table(small, large)
    assert "| a | lead | 2.00 (1.50 + 0.50) | 2.40 (2.10 + 0.30) | +20 % | 3 / 3 |  |" in text
    assert flagged == ["b [lead]"]  # +30 % and 2 → 3 queries
    assert "grows > 20 %, queries differ" in text
