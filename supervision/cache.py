"""A small cache for derived figures, keyed by a freshness stamp read from the database.

Nothing here is state: each value is recomputed whenever its stamp changes (for example the
number and the latest finalization time of a round's assessments), so several app processes
stay correct side by side; each just computes a value once per change instead of per request.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

T = TypeVar("T")

_MAX = 256  # a few dozen entries a year and scope (the figures' parts, the panels, the boards)
_values: OrderedDict[Hashable, object] = OrderedDict()
_lock = Lock()
_resets: list[Callable[[], None]] = []


def derived(key: Hashable, compute: Callable[[], T]) -> T:
    """The value for `key` (which must include its freshness stamp), computed once."""
    with _lock:
        if key in _values:
            _values.move_to_end(key)
            return _values[key]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _values[key] = value
        while len(_values) > _MAX:
            _values.popitem(last=False)
    return value


def on_clear(reset: Callable[[], None]) -> Callable[[], None]:
    """Register state kept beside the values (what a process has read of the stamps) to reset too."""
    _resets.append(reset)
    return reset


def clear() -> None:
    with _lock:
        _values.clear()
    for reset in _resets:
        reset()
