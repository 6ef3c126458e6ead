"""The findings table's rows, as HTML built in Python (the findings list shows 30 a page).

As Jinja the row cost some 20 hook calls a cell (getattr, finalize, escape, the filters); here each
value is escaped once, as plain text (markupsafe's escape makes a Markup of each, which then costs
twice a str in the f-string), and what every row shares is made once: the links' bases per table,
the labels and the source cell of rows without a task once per catalogue (kept on it, as the
templates' _() keeps its strings), each date, category and inspector once per table. The markup is
templates/tasks/_findings_table.html's loop, byte for byte; the template still holds the table
around it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from jinja2.filters import do_truncate
from markupsafe import Markup

from ...escaping import esc
from ...formatting import date_formatter
from ...models import SEVERITIES
from ...template_gettext import kept_on_catalogue
from ...workflow import status_labels
from ..helpers import url_base


class Texts:
    """The rows' fixed text for one catalogue: the status labels, the severity labels of SEVERITIES
    (vocabulary words, translated as the templates' finalize does) and the source cell of a finding
    without a task, each escaped."""

    __slots__ = ("labels", "no_task", "severities")

    def __init__(self, gettext) -> None:
        self.labels = {k: esc(v) for k, v in status_labels("finding").items()}
        self.severities = {k: esc(gettext(v)) for k, v in SEVERITIES.items()}
        self.no_task = (
            f'<td class="small"><span class="text-muted">{esc(gettext("案卷评查 / 评估"))}</span></td>'
        )


def texts() -> Texts:
    return kept_on_catalogue("_supervision_finding_rows", Texts)


class _Escaped(dict):
    """Each distinct value escaped once per table (a page's findings share categories and names)."""

    def __missing__(self, value):
        text = self[value] = esc(value)
        return text


class _Dates(dict):
    """cn_date of each date once per table, escaped; the locale read once."""

    def __init__(self) -> None:
        self.spell = date_formatter()

    def __missing__(self, value):
        text = self[value] = esc(self.spell(value))
        return text


# The first columns of each row, in the order queries.tasks._finding_columns selects them: a row is
# read by unpacking (an attribute of a database row costs as much as a tuple's eleven unpacked).
COLUMNS = (
    "id",
    "found_on",
    "task_id",
    "task_code",
    "unit_short",
    "unit_name",
    "category",
    "severity",
    "description",
    "inspector_name",
    "status",
)


def finding_rows(items: Any, file_counts: dict, severities: dict, show_task: bool) -> Markup:
    """The table body's rows of `items` (rows of queries.tasks.finding_rows, their first columns
    those of COLUMNS), or '' for none."""
    if not items:
        return Markup("")
    env = current_app.jinja_env
    T = texts()
    if severities is SEVERITIES:
        sev_labels = T.severities
    else:
        sev_labels = {k: esc(env.finalize(v)) for k, v in severities.items()}
    labels, no_task = T.labels, T.no_task
    task_base = esc(url_base("tasks.detail", "task_id")) if show_task else ""
    finding_base = esc(url_base("tasks.finding_detail", "finding_id"))
    # Jinja's truncate(60, True, "…"): the text as it is within the leeway, else cut to fit the end.
    leeway = env.policies["truncate.leeway"]
    dates, names = _Dates(), _Escaped()
    counts = file_counts.get
    out = []
    for row in items:
        (
            fid,
            found_on,
            task_id,
            task_code,
            unit_short,
            unit_name,
            category,
            severity,
            text,
            inspector,
            status,
        ) = row[:11]
        sev = names[severity]
        task_cell = ""
        if show_task:
            task_cell = (
                f'<td class="small"><a href="{task_base}{task_id}">{esc(task_code)}</a></td>'
                if task_id
                else no_task
            )
        files = counts(fid)
        clip = f'<i class="bi bi-paperclip"></i>{files}' if files else ""
        if text is None or len(text) > 60 + leeway:
            text = do_truncate(env, text, 60, True, "…")
        sev_label = sev_labels.get(severity)
        if sev_label is None:
            sev_label = sev
        out.append(
            "\n      <tr>\n"
            f'        <td class="text-nowrap small d-none d-md-table-cell">{dates[found_on]}</td>\n'
            f"        {task_cell}\n"
            f'        <td class="text-nowrap">{names[unit_short or unit_name]}</td>\n'
            f'        <td class="text-nowrap">{names[category]}</td>\n'
            f'        <td><span class="badge sev-{sev}">{sev_label}</span></td>\n'
            f'        <td class="finding-text"><a href="{finding_base}{fid}">{esc(text)}</a></td>\n'
            f'        <td class="text-nowrap d-none d-md-table-cell">{names[inspector or ""]}</td>\n'
            '        <td class="text-end d-none d-sm-table-cell">'
            f"{clip}</td>\n"
            f'        <td><span class="badge status-badge status-finding-{names[status]}">{labels[status]}</span></td>\n'
            "      </tr>\n    "
        )
    return Markup("".join(out))
