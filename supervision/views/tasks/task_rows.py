"""The task list's rows (督察任务 / 我的任务), as HTML built in Python (the list shows 20 a page).

As Jinja a row cost some two dozen finalize and escape hooks, three cn_date calls and a translated
"等 N 人"; here each value is escaped once, the fixed text (the kinds, the status labels, the
labels) is translated and escaped once per catalogue, and each distinct date is formatted once per
request. The markup is the loop templates/tasks/index.html had, byte for byte (views/tasks/task_list.py
writes the table around it). The row's figures are its own columns (queries.tasks._row_figures).

rows: the list's rows, of COLUMNS (queries.tasks.TASK_LIST_COLUMNS and the figures); detail_base: the
task page's URL without its id (helpers.url_base).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from ...escaping import esc
from ...formatting import date_formatter
from ...models import TASK_KINDS
from ...template_gettext import kept_on_catalogue
from ...workflow import status_labels

# The columns of a row, in the order the list's statement selects them (queries.tasks
# TASK_LIST_COLUMNS, _row_figures, then the page's total and the user's task years): a row is
# unpacked, not read by name (a Row's attribute costs eight times its index).
COLUMNS = (
    "id",
    "code",
    "title",
    "kind",
    "period_start",
    "period_end",
    "status",
    "findings",
    "open_findings",
    "serious_findings",
    "units",
    "team_size",
    "leader",
    "total",
    "years",
)


class Texts:
    """The rows' fixed text for one catalogue, translated once (kept on the catalogue as the
    templates' _() keeps its strings, so force_locale switches it too). Translations are markup, as
    the templates' _() takes them; labels and kinds are text and escaped, as the template did."""

    __slots__ = ("kinds", "labels", "serious", "team", "until")

    def __init__(self, gettext) -> None:
        self.kinds = {kind: esc(gettext(label)) for kind, label in TASK_KINDS.items()}
        self.labels = {status: esc(label) for status, label in status_labels("task").items()}
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
        text = self[value] = esc(self.spell(value))
        return text


def task_rows(rows: Iterable[Any], detail_base: str) -> Markup:
    """The rows of templates/tasks/index.html's table, or '' for none. Each value is escaped as
    text (finding_rows.esc: markupsafe's escape without a Markup made of each)."""
    T, dates, base = texts(), _Dates(), esc(detail_base)
    kinds, labels, until, serious, team = T.kinds, T.labels, T.until, T.serious, T.team
    out = []
    for (
        task_id,
        code,
        title,
        kind,
        start,
        end,
        status,
        findings,
        open_findings,
        serious_findings,
        units,
        size,
        leader,
        _total,
        _years,
    ) in rows:
        kind_label = kinds.get(kind)
        if kind_label is None:
            kind_label = esc(kind)
        end = dates[end]
        others = f' <small class="text-muted">{team % {"n": size}}</small>' if size > 1 else ""
        serious_badge = (
            f' <span class="badge sev-serious" title="{serious}">{serious_findings}</span>'
            if serious_findings
            else ""
        )
        out.append(
            "\n      \n      \n      <tr>\n"
            f'        <td class="text-nowrap text-muted d-none d-lg-table-cell">{esc(code)}</td>\n'
            f'        <td class="task-title-cell"><a href="{base}{task_id}">{esc(title)}</a>\n'
            f'          <small class="d-block d-md-none text-muted">{kind_label} · {until} {end}</small></td>\n'
            f'        <td class="text-nowrap d-none d-md-table-cell">{kind_label}</td>\n'
            f'        <td class="text-nowrap small d-none d-md-table-cell">{dates[start]} – {end}</td>\n'
            f'        <td class="text-nowrap d-none d-md-table-cell">{esc(leader or "")}{others}</td>\n'
            f'        <td class="text-end d-none d-lg-table-cell">{units}</td>\n'
            f'        <td class="text-end">{findings}{serious_badge}</td>\n'
            f'        <td class="text-end d-none d-sm-table-cell">{open_findings}</td>\n'
            f'        <td><span class="badge status-badge status-task-{esc(status)}">{labels.get(status, "")}</span></td>\n'
            "      </tr>\n    "
        )
    return Markup("".join(out))
