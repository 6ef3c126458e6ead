"""Search through its index: in sync within the transaction, ranked, 1-character queries,
scoped by the same permission helpers; on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, text

from supervision.extensions import db
from supervision.queries.search import search_all
from supervision.search import KINDS, LIST_HITS, searched

from . import factories
from .conftest import count_queries, is_postgres, statements_during


def _titles(results, kind="tasks"):
    return [r.title for r in results[kind]]


def test_a_record_is_found_in_the_transaction_that_creates_it(make_user):
    lead = make_user("lead")
    task = factories.TaskFactory.build(title="石碶街道行政许可专项督察", code="DC-2026-901")
    db.session.add(task)
    db.session.flush()  # not committed: the index row is written in the same transaction
    assert _titles(search_all(lead, "行政许可专项")) == ["石碶街道行政许可专项督察"]
    task.title = "石碶街道涉企检查专项督察"
    db.session.flush()
    assert _titles(search_all(lead, "行政许可专项")) == []
    assert _titles(search_all(lead, "涉企检查")) == ["石碶街道涉企检查专项督察"]
    db.session.rollback()  # and gone with the transaction
    assert _titles(search_all(lead, "涉企检查")) == []


def test_a_deleted_record_is_not_found(make_user):
    lead = make_user("lead")
    task = factories.TaskFactory(title="古林镇综合执法专项督察")
    assert _titles(search_all(lead, "综合执法专项")) == ["古林镇综合执法专项督察"]
    db.session.delete(task)
    db.session.commit()
    assert _titles(search_all(lead, "综合执法专项")) == []


@pytest.mark.parametrize("role", ["lead", "inspector"])
def test_exact_matches_come_first_then_those_that_start_with_the_text(make_user, role):
    """Also for an inspector, who sees a few of the tasks (PostgreSQL reads them first, then ranks)."""
    user = make_user(role)
    titles = [
        "关于横街镇专项督察的补充督察",
        "横街镇专项督察",
        "横街镇专项督察（第二批）",
        "再查横街镇专项督察",
    ]
    # contains, exact, starts with, and more newer ones that contain it than a list shows
    titles += [f"第{i}次复查横街镇专项督察" for i in range(LIST_HITS)]
    for title in titles:
        task = factories.TaskFactory(title=title)
        if role == "inspector":
            factories.TaskInspectorFactory(task=task, user=user)
    factories.TaskFactory(title="横街镇专项督察（另一批）")  # starts with; not the inspector's
    found = _titles(search_all(user, "横街镇专项督察"))
    starts = {"横街镇专项督察（第二批）"} | ({"横街镇专项督察（另一批）"} if role == "lead" else set())
    assert found[0] == "横街镇专项督察"
    assert set(found[1 : 1 + len(starts)]) == starts
    assert len(found) == LIST_HITS and not any(t.startswith("横街镇") for t in found[1 + len(starts) :])


@pytest.mark.parametrize("q", ["海", "海曙", "曙"])
def test_one_and_two_character_queries_find_records(make_user, q):
    lead = make_user("lead")
    basis = "依法治区办〔2026〕1号"  # the factory's basis names 海曙 too
    factories.TaskFactory(title="海曙区专项督察", basis=basis)
    factories.TaskFactory(title="鄞州区专项督察", basis=basis)
    assert _titles(search_all(lead, q)) == ["海曙区专项督察"]


def test_a_short_query_puts_its_exact_match_first(make_user):
    lead = make_user("lead")
    basis = "依法治区办〔2026〕1号"
    factories.TaskFactory(title="月", basis=basis)
    factories.TaskFactory(title="月湖街道专项督察", basis=basis)  # newer: first in the list's own order
    factories.TaskFactory(title="望春桥月度督察", basis=basis)
    assert _titles(search_all(lead, "月")) == ["月", "月湖街道专项督察", "望春桥月度督察"]


def test_special_characters_are_literal(make_user):
    lead = make_user("lead")
    factories.TaskFactory(title='名为"引号" 100%_的任务')
    factories.TaskFactory(title="另一个任务")
    assert _titles(search_all(lead, '"引号" 100%_')) == ['名为"引号" 100%_的任务']
    assert _titles(search_all(lead, "%_")) == ['名为"引号" 100%_的任务']
    assert _titles(search_all(lead, 'OR "')) == []


def test_results_stay_scoped_by_the_permission_helpers(make_user):
    mine = factories.TaskFactory(title="月湖街道专项督察（甲）")
    factories.TaskFactory(title="月湖街道专项督察（乙）")
    inspector = make_user("inspector")
    factories.TaskInspectorFactory(task=mine, user=inspector)
    liaison = make_user("liaison")
    assert _titles(search_all(inspector, "月湖街道专项")) == ["月湖街道专项督察（甲）"]
    assert _titles(search_all(inspector, "月")) == ["月湖街道专项督察（甲）"]
    assert _titles(search_all(inspector, "月湖")) == ["月湖街道专项督察（甲）"]  # the pair index
    assert _titles(search_all(liaison, "月湖街道专项")) == []
    assert _titles(search_all(liaison, "月湖")) == []
    assert len(_titles(search_all(make_user("lead"), "月湖街道专项"))) == 2


def test_findings_are_found_by_their_unit_and_their_text(make_user):
    lead = make_user("lead")
    unit = factories.UnitFactory(name="宁波市海曙区白云街道办事处", short_name="白云街道")
    finding = factories.FindingFactory(unit=unit, description="未按规定公示执法主体信息")
    assert [f.id for f in search_all(lead, "公示执法主体")["findings"]] == [finding.id]
    assert [f.id for f in search_all(lead, "白云街道")["findings"]] == [finding.id]
    assert [u.id for u in search_all(lead, "白云街道")["units"]] == [unit.id]


def test_the_index_is_used_for_two_characters_and_more(app):
    """SQLite: the FTS5 tables answer (trigrams, and pairs for 2 characters); PostgreSQL: the
    trigram and pair indexes exist on every searched column. 1 character: the plain filter."""
    from supervision.models import SupervisionTask

    if is_postgres():
        names = {
            i["name"]
            for t in ("notice", "supervision_task", "finding", "unit", "case_file")
            for i in inspect(db.session.connection()).get_indexes(t)
        }
        for suffix in ("trgm", "bigram"):
            expected = {
                f"ix_{table}_{c}_{suffix}" for _code, table, columns in KINDS.values() for c in columns
            }
            assert expected <= names
        pair = searched("task", SupervisionTask.id, "横街", SupervisionTask.title)
        assert "search_bigrams(supervision_task.title) @>" in str(pair.compile(db.engine))
        return
    clause = searched("task", SupervisionTask.id, "横街镇", SupervisionTask.title)
    assert "search_fts MATCH" in str(clause.compile(db.engine))
    pair = searched("task", SupervisionTask.id, "横街", SupervisionTask.title)
    assert "search_bigram MATCH" in str(pair.compile(db.engine))
    one = searched("task", SupervisionTask.id, "横", SupervisionTask.title)
    assert "LIKE" in str(one.compile(db.engine))
    # Every searched table keeps its triggers (a later batch migration must recreate them).
    triggers = {
        r[0] for r in db.session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    }
    for _code, table, _columns in KINDS.values():
        for index in ("search", "search_bigram"):
            assert {f"{index}_{table}_ai", f"{index}_{table}_au", f"{index}_{table}_ad"} <= triggers


@pytest.mark.parametrize("common", [False, True], ids=["rare: the pair index", "common: the scan"])
def test_a_two_character_query_finds_what_the_plain_filter_finds(make_user, monkeypatch, common):
    """The pair index agrees with LIKE (and with the scan a common pair takes): every pair of a
    column, its first and last too, none across two columns; ASCII letters in either case on SQLite
    as its LIKE (PostgreSQL's LIKE keeps case), symbols and digits; in sync through insert, update
    and delete."""
    from supervision import search

    if common:
        monkeypatch.setattr(search, "_rare_pair", lambda q: False)
    else:
        assert search.mode("横街") == search.BIGRAM
    lead = make_user("lead")
    basis = "依法治区办〔2026〕1号"
    task = factories.TaskFactory(title="Ab横街镇专项督察", code="DC-2026-77", basis=basis)
    other = factories.TaskFactory(title="鄞州区专项督察", code="DC-2026-78", basis=basis)
    found = {
        q: {t.id for t in search_all(lead, q)["tasks"]}
        for q in ("Ab", "b横", "横街", "督察", "77", "-7", "〕1")
    }
    assert found == {
        "Ab": {task.id},
        "b横": {task.id},
        "横街": {task.id},
        "督察": {task.id, other.id},
        "77": {task.id},
        "-7": {task.id, other.id},
        "〕1": {task.id, other.id},
    }
    assert {t.id for t in search_all(lead, "察D")["tasks"]} == set()  # title's end + code's start
    assert {t.id for t in search_all(lead, "aB")["tasks"]} == (set() if is_postgres() else {task.id})
    task.title = "望春街道专项督察"
    db.session.flush()
    assert search_all(lead, "横街")["tasks"] == []
    assert [t.id for t in search_all(lead, "望春")["tasks"]] == [task.id]
    db.session.delete(other)
    db.session.flush()
    assert [t.id for t in search_all(lead, "鄞州")["tasks"]] == []


@pytest.mark.parametrize("q", ["月湖", "月湖街道"])
def test_two_users_of_one_shape_each_find_their_own(make_user, q):
    """The statements are built once per shape of user (supervision/statements.py): the unit and
    the inspector are bound values, so each liaison finds only their unit's notices and each
    inspector only their tasks' findings, whichever of them searched first."""
    unit_a = factories.UnitFactory(name="月湖街道甲", short_name="甲")
    unit_b = factories.UnitFactory(name="月湖街道乙", short_name="乙")
    notices = {
        u.id: factories.NoticeFactory(unit=u, status="issued", doc_number=f"海法督〔2026〕{u.id}号")
        for u in (unit_a, unit_b)
    }
    liaisons = [make_user("liaison", unit=u) for u in (unit_a, unit_b)]
    for liaison, unit in zip(liaisons, (unit_a, unit_b), strict=True):
        assert [n.id for n in search_all(liaison, q)["notices"]] == [notices[unit.id].id]
        assert search_all(liaison, q)["units"] == []  # a liaison does not read the unit register
    inspectors = [make_user("inspector") for _ in range(2)]
    findings = []
    for inspector, unit in zip(inspectors, (unit_a, unit_b), strict=True):
        finding = factories.FindingFactory(unit=unit)
        factories.TaskInspectorFactory(task=finding.task, user=inspector)
        findings.append(finding)
    for inspector, finding in zip(inspectors, findings, strict=True):
        assert [f.id for f in search_all(inspector, q)["findings"]] == [finding.id]
    lead = make_user("lead")
    assert {n.id for n in search_all(lead, q)["notices"]} == {n.id for n in notices.values()}


def test_the_index_is_read_once_per_search(app, make_user):
    """SQLite: one FTS lookup for every kind (not one per list and another for each list's unit
    matches), in the one statement of the five lists; PostgreSQL: that one statement."""
    from sqlalchemy import event

    lead = make_user("lead")
    factories.FindingFactory(description="未按规定公示执法主体信息")
    db.session.commit()
    assert lead.role == "lead"  # loaded again after the commit, before counting
    statements: list[str] = []

    def record(_conn, _cursor, sql, *_args):
        # PostgreSQL's generic-plan setting (a set_config) is no read of the records
        if not sql.startswith(("SAVEPOINT", "RELEASE", "SELECT set_config(")):
            statements.append(sql)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        results = search_all(lead, "公示执法主体")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(results["findings"]) == 1
    assert len(statements) == 1
    if not is_postgres():
        assert statements[0].count("MATCH") == 1  # the lookup, read by every list


def test_nothing_is_read_after_an_index_lookup_without_hits(app, make_user):
    """SQLite: a 3+ character text the index does not know costs its lookup only (the statement's
    WHERE finds no hit, so none of its lists is read)."""
    from sqlalchemy import event

    lead = make_user("lead")
    db.session.commit()
    assert lead.role == "lead"
    statements: list[str] = []

    def record(_conn, _cursor, sql, *_args):
        # PostgreSQL's generic-plan setting (a set_config) is no read of the records
        if not sql.startswith(("SAVEPOINT", "RELEASE", "SELECT set_config(")):
            statements.append(sql)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        results = search_all(lead, "无此记录的文字")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert all(rows == [] for rows in results.values())
    assert len(statements) == 1


def test_a_record_found_by_its_text_and_by_its_unit_is_listed_once_and_ranked(make_user):
    """3+ characters: each list is its ranked text matches and its unit matches, merged."""
    lead = make_user("lead")
    unit = factories.UnitFactory(name="宁波市海曙区望春街道办事处", short_name="望春街道")
    other = factories.UnitFactory(name="宁波市海曙区古林镇人民政府", short_name="古林镇")
    by_both = factories.FindingFactory(unit=unit, description="望春街道未公示执法主体信息")
    by_unit = factories.FindingFactory(unit=unit, description="未按规定送达")
    exact = factories.FindingFactory(unit=other, description="望春街道")
    ids = [f.id for f in search_all(lead, "望春街道")["findings"]]
    assert ids[:2] == [exact.id, by_both.id]  # exact, then starts with
    assert sorted(ids) == sorted([exact.id, by_both.id, by_unit.id])  # each once


def test_the_page_escapes_what_it_shows_and_speaks_the_readers_language(client, make_user):
    """The hits are HTML built in Python (views/search_rows.py): every value escaped; the labels
    kept per catalogue follow each reader's language."""
    factories.TaskFactory(title="<b>望春</b>专项督察", code="DC-2026-<i>")
    chinese = make_user("lead")
    english = make_user("lead", locale="en")
    db.session.commit()
    for user, label, kind in ((chinese, "进行中", "专项督察"), (english, "Active", "Special supervision")):
        client.login_user(user)
        html = client.get("/search/?q=望春").get_data(as_text=True)
        hits = html.split('data-testid="results-tasks"', 1)[1]
        assert "&lt;b&gt;望春&lt;/b&gt;专项督察" in hits and "DC-2026-&lt;i&gt;" in hits
        assert "<b>望春" not in hits
        assert f">{label}</span>" in hits and f"{kind} · " in hits


@pytest.mark.parametrize("q", ["望春", "望春街道"])
def test_the_search_page_runs_one_search_statement(client, make_user, q):
    """The user and the one statement of the five lists (with the index lookup on SQLite; for a
    2-character text SQLite first asks the pair index's vocabulary how many records hold it)."""
    unit = factories.UnitFactory(name="宁波市海曙区望春街道办事处", short_name="望春街道")
    factories.FindingFactory(unit=unit)
    factories.NoticeFactory(unit=unit, title="望春街道执法监督通知书")
    factories.TaskFactory(title="望春街道专项督察")
    client.login_user(make_user("lead"))
    client.get(f"/search/?q={q}")
    with count_queries() as n:
        html = client.get(f"/search/?q={q}").get_data(as_text=True)
    assert 'data-testid="results-findings"' in html and 'data-testid="results-units"' in html
    # SQLite, 2 characters: the pair's count first; PostgreSQL: the generic plan's setting first
    assert n() <= (3 if len(q) == 2 or is_postgres() else 2)


@pytest.mark.parametrize("q", ["望春", "望春街道"])
def test_the_search_statement_binds_only_the_text(make_user, q):
    """Its limits and ranks are written into the SQL (built once): each run sends the text's values
    and the asker's, not some forty constants (and a generic plan knows its LIMITs)."""
    from sqlalchemy import event

    lead = make_user("lead")
    factories.FindingFactory(description="望春街道未公示执法主体信息")
    db.session.commit()
    assert lead.role == "lead"
    search_all(lead, q)  # PostgreSQL: the pair statistics read (once per process and 10 minutes)
    sent: list = []

    def record(_conn, _cursor, sql, parameters, *_args):
        if not sql.startswith(("SAVEPOINT", "RELEASE")):
            sent.append((sql, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert len(search_all(lead, q)["findings"]) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    if len(q) == 2 and not is_postgres():  # the pair's count in the vocabulary, by its term alone
        (vocabulary, term), *sent = sent
        assert "search_bigram_vocab" in vocabulary and term == (q.encode().hex(),)
    if is_postgres():  # this transaction's generic plans, no value bound
        (setting, _none), *sent = sent
        assert "plan_cache_mode" in setting
    ((sql, parameters),) = sent
    if isinstance(parameters, dict):  # PostgreSQL: by name
        assert set(parameters) <= {"q", "q_like", "q_prefix", "asker_id", "asker_unit_id"}
    else:  # SQLite: by position, the text's values and each OFFSET's 0
        pair = f'"{q.encode().hex()}"'  # a 2-character text's token in the pair index
        assert set(parameters) <= {q, f"%{q}%", f"{q}%", f'"{q}"', pair, 0, lead.id}
        assert parameters.count(0) == sql.count("OFFSET ?")  # what SQLite writes after each LIMIT


def test_postgresql_reads_the_common_pairs_from_the_statistics(make_user, monkeypatch):
    """A pair the pair index's statistics count in many rows of a table keeps that table's scan
    (the rows ANALYZE saw; the others use the index), with the same answers."""
    if not is_postgres():
        pytest.skip("PostgreSQL's statistics (SQLite counts a pair in the index's vocabulary)")
    from supervision import search

    for i in range(25):
        factories.TaskFactory(title=f"甲乙街道专项督察（{i}）", code=f"DC-2026-{500 + i}")
    db.session.flush()
    db.session.execute(text("ANALYZE supervision_task"))  # in this test's transaction
    monkeypatch.setattr(search, "_pair_rows", {})  # read them again
    monkeypatch.setattr(search, "SCAN_COST", 0)  # any pair the statistics list is common
    indexed, held = search.pair_plan("甲乙")
    assert "task" not in indexed and {"notice", "finding", "unit"} <= set(indexed)
    assert held == search.FEW_HOLD
    assert search.mode("甲乙") == search.BIGRAM  # the other lists still use the index
    assert len(search_all(make_user("lead"), "甲乙")["tasks"]) == 20  # by the scan


@pytest.mark.parametrize("moderate", [600, 55], ids=["some units: through the unit index", "many: the scan"])
@pytest.mark.parametrize("q", ["月湖", "月湖街道"])
def test_an_inspector_finds_the_findings_of_many_units_they_may_see(make_user, monkeypatch, q, moderate):
    """More than FEW_UNITS units hold the text: an inspector, who sees their tasks' findings and
    those without a task, gets the first of them in the list's order, as the lead's list less what
    they may not see. PostgreSQL reads them through the unit index while at most MODERATE_UNITS
    units hold it (a 2-character text: by the statistics), else in the list's order."""
    from supervision import search, statements
    from supervision.queries import search as queries

    monkeypatch.setattr(statements, "_built", {})  # MODERATE_UNITS is written into the statements
    monkeypatch.setattr(queries, "MODERATE_UNITS", moderate)
    monkeypatch.setattr(search, "MODERATE_UNITS", moderate)
    inspector, lead = make_user("inspector"), make_user("lead")
    mine, other = factories.TaskFactory(), factories.TaskFactory()
    factories.TaskInspectorFactory(task=mine, user=inspector)
    recorder = factories.UserFactory()
    tasks = (mine, other, None)
    findings = []
    for i in range(search.FEW_UNITS + 10):
        unit = factories.UnitFactory(name=f"月湖街道第{i}社区", short_name=f"月湖{i}")
        findings.append(
            factories.FindingFactory(
                unit=unit,
                task=tasks[i % 3],
                inspector=recorder,
                found_on=date(2026, 3, 1) + timedelta(days=i % 7),
            )
        )
    factories.FindingFactory(task=mine, inspector=recorder)  # of a unit that does not match
    db.session.flush()
    if is_postgres() and len(q) == 2:
        db.session.execute(text("ANALYZE unit"))  # in this test's transaction
        monkeypatch.setattr(search, "_pair_rows", {})
        held = search.pair_plan(q)[1]
        assert held == (search.SOME_HOLD if moderate == 600 else search.MANY_HOLD)
    newest = sorted(findings, key=lambda f: (f.found_on, f.id), reverse=True)
    seen = [f.id for f in newest if f.task_id in (None, mine.id)]
    assert [f.id for f in search_all(inspector, q)["findings"]] == seen[:20]
    assert [f.id for f in search_all(lead, q)["findings"]] == [f.id for f in newest][:20]


def test_a_list_the_asker_sees_a_few_of_tests_its_text_on_those_rows(make_user):
    """An inspector's tasks are read first (their scope), then tested with LIKE: the pair index's
    function would be worked out again on each of them. The lead's are found through the index."""
    inspector, lead = make_user("inspector"), make_user("lead")
    tasks = [factories.TaskFactory(title=f"甲乙街道专项督察（{i}）") for i in range(4)]
    factories.TaskFactory(title="丙丁专项督察")
    for task in tasks[:2]:
        factories.TaskInspectorFactory(task=task, user=inspector)
    db.session.commit()
    mine, every = [], []
    by_inspector = statements_during(lambda: mine.extend(search_all(inspector, "甲乙")["tasks"]))
    by_lead = statements_during(lambda: every.extend(search_all(lead, "甲乙")["tasks"]))
    assert sorted(t.id for t in mine) == sorted(t.id for t in tasks[:2])
    assert sorted(t.id for t in every) == sorted(t.id for t in tasks)
    if is_postgres():
        assert "search_bigrams(supervision_task." not in "\n".join(by_inspector)
        assert "search_bigrams(supervision_task." in "\n".join(by_lead)
