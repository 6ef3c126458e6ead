"""Stale edits: every versioned edit form refuses an edit made on an older copy, shows what
the other person saved beside what was typed, carries the current version so a deliberate second save
works, refuses a form without a version, and a real race between two sessions is never a 500."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from supervision.extensions import db
from supervision.formatting import local_today
from supervision.models import Finding, Unit
from supervision.services import org
from supervision.services import tasks as service

from . import factories

STALE = "已被他人修改"


@pytest.fixture
def world(make_user):
    own, target = factories.UnitFactory(), factories.UnitFactory()
    member = make_user("inspector", unit=own)
    task = factories.TaskFactory(status="active")
    task.units = [target]
    factories.TaskInspectorFactory(task=task, user=member, is_leader=True)
    finding = factories.FindingFactory(task=task, unit=target, inspector=member, description="原来的描述")
    db.session.commit()
    return {"member": member, "target": target, "finding": finding}


def finding_form(w, **over) -> dict:
    form = {
        "unit_id": str(w["target"].id),
        "category": "证据",
        "severity": "serious",
        "description": "我填写的描述",
        "legal_basis": "",
        "found_on": local_today().isoformat(),
    }
    form.update(over)
    return form


def form_version_of(page: str) -> int:
    match = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert match, "no version field on the page"
    return int(match.group(1))


def test_stale_finding_edit_keeps_typing_shows_theirs_and_a_second_save_works(client, world):
    finding, member = world["finding"], world["member"]
    client.login_user(member)
    opened = finding.version
    # Meanwhile someone else (here: the same inspector in another tab) saves a change.
    service.finding_update(
        actor=member,
        finding=finding,
        data={**finding_form(world), "description": "他人的描述", "found_on": local_today()},
    )
    current = db.session.get(Finding, finding.id).version
    assert current != opened

    refused = client.post_form(f"/tasks/findings/{finding.id}/edit", finding_form(world, version=str(opened)))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and STALE in page
    assert "我填写的描述" in page  # what was typed is still in the form
    assert "他人已保存的内容" in page and "他人的描述" in page  # and what the other person saved
    assert form_version_of(page) == current
    assert db.session.get(Finding, finding.id).description == "他人的描述"

    again = client.post_form(
        f"/tasks/findings/{finding.id}/edit", finding_form(world, version=str(form_version_of(page)))
    )
    assert again.status_code == 302
    assert db.session.get(Finding, finding.id).description == "我填写的描述"


def test_the_message_beside_the_stale_panel_does_not_say_refresh(client, world):
    # Refreshing would throw away what was typed; the panel says to compare and save again, and the
    # message above it must say the same (it said "请刷新页面…后重新提交").
    finding, member = world["finding"], world["member"]
    client.login_user(member)
    opened = finding.version
    service.finding_update(
        actor=member,
        finding=finding,
        data={**finding_form(world), "description": "他人的描述", "found_on": local_today()},
    )
    refused = client.post_form(f"/tasks/findings/{finding.id}/edit", finding_form(world, version=str(opened)))
    page = refused.get_data(as_text=True)
    assert "他人已保存的内容" in page
    assert "刷新页面" not in page
    assert "确认后可再次保存" in page


def test_a_form_without_version_is_refused(client, world):
    finding = world["finding"]
    client.login_user(world["member"])
    response = client.post_form(f"/tasks/findings/{finding.id}/edit", finding_form(world))
    assert response.status_code == 200 and STALE in response.get_data(as_text=True)
    assert db.session.get(Finding, finding.id).description == "原来的描述"


def test_stale_unit_edit_shows_the_panel(client, login_as):
    admin = login_as("admin")
    unit = factories.UnitFactory(name="海曙区审计局")
    db.session.commit()
    opened = unit.version
    org.unit_update(
        actor=admin,
        unit=unit,
        data={
            "name": "海曙区审计局（改）",
            "short_name": unit.short_name,
            "kind": "department",
            "code": unit.code,
        },
    )
    response = client.post_form(
        f"/admin/units/{unit.id}/edit",
        {
            "name": "海曙区审计局",
            "short_name": "审计局",
            "kind": "department",
            "code": "A-1",
            "version": opened,
        },
    )
    page = response.get_data(as_text=True)
    assert STALE in page and "海曙区审计局（改）" in page and "他人已保存的内容" in page
    assert form_version_of(page) == db.session.get(Unit, unit.id).version


def race(app, url: str, users_and_forms: list[tuple], rounds: int = 1) -> list[int]:
    """POST each form from its own client, all released at the same instant; the status codes."""
    clients = []
    for user, _form in users_and_forms:
        c = app.test_client()
        c.login_user(user)
        clients.append((c, c.csrf_token()))
    db.session.commit()
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = [0] * len(clients)

    def post(i: int) -> None:
        c, token = clients[i]
        barrier.wait()
        statuses[i] = c.post(url, data={**users_and_forms[i][1], "csrf_token": token}).status_code

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


@pytest.mark.real_commits  # the saves race in threads, each on its own connection
def test_two_sessions_saving_the_same_finding_at_once_are_never_a_500(app, world):
    finding, member = world["finding"], world["member"]
    for n in range(10):
        version = db.session.get(Finding, finding.id).version
        forms = [
            (member, finding_form(world, description=f"第{n}轮，{who}", version=str(version)))
            for who in "甲乙"
        ]
        statuses = race(app, f"/tasks/findings/{finding.id}/edit", forms)
        db.session.expire_all()
        assert 500 not in statuses
        assert sorted(statuses) == [200, 302]  # one saved, the other was told and kept its text
        assert db.session.get(Finding, finding.id).description.startswith(f"第{n}轮")


@pytest.mark.real_commits  # the saves race in threads, each on its own connection
def test_two_admins_saving_the_same_unit_at_once_are_never_a_500(app, make_user):
    admins = [make_user("admin"), make_user("admin")]
    unit = factories.UnitFactory()
    db.session.commit()
    for n in range(10):
        version = db.session.scalar(select(Unit.version).where(Unit.id == unit.id))
        forms = [
            (
                admin,
                {
                    "name": f"单位第{n}轮{i}",
                    "short_name": "简称",
                    "kind": "department",
                    "code": "",
                    "version": version,
                },
            )
            for i, admin in enumerate(admins)
        ]
        statuses = race(app, f"/admin/units/{unit.id}/edit", forms)
        assert 500 not in statuses and sorted(statuses) == [200, 302]


def test_stale_notice_draft_shows_theirs_and_a_second_save_works(app, client, make_user):
    from supervision.models import Notice

    from .test_notices import World, _form_for

    w = World(make_user)
    notice = w.draft()
    opened = notice.version
    other = app.test_client()
    other.login_user(w.inspector)
    other.post_form(
        f"/notices/{notice.id}/edit", _form_for(w, w.findings[:2], title="他人的标题", version=str(opened))
    )
    client.login_user(w.inspector)
    mine = _form_for(w, w.findings[:1], title="我的标题")
    page = client.post_form(f"/notices/{notice.id}/edit", {**mine, "version": str(opened)}).get_data(
        as_text=True
    )
    current = db.session.get(Notice, notice.id).version
    assert STALE in page and "他人的标题" in page and "我的标题" in page
    assert form_version_of(page) == current
    assert (
        client.post_form(f"/notices/{notice.id}/edit", {**mine, "version": str(current)}).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(Notice, notice.id).title == "我的标题"


def test_form_version_reads_what_was_posted_not_the_stored_record(app, world):
    from supervision.forms.tasks import FindingForm
    from supervision.views.helpers import form_version

    finding = world["finding"]
    with app.test_request_context(method="POST", data={"description": "x"}):
        assert form_version(FindingForm(obj=finding, meta={"csrf": False})) == 0
    with app.test_request_context(method="POST", data={"version": "7"}):
        assert form_version(FindingForm(obj=finding, meta={"csrf": False})) == 7
