"""The findings table's rows, as HTML built in Python (the findings list shows 30 a page).

As Jinja the row cost some 20 hook calls a cell (getattr, finalize, escape, the filters); here each
value is escaped once and what every row shares (the links' bases, the labels, the reader's
language) is made once per table. The markup is templates/tasks/_findings_table.html's loop, byte
for byte; the template still holds the table around it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from ...formatting import cn_date
from ...workflow import status_labels
from ..helpers import url_base


def finding_rows(items: Any, file_counts: dict, severities: dict, show_task: bool) -> Markup:
    """The table body's rows of `items` (rows of queries.tasks.finding_rows), or '' for none."""
    if not items:
        return Markup("")
    env = current_app.jinja_env
    finalize = env.finalize
    task_base = escape(url_base("tasks.detail", "task_id"))
    finding_base = escape(url_base("tasks.finding_detail", "finding_id"))
    labels = {k: escape(v) for k, v in status_labels("finding").items()}
    sev_labels = {k: escape(finalize(v)) for k, v in severities.items()}
    no_task = f'<td class="small"><span class="text-muted">{escape(_("案卷评查 / 评估"))}</span></td>'
    out = []
    for f in items:
        severity, status = escape(f.severity), f.status
        task_cell = ""
        if show_task:
            task_cell = (
                f'<td class="small"><a href="{task_base}{f.task_id}">{escape(f.task_code)}</a></td>'
                if f.task_id
                else no_task
            )
        files = file_counts.get(f.id)
        clip = f'<i class="bi bi-paperclip"></i>{files}' if files else ""
        description = escape(do_truncate(env, f.description, 60, True, "…"))
        out.append(
            "\n      <tr>\n"
            f'        <td class="text-nowrap small d-none d-md-table-cell">{escape(cn_date(f.found_on))}</td>\n'
            f"        {task_cell}\n"
            f'        <td class="text-nowrap">{escape(f.unit_short or f.unit_name)}</td>\n'
            f'        <td class="text-nowrap">{escape(f.category)}</td>\n'
            f'        <td><span class="badge sev-{severity}">{sev_labels.get(f.severity, severity)}</span></td>\n'
            f'        <td class="finding-text"><a href="{finding_base}{f.id}">{description}</a></td>\n'
            f'        <td class="text-nowrap d-none d-md-table-cell">{escape(f.inspector_name or "")}</td>\n'
            '        <td class="text-end d-none d-sm-table-cell">'
            f"{clip}</td>\n"
            f'        <td><span class="badge status-badge status-finding-{escape(status)}">{labels[status]}</span></td>\n'
            "      </tr>\n    "
        )
    return Markup("".join(out))
