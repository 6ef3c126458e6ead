"""Domain errors: raised by services, turned into clear Chinese messages by the views."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the change; `message` is shown to the user."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class NotAllowed(DomainError):
    """The actor may not do this (a 403 when it reaches a view)."""


class InvalidTransition(DomainError):
    """The record is not in a state that allows this step."""


class StaleEdit(DomainError):
    """Someone else changed the record since the form was opened (optimistic locking)."""

    def __init__(
        self, message: str = "该记录已被他人修改，您的修改未保存。请刷新页面查看最新内容后重新提交。"
    ):
        super().__init__(message)


class ImportRejected(DomainError):
    """A bulk import had bad rows; nothing was imported. `errors` names each row and reason."""
