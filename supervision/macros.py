"""Python forms of the shared macros that pages call once a row (templates/_macros/ui.html).

A Jinja macro call costs some twenty times the string it makes (the call, its arguments' frame, the
escaping of each output): `_macros/ui.html` exports these under the macros' names, so a page that
imports `status_badge` from it gets the function and renders the same bytes.
"""

from __future__ import annotations

from flask import request, url_for
from markupsafe import Markup, escape

from .formatting import cn_datetime
from .template_gettext import current_translations
from .workflow import status_label

_BADGE = Markup('<span class="badge status-badge status-%s-%s">%s</span>')


def status_badge(record_type: str, status: str) -> Markup:
    """The status of a record as its coloured badge; every value escaped."""
    return _BADGE % (record_type, status, status_label(record_type, status))


# --- pagination ---------------------------------------------------------------------------------

_PAGE_MARK = "__page__"  # url-safe, so url_for leaves it as it is, to be replaced by each number


def _text(string: str, **variables) -> Markup:
    """A translated text as the templates' _() makes it: trusted msgstr, escaped variables."""
    return Markup(current_translations().ugettext(string)) % variables


def pagination(page, endpoint: str) -> Markup:
    """The pager under a list: the link of each page keeps the request's other arguments.

    One url_for for the whole pager (the macro made one per link), with the page number put in;
    the same bytes as the macro it replaces."""
    if page.pages <= 1:
        if not page.total:
            return Markup("")
        return Markup('\n<small class="text-muted">%s</small>\n') % _text("共 %(n)s 条", n=page.total)
    args = request.args.to_dict()
    args["page"] = _PAGE_MARK
    url = str(escape(url_for(endpoint, **dict(request.view_args or {}, **args))))
    # Only the page argument itself: another argument's value cannot hold a bare "=" (it is quoted).
    head, sep, tail = url.partition("?")
    parts = tail.replace("&amp;", "\0").split("\0")
    where = parts.index(f"page={_PAGE_MARK}")

    def href(number: int) -> str:
        parts[where] = f"page={number}"
        return head + sep + "&amp;".join(parts)

    out = [
        '\n<nav aria-label="',
        str(_text("分页")),
        '" class="d-flex justify-content-between align-items-center mt-2">\n  <small class="text-muted">',
        str(_text("共 %(n)s 条，第 %(p)s / %(ps)s 页", n=page.total, p=page.page, ps=page.pages)),
        '</small>\n  <ul class="pagination pagination-sm mb-0">\n    \n    ',
    ]
    if page.has_prev:
        out += ['<li class="page-item"><a class="page-link" href="', href(page.prev_num), '">']
        out += [str(_text("上一页")), "</a></li>"]
    out.append("\n    ")
    current = page.page
    for number in page.iter_pages(left_edge=1, right_edge=1, left_current=2, right_current=2):
        if number:
            active = "active" if number == current else ""
            out.append(f'\n      <li class="page-item {active}"><a class="page-link" href="{href(number)}">')
            out.append(f"{number}</a></li>\n      \n    ")
        else:
            out.append('\n      <li class="page-item disabled"><span class="page-link">…</span></li>\n    ')
    out.append("\n    ")
    if page.has_next:
        out += ['<li class="page-item"><a class="page-link" href="', href(page.next_num), '">']
        out += [str(_text("下一页")), "</a></li>"]
    out.append("\n  </ul>\n</nav>\n")
    return Markup("".join(out))


# --- timeline -----------------------------------------------------------------------------------

_NO_VALUE = object()


def _item(pair, index: int):
    """pair[index] as Jinja reads it: what is not there prints as nothing."""
    try:
        return pair[index]
    except (LookupError, TypeError, AttributeError):
        return _NO_VALUE


def _cell(value) -> str:
    """`{{ v if v is not none else '' }}` (an absent item too prints as nothing)."""
    return "" if value is None or value is _NO_VALUE else str(escape(value))


def _changes(changes) -> str:
    rows = []
    for field, pair in changes.items():
        rows.append(f"\n          <tr><th>{escape(field)}</th>")
        # Jinja's `pair is sequence and pair is not string and pair|length == 2`
        if not isinstance(pair, str) and hasattr(pair, "__getitem__") and _length(pair) == 2:
            old, new = _cell(_item(pair, 0)), _cell(_item(pair, 1))
            rows.append(f'<td class="text-muted"><del>{old}</del></td><td>{new}</td></tr>\n          ')
        else:
            rows.append(f'<td colspan="2">{escape(pair)}</td></tr>\n          ')
    return "".join(rows)


def _length(value) -> int | None:
    try:
        return len(value)
    except TypeError:
        return None


def timeline(events) -> Markup:
    """The audit timeline of a record (留痕), newest first as given: each event's time, actor (or
    系统), summary and its changes (old → new); every value escaped. The same bytes as the macro."""
    out = ['<ol class="timeline" data-testid="timeline">\n  ']
    system = details = None
    for e in events:
        actor = e.actor
        if actor:
            who = escape(actor.display_name)
        else:
            who = system = system or _text("系统")
        out.append(
            '\n  <li class="timeline-item">\n    <div class="timeline-time">'
            f"{escape(cn_datetime(e.at))}</div>\n"
            f'    <div class="timeline-body">\n      <strong>{who}</strong> {escape(e.summary)}\n      '
        )
        changes = e.changes
        if changes:
            details = details or _text("变更明细")
            out.append(
                f'\n      <details class="timeline-changes"><summary>{details}</summary>\n'
                '        <table class="table table-sm mb-0">\n          '
                f"{_changes(changes)}\n        </table>\n      </details>\n      "
            )
        out.append("\n    </div>\n  </li>\n  ")
    if len(out) == 1:
        out.append(f'\n  <li class="text-muted">{_text("暂无记录")}</li>\n  ')
    out.append("\n</ol>")
    return Markup("".join(out))
