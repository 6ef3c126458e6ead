"""The notice lists' totals and kinds (queries/notices.py): read from the rows when a page is not full,
else counted and kept while the notices' audit events say nothing changed; the filter's kinds kept
until a kind changes. A change shows on the next request; two users never share a total."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from supervision import cache
from supervision.audit import record_event
from supervision.extensions import db

from . import factories


@contextmanager
def _counts():
    """The count(*) statements run inside the block."""
    seen: list[str] = []

    def before(conn, cursor, statement, *args):
        if "count(*)" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _total(client, query: str = "", path: str = "/notices/") -> int | None:
    html = client.get(f"{path}{query}").get_data(as_text=True)
    found = re.search(r"共 (\d+) 条", html)
    return int(found.group(1)) if found else None


def _audited(actor, notice, action="notice.create") -> None:
    record_event(actor=actor, action=action, record_type="notice", record_id=notice.id, summary="改")
    db.session.commit()


@pytest.fixture
def office(make_user):
    lead = make_user("lead")
    kind = factories.NoticeKindFactory(name="整改通知书甲")
    notices = [factories.NoticeFactory(kind=kind) for _ in range(25)]
    db.session.commit()
    cache.clear()
    return {"lead": lead, "kind": kind, "notices": notices}


def test_a_full_pages_total_is_kept_and_a_change_shows_at_once(client, office):
    client.login_user(office["lead"])
    assert _total(client) == 25
    with _counts() as counts:
        assert _total(client) == 25
    assert counts == []  # kept
    new = factories.NoticeFactory(kind=office["kind"])
    db.session.commit()
    assert _total(client) == 25  # a notice written without its audit event is not seen
    _audited(office["lead"], new)
    assert _total(client) == 26
    office["notices"][0].status = "voided"
    _audited(office["lead"], office["notices"][0], "notice.void")
    assert _total(client, "?status=draft") == 25
    assert _total(client, "?status=voided") == 1
    assert _total(client) == 26


def test_a_page_that_is_not_full_tells_its_own_total(client, office):
    client.login_user(office["lead"])
    with _counts() as counts:
        assert _total(client, "?page=2") == 25
        factories.NoticeFactory(kind=office["kind"])
        db.session.commit()
        assert _total(client, "?page=2") == 26  # from the rows themselves: nothing kept
    assert counts == []
    with _counts() as counts:
        assert _total(client, "?page=7") == 26  # past the last page: counted
    assert len(counts) == 1


def test_totals_of_two_users_are_never_shared(client, office, make_user):
    unit = office["notices"][0].unit
    for n in office["notices"][:21]:
        n.unit, n.status, n.doc_number = unit, "closed", f"督〔2026〕{n.id}号"
    db.session.commit()
    liaison = make_user("liaison", unit=unit)
    other = make_user("liaison", unit=factories.UnitFactory())
    client.login_user(liaison)
    assert _total(client, path="/notices/unit") == 21
    assert _total(client, "?page=2", path="/notices/unit") == 21
    client.login_user(other)
    assert _total(client, path="/notices/unit") is None  # nothing of the other unit's
    client.login_user(office["lead"])
    assert _total(client) == 25
    assert _total(client, f"?unit={unit.id}") == 21


def test_the_kind_filter_shows_a_renamed_kind_at_once(client, office):
    client.login_user(office["lead"])
    assert ">整改通知书甲</option>" in client.get("/notices/").get_data(as_text=True)
    office["kind"].name = "督察意见书乙"
    db.session.commit()
    record_event(
        actor=office["lead"],
        action="notice_kind.update",
        record_type="notice_kind",
        record_id=office["kind"].id,
        summary="改名",
    )
    db.session.commit()
    assert ">督察意见书乙</option>" in client.get("/notices/").get_data(as_text=True)


def test_the_units_closed_notices_carry_their_total(client, office, make_user):
    """本单位通知: a full page of closed notices tells the total from its rows (a window count), no
    count(*) of its own; a page past the end is counted; a change shows at once."""
    unit = office["notices"][0].unit
    for n in office["notices"][:21]:
        n.unit, n.status, n.doc_number = unit, "closed", f"督〔2026〕{n.id}号"
    db.session.commit()
    client.login_user(make_user("liaison", unit=unit))
    with _counts() as counts:
        assert _total(client, path="/notices/unit") == 21
        assert _total(client, "?page=2", path="/notices/unit") == 21
    assert [c for c in counts if "count(*) AS" in c and "OVER" not in c] == []
    office["notices"][0].status = "voided"
    office["notices"][21].unit, office["notices"][21].status = unit, "voided"
    office["notices"][21].doc_number = "督〔2026〕99号"
    db.session.commit()
    assert _total(client, path="/notices/unit") == 22  # no cache: the next request shows it
    with _counts() as counts:
        assert _total(client, "?page=5", path="/notices/unit") == 22
    assert len([c for c in counts if "OVER" not in c]) == 1


def test_item_figures_of_a_list_row(client, office):
    """The one subquery of a row's item counts ("total accepted awaiting") as the progress cell shows
    them; a notice without items shows none."""
    notice = office["notices"][0]
    notice.status, notice.doc_number = "acknowledged", "督〔2026〕1号"
    for status in ("accepted", "accepted", "submitted", "pending"):
        factories.NoticeItemFactory(notice=notice, status=status)
    db.session.commit()
    client.login_user(office["lead"])
    html = client.get("/notices/?status=acknowledged").get_data(as_text=True)
    assert "2/4 项通过" in html and "1 项待核查" in html
    html = client.get("/notices/?status=draft").get_data(as_text=True)
    assert "项通过" not in html


def test_the_unit_page_in_one_statement_keeps_its_order_and_pages(client, office, make_user):
    """The open notices (nearest deadline first) on every page; the closed and voided ones newest
    first, 20 a page; another unit's never; one statement for them all (and the user, the stamp)."""
    from datetime import date, timedelta

    from .conftest import count_queries

    unit = office["notices"][0].unit
    mine = office["notices"][:24]
    for i, n in enumerate(mine):
        n.unit, n.doc_number = unit, f"督〔2026〕{n.id}号"
        n.status = "acknowledged" if i < 3 else "closed"
        n.deadline = date(2026, 6, 1) + timedelta(days=10 * (3 - i)) if i < 3 else None
        n.issue_date = date(2026, 1, 1) + timedelta(days=i)
    office["notices"][24].status, office["notices"][24].doc_number = "issued", "外〔2026〕1号"  # not ours
    db.session.commit()
    client.login_user(make_user("liaison", unit=unit))
    client.get("/notices/unit")
    with count_queries(keep_cache=True) as n:
        first = client.get("/notices/unit").get_data(as_text=True)
    assert n() <= 3, n()
    second = client.get("/notices/unit?page=2").get_data(as_text=True)

    def order(html, notices):
        found = [(html.find(f'href="/notices/{x.id}"'), x) for x in notices]
        return [x for at, x in sorted(found, key=lambda f: f[0]) if at >= 0]

    open_ = mine[:3]
    closed_newest_first = sorted(mine[3:], key=lambda x: x.issue_date, reverse=True)
    assert order(first, mine) == sorted(open_, key=lambda x: x.deadline) + closed_newest_first[:20]
    assert order(second, mine) == sorted(open_, key=lambda x: x.deadline) + closed_newest_first[20:]
    for html in (first, second):
        assert f'href="/notices/{office["notices"][24].id}"' not in html
        assert "共 21 条" in html
