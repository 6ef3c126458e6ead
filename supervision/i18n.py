"""English for the fixed vocabularies on pages, while Python keeps them in Chinese.

Roles, severities, task and unit kinds, ratings, escalations and bands are Chinese strings in
Python, because the .xlsx registers, the official documents and the audit log use them as they are.
`N_` marks them for the catalogue and makes them `Vocab` strings; on pages, the Jinja `finalize`
hook translates a value that is a `Vocab`, so every template shows them in the reader's language.
Text that users wrote or data from the database (a finding category named 其他, a search for 严重)
is a plain `str` and is shown exactly as written, also inside form fields.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from itertools import chain
from typing import ParamSpec, TypeVar

from flask import Flask
from flask_babel import force_locale

P = ParamSpec("P")
R = TypeVar("R")
DOCUMENT_LOCALE = "zh_CN"


class Vocab(str):
    """A word of a fixed vocabulary: a plain Chinese string everywhere but on pages."""

    __slots__ = ()


def N_(text: str) -> Vocab:
    """Mark a string for the catalogue (Babel extracts N_ by default) without translating it here."""
    return Vocab(text)


def vocabulary() -> frozenset[str]:
    from .models.notices import ESCALATION_KINDS, EXTENSION_DECISIONS, PENDING_DECISION
    from .models.org import ROLES, UNIT_KINDS
    from .models.tasks import SEVERITIES, TASK_KINDS
    from .scoring_indicators import BANDS, RATINGS, RED

    dicts = (ESCALATION_KINDS, EXTENSION_DECISIONS, ROLES, UNIT_KINDS, SEVERITIES, TASK_KINDS, RATINGS)
    bands = (label for _, label, *_ in (*BANDS, RED))
    return frozenset(chain(*(d.values() for d in dicts), bands, (PENDING_DECISION,)))


def install_vocabulary(app: Flask) -> None:
    from .template_gettext import current_translations

    def finalize(value):
        if type(value) is Vocab:
            # The same catalogue lookup as gettext(value), without its context lookups: a 100-row
            # assessment shows some 700 vocabulary words (ratings in every row's select).
            return current_translations().ugettext(value)
        return value

    app.jinja_env.finalize = finalize


def in_chinese(build: Callable[P, R]) -> Callable[P, R]:
    """Run `build` in zh_CN: documents and registers are Chinese whatever the reader's interface.

    Status labels, dates and lazy strings read inside it come out in Chinese; outside a request
    (the CLI, a background job) the locale is zh_CN anyway.
    """

    @wraps(build)
    def chinese(*args: P.args, **kwargs: P.kwargs) -> R:
        with force_locale(DOCUMENT_LOCALE):
            return build(*args, **kwargs)

    return chinese
