"""The rows of the notice lists (通知书 and 本单位通知), as HTML built in Python.

As Jinja each row cost two macro calls (days_left, progress: some forty hooked calls with their
translations) and a dozen values through the getattr, finalize and escape hooks: most of the page's
own time. Here each value is escaped once, the fixed text (labels, messages, the detail URL) is
translated and escaped once per catalogue or request, and a date is formatted once per request.
The markup is the templates' and the macros' (templates/notices/_macros.html, which the detail page
and the liaison panel still use), byte for byte; tests/test_notice_rows.py compares the two.

rows: the list's named tuples (queries/notices.py::LIST_COLUMNS); info: working days left by notice
id (queries.notices.deadline_info); counts: item counts by notice id (None: no items).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

from ...formatting import date_formatter
from ...template_gettext import kept_on_catalogue
from ...workflow import status_labels


class Texts:
    """The rows' fixed text for one catalogue, translated once (kept on the catalogue as the
    templates' _() keeps its strings, so force_locale switches it too). Translations are markup, as
    the templates' _() takes them; labels are text and escaped."""

    __slots__ = (
        "awaiting",
        "due_today",
        "labels",
        "left",
        "no_rectification",
        "overdue",
        "passed",
        "to_sign",
        "unnumbered",
        "weekends_only",
    )

    def __init__(self, gettext) -> None:
        self.labels = {status: escape(label) for status, label in status_labels("notice").items()}
        self.unnumbered = gettext("（未编号）")
        self.overdue = gettext("逾期 %(n)s 个工作日")
        self.due_today = gettext("今日到期")
        self.left = gettext("剩 %(n)s 个工作日")
        self.weekends_only = gettext("该年度节假日日历未确认，期限按预估的节假日或仅按周末计算")
        self.no_rectification = gettext("无需整改")
        self.passed = gettext("%(a)s/%(t)s 项通过")
        self.awaiting = gettext("%(s)s 项待核查")
        self.to_sign = gettext("待签收")


def texts() -> Texts:
    return kept_on_catalogue("_supervision_notice_rows", Texts)


class _Dates(dict):
    """cn_date of each date once per request (a page's rows share few dates), escaped; the locale
    asked once (formatting.date_formatter), not once a date."""

    def __init__(self) -> None:
        super().__init__()
        self.format = date_formatter()

    def __missing__(self, value):
        text = self[value] = escape(self.format(value))
        return text


def days_left(info: dict | None, T: Texts) -> str:
    """The macro days_left(info)."""
    if not info:
        return '<span class="text-muted">—</span>'
    left = info["left"]
    if info["overdue"]:
        text = f'<span class="overdue" data-testid="overdue">{T.overdue % {"n": -left if left < 0 else 0}}</span>\n  '
    elif left == 0:
        text = f'<span class="overdue">{T.due_today}</span>\n  '
    elif info["soon"]:
        text = f'<span class="text-warning-emphasis fw-semibold">{T.left % {"n": left}}</span>\n  '
    else:
        text = f"<span>{T.left % {'n': left}}</span>"
    weekends = (
        f'<i class="bi bi-info-circle text-muted" title="{T.weekends_only}"></i>'
        if info["weekends_only"]
        else ""
    )
    return f"\n  {text}\n  {weekends}\n"


def progress(c: dict | None, rectify: Any, T: Texts) -> str:
    """The macro progress(c, rectify=rectify) (a list row: its kind's flag)."""
    if rectify == False:  # noqa: E712  (as the macro's `rectify == false`: None is not false)
        return f'<span class="small text-muted" data-testid="no-rectification">{T.no_rectification}</span>\n'
    if not c:
        return ""
    out = f'<span class="small text-muted">{T.passed % {"a": c["accepted"], "t": c["total"]}}'
    if c["submitted"]:
        out += f' · <span class="text-primary">{T.awaiting % {"s": c["submitted"]}}</span>'
    return out + "</span>"


def notice_rows(rows: Iterable[Any], info: dict, counts: dict, detail_base: str) -> Markup:
    """The rows of templates/notices/index.html's table (通知书)."""
    T, dates, base = texts(), _Dates(), escape(detail_base)
    labels = T.labels
    out = []
    for n in rows:
        nid = n.id
        number = escape(n.doc_number) if n.doc_number else f'<span class="text-muted">{T.unnumbered}</span>'
        status = escape(n.status)
        out.append(
            "\n      <tr>\n"
            f'        <td class="text-nowrap">{number}</td>\n'
            f'        <td class="title-cell"><a href="{base}{nid}">{escape(n.title)}</a>'
            f'<div class="small text-muted">{escape(n.kind_name)}</div></td>\n'
            f'        <td class="text-nowrap"><span class="badge status-badge status-notice-{status}">'
            f"{labels.get(n.status, '')}</span></td>\n"
            f'        <td class="text-nowrap">{escape(n.unit_short or n.unit_name)}</td>\n'
            f'        <td class="text-nowrap">{dates[n.issue_date]}</td>\n'
            f'        <td class="text-nowrap">{dates[n.deadline]}</td>\n'
            f'        <td class="text-nowrap">{days_left(info[nid], T)}</td>\n'
            f'        <td class="text-nowrap">{progress(counts.get(nid), n.requires_rectification, T)}</td>\n'
            "      </tr>\n    "
        )
    return Markup("".join(out))


def unit_open_rows(rows: Iterable[Any], info: dict, counts: dict, detail_base: str) -> Markup:
    """The rows of templates/notices/mine.html's open notices (待办通知)."""
    T, dates, base = texts(), _Dates(), escape(detail_base)
    labels = T.labels
    out = []
    for n in rows:
        nid = n.id
        days = info[nid]
        status = escape(n.status)
        to_sign = f' <span class="badge bg-danger">{T.to_sign}</span>' if n.status == "issued" else ""
        out.append(
            f'\n        <tr class="{"table-danger" if days and days["overdue"] else ""}">\n'
            f'          <td class="text-nowrap">{escape(n.doc_number)}</td>\n'
            f'          <td class="title-cell"><a href="{base}{nid}">{escape(n.title)}</a></td>\n'
            f'          <td class="text-nowrap">{escape(n.kind_name)}</td>\n'
            f'          <td class="text-nowrap">{dates[n.deadline]}</td>\n'
            f'          <td class="text-nowrap">{days_left(days, T)}</td>\n'
            f'          <td class="text-nowrap">{progress(counts.get(nid), n.requires_rectification, T)}</td>\n'
            f'          <td><span class="badge status-badge status-notice-{status}">{labels.get(n.status, "")}</span>'
            f"{to_sign}</td>\n"
            "        </tr>\n      "
        )
    return Markup("".join(out))


def unit_closed_rows(rows: Iterable[Any], detail_base: str) -> Markup:
    """The rows of templates/notices/mine.html's closed and voided notices."""
    T, dates, base = texts(), _Dates(), escape(detail_base)
    labels = T.labels
    out = []
    for n in rows:
        out.append(
            f'\n        <tr><td class="text-nowrap">{escape(n.doc_number)}</td>'
            f'<td class="title-cell"><a href="{base}{n.id}">{escape(n.title)}</a></td>'
            f'<td class="text-nowrap">{dates[n.issue_date]}</td>'
            f'<td><span class="badge status-badge status-notice-{escape(n.status)}">{labels.get(n.status, "")}</span></td></tr>\n      '
        )
    return Markup("".join(out))
