"""The templates' `_()` and `gettext()`, with one context lookup per call instead of about ten.

Flask-Babel's template gettext goes through Jinja's newstyle wrapper and two `Context.call`s, then
get_domain(), get_translations() and get_locale(), each of which asks the `g` proxy again, and
formats the locale's name to find its catalogue: the layout's forty strings cost more than the
ceiling's whole table. Here the catalogue found for a locale is kept on Flask-Babel's own
per-request namespace, next to the locale it belongs to, so `force_locale` (documents in Chinese
inside an English request) switches it as before; the result is the same string Flask-Babel returns,
escaped and %-formatted as Jinja's newstyle gettext does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

T = TypeVar("T")


def current_translations():
    """This request's catalogue, for the locale in force now; outside a request Flask-Babel's answer."""
    app_ctx = _cv_app.get(None)  # what the `g` proxy looks up, once rather than twice a call
    if app_ctx is None:
        return get_translations()
    namespace = app_ctx.g.__dict__
    babel_ctx = namespace.get("_flask_babel")
    if babel_ctx is not None:
        locale = babel_ctx.__dict__.get("babel_locale")
        kept = babel_ctx.__dict__.get("supervision_translations")
        if locale is not None and kept is not None and kept[0] is locale:
            return kept[1]
    translations = get_translations()  # creates the namespace and selects the locale if needed
    babel_ctx = namespace.get("_flask_babel")
    if babel_ctx is not None:
        babel_ctx.supervision_translations = (get_locale(), translations)
    return translations


@pass_eval_context
def template_gettext(eval_ctx, string: str, **variables) -> str:
    translations = current_translations()
    if not variables and eval_ctx.autoescape:
        # A fixed string (most of them): its escaped, formatted text is kept on the catalogue it
        # came from, so each later use is one lookup (the layout and a page show some thirty).
        kept = translations.__dict__.get("_supervision_markup")
        if kept is None:
            kept = translations.__dict__["_supervision_markup"] = {}
        rv = kept.get(string)
        if rv is None:
            rv = kept[string] = Markup(translations.ugettext(string)) % variables
        return rv
    rv = translations.ugettext(string)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables  # always a format string, as Jinja's newstyle gettext does


def install(app: Flask) -> None:
    """Replace the templates' `_` and `gettext` (Flask-Babel's ngettext and pgettext stay)."""
    app.jinja_env.globals["gettext"] = template_gettext
    app.jinja_env.globals["_"] = template_gettext


def kept_on_catalogue(name: str, build: Callable[[Callable[[str], str]], T]) -> T:
    """What `build(gettext)` makes of this request's catalogue, made once per catalogue and kept on
    it, as the templates' `_()` keeps its strings (so force_locale switches it too): a table's fixed
    texts, translated once rather than once a row."""
    translations = current_translations()
    kept = translations.__dict__.get(name)
    if kept is None:
        kept = translations.__dict__[name] = build(translations.ugettext)
    return kept


def fixed_text(gettext: Callable[[str], str], text: str) -> str:
    """`text` as the template's {{ _(text) }} writes it: the translation as markup, formatted with
    no variables (so %% is %); a fixed text of a table drawn in Python."""
    return str(Markup(gettext(text)) % {})


def fixed_texts(gettext: Callable[[str], str], pairs) -> dict[str, str]:
    """{key: fixed_text} of (key, Chinese text) pairs."""
    return {key: fixed_text(gettext, text) for key, text in pairs}
