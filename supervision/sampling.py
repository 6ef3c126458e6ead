"""Random sampling of case files and cross-review assignment, as pure functions (no database).

Sampling is reproducible: the files are put in a fixed order (unit, case type, case number) and one
`random.Random(seed)` draws from each unit-and-type group in turn, so the same seed over the same
list gives the same draw. Assignment gives every file `per_file` distinct reviewers, never one from
the file's own unit (交叉评查), always picking the least-loaded eligible reviewers so the work is
spread evenly.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pool:
    """One file in the pool: id, unit, case type, case number."""

    id: int
    unit_id: int
    case_type: str
    case_number: str


@dataclass
class Draw:
    chosen: list[int]
    # (unit_id, case_type, wanted, available) for groups that had fewer files than asked for
    shortfalls: list[tuple[int, str, int, int]] = field(default_factory=list)


def draw_sample(pool: Iterable[Pool], per_group: int, seed: int, case_types: Sequence[str] = ()) -> Draw:
    """Draw `per_group` files from each unit and case type; a short group gives all it has."""
    wanted_types = set(case_types)
    groups: dict[tuple[int, str], list[Pool]] = defaultdict(list)
    for f in pool:
        if wanted_types and f.case_type not in wanted_types:
            continue
        groups[(f.unit_id, f.case_type)].append(f)
    rng = random.Random(seed)
    draw = Draw(chosen=[])
    for key in sorted(groups):
        files = sorted(groups[key], key=lambda f: (f.case_number, f.id))
        if len(files) <= per_group:
            draw.chosen.extend(f.id for f in files)
            if len(files) < per_group:
                draw.shortfalls.append((key[0], key[1], per_group, len(files)))
        else:
            draw.chosen.extend(f.id for f in rng.sample(files, per_group))
    return draw


class NoEligibleReviewers(Exception):
    """Some unit's files cannot get enough reviewers from other units."""

    def __init__(self, unit_ids: list[int], needed: int):
        super().__init__(f"units without enough eligible reviewers: {unit_ids}")
        self.unit_ids = unit_ids
        self.needed = needed


def eligible(reviewers: Sequence[tuple[int, int | None]], unit_id: int) -> list[int]:
    """Reviewers (id, home unit) allowed to review a file of `unit_id`: not from that unit."""
    return [rid for rid, home in reviewers if home != unit_id]


def plan_assignments(
    files: Sequence[tuple[int, int]],
    reviewers: Sequence[tuple[int, int | None]],
    per_file: int,
    load: dict[int, int] | None = None,
) -> dict[int, list[int]]:
    """file id → reviewer ids. files: (id, unit); reviewers: (id, home unit); load: work already held.

    The most constrained files (fewest eligible reviewers) go first, each to the least-loaded
    eligible reviewers; ties break by reviewer order, so the plan is deterministic.
    """
    if per_file < 1:
        raise ValueError("per_file must be at least 1")
    order = {rid: i for i, (rid, _) in enumerate(reviewers)}
    short = sorted(
        {unit for _, unit in files if len(eligible(reviewers, unit)) < per_file},
    )
    if short:
        raise NoEligibleReviewers(short, per_file)
    counts = {rid: 0 for rid, _ in reviewers}
    for rid, n in (load or {}).items():
        if rid in counts:
            counts[rid] += n
    by_unit = {unit: eligible(reviewers, unit) for _, unit in files}
    plan: dict[int, list[int]] = {}
    for file_id, unit in sorted(files, key=lambda f: (len(by_unit[f[1]]), f[1], f[0])):
        picks = sorted(by_unit[unit], key=lambda rid: (counts[rid], order[rid]))[:per_file]
        for rid in picks:
            counts[rid] += 1
        plan[file_id] = picks
    _rebalance(plan, dict(files), dict(reviewers), counts)
    return plan


def _rebalance(
    plan: dict[int, list[int]], unit_of: dict[int, int], home: dict[int, int | None], counts: dict[int, int]
) -> None:
    """Move files from heavier to lighter reviewers while that is allowed and evens the load."""
    while True:
        moved = False
        by_load = sorted(counts, key=lambda r: (counts[r], r))
        for light in by_load:
            for heavy in reversed(by_load):
                if counts[heavy] - counts[light] < 2:
                    break
                for file_id in sorted(plan):
                    picks = plan[file_id]
                    if heavy in picks and light not in picks and home[light] != unit_of[file_id]:
                        picks[picks.index(heavy)] = light
                        counts[heavy] -= 1
                        counts[light] += 1
                        moved = True
                        break
                if moved:
                    break
            if moved:
                break
        if not moved:
            return
