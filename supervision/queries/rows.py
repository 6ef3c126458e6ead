"""Pages of plain rows: a list page reads the columns it shows as tuples, not ORM objects.

db.paginate() returns the first column of each row (it calls `.scalars()`), which suits
`select(Model)`; a page that selects columns wants the whole row. Same count query, same
pagination object for the templates' pagination macro.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Executable, Integer, Select, bindparam, func, select
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

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


class BuiltPagination(Pagination):
    """A page of rows read by statements built once (supervision/statements.py): the rows'
    statement takes its window as the bound values `page_limit` and `page_offset`, the count's
    statement the same values as the rows' but those two."""

    def _query_items(self) -> list[Any]:
        rows, _count, params = self._query_args["built"]
        window = {**params, "page_limit": self.per_page, "page_offset": self._query_offset}
        return list(db.session.execute(rows, window).all())

    def _query_count(self) -> int:
        _rows, count, params = self._query_args["built"]
        total = self._query_args.get("total")
        if total is not None:
            return total(lambda: db.session.execute(count, params).scalar_one())
        return db.session.execute(count, params).scalar_one()


def windowed(query: Select, literal: bool = False) -> Select:
    """`query` limited to the window a BuiltPagination binds, its values typed; with `literal`,
    written into the text at each run (one statement per page number: PostgreSQL plans a bound
    LIMIT again at every run, see queries/tasks.py and plannable)."""
    return query.limit(bindparam("page_limit", type_=Integer, literal_execute=literal)).offset(
        bindparam("page_offset", type_=Integer, literal_execute=literal)
    )


_WINDOW = ("page_limit", "page_offset")


def plannable(statement):
    """`statement` with the values fixed in the code (a status, a record type) and the page's window
    written into its text rather than bound. PostgreSQL keeps the plan of a prepared statement only
    when its generic plan (planned without the values) looks as cheap as one planned for them: with
    `status = $1` or `LIMIT $1` it never does, and it plans the statement again at every run (0.1 to
    0.3 ms of the backend's CPU, more than running it). The values the user or the request give stay
    bound, except the window: one statement per page number, the first page the one that counts.
    Elsewhere (SQLite plans nothing ahead) the statement as it is: rendering values into the text
    at each run costs the app a little."""
    if db.engine.dialect.name != "postgresql":
        return statement

    def literal(element):
        if isinstance(element, BindParameter) and (
            element.key in _WINDOW
            or (element.unique and element.callable is None and element.value is not None)
        ):
            return element.render_literal_execute()
        return None

    return visitors.replacement_traverse(statement, {}, literal)


def counted(query: Select) -> Select:
    """The number of `query`'s rows (as RowPagination counts them)."""
    return select(func.count()).select_from(query.order_by(None).subquery())


def paginate_built(
    rows: Executable,
    count: Executable,
    params: dict,
    page: int,
    per_page: int,
    total: Callable[[Callable[[], int]], int] | None = None,
    *,
    core: bool = False,
) -> Pagination:
    """One page of a built statement's rows (`windowed`) and the total (`counted`), never a 404.

    `total`: given the function that runs the count, the total (for a list whose count is kept
    while the rows it counts have not changed: see queries.tasks.findings_list). `core`: the rows'
    statement is of columns (no ORM entities) and runs as Core (CoreBuiltPagination)."""
    return (CoreBuiltPagination if core else BuiltPagination)(
        built=(rows, count, params), total=total, page=page, per_page=per_page, error_out=False
    )


class CoreBuiltPagination(BuiltPagination):
    """A BuiltPagination whose rows' statement (of columns only) runs on the session's connection,
    without the ORM's execution around it (a third of what reading a 30-row page costs)."""

    def _query_items(self) -> list[Any]:
        rows, _count, params = self._query_args["built"]
        window = {**params, "page_limit": self.per_page, "page_offset": self._query_offset}
        return list(db.session.connection().execute(rows, window).all())
