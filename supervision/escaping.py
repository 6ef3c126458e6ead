"""What a template's {{ value }} writes, for the tables drawn in Python: one escaping for them all."""

from __future__ import annotations

from typing import Any

from markupsafe import escape

try:  # markupsafe's own escaping of a str, without the Markup around it
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - markupsafe without its C speedups

    def _escape_inner(s: str) -> str:
        return str(escape(s))


def esc(value: Any) -> str:
    """markupsafe.escape's text of `value` (& < > " ' as &amp; &lt; &gt; &#34; &#39;; Markup as it is;
    None as "None", as Jinja prints it), as a str."""
    return _escape_inner(value) if type(value) is str else str(escape(value))
