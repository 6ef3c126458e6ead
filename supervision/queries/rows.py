"""Pages of plain rows: a list page reads the columns it shows as tuples, not ORM objects.

db.paginate() returns the first column of each row (it calls `.scalars()`), which suits
`select(Model)`; a page that selects columns wants the whole row. Same count query, same
pagination object for the templates' pagination macro.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select, func, select

from ..extensions import db


class RowPagination(SelectPagination):
    """A SelectPagination whose items are the rows themselves (named tuples); the total is counted
    on `count_select` (the same records without the joins that only add columns), when given."""

    def _query_items(self) -> list[Any]:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        rows_of = self._query_args.get("rows_of")
        if rows_of is not None:
            select = rows_of(select)
        return list(self._query_args["session"].execute(select).all())

    def _query_count(self) -> int:
        count = self._query_args.get("count_select")
        if count is None:
            return super()._query_count()
        total = select(func.count()).select_from(count.order_by(None).subquery())
        return self._query_args["session"].execute(total).scalar_one()


def paginate_rows(
    query: Select,
    page: int,
    per_page: int,
    count: Select | None = None,
    rows_of: Callable[[Select], Select] | None = None,
) -> Pagination:
    """One page of the query's rows and the total (two queries, as db.paginate), never a 404.

    `count`: the query whose rows are counted, if cheaper than the page's (SQLite counts a bare
    `SELECT notice.*` from the table's size but walks every row of a query with outer joins).
    `rows_of`: for a page whose rows carry figures (correlated subqueries), the statement that reads
    the rows of the page's ids, given the limited `query` of those ids: the figures are computed
    for the page's rows only, not for every row the sort has to see."""
    return RowPagination(
        select=query,
        count_select=count,
        rows_of=rows_of,
        session=db.session(),
        page=page,
        per_page=per_page,
        error_out=False,
    )
