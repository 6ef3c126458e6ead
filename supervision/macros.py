"""Python forms of the shared macros that pages call once a row (templates/_macros/ui.html).

A Jinja macro call costs some twenty times the string it makes (the call, its arguments' frame, the
escaping of each output): `_macros/ui.html` exports these under the macros' names, so a page that
imports `status_badge` from it gets the function and renders the same bytes.
"""

from __future__ import annotations

from markupsafe import Markup

from .workflow import status_label

_BADGE = Markup('<span class="badge status-badge status-%s-%s">%s</span>')


def status_badge(record_type: str, status: str) -> Markup:
    """The status of a record as its coloured badge; every value escaped."""
    return _BADGE % (record_type, status, status_label(record_type, status))
