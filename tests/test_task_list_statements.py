"""The task list's and the findings list's statements as the database receives them: the page's window
and the code's fixed words written into the text, so that PostgreSQL keeps one plan for a prepared
statement instead of planning it again on every run (queries.tasks._windowed, _word)."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from supervision.extensions import db
from supervision.queries.tasks import _word

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


@pytest.mark.parametrize("role", ["lead", "member"])
def test_the_task_list_writes_its_window_and_words_into_the_text(client, world, role):  # noqa: F811
    client.login_user(world[role])
    for page, offset in ((1, 0), (2, 20)):
        with executed() as seen:
            assert client.get(f"/tasks/?page={page}").status_code == 200
        if page == 2:  # past the end: the count runs apart, with the user's values only
            seen = [s for s in seen if "OFFSET" in s[0]]
        statement, parameters = _list_statement(seen, "AS serious_findings")
        assert f"LIMIT 20 OFFSET {offset})" in statement
        assert "status != 'dismissed'" in statement and "severity = 'serious'" in statement
        assert "IN ('open', 'noticed', 'resolved')" in statement
        assert not {"dismissed", "open", "noticed", "resolved", "serious"} & set(_bound_values(parameters))


@pytest.mark.parametrize("role", ["lead", "member"])
def test_the_findings_list_writes_its_window_into_the_text(client, world, role):  # noqa: F811
    client.login_user(world[role])
    for page, offset in ((1, 0), (3, 60)):
        with executed() as seen:
            assert client.get(f"/tasks/findings?page={page}&severity=serious").status_code == 200
        statement, parameters = _list_statement(seen, "AS files")
        assert re.search(rf"LIMIT 30 OFFSET {offset}\)", statement), statement
        assert "serious" in _bound_values(parameters)  # a filter's value stays bound
        assert not {30, offset} & set(_bound_values(parameters))


def test_a_word_is_the_code_s_own_never_a_value_to_quote():
    assert str(_word("dismissed")) == "'dismissed'"
    for bad in ("it's", "a b", "x'; drop table finding; --", ""):
        with pytest.raises(ValueError):
            _word(bad)
