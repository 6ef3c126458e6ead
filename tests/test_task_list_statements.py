"""The task list's and the findings list's statements as the database receives them: on PostgreSQL the
page's window and the code's fixed words written into the text, so that it keeps one plan for a
prepared statement instead of planning it again on every run (queries.tasks._windowed, _word); on
SQLite the window bound, as its planner wants it."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from supervision.extensions import db
from supervision.models import Finding, TaskInspector
from supervision.queries.tasks import _word

from .conftest import is_postgres
from .test_tasks_views import world  # noqa: F401  (the fixture)


@contextmanager
def executed():
    """The (statement, parameters) the block runs."""
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _list_statement(seen, marker: str):
    [(statement, parameters)] = [(s, p) for s, p in seen if marker in s]
    return " ".join(statement.split()), parameters


def _bound_values(parameters) -> list:
    return list(parameters.values()) if isinstance(parameters, dict) else list(parameters)


def _pairs(parameters) -> list:
    values = _bound_values(parameters)
    return [values[i : i + 2] for i in range(len(values) - 1)]


@pytest.mark.parametrize("role", ["lead", "member"])
def test_the_task_list_writes_its_words_and_on_postgresql_its_window_into_the_text(client, world, role):  # noqa: F811
    client.login_user(world[role])
    for page, offset in ((1, 0), (2, 20)):
        with executed() as seen:
            assert client.get(f"/tasks/?page={page}").status_code == 200
        if page == 2:  # past the end: the count runs apart, with the user's values only
            seen = [s for s in seen if "OFFSET" in s[0]]
        statement, parameters = _list_statement(seen, "AS serious_findings")
        if is_postgres():
            assert f"LIMIT 20 OFFSET {offset})" in statement
        else:  # SQLite plans its statements by the bound window as well as it does by the written one
            assert "LIMIT ? OFFSET ?) AS page" in statement and [20, offset] in _pairs(parameters)
        assert "status != 'dismissed'" in statement and "severity = 'serious'" in statement
        assert "IN ('open', 'noticed', 'resolved')" in statement
        assert not {"dismissed", "open", "noticed", "resolved", "serious"} & set(_bound_values(parameters))


@pytest.mark.parametrize("role", ["lead", "member"])
def test_the_findings_list_writes_its_window_into_the_text_on_postgresql(client, world, role):  # noqa: F811
    client.login_user(world[role])
    for page, offset in ((1, 0), (3, 60)):
        with executed() as seen:
            assert client.get(f"/tasks/findings?page={page}&severity=serious").status_code == 200
        statement, parameters = _list_statement(seen, "AS files")
        assert "serious" in _bound_values(parameters)  # a filter's value stays bound
        if is_postgres():
            assert re.search(rf"LIMIT 30 OFFSET {offset}\)", statement), statement
            assert not {30, offset} & set(_bound_values(parameters))
        else:  # told LIMIT 30, SQLite would read all the inspector's findings and sort them
            assert "LIMIT ? OFFSET ?) AS page" in statement and [30, offset] in _pairs(parameters)


def test_a_word_is_the_code_s_own_never_a_value_to_quote():
    assert str(_word("dismissed")) == "'dismissed'"
    for bad in ("it's", "a b", "x'; drop table finding; --", ""):
        with pytest.raises(ValueError):
            _word(bad)


@pytest.mark.parametrize("sort", ["new", "old", "code", "title"])
@pytest.mark.parametrize("role", ["lead", "member"])
def test_each_sort_pages_through_the_user_s_tasks_in_its_order(client, world, role, sort):  # noqa: F811
    """The page's rows are the sort's window itself (a derived table): every visible task once, in
    the sort's order across the pages, each row with its own figures."""
    from datetime import date, timedelta

    from supervision.models import SupervisionTask

    from . import factories

    for i in range(23):
        t = factories.TaskFactory(
            status="active", title=f"任务{i % 7:02d}", period_start=date(2025, 1, 1) + timedelta(days=i % 5)
        )
        if i % 2:
            factories.TaskInspectorFactory(task=t, user=world["member"])
        for _ in range(i % 3):
            factories.FindingFactory(task=t, unit=world["b"], inspector=world["member"])
    db.session.commit()
    client.login_user(world[role])
    seen: list[int] = []
    for page in (1, 2, 3):
        html = client.get(f"/tasks/?sort={sort}&page={page}").get_data(as_text=True)
        seen += [int(i) for i in re.findall(r'<td class="task-title-cell"><a href="/tasks/(\d+)"', html)]
    tasks = db.session.scalars(select(SupervisionTask)).all()
    if role == "member":
        mine = {
            ti.task_id
            for ti in db.session.scalars(
                select(TaskInspector).where(TaskInspector.user_id == world["member"].id)
            )
        }
        tasks = [t for t in tasks if t.id in mine]
    keys = {
        "new": lambda t: (-t.period_start.toordinal(), -t.id),
        "old": lambda t: (t.period_start, t.id),
        "code": lambda t: t.code,
        "title": lambda t: t.title,
    }
    assert sorted(seen) == sorted(t.id for t in tasks)  # each once
    by_id = {t.id: t for t in tasks}
    assert [keys[sort](by_id[i]) for i in seen] == sorted(keys[sort](t) for t in tasks)
    counts = dict(
        db.session.execute(
            select(Finding.task_id, func.count())
            .where(Finding.status != "dismissed")
            .group_by(Finding.task_id)
        ).all()
    )
    html = client.get(f"/tasks/?sort={sort}").get_data(as_text=True)
    for task_id, cells in re.findall(r'href="/tasks/(\d+)">.*?<td class="text-end">(\d+)', html, re.S):
        assert int(cells) == counts.get(int(task_id), 0)
