"""Imports each area's demo seeder so that it registers itself, in dependency order."""

# ruff: noqa: I001  (the order is the seeding order)
from . import tasks  # noqa: F401  (first: later areas build on tasks and findings)
from . import notices  # noqa: F401  (after tasks)
from . import reviews  # noqa: F401  (after notices)
from . import scorecards  # noqa: F401  (after tasks, notices and reviews)
