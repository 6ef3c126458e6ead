"""Progress of a long export, reported by the rows it writes (for the job's progress bar).

A view wraps its rows in `tracked(rows)`; iterating them then reports (done, total) to whoever
set `g.export_progress` (the job runner). In a plain request nothing is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from flask import g, has_app_context

T = TypeVar("T")
Progress = Callable[[int, int], None]


def current_progress() -> Progress | None:
    return g.get("export_progress") if has_app_context() else None


class Tracked(list[T]):
    """A list whose iteration reports how many items have been handed out so far.

    An export that goes through its rows more than once (a summary sheet, then a sheet per row)
    says so with `passes`, and the count runs on over the passes instead of starting again.
    """

    passes: int = 1
    _handed: int = 0

    def __iter__(self) -> Iterator[T]:
        report = current_progress()
        if report is None:
            yield from super().__iter__()
            return
        total = len(self) * self.passes
        report(min(self._handed, total), total)
        for item in super().__iter__():
            yield item
            self._handed += 1
            report(min(self._handed, total), total)


def tracked(rows: list[T], *, passes: int = 1) -> list[T]:
    result = Tracked(rows)
    result.passes = passes
    return result
