"""Statements built once per shape of the user (supervision/statements.py): each user still gets
their own rows, and a user of another shape never runs a statement built for the first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from supervision import statements
from supervision.models import Notice
from supervision.permissions import notices_for_user, verifiable_items_for_user

from .factories import NoticeFactory, NoticeItemFactory, UnitFactory


def _issued(unit, n: int, **kwargs):
    return NoticeFactory(unit=unit, status="acknowledged", doc_number=f"海法督〔2026〕{n}号", **kwargs)


def _visible_ids(user) -> list[int]:
    def build(asker):
        return notices_for_user(asker).with_only_columns(Notice.id).order_by(Notice.id)

    return [row.id for row in statements.rows("test_visible_notices", user, build)]


def test_two_liaisons_share_the_statement_not_the_rows(make_user):
    a, b = UnitFactory(), UnitFactory()
    first, second = _issued(a, 1), _issued(b, 2)
    liaison_a, liaison_b = make_user("liaison", unit=a), make_user("liaison", unit=b)
    assert _visible_ids(liaison_a) == [first.id]
    assert _visible_ids(liaison_b) == [second.id]
    built = statements.statement("test_visible_notices", liaison_a, lambda asker: pytest.fail("rebuilt"))
    assert built is statements.statement(
        "test_visible_notices", liaison_b, lambda asker: pytest.fail("rebuilt")
    )


def test_each_shape_of_user_gets_its_own_statement(make_user):
    unit = UnitFactory()
    notice = _issued(unit, 3)
    lead, liaison = make_user("lead"), make_user("liaison", unit=unit)
    no_unit = make_user("liaison", unit=None)
    assert notice.id in _visible_ids(lead)
    assert _visible_ids(liaison) == [notice.id]
    assert _visible_ids(no_unit) == []  # a liaison without a unit sees nothing (not the unit of another)
    inactive = make_user("lead", active=False)
    assert _visible_ids(inactive) == []  # can() refuses an inactive user: built for that shape apart


def test_the_builder_sees_only_the_shape(make_user):
    """A scoping rule that read anything but the role, the id, the unit and whether the user is active
    would be built for one user and reused for others: it fails when it is built."""
    user = make_user("inspector")
    with pytest.raises(AttributeError):
        statements.statement(
            "test_reads_more", user, lambda asker: select(Notice.id).where(asker.display_name)
        )


def test_verifiable_items_bind_each_inspector(make_user):
    """The reports to verify: built once, each inspector's own (his notices, not his own unit's)."""
    own = UnitFactory()
    other = UnitFactory()
    one, two = make_user("inspector", unit=own), make_user("inspector", unit=other)
    mine = NoticeItemFactory(notice=_issued(other, 4, drafted_by=one), status="submitted")
    his = NoticeItemFactory(notice=_issued(own, 5, drafted_by=two), status="submitted")
    refused = NoticeItemFactory(notice=_issued(own, 6, drafted_by=one), status="submitted")  # 回避
    assert [r.item_id for r in verifiable_items_for_user(one)] == [mine.id]
    assert [r.item_id for r in verifiable_items_for_user(two)] == [his.id]
    assert refused.id not in {r.item_id for r in verifiable_items_for_user(two)}


def test_a_notice_page_read_for_one_liaison_is_not_another_s(make_user):
    """The notice page's read (queries/notices.notice_for_page_or_404) is built once per shape: the
    notice id and the liaison's unit are bound, so the other unit's liaison still gets a 404."""
    from werkzeug.exceptions import NotFound

    from supervision.queries.notices import notice_for_page_or_404

    a, b = UnitFactory(), UnitFactory()
    first, second = _issued(a, 1), _issued(b, 2)
    liaison_a, liaison_b = make_user("liaison", unit=a), make_user("liaison", unit=b)
    assert notice_for_page_or_404(liaison_a, first.id) is first
    assert notice_for_page_or_404(liaison_b, second.id) is second
    for liaison, other in ((liaison_a, second), (liaison_b, first)):
        with pytest.raises(NotFound):
            notice_for_page_or_404(liaison, other.id)
    assert notice_for_page_or_404(make_user("lead"), second.id) is second


def test_unit_notice_lists_bind_each_liaison(client, make_user):
    """本单位通知 is built once for every liaison: each still sees only their own unit's notices."""
    a, b = UnitFactory(), UnitFactory()
    first, second = _issued(a, 7, title="甲单位的通知"), _issued(b, 8, title="乙单位的通知")
    for unit, mine, theirs in ((a, first, second), (b, second, first)):
        client.login_user(make_user("liaison", unit=unit))
        body = client.get("/notices/unit").get_data(as_text=True)
        assert mine.title in body and theirs.title not in body


def test_notice_list_filters_bind_their_values(client, make_user):
    """The list's statement is built once per set of filters: a second value of the same filter,
    or a second lead's 我起草的, gets its own rows."""
    unit = UnitFactory()
    one, two = make_user("lead"), make_user("lead")
    first = _issued(unit, 9, title="第一份通知", drafted_by=one)
    second = NoticeFactory(
        unit=unit, status="closed", doc_number="海法督〔2026〕10号", title="第二份通知", drafted_by=two
    )
    client.login_user(one)
    for query, shown, hidden in (
        ("?status=acknowledged", first, second),
        ("?status=closed", second, first),
        ("?q=第一", first, second),
        ("?q=第二", second, first),
        ("?mine=1", first, second),
    ):
        body = client.get("/notices/" + query).get_data(as_text=True)
        assert shown.title in body and hidden.title not in body, query
    client.login_user(two)
    body = client.get("/notices/?mine=1").get_data(as_text=True)
    assert second.title in body and first.title not in body


def test_task_lists_bind_each_inspector_and_filter(client, make_user):
    """The task list is built once per set of filters and shape of user: each inspector sees their
    own tasks, and a second keyword its own rows."""
    from .factories import TaskFactory, TaskInspectorFactory

    one, two = make_user("inspector"), make_user("inspector")
    first, second = TaskFactory(title="第一项督察任务"), TaskFactory(title="第二项督察任务")
    TaskInspectorFactory(task=first, user=one)
    TaskInspectorFactory(task=second, user=two)
    for user, mine, theirs in ((one, first, second), (two, second, first)):
        client.login_user(user)
        body = client.get("/tasks/").get_data(as_text=True)
        assert mine.title in body and theirs.title not in body
    client.login_user(make_user("lead"))
    for keyword, shown, hidden in (("第一", first, second), ("第二", second, first)):
        body = client.get(f"/tasks/?q={keyword}").get_data(as_text=True)
        assert shown.title in body and hidden.title not in body


def test_findings_list_binds_each_filter_value(client, make_user):
    """The findings list is built once per set of filters: a second value gets its own rows."""
    from .factories import FindingFactory

    first = FindingFactory(description="第一个问题", severity="serious")
    second = FindingFactory(description="第二个问题", severity="normal")
    client.login_user(make_user("lead"))
    for query, shown, hidden in (
        ("?severity=serious", first, second),
        ("?severity=normal", second, first),
        ("?q=第一", first, second),
        ("?q=第二", second, first),
        (f"?unit={second.unit_id}", second, first),
    ):
        body = client.get("/tasks/findings" + query).get_data(as_text=True)
        assert shown.description in body and hidden.description not in body, query


def test_read_rows_sees_what_the_session_has_not_flushed(make_user):
    """read_rows runs on the connection, after the autoflush the ORM's execute would have done."""
    from supervision.extensions import db

    unit = UnitFactory()
    liaison = make_user("liaison", unit=unit)
    first = _issued(unit, 1)

    def build(asker):
        return notices_for_user(asker).with_only_columns(Notice.id, Notice.title).order_by(Notice.id)

    assert [row.id for row in statements.read_rows("test_read_rows", liaison, build)] == [first.id]
    first.title = "改过的标题"
    pending = Notice(**{c: getattr(first, c) for c in ("kind_id", "unit_id", "status", "title")})
    pending.doc_number = "海法督〔2026〕2号"
    db.session.add(pending)
    rows = statements.read_rows("test_read_rows", liaison, build)
    assert [row.title for row in rows] == ["改过的标题", "改过的标题"]
    assert rows == statements.rows("test_read_rows", liaison, build)
    with db.session.no_autoflush:
        first.title = "再改"
        assert statements.read_rows("test_read_rows", liaison, build)[0].title == "改过的标题"
    db.session.rollback()
