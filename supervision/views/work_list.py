"""The rows of the work list (待办) on the inspector's and the liaison's home, as HTML built in Python.

As a Jinja loop each of the up to 45 rows cost some 16 µs (its values through the getattr, finalize
and escape hooks, a filter call for the date): the largest part of the inspector's home. Here each
value is escaped once and the three messages are translated once per request. The markup is the
loop's in templates/dashboard/_my_work.html before this module, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from ..escaping import esc
from ..formatting import date_formatter
from ..template_gettext import current_translations
from ..todo import Work


def work_rows(work: Iterable[Work]) -> Markup:
    """The list items of `work` (escaped here: kind, title, detail and URL are text of the records)."""
    translations = current_translations()
    overdue = Markup(translations.ugettext("已逾期 %(n)s 个工作日"))
    left = Markup(translations.ugettext("剩 %(n)s 个工作日"))
    due_label = Markup(translations.ugettext("期限"))
    spell = date_formatter()  # cn_date with the locale read once
    out = []
    for w in work:
        days = w.days_left
        if days is not None:
            when = (
                "\n          " + (overdue % {"n": -days} if days < 0 else left % {"n": days}) + "\n        "
            )
        elif w.due:
            when = f"{due_label} {esc(spell(w.due))}"
        else:
            when = ""
        out.append(
            '\n    <li class="list-group-item d-flex flex-wrap align-items-center gap-2">\n'
            f'      <span class="badge text-bg-light border">{esc(w.kind)}</span>\n'
            f'      <a href="{esc(w.url)}" class="fw-semibold">{esc(w.title)}</a>\n'
            f'      <small class="text-muted">{esc(w.detail)}</small>\n'
            f'      <span class="ms-auto todo-due small {"overdue" if w.overdue else ""}">\n'
            f"        {when}\n"
            "      </span>\n"
            "    </li>\n    "
        )
    return Markup("".join(out))
