"""The search page's hits as HTML built in Python: up to 100 rows of a few values each.

As a Jinja loop each row cost its values' getattr, finalize and escape hooks, a filter call per date
and the truncate filter; here each value is escaped once, and what every row of a list shares (its
URL, status labels, kind labels, the 未编号草稿 text) is worked out once per request. The markup is the
template's loop's, byte for byte (templates/search/index.html before this module)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from flask_babel import gettext as _
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from ..escaping import esc
from ..formatting import cn_date
from ..models.org import UNIT_KINDS
from ..models.tasks import TASK_KINDS
from ..template_gettext import current_translations
from ..workflow import status_labels
from .helpers import url_base

HIT = '<li class="list-group-item search-hit"><a href="'


def _texts() -> dict:
    """What every row of a list shares and no request changes, translated and escaped once per
    catalogue (kept on it, as template_gettext keeps the templates' fixed strings): the status
    labels, the kinds of tasks and units, and the text of a notice without a number."""
    translations = current_translations()
    kept = translations.__dict__.get("_supervision_search_rows")
    if kept is None:

        def vocabulary(words: dict) -> dict:
            return {k: escape(translations.ugettext(v)) for k, v in words.items()}

        kept = translations.__dict__["_supervision_search_rows"] = {
            **{t: {k: escape(v) for k, v in status_labels(t).items()} for t in ("notice", "task", "finding")},
            "task_kinds": vocabulary(TASK_KINDS),
            "unit_kinds": vocabulary(UNIT_KINDS),
            "undrafted": _("（未编号草稿）"),
        }
    return kept


class _Dates:
    """cn_date of each distinct date once (a list shows the same few dates again and again)."""

    def __init__(self) -> None:
        self.seen: dict = {}

    def __call__(self, value) -> str:
        text = self.seen.get(value)
        if text is None:
            text = self.seen[value] = esc(cn_date(value))
        return text


def _base(endpoint: str, key: str) -> str:
    return esc(url_base(endpoint, key))


def _notices(rows: Iterable) -> str:
    texts = _texts()
    base, labels, undrafted = _base("notices.detail", "notice_id"), texts["notice"], texts["undrafted"]
    return "".join(
        f'{HIT}{base}{n.id}">{esc(n.doc_number or undrafted)} {esc(n.title)}</a> '
        f'<small class="text-muted">{esc(n.unit_name)} · {esc(n.kind_name)}</small> '
        f'<span class="badge status-badge status-notice-{esc(n.status)}">{labels.get(n.status, "")}</span></li>'
        for n in rows
    )


def _case_files(rows: Iterable) -> str:
    base = _base("reviews.file_detail", "file_id")
    return "".join(
        f'{HIT}{base}{f.id}">{esc(f.case_number)} {esc(f.title)}</a> '
        f'<small class="text-muted">{esc(f.unit_name)} · {esc(f.case_type)}</small></li>'
        for f in rows
    )


def _tasks(rows: Iterable) -> str:
    texts, dates = _texts(), _Dates()
    base, labels, kinds = _base("tasks.detail", "task_id"), texts["task"], texts["task_kinds"]
    return "".join(
        f'{HIT}{base}{t.id}">{esc(t.code)} {esc(t.title)}</a> '
        f'<small class="text-muted">{kinds.get(t.kind) or esc(t.kind)} · {dates(t.period_start)}</small> '
        f'<span class="badge status-badge status-task-{esc(t.status)}">{labels.get(t.status, "")}</span></li>'
        for t in rows
    )


def _findings(rows: Iterable) -> str:
    base, labels, dates = _base("tasks.finding_detail", "finding_id"), _texts()["finding"], _Dates()
    env = current_app.jinja_env
    return "".join(
        f'{HIT}{base}{f.id}">{esc(do_truncate(env, f.description, 60))}</a> '
        f'<small class="text-muted">{esc(f.unit_name)} · {esc(f.category)} · {dates(f.found_on)}</small> '
        f'<span class="badge status-badge status-finding-{esc(f.status)}">{labels.get(f.status, "")}</span></li>'
        for f in rows
    )


def _units(rows: Iterable) -> str:
    base, kinds = _base("admin.unit_detail", "unit_id"), _texts()["unit_kinds"]
    return "".join(
        f'{HIT}{base}{u.id}">{esc(u.name)}</a> <small class="text-muted">{kinds.get(u.kind) or esc(u.kind)}</small></li>'
        for u in rows
    )


RENDER = {
    "notices": _notices,
    "case_files": _case_files,
    "tasks": _tasks,
    "findings": _findings,
    "units": _units,
}


def hit_rows(results: dict[str, list]) -> dict[str, Markup]:
    """Each non-empty list's <li> rows (queries/search.py's hits)."""
    return {name: Markup(RENDER[name](rows)) for name, rows in results.items() if rows}
