"""The task list's rows (督察任务 / 我的任务), as HTML built in Python (the list shows 20 a page).

As Jinja a row cost some two dozen finalize and escape hooks, three cn_date calls and a translated
"等 N 人"; here each value is escaped once, the fixed text (the kinds, the status labels, the
labels) is translated and escaped once per catalogue, and each distinct date is formatted once per
request. The markup is the loop templates/tasks/index.html had, byte for byte; the template still
holds the table around it. The row's figures are its own columns (queries.tasks._row_figures).

rows: the list's named tuples (queries.tasks.TASK_LIST_COLUMNS and the figures); detail_base: the
task page's URL without its id (helpers.url_base).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

from ...formatting import date_formatter
from ...models import TASK_KINDS
from ...template_gettext import kept_on_catalogue
from ...workflow import status_labels


class Texts:
    """The rows' fixed text for one catalogue, translated once (kept on the catalogue as the
    templates' _() keeps its strings, so force_locale switches it too). Translations are markup, as
    the templates' _() takes them; labels and kinds are text and escaped, as the template did."""

    __slots__ = ("kinds", "labels", "serious", "team", "until")

    def __init__(self, gettext) -> None:
        self.kinds = {kind: escape(gettext(label)) for kind, label in TASK_KINDS.items()}
        self.labels = {status: escape(label) for status, label in status_labels("task").items()}
        self.until = gettext("截至")
        self.serious = gettext("严重")
        self.team = gettext("等 %(n)s 人")


def texts() -> Texts:
    return kept_on_catalogue("_supervision_task_rows", Texts)


class _Dates(dict):
    """cn_date of each date once per table (a page's tasks share some dates), escaped; the locale
    is read once."""

    def __init__(self) -> None:
        self.spell = date_formatter()

    def __missing__(self, value):
        text = self[value] = escape(self.spell(value))
        return text


def task_rows(rows: Iterable[Any], detail_base: str) -> Markup:
    """The rows of templates/tasks/index.html's table, or '' for none."""
    T, dates, base = texts(), _Dates(), escape(detail_base)
    kinds, labels, until, serious, team = T.kinds, T.labels, T.until, T.serious, T.team
    out = []
    for t in rows:
        kind = kinds.get(t.kind)
        if kind is None:
            kind = escape(t.kind)
        end = dates[t.period_end]
        size = t.team_size
        others = f' <small class="text-muted">{team % {"n": size}}</small>' if size > 1 else ""
        figure = t.serious_findings
        serious_badge = (
            f' <span class="badge sev-serious" title="{serious}">{figure}</span>' if figure else ""
        )
        out.append(
            "\n      \n      \n      <tr>\n"
            f'        <td class="text-nowrap text-muted d-none d-lg-table-cell">{escape(t.code)}</td>\n'
            f'        <td class="task-title-cell"><a href="{base}{t.id}">{escape(t.title)}</a>\n'
            f'          <small class="d-block d-md-none text-muted">{kind} · {until} {end}</small></td>\n'
            f'        <td class="text-nowrap d-none d-md-table-cell">{kind}</td>\n'
            f'        <td class="text-nowrap small d-none d-md-table-cell">{dates[t.period_start]} – {end}</td>\n'
            f'        <td class="text-nowrap d-none d-md-table-cell">{escape(t.leader or "")}{others}</td>\n'
            f'        <td class="text-end d-none d-lg-table-cell">{t.units}</td>\n'
            f'        <td class="text-end">{t.findings}{serious_badge}</td>\n'
            f'        <td class="text-end d-none d-sm-table-cell">{t.open_findings}</td>\n'
            f'        <td><span class="badge status-badge status-task-{escape(t.status)}">{labels.get(t.status, "")}</span></td>\n'
            "      </tr>\n    "
        )
    return Markup("".join(out))
