"""queries.rows.plannable: the values fixed in the code and the page's window are written into the
statement's text (PostgreSQL then keeps a prepared statement's plan instead of planning it at every
run); the values of the user and the request stay bound. Same rows on either database; on SQLite
(which plans nothing ahead) the statement is left as it is."""

from __future__ import annotations

from sqlalchemy import bindparam, event, select

from supervision.extensions import db
from supervision.models import Notice
from supervision.queries.rows import plannable, windowed

from . import factories


def test_constants_and_window_in_the_text_the_users_values_bound(app):
    unit = factories.UnitFactory()
    notices = [
        factories.NoticeFactory(status=s, unit=unit, title=f"整改{i}")
        for i, s in enumerate(("issued", "draft", "acknowledged", "issued", "closed", "issued"))
    ]
    factories.NoticeFactory(status="issued", title="整改9")  # another unit's
    db.session.commit()
    query = select(Notice.id).where(
        Notice.status.in_(Notice.OPEN_STATUSES),
        Notice.unit_id == bindparam("asker_unit_id"),
        Notice.title.like(bindparam("keyword")),
        Notice.seq.is_(None),
    )
    seen = []

    def before(conn, cursor, statement, parameters, *args):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        built = plannable(windowed(query.order_by(Notice.id)))
        values = {"asker_unit_id": unit.id, "keyword": "整改%", "page_limit": 2, "page_offset": 1}
        rows = db.session.connection().execute(built, values).scalars().all()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert rows == [n.id for n in notices if n.status in Notice.OPEN_STATUSES][1:3]
    statement, parameters = seen[-1]
    if db.engine.dialect.name != "postgresql":
        assert built is not None and "'issued'" not in statement  # SQLite: the statement as it was
        return
    assert "'issued'" in statement and "'acknowledged'" in statement
    assert "LIMIT 2 OFFSET 1" in statement
    bound = parameters.values() if isinstance(parameters, dict) else parameters
    assert sorted(map(str, bound)) == sorted([str(unit.id), "整改%"])  # only the user's and request's


def test_the_statement_is_built_once_and_takes_new_values(app):
    first, second = factories.UnitFactory(), factories.UnitFactory()
    a = factories.NoticeFactory(status="issued", unit=first)
    b = factories.NoticeFactory(status="issued", unit=second)
    db.session.commit()
    built = plannable(windowed(select(Notice.id).where(Notice.unit_id == bindparam("u")).order_by(Notice.id)))
    run = db.session.connection().execute
    assert run(built, {"u": first.id, "page_limit": 5, "page_offset": 0}).scalars().all() == [a.id]
    assert run(built, {"u": second.id, "page_limit": 5, "page_offset": 0}).scalars().all() == [b.id]
    assert run(built, {"u": second.id, "page_limit": 5, "page_offset": 1}).scalars().all() == []
