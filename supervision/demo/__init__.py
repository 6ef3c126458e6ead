"""Demo data for a new installation: a lived-in district. `flask seed demo` is idempotent."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from ..extensions import db
from ..models import Unit, User
from .org import DEMO_PASSWORD, seed_org

# Each area adds its seeder here; they run in order after the units and users exist.
SEEDERS: list[Callable[[], None]] = []


def seeder(func: Callable[[], None]) -> Callable[[], None]:
    SEEDERS.append(func)
    return func


def seed_demo() -> bool:
    """Load the demo data unless it is already there. Returns True if anything was created."""
    if db.session.scalar(select(User.id).where(User.username == "admin")) is not None:
        return False
    if db.session.scalar(select(Unit.id).limit(1)) is not None:
        # A database with someone's own data in it is never filled with demo records.
        return False
    seed_org()
    from . import areas  # noqa: F401  (registers the area seeders)

    for run in SEEDERS:
        run()
    db.session.commit()
    return True


__all__ = ["DEMO_PASSWORD", "seed_demo"]
