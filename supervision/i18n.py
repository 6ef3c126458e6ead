"""English for the fixed vocabularies on pages, while Python keeps them in Chinese.

Roles, severities, task and unit kinds, ratings, escalations and bands are plain Chinese strings in
Python, because the .xlsx registers, the official documents and the audit log use them as they are.
`N_` marks them for the catalogue; on pages, the Jinja `finalize` hook translates an output value
that is exactly one of them, so every template shows them in the reader's language.
"""

from __future__ import annotations

from itertools import chain

from flask import Flask
from flask_babel import gettext


def N_(text: str) -> str:
    """Mark a string for the catalogue without translating it here."""
    return text


def vocabulary() -> frozenset[str]:
    from .models.notices import ESCALATION_KINDS, EXTENSION_DECISIONS, PENDING_DECISION
    from .models.org import ROLES, UNIT_KINDS
    from .models.tasks import SEVERITIES, TASK_KINDS
    from .scoring_indicators import BANDS, RATINGS, RED

    dicts = (ESCALATION_KINDS, EXTENSION_DECISIONS, ROLES, UNIT_KINDS, SEVERITIES, TASK_KINDS, RATINGS)
    bands = (label for _, label, *_ in (*BANDS, RED))
    return frozenset(chain(*(d.values() for d in dicts), bands, (PENDING_DECISION,)))


def install_vocabulary(app: Flask) -> None:
    words = vocabulary()

    def finalize(value):
        if type(value) is str and value in words:
            return gettext(value)
        return value

    app.jinja_env.finalize = finalize
