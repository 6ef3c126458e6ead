"""The unit scorecard's table of every indicator (全部指标), as HTML built in Python: ~100 rows of
~14 values each, which as Jinja cost a dozen hooked calls per value (the page's largest part).
Each value written by users or the framework is escaped once (as str: a Markup in an f-string
costs twice), the rating labels once per request; the markup is the template's, byte for byte."""

from __future__ import annotations

from markupsafe import Markup

from ...numbers import indicator_text as points
from .score_row import esc


def indicator_rows(card: dict, indicator_base: str) -> Markup:
    """The rows of templates/scorecards/unit.html's indicator table, each area's heading before its
    first indicator. card: queries.unit_page's card (lines, parents, ratings)."""
    parents = card["parents"]
    ratings = {key: esc(label) for key, label in card["ratings"].items()}  # escaped once, not per cell
    base = esc(indicator_base)
    area = None
    out = []
    for line in card["lines"]:
        i = line.indicator  # the same tuple as line.score
        out.append("\n        ")
        if i.area_id != area:
            area = i.area_id
            if area in parents:
                heading = parents[area]
                out.append(
                    f'<tr class="tree-parent"><td>{esc(heading.code)}</td>'
                    f'<td colspan="5">{esc(heading.text)}</td></tr>'
                )
        href = f"{base}{i.id}"
        rating = i.evaluated_rating
        findings = (
            f'<a href="{href}#findings">{line.findings}</a>'
            if line.findings
            else '<span class="text-muted">0</span>'
        )
        out.append(
            f'\n        <tr class="{"table-danger-subtle is-weak-row" if line.weak else ""}">\n'
            f'          <td class="text-nowrap"><a href="{href}">{esc(i.code)}</a></td>\n'
            f'          <td class="ind-text">{esc(i.text)}</td>\n'
            f'          <td class="text-nowrap small">{ratings.get(i.self_rating, "")}</td>\n'
            f'          <td class="text-nowrap"><span class="rating rating-{esc(rating)}">'
            f"{ratings.get(rating, '')}</span></td>\n"
            f'          <td class="text-end text-nowrap">{points(i.evaluated_score) if rating != "na" else "—"}'
            f"/{points(i.max_points)}</td>\n"
            f'          <td class="text-end">{findings}</td>\n'
            "        </tr>\n      "
        )
    return Markup("".join(out))
