"""The per-process caches of derived figures (issue 12, cold caches): the dashboard's year figures,
the lead home's office-wide panels and the office scorecard.

Each is keyed by what it reads, so a change shows on the next request, a login or an unrelated
edit keeps the entry (the second request computes nothing: counted), and users who may see
different things never share an entry.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from supervision import audit, cache
from supervision.audit import change_versions, changes_stamp, record_event
from supervision.extensions import db
from supervision.models import Assessment, AuditEvent

from . import factories
from .conftest import count_queries

# A CSRF token carries the second it was signed in: two draws of one page differ there only.
_TOKENS = re.compile(r'((?:name="csrf_token"|name="csrf-token")[^>]*?(?:value|content)=")[^"]+')


def _without_tokens(page: str) -> str:
    return _TOKENS.sub(r"\1TOKEN", page)


YEAR = date.today().year


def _login_event(user) -> None:
    """What a sign-in writes besides the user's last login: an audit event."""
    record_event(actor=user, action="user.login", record_type="user", record_id=user.id, summary="登录")
    db.session.commit()


def _findings_figure(client, year: int) -> int:
    html = client.get(f"/dashboard/?year={year}").get_data(as_text=True)
    block = html.split('data-figure="findings"', 1)[1]
    return int(re.search(r'class="stat-value[^"]*">(\d+)', block).group(1))


@pytest.fixture
def records(make_user):
    lead = make_user("lead")
    task = factories.TaskFactory(status="active", year=YEAR)
    findings = [factories.FindingFactory(task=task, found_on=date(YEAR, 3, 1)) for _ in range(3)]
    db.session.commit()
    return {"lead": lead, "task": task, "findings": findings}


@pytest.fixture
def computed(monkeypatch):
    """The names of the figure parts and home panels computed (not taken from the cache)."""
    import supervision.figures as figures
    import supervision.views.main as main

    calls: list[str] = []
    part = figures._compute_part
    panel = main._render_panel
    monkeypatch.setattr(figures, "_compute_part", lambda name, *a: calls.append(name) or part(name, *a))
    monkeypatch.setattr(main, "_render_panel", lambda p, u: calls.append(p.__qualname__) or panel(p, u))
    return calls


# --- the dashboard ------------------------------------------------------------------------------


def test_dashboard_keeps_its_figures_through_a_login(client, records, computed):
    client.login_user(records["lead"])
    assert _findings_figure(client, YEAR) == 3
    with count_queries(keep_cache=True) as warm:
        assert _findings_figure(client, YEAR) == 3
    computed.clear()
    _login_event(records["lead"])
    _login_event(factories.UserFactory(role="liaison"))
    with count_queries(keep_cache=True) as after_login:
        assert _findings_figure(client, YEAR) == 3
    assert computed == []  # every part reused
    assert after_login() == warm()


def test_dashboard_shows_a_change_at_once_and_recomputes_only_what_it_reads(client, records, computed):
    client.login_user(records["lead"])
    assert _findings_figure(client, YEAR) == 3
    computed.clear()
    finding = records["findings"][0]
    response = client.post_form(f"/tasks/findings/{finding.id}/dismiss", {"reason": "重复登记"})
    assert response.status_code == 302
    assert _findings_figure(client, YEAR) == 2
    assert computed == ["findings"]  # the tasks, notices, reviews, assessments parts are reused


def test_an_edit_of_another_kind_of_record_keeps_the_figures(client, records, computed, make_user):
    client.login_user(records["lead"])
    _findings_figure(client, YEAR)
    computed.clear()
    other = make_user("liaison")
    other.display_name = "改过的名字"
    record_event(actor=records["lead"], action="user.update", record_type="user", record_id=other.id)
    db.session.commit()
    assert _findings_figure(client, YEAR) == 3
    assert computed == []


def test_a_record_of_an_unknown_type_empties_every_entry(client, records, computed):
    """A new kind of record nobody declared as read is treated as a change of everything."""
    client.login_user(records["lead"])
    _findings_figure(client, YEAR)
    computed.clear()
    record_event(actor=None, action="widget.create", record_type="widget", record_id=1)
    db.session.commit()
    _findings_figure(client, YEAR)
    assert sorted(computed) == sorted(
        ["tasks", "findings", "notices", "close_days", "reviews", "assessments"]
    )


def _annual_findings(client, year: int) -> int:
    html = client.get(f"/dashboard/annual?year={year}").get_data(as_text=True)
    return int(re.search(r'status=counted">(\d+)</a>', html).group(1))


def test_the_figures_html_is_rendered_once_and_follows_a_change_at_once(client, records, monkeypatch):
    """The dashboard's and the annual page's figures are drawn once per change for office readers."""
    import supervision.views.dashboard as dashboard

    drawn: list[str] = []
    render = dashboard.render_template
    monkeypatch.setattr(dashboard, "render_template", lambda t, **c: drawn.append(t) or render(t, **c))
    client.login_user(records["lead"])
    assert (_findings_figure(client, YEAR), _annual_findings(client, YEAR)) == (3, 3)
    drawn.clear()
    assert (_findings_figure(client, YEAR), _annual_findings(client, YEAR)) == (3, 3)
    assert drawn == ["dashboard/index.html", "dashboard/annual.html"]  # the figures were kept
    response = client.post_form(
        f"/tasks/findings/{records['findings'][0].id}/dismiss", {"reason": "重复登记"}
    )
    assert response.status_code == 302
    assert (_findings_figure(client, YEAR), _annual_findings(client, YEAR)) == (2, 2)


def test_the_figures_html_of_a_narrower_scope_is_never_kept(client, records, make_user, monkeypatch):
    """A reader of the dashboard who does not read every record sees figures of their own: drawn
    on each visit, never kept (nor shared with the office's readers)."""
    from supervision import permissions

    monkeypatch.setitem(permissions.CAPABILITIES, "viewer", frozenset({"dashboard.view", "tasks.read_all"}))
    viewer = make_user("lead")
    viewer.role = "viewer"
    db.session.commit()
    client.login_user(viewer)
    assert client.get(f"/dashboard/?year={YEAR}").status_code == 200
    assert client.get(f"/dashboard/annual?year={YEAR}").status_code == 200
    assert not [k for k in cache._derived if k and k[0] == "figures-html"]
    client.login_user(records["lead"])
    client.get(f"/dashboard/?year={YEAR}")
    assert [k[3] for k in cache._derived if k and k[0] == "figures-html"] == ["lead"]


def test_a_late_commit_below_the_newest_event_is_still_seen(records, monkeypatch):
    """PostgreSQL hands out ids before commit: an event may appear below one already read.

    (SQLite commits its ids in order, one writer at a time, and reads no window: PostgreSQL's
    window is taken here on either database, the late commit made by hand.)"""
    monkeypatch.setattr(audit, "_window", lambda dialect: audit._WINDOW)
    _login_event(records["lead"])
    change_versions()
    before = changes_stamp("finding")
    top = db.session.scalar(db.select(db.func.max(AuditEvent.id)))
    db.session.add(AuditEvent(id=top + 10, action="task.update", record_type="task", record_id=1))
    db.session.commit()
    change_versions()  # this process has now read up to top + 10
    assert changes_stamp("finding") == before
    db.session.add(AuditEvent(id=top + 5, action="finding.update", record_type="finding", record_id=1))
    db.session.commit()  # committed late, below the newest event read
    change_versions()
    assert changes_stamp("finding") != before


def test_logins_move_no_stamp():
    change_versions()
    before = changes_stamp(*audit.KNOWN_TYPES)
    user = factories.UserFactory(role="lead")
    db.session.commit()
    for action in ("user.login", "user.logout", "user.login_failed"):
        record_event(actor=user, action=action, record_type="user", record_id=user.id)
    db.session.commit()
    assert changes_stamp(*audit.KNOWN_TYPES) == before


# --- the lead home ------------------------------------------------------------------------------


def test_lead_home_panels_survive_a_login_and_follow_a_change(client, records, computed):
    client.login_user(records["lead"])
    page = _without_tokens(client.get("/").get_data(as_text=True))
    assert client.get("/").status_code == 200
    with count_queries(keep_cache=True) as warm:
        client.get("/")
    computed.clear()
    _login_event(records["lead"])
    with count_queries(keep_cache=True) as after_login:
        assert _without_tokens(client.get("/").get_data(as_text=True)) == page
    assert computed == [] and after_login() == warm()
    # A new active task: the tasks panel (and the year strip, which counts tasks) show it at once;
    # the notices, reviews and scorecards panels are reused.
    task = factories.TaskFactory(status="active", year=YEAR, title="新开展的专项督察")
    db.session.flush()
    record_event(actor=records["lead"], action="task.activate", record_type="task", record_id=task.id)
    db.session.commit()
    assert "新开展的专项督察" in client.get("/").get_data(as_text=True)
    assert sorted(computed) == ["lead_panel", "tasks", "year_strip_panel"]


def test_office_wide_panels_are_kept_per_role(client, records, make_user):
    """The lead and the admin both see the year strip; each role has its own entry."""
    admin = make_user("admin")
    client.login_user(records["lead"])
    client.get("/")
    client.login_user(admin)
    client.get("/")
    keys = [k for k in cache._derived if k and k[0] == "home-panel" and k[2] == "year_strip_panel"]
    assert sorted(k[4] for k in keys) == ["admin", "lead"]


def test_panels_of_one_unit_are_never_cached_for_another(client, make_user):
    """A liaison's panels show her unit's records: they are rendered per user, never cached."""
    unit_a, unit_b = factories.UnitFactory(name="甲单位"), factories.UnitFactory(name="乙单位")
    kind = factories.NoticeKindFactory()
    for unit, title in ((unit_a, "甲单位的整改通知"), (unit_b, "乙单位的整改通知")):
        factories.NoticeFactory(
            kind=kind, unit=unit, title=title, status="issued", deadline=date(YEAR, 12, 31)
        )
    a, b = make_user("liaison", unit=unit_a), make_user("liaison", unit=unit_b)
    db.session.commit()
    client.login_user(a)
    page_a = client.get("/").get_data(as_text=True)
    client.login_user(b)
    page_b = client.get("/").get_data(as_text=True)
    assert "乙单位的整改通知" not in page_a and "甲单位的整改通知" not in page_b
    assert not [k for k in cache._derived if k and k[0] == "home-panel" and k[4] == "liaison"]


# --- the office scorecard -----------------------------------------------------------------------


@pytest.fixture
def boards(make_user, monkeypatch):
    from supervision.services import scorecard_reports

    framework = factories.FrameworkFactory()
    this_round = factories.AssessmentRoundFactory(framework=framework, year=YEAR, status="open")
    last_round = factories.AssessmentRoundFactory(framework=framework, year=YEAR - 1, status="closed")
    now = datetime.now(UTC)
    for n in range(3):
        factories.AssessmentFactory(
            round=this_round,
            unit=factories.UnitFactory(short_name=f"今年单位{n}"),
            status="finalized",
            finalized_at=now - timedelta(days=n + 1),
            area_scores={},
        )
    waiting = factories.AssessmentFactory(
        round=this_round, unit=factories.UnitFactory(short_name="待定稿单位"), status="evaluated"
    )
    older = factories.AssessmentFactory(
        round=last_round, unit=factories.UnitFactory(short_name="去年单位"), status="evaluated"
    )
    lead = make_user("lead")
    db.session.commit()
    calls: list[int] = []
    board = scorecard_reports._office_scorecard
    monkeypatch.setattr(scorecard_reports, "_office_scorecard", lambda r: calls.append(r.id) or board(r))
    return {"lead": lead, "round": this_round, "waiting": waiting, "older": older, "calls": calls}


def _finalize(assessment: Assessment, actor) -> None:
    assessment.status = "finalized"
    assessment.finalized_at = datetime.now(UTC)
    assessment.area_scores = {}
    record_event(actor=actor, action="assessment.finalize", record_type="assessment", record_id=assessment.id)
    db.session.commit()


def test_office_scorecard_keeps_its_board_through_a_login_and_other_rounds(client, boards):
    client.login_user(boards["lead"])
    url = f"/scorecards/office?round={boards['round'].id}"
    page = client.get(url).get_data(as_text=True)
    assert "今年单位0" in page and "待定稿单位" not in page
    with count_queries(keep_cache=True) as warm:
        client.get(url)
    boards["calls"].clear()
    _login_event(boards["lead"])
    _finalize(boards["older"], boards["lead"])  # a change in another round (now in the menu)
    with count_queries(keep_cache=True) as after:
        again = client.get(url).get_data(as_text=True)
    assert "今年单位0" in again and f"{YEAR - 1} · " in again
    # An assessment changed: the rounds and the board's stamp are read again (warm, the page reads
    # neither, only the audit feed); the board itself is kept, its stamp has not moved.
    assert boards["calls"] == [] and after() == warm() + 2
    with count_queries(keep_cache=True) as later:
        client.get(url)
    assert later() == warm()


def test_office_scorecard_shows_a_finalization_and_a_rename_at_once(client, boards):
    client.login_user(boards["lead"])
    url = f"/scorecards/office?round={boards['round'].id}"
    client.get(url)
    _finalize(boards["waiting"], boards["lead"])
    assert "待定稿单位" in client.get(url).get_data(as_text=True)
    unit = boards["waiting"].unit
    unit.short_name = "改名后的单位"
    # A rename writes its audit event (services.org.unit_update): the feed tells the board's stamp
    # to be read again, as every cache of derived figures relies on (audit.change_versions).
    record_event(actor=boards["lead"], action="unit.update", record_type="unit", record_id=unit.id)
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "改名后的单位" in page and "待定稿单位" not in page
    assert boards["calls"] == [boards["round"].id] * 3


def test_office_scorecard_draws_its_board_once_and_in_each_language(client, boards):
    client.login_user(boards["lead"])
    url = f"/scorecards/office?round={boards['round'].id}"
    chinese = client.get(url).get_data(as_text=True)
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = client.get(url).get_data(as_text=True)
    with client.session_transaction() as session:
        session["lang"] = "zh_CN"
    again = client.get(url).get_data(as_text=True)
    assert "已定稿单位" in chinese and "已定稿单位" not in english and "名次" not in english
    assert "名次" in again and again.count("今年单位") == chinese.count("今年单位") == 3
    assert english.count("今年单位") == 3 and boards["calls"] == [boards["round"].id]


def test_office_scorecard_shows_a_new_round_title_and_a_reopened_assessment_at_once(client, boards):
    client.login_user(boards["lead"])
    url = f"/scorecards/office?round={boards['round'].id}"
    assert "今年单位0" in client.get(url).get_data(as_text=True)
    this_round = boards["round"]
    this_round.title = "改过名的一轮"
    record_event(actor=boards["lead"], action="round.update", record_type="round", record_id=this_round.id)
    db.session.commit()
    assert "改过名的一轮" in client.get(url).get_data(as_text=True)
    finalized = db.session.query(Assessment).filter_by(round_id=this_round.id, status="finalized")
    reopened = next(a for a in finalized if a.unit.short_name == "今年单位0")
    reopened.status = "evaluated"
    record_event(
        actor=boards["lead"], action="assessment.reopen", record_type="assessment", record_id=reopened.id
    )
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "今年单位0" not in page and "今年单位1" in page


def test_office_scorecard_is_only_for_office_readers(client, boards, make_user):
    client.login_user(make_user("liaison", unit=boards["waiting"].unit))
    assert client.get("/scorecards/office").status_code == 403
    assert boards["calls"] == []


# --- the findings list's total --------------------------------------------------------------------


def _findings_total(client, query: str = "") -> int:
    html = client.get(f"/tasks/findings{query}").get_data(as_text=True)
    return int(re.search(r"共 (\d+) 条", html).group(1))


def test_findings_list_keeps_its_total_and_shows_a_change_at_once(client, records, make_user):
    client.login_user(records["lead"])
    assert _findings_total(client) == 3
    new = factories.FindingFactory(task=records["task"], found_on=date(YEAR, 3, 2))
    db.session.commit()
    assert _findings_total(client) == 3  # kept: a finding written without its audit event is not seen
    cache.clear()
    assert _findings_total(client) == 4
    new = factories.FindingFactory(task=records["task"], found_on=date(YEAR, 3, 2))
    db.session.flush()
    record_event(
        actor=records["lead"],
        action="finding.create",
        record_type="finding",
        record_id=new.id,
        summary="新增",
    )
    db.session.commit()
    assert _findings_total(client) == 5
    assert _findings_total(client, "?status=counted") == 5
    records["findings"][0].status = "dismissed"
    record_event(
        actor=records["lead"],
        action="finding.dismiss",
        record_type="finding",
        record_id=records["findings"][0].id,
        summary="撤销",
    )
    db.session.commit()
    assert _findings_total(client, "?status=counted") == 4
    assert _findings_total(client) == 5


def test_findings_list_totals_of_an_inspector_and_the_office_are_never_shared(client, records, make_user):
    other = factories.TaskFactory(status="active", year=YEAR)
    factories.FindingFactory(task=other, found_on=date(YEAR, 3, 1))
    inspector = make_user("inspector")
    factories.TaskInspectorFactory(task=other, user=inspector)
    db.session.commit()
    client.login_user(records["lead"])
    assert _findings_total(client) == 4
    client.login_user(inspector)
    assert _findings_total(client) == 1  # only the finding of the inspector's task
    client.login_user(records["lead"])
    assert _findings_total(client) == 4
