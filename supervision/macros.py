"""Python forms of the shared macros that pages call once a row (templates/_macros/ui.html).

A Jinja macro call costs some twenty times the string it makes (the call, its arguments' frame, the
escaping of each output): `_macros/ui.html` exports these under the macros' names, so a page that
imports `status_badge` from it gets the function and renders the same bytes.
"""

from __future__ import annotations

from flask import request, url_for
from markupsafe import Markup, escape

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
