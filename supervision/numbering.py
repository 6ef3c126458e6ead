"""Document numbers (文号): {prefix}〔{year}〕{n}号, one gap-free series per prefix and year.

`next_number` runs inside the transaction that issues the notice: the counter row is created if
missing (INSERT … ON CONFLICT DO NOTHING), then `UPDATE … SET last = last + 1 … RETURNING last`
takes the row lock (PostgreSQL) or the write lock (SQLite), so concurrent issuers queue up and
each gets its own number. A rolled-back issue rolls the counter back too: no gaps.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db
from .models import DocCounter


def format_number(prefix: str, year: int, n: int) -> str:
    """海法督〔2026〕3号: 六角括号, the year in full, no leading zeros, no 第."""
    return f"{prefix}〔{year}〕{n}号"


def next_number(prefix: str, year: int) -> int:
    """Take the next number of the series in the current transaction (the caller commits)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(DocCounter)
        .values(prefix=prefix, year=year, last=0)
        .on_conflict_do_nothing(index_elements=["prefix", "year"])
    )
    return db.session.execute(
        update(DocCounter)
        .where(DocCounter.prefix == prefix, DocCounter.year == year)
        .values(last=DocCounter.last + 1)
        .returning(DocCounter.last)
    ).scalar_one()
