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


class Store:
    """Values by key, the least recently used dropped beyond `size`; emptied by `clear()`."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = Lock()
        _stores.append(self)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for `key` (which must include its freshness stamp), computed once."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self):
        with self._lock:
            return iter(list(self._values))

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_stores: list[Store] = []
_resets: list[Callable[[], None]] = []
_derived = Store(256)  # a few dozen entries a year and scope (the figures' parts, the panels, the boards)


def derived(key: Hashable, compute: Callable[[], T]) -> T:
    """The value for `key` (which must include its freshness stamp), computed once."""
    return _derived.get(key, compute)


def on_clear(reset: Callable[[], None]) -> Callable[[], None]:
    """Register state kept beside the values (what a process has read of the stamps) to reset too."""
    _resets.append(reset)
    return reset


def clear() -> None:
    for store in _stores:
        store.clear()
    for reset in _resets:
        reset()
