"""The notice page's items (整改事项) with their reports and verdicts, as HTML built in Python.

As Jinja each item cost a status_badge and an attachments macro call per report, a truncate filter,
some eight translations with variables and a few dozen values through the getattr, finalize and
escape hooks: most of the page's own rendering. Here each value is escaped once and the fixed text is
translated once per catalogue. The markup is the template's (templates/notices/detail.html, whose
loop writes each item's head from here and keeps the rare forms: the liaison's report form, the
verify bar), byte for byte; tests/test_notice_detail_items.py compares the two.
"""

from __future__ import annotations

from flask import current_app
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from ...formatting import SHANGHAI, _is_chinese, zh_date
from ...macros import status_badge
from ...template_gettext import kept_on_catalogue


class Texts:
    """The items' fixed text for one catalogue, as markup (the templates' _() takes msgstr as markup)."""

    __slots__ = (
        "accepted",
        "basis",
        "completed",
        "no_files",
        "no_report",
        "problem",
        "report",
        "requirement",
        "returned",
        "seq",
    )

    def __init__(self, gettext) -> None:
        self.seq = Markup(gettext("第%(n)s项"))
        self.no_report = Markup(gettext("无需整改报告"))
        self.problem = Markup(gettext("问题"))
        self.basis = Markup(gettext("依据"))
        self.requirement = Markup(gettext("整改要求"))
        self.report = Markup(gettext("第%(n)s次整改报告"))
        self.completed = Markup(gettext("完成日期")) % {}
        self.no_files = Markup(gettext("无附件")) % {}
        self.accepted = Markup(gettext("核查通过")) % {}
        self.returned = Markup(gettext("退回整改")) % {}
        self.problem %= {}
        self.basis %= {}
        self.requirement %= {}
        self.no_report %= {}


def texts() -> Texts:
    return kept_on_catalogue("_supervision_notice_items", Texts)


def _attachments(files, T: Texts) -> str:
    """The shared attachments macro; a report's files are few and rare, so the macro itself."""
    if not files:
        return f'<span class="text-muted">{T.no_files}</span>'
    return str(current_app.jinja_env.get_template("_macros/ui.html").module.attachments(files))


def _day(value, chinese: bool) -> str:
    """formatting.cn_date of a date, with the locale asked once a page (it asks for each value)."""
    if value is None:
        return ""
    return zh_date(value) if chinese else value.strftime("%-d %b %Y")


def _when(value, chinese: bool) -> str:
    """formatting.cn_datetime, the same way."""
    if value is None:
        return ""
    local = value.astimezone(SHANGHAI)
    return f"{_day(local.date(), chinese)} {local:%H:%M}"


def item_heads(items, requires_rectification: bool, files: dict) -> list[tuple[object, Markup]]:
    """Each item with the HTML of its card up to its forms: the header, the finding's words, each
    report with its files and verdicts."""
    T = texts()
    env = current_app.jinja_env
    chinese = _is_chinese()
    badges: dict[str, Markup] = {}
    out = []
    for item in items:
        description = item.description
        badge = (
            (
                badges.get(item.status)
                or badges.setdefault(item.status, status_badge("notice_item", item.status))
            )
            if requires_rectification
            else f'<span class="badge bg-light text-muted">{T.no_report}</span>'
        )
        basis = f"<dt>{T.basis}</dt><dd>{escape(item.legal_basis)}</dd>" if item.legal_basis else ""
        parts = [
            f'\n    <div class="card mb-3 notice-item" id="item-{escape(item.id)}" data-testid="item-{escape(item.seq)}">\n'
            '      <div class="card-header d-flex justify-content-between align-items-center flex-wrap gap-2">\n'
            f"        <span>{T.seq % {'n': item.seq}} · {escape(do_truncate(env, description, 40))}</span>\n"
            f"        {badge}\n"
            "      </div>\n"
            '      <div class="card-body">\n'
            '        <dl class="dl-grid mb-2">\n'
            f"          <dt>{T.problem}</dt><dd>{escape(description)}</dd>\n"
            f"          {basis}\n"
            f"          <dt>{T.requirement}</dt><dd>{escape(item.requirement)}</dd>\n"
            "        </dl>\n"
            "        \n        "
        ]
        for number, r in enumerate(item.rectifications, 1):
            parts.append(
                '\n        <div class="report-box">\n'
                f'          <div class="small text-muted">{T.report % {"n": number}} · {escape(r.by_name or "")} · '
                f"{escape(_when(r.submitted_at, chinese))} · {T.completed} {escape(_day(r.completed_on, chinese))}</div>\n"
                f'          <div class="preline my-1">{escape(r.measures)}</div>\n'
                f"          {_attachments(files.get(r.id), T)}\n          "
            )
            for v in r.verdicts:
                accept = v.decision == "accept"
                reason = f"：{escape(v.reason)}" if v.reason else ""
                parts.append(
                    f'\n          <div class="verdict verdict-{escape(v.decision)} mt-2">\n'
                    f'            <i class="bi bi-{"check-circle" if accept else "arrow-return-left"}"></i>\n'
                    f"            {T.accepted if accept else T.returned} · {escape(v.by_name or '')} · "
                    f"{escape(_when(v.at, chinese))}{reason}\n"
                    "          </div>\n          "
                )
            parts.append("\n        </div>\n        ")
        parts.append("\n\n        ")
        out.append((item, Markup("".join(parts))))
    return out
