"""How long a free text may be, checked on the server whatever sent it (a form, a bare POST, a file).

String(N) columns give their own bound; Text columns get one of these, so that a pasted book is a
clear message and not a row that PostgreSQL refuses or a page nobody can read.
"""

from __future__ import annotations

from .errors import DomainError

REASON_MAX = 2000  # 退回、作废、撤销、改派的理由，裁定理由
NOTE_MAX = 2000  # 扣分说明、整改要求、评分细则 and other notes on one line of a record
TEXT_MAX = 5000  # 说明、意见、评语、整改措施: the longer texts of a record (as the forms have it)
PASSWORD_MAX = 128  # hashing a megabyte-long password is work an attacker should not get for free


def length_error(text: str | None, max_len: int, label: str) -> str | None:
    """The message for `text` longer than `max_len` characters (after trimming), naming `label`."""
    length = len((text or "").strip())
    if length > max_len:
        return f"{label}最多 {max_len} 个字（现为 {length} 个字），请删减后再提交。"
    return None


def check_length(text: str | None, max_len: int, label: str) -> None:
    """Refuse `text` longer than `max_len` characters with a DomainError (nothing is changed)."""
    message = length_error(text, max_len, label)
    if message:
        raise DomainError(message)


def column_errors(model, values: dict, labels: dict[str, str]) -> list[str]:
    """A message for each text in `values` ({column: text}) longer than its String(N) column of
    `model`; `labels` names the columns as the user knows them (a Text column gets none)."""
    errors = []
    for name, label in labels.items():
        limit = getattr(model.__table__.c[name].type, "length", None)
        message = limit and length_error(values.get(name), limit, label)
        if message:
            errors.append(message)
    return errors
