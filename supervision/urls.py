"""The one check on redirect targets that come from a request (`next`, stored links): no open redirect."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

MAX_TARGET_LENGTH = 2000


def _is_site_path(target: str) -> bool:
    # Browsers read `\` as `/` and drop tabs and newlines, so `/\evil`, `\/evil` and `/<tab>/evil` all
    # become `//evil`, a link to another host: refuse every backslash and control character outright.
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str | None:
    """The target if it is a path on this site (also when percent-decoded), else None."""
    if not target or len(target) > MAX_TARGET_LENGTH:
        return None
    # `/%5Cevil` is `/\evil` to a browser that decodes it; `/%255Cevil` is the same, decoded twice.
    forms = [target, unquote(target)]
    forms.append(unquote(forms[-1]))
    if unquote(forms[-1]) != forms[-1]:  # encoded more often than any link of ours is
        return None
    return target if all(_is_site_path(form) for form in forms) else None
