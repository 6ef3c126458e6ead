"""Rows of the inspector's home panels, as HTML built in Python: the reports to verify
(templates/notices/_panel_inspector.html) and the self-assessments to evaluate
(templates/scorecards/_home_inspector.html).

As Jinja loops the two tables' 25 rows cost some 15 µs each (finalize and escape hooks per value, a
`_()` per row, the truncate and cn_datetime filters). Here each value is escaped once, the one
message is translated once per catalogue and the locale read once per table. The markup is the loops'
before this module, byte for byte (tests/test_home_rows.py renders the old loops beside them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from jinja2.filters import do_truncate
from markupsafe import Markup

from ..escaping import esc
from ..formatting import SHANGHAI, date_formatter
from ..template_gettext import kept_on_catalogue


def _item_label(gettext) -> Markup:
    return Markup(gettext("第%(n)s项"))


def verify_rows(items: Iterable[Any], notice_base: str) -> Markup:
    """The rows of the reports to verify: tuples of permissions.verifiable_items_for_user;
    notice_base: the notice page's URL without its id (helpers.url_base)."""
    label = kept_on_catalogue("_supervision_home_item_label", _item_label)
    env = current_app.jinja_env
    out = []
    for item in items:
        unit = item.unit_short_name or item.unit_name
        href = esc(f"{notice_base}{item.notice_id}#item-{item.item_id}")
        out.append(
            "\n        <tr>\n"
            f'          <td class="text-nowrap">{esc(item.doc_number)}</td>\n'
            f"          <td>{esc(unit)}</td>\n"
            f'          <td><a href="{href}">{label % {"n": item.seq}} · '
            f"{esc(do_truncate(env, item.description, 36))}</a></td>\n"
            "        </tr>\n      "
        )
    return Markup("".join(out))


def evaluate_rows(rows: Iterable[Any], assessment_base: str) -> Markup:
    """The rows of the self-assessments to evaluate: tuples of
    permissions.assessments_to_evaluate_rows; assessment_base: the assessment page's URL without its id."""
    spell = date_formatter()
    base = esc(assessment_base)
    out = []
    for a in rows:
        submitted = a.submitted_at
        if submitted is None:
            when = ""
        else:
            local = submitted.astimezone(SHANGHAI)
            when = esc(f"{spell(local)} {local:%H:%M}")
        out.append(
            f'\n        <tr><td><a href="{base}{esc(a.id)}">{esc(a.unit_name)}</a></td>'
            f'<td class="small">{esc(a.round_title)}</td>'
            f'<td class="text-nowrap small">{when}</td></tr>\n      '
        )
    return Markup("".join(out))


class _TaskTexts:
    """The tasks panel's fixed texts for one catalogue (the templates' _() of each, as text)."""

    __slots__ = ("add", "findings", "leader", "until")

    def __init__(self, gettext) -> None:
        self.leader = str(Markup(gettext("组长")))
        self.until = str(Markup(gettext("截至")))
        self.findings = Markup(gettext("问题 %(n)s"))
        self.add = str(Markup(gettext("记录问题")))


def task_rows(tasks: Iterable[Any], task_base: str, finding_new_url: tuple[str, str]) -> Markup:
    """The list items of the inspector's tasks panel (templates/tasks/_home_inspector.html): tuples
    of todo.active_tasks_rows; task_base: the task page's URL without its id (helpers.url_base);
    finding_new_url: 记录问题's URL before and after the task's id (helpers.url_around)."""
    texts = kept_on_catalogue("_supervision_home_task_texts", _TaskTexts)
    spell = date_formatter()
    base = esc(task_base)
    new_before, new_after = esc(finding_new_url[0]), esc(finding_new_url[1])
    out = []
    for t in tasks:
        task_id = esc(t.id)
        when = "" if t.period_end is None else esc(spell(t.period_end))
        out.append(
            "\n    \n"
            '    <li class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2">\n'
            f'      <span><a href="{base}{task_id}">{esc(t.title)}</a>\n'
            f'        <small class="text-muted d-block">{esc(t.code)} · {texts.leader} {esc(t.leader or "")} · '
            f"{texts.until} {when}</small></span>\n"
            '      <span class="d-flex align-items-center gap-2">\n'
            f'        <small class="text-muted">{texts.findings % {"n": t.findings}}</small>\n'
            f'        <a class="btn btn-sm btn-primary" href="{new_before}{task_id}{new_after}">'
            f'<i class="bi bi-plus-lg"></i> {texts.add}</a>\n'
            "      </span>\n"
            "    </li>\n    "
        )
    return Markup("".join(out))


def _due_label(gettext) -> str:
    return str(Markup(gettext("截止")))


def unit_notice_rows(notices: Iterable[Any], info: dict, notice_base: str) -> Markup:
    """The list items of the liaison's notices panel (templates/notices/_panel_liaison.html): tuples of
    todo.open_notices_rows; info: working days left by notice id (queries.notices.deadline_info);
    notice_base: the notice page's URL without its id. The days left and the items' progress are the
    notice lists' (views/notices/list_rows.py: the macros days_left and progress)."""
    from ..macros import status_badge
    from .notices.list_rows import days_left, progress, texts

    T = texts()
    due = kept_on_catalogue("_supervision_home_due_label", _due_label)
    to_sign = f' <span class="badge bg-danger">{T.to_sign}</span>'
    spell = date_formatter()
    base = esc(notice_base)
    out = []
    for n in notices:
        days = info[n.id]
        counts = {"accepted": n.accepted, "total": n.total, "submitted": n.submitted} if n.total else None
        rectify = bool(n.requires_rectification)  # the macro's no_rectification=not ...
        out.append(
            f'\n    <li class="list-group-item notice-row{" notice-row-overdue" if days and days["overdue"] else ""}">\n'
            '      <div class="d-flex justify-content-between gap-2 flex-wrap">\n'
            f'        <a class="fw-semibold" href="{base}{esc(n.id)}">{esc(n.title)}</a>\n'
            f"        <span>{status_badge('notice', n.status)}{to_sign if n.status == 'issued' else ''}</span>\n"
            "      </div>\n"
            '      <div class="small d-flex flex-wrap gap-3 mt-1">\n'
            f'        <span class="text-muted">{esc(n.doc_number)}</span>\n'
            f"        <span>{due} {esc(spell(n.deadline))}</span>\n"
            f"        <span>{days_left(days, T)}</span>\n"
            f"        {progress(counts, rectify, T)}\n"
            "      </div>\n"
            "    </li>\n    "
        )
    return Markup("".join(out))
