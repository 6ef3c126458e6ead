"""The unit scorecard's table of every indicator (全部指标), as HTML built in Python: ~100 rows of
~14 values each, which as Jinja cost a dozen hooked calls per value (the page's largest part).
Each value written by users or the framework is escaped once (as str: a Markup in an f-string
costs twice), the rating labels once per request; the markup is the template's, byte for byte."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup

from ...formatting import date_formatter
from ...i18n import N_
from ...macros import status_badge
from ...template_gettext import current_translations
from ..helpers import url_around
from .score_row import esc, points, roadmap_badges

OVERDUE, NOT_PLANNED = N_("逾期"), N_("未制定")


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


def weak_rows(card: dict, indicator_base: str, today: date) -> Markup:
    """The rows of the weak indicators' table (短板指标及整改路线图), each with its roadmap item;
    the item's badge is the shared macro's (templates/_macros/ui.html status_badge)."""
    ratings = {key: esc(label) for key, label in card["ratings"].items()}
    base = esc(indicator_base)
    translations = current_translations()  # as the templates' _(): the catalogue's text as it is
    overdue, not_planned = translations.ugettext(OVERDUE), translations.ugettext(NOT_PLANNED)
    item_base = item_after = badges = spell_date = None
    out = []
    for line in card["weak"]:
        i, item = line.indicator, line.roadmap
        if item is None:
            measure = due = late = ""
            state = f'<span class="text-danger small">{not_planned}</span>'
        else:
            if badges is None:  # once per request, and only for a table with items
                badges, spell_date = roadmap_badges(), date_formatter()
                item_base, item_after = map(esc, url_around("scorecards.roadmap_detail", "item_id"))
            measure, due = esc(item.measure), esc(spell_date(item.due_date))
            late = "overdue" if item.is_overdue(today) else ""
            badge = badges.get(item.status) or str(status_badge("roadmap", item.status))
            state = f'<a href="{item_base}{item.id}{item_after}">{badge}</a>'
            if late:
                state += f' <span class="badge text-bg-danger">{overdue}</span>'
        out.append(
            "\n        <tr>\n"
            f'          <td class="text-nowrap"><a href="{base}{i.id}">{esc(i.code)}</a></td>\n'
            f'          <td class="ind-text">{esc(i.text)}</td>\n'
            f'          <td class="text-nowrap">{ratings.get(i.evaluated_rating, "")} '
            f"{points(i.evaluated_score)}/{points(i.max_points)}</td>\n"
            f'          <td class="small">{measure}</td>\n'
            f'          <td class="text-nowrap {late}">{due}</td>\n'
            f"          <td>{state}</td>\n"
            "        </tr>\n      "
        )
    return Markup("".join(out))


def area_rows(card: dict) -> Markup:
    """The rows of the areas' table (各领域得分率): each area's earned, possible and share, the
    share as the radar's (each rounded once, in unit_scorecard), not area_percent again per cell."""
    areas = card["score"].areas
    out = []
    for a, share in card["shares"]:
        pair = areas.get(a.id)
        earned, possible = (points(pair[0]), points(pair[1])) if pair else ("—", "—")
        out.append(
            f"<tr><td>{esc(a.code)} {esc(a.text)}</td><td "
            f'class="text-end">{earned}</td><td class="text-end">{possible}</td>'
            f'<td class="text-end">{points(share)}</td></tr>'
        )
    return Markup("".join(out))


def trend_rows(trend: dict) -> tuple[Markup, Markup]:
    """The trend table's cells: the totals' row's year cells, then every area's row (历年对比);
    the percentages as unit_trend computed them, each written once."""
    years, cells = trend["years"], trend["cells"]
    totals = "".join(f'<td class="text-end">{points(trend["totals"][y])}</td>' for y in years)
    out = []
    for code, text in trend["areas"]:
        row = "".join(f'<td class="text-end">{points(cells[y].get(code))}</td>' for y in years)
        out.append(f"<tr><td>{esc(code)} {esc(text)}</td>{row}</tr>")
    return Markup(totals), Markup("".join(out))
