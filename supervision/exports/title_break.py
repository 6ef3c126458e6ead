"""Breaking a document title into lines by meaning (GB/T 9704-2012 7.3.1: 回行时要做到词意完整，排列对称，
长短适宜，间距恰当，标题排列应当使用梯形或菱形). A pure function, no layout engine: the title is cut only
at the points a reader would, and among those the cut that gives the most even 梯形 / 菱形 shape wins.
"""

from __future__ import annotations

import math
from itertools import combinations, pairwise

TITLE_CHARS = 20  # 2号 (22 pt) characters in the 156 mm type area: 442 pt / 22 pt

# Words a line break may never split (document kinds first, the longest before their tails).
WORDS = (
    "执法监督通知书",
    "执法监督决定书",
    "督察意见书",
    "督察建议书",
    "督察通知书",
    "整改通知书",
    "督办函",
    "通知书",
    "意见书",
    "建议书",
    "决定书",
    "情况通报",
    "通报",
    "通知",
    "行政执法",
    "行政处罚",
    "行政许可",
    "行政检查",
    "法治政府",
    "法治督察",
    "案卷评查",
    "执法监督",
    "依法治区",
    "人民政府",
    "委员会",
    "办公室",
    "街道办事处",
    "综合行政执法局",
    "有关问题",
    "落实整改",
    "整改",
    "问题",
    "有关",
    "落实",
    "情况",
    "监督",
    "督察",
    "评查",
    "专项",
    "工作",
)
# The end of an addressee's or organ's name: a good place to end a line.
NAME_ENDS = (
    "人民政府",
    "办事处",
    "委员会",
    "办公室",
    "政府",
    "街道",
    "管委会",
    "中心",
    "大队",
    "支队",
    "局",
    "镇",
    "乡",
)
# A clause starts here: a good place to begin a line.
CLAUSE_STARTS = ("落实", "开展", "加强", "进一步", "推进", "做好", "规范", "整改")
PUNCTUATION = "、，,；"
CONJUNCTIONS = "和及与"


def _width(text: str) -> float:
    """Width in full-width characters: digits and Latin letters are half-width."""
    return sum(0.5 if ord(ch) < 128 else 1 for ch in text)


def _protected(title: str, extra: tuple[str, ...]) -> set[int]:
    """Positions p (a cut between title[p-1] and title[p]) that would split a word or a number."""
    blocked = {p for p in range(1, len(title)) if title[p - 1].isascii() and title[p].isascii()}
    for word in (*extra, *WORDS):
        start = title.find(word)
        while start != -1:
            blocked.update(range(start + 1, start + len(word)))
            start = title.find(word, start + 1)
    return blocked


def _cut_costs(title: str, extra: tuple[str, ...]) -> dict[int, float]:
    """Every allowed cut with its cost: 0 before 关于, 1 after a name or before the 的 of the kind, ..."""
    blocked = _protected(title, extra)
    costs: dict[int, float] = {}
    tail_kinds = tuple(
        w for w in (*extra, *WORDS) if w.endswith(("书", "函", "通报", "通知", "意见", "报告"))
    )
    for p in range(1, len(title)):
        if p in blocked:
            continue
        before, after = title[:p], title[p:]
        if after.startswith("关于"):
            cost = 0.0
        elif after.startswith("的") and after[1:].endswith(tail_kinds) and len(after) <= 12:
            cost = 1.0  # “…有关问题 / 的执法监督通知书”
        elif before.endswith(NAME_ENDS) or before[-1] in PUNCTUATION:
            cost = 1.5
        elif (
            after.startswith(CLAUSE_STARTS)
            or after[0] in CONJUNCTIONS
            or (after.startswith(tail_kinds) and not before.endswith("的"))
        ):
            cost = 2.5
        elif before[-1] in "的" or after[0] in "的、，。":
            cost = 8.0  # never start a line with 的 or punctuation unless it opens the kind
        else:
            cost = 6.0
        costs[p] = cost
    return costs


def _shape_cost(lengths: list[float]) -> float:
    """Even lines; 梯形 (lengths rising or falling) or 菱形 (the middle longest); no short stubs."""
    cost = (max(lengths) - min(lengths)) * 0.4
    rising = all(a <= b for a, b in pairwise(lengths))
    falling = all(a >= b for a, b in pairwise(lengths))
    middle = max(lengths[1:-1], default=0)
    diamond = len(lengths) >= 3 and middle >= lengths[0] and middle >= lengths[-1]
    if not (rising or falling or diamond):
        cost += 4
    cost += sum(8 for n in lengths if n < 4)
    return cost


def break_title(title: str, width: int = TITLE_CHARS, words: tuple[str, ...] = ()) -> list[str]:
    """The title's lines, each at most `width` characters where the words allow; `words` are extra
    terms never to split (e.g. the notice kind's name)."""
    title = "".join(title.split())
    if _width(title) <= width:
        return [title] if title else []
    costs = _cut_costs(title, tuple(words))
    fewest = math.ceil(_width(title) / width)
    best: tuple[float, list[int]] | None = None
    cuts = sorted(costs)
    for lines in range(fewest, fewest + 2):
        if lines - 1 > len(cuts) or lines > 5:
            break
        for chosen in _candidates(title, cuts, lines - 1, width):
            bounds = [0, *chosen, len(title)]
            lengths = [_width(title[a:b]) for a, b in pairwise(bounds)]
            cost = sum(costs[c] for c in chosen) + _shape_cost(lengths) + 3 * (lines - fewest)
            if best is None or cost < best[0]:
                best = (cost, list(chosen))
        if best is not None:
            break
    if best is None:  # no cut keeps every line short enough: cut at the cheapest points greedily
        return _greedy(title, costs, width)
    bounds = [0, *best[1], len(title)]
    return [title[a:b] for a, b in pairwise(bounds)]


def _candidates(title: str, cuts: list[int], n: int, width: int):
    if n > 4 or len(cuts) > 120:
        return  # too many combinations: the greedy fallback handles very long titles
    for chosen in combinations(cuts, n):
        bounds = [0, *chosen, len(title)]
        if all(_width(title[a:b]) <= width for a, b in pairwise(bounds)):
            yield chosen


def _greedy(title: str, costs: dict[int, float], width: int) -> list[str]:
    lines, start = [], 0
    while _width(title[start:]) > width:
        window = [p for p in costs if start + width // 2 <= p <= start + width]
        cut = min(window, key=lambda p: (costs[p], -p)) if window else start + width
        lines.append(title[start:cut])
        start = cut
    lines.append(title[start:])
    return lines
