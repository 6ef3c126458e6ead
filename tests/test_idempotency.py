"""Double submit: a create form carries a one-time token; a second POST with the same token,
sequential or at the same instant, creates nothing and lands on the first one's result page."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from supervision.extensions import db
from supervision.formatting import local_today
from supervision.models import Escalation, Finding, FormSubmission, SupervisionTask

from . import factories
from .test_notices import World

TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"|name="form_token" value="([^"]+)"')


def token_on(page: str) -> str:
    match = TOKEN.search(page)
    assert match, "no form_token on the page"
    return match.group(1) or match.group(2)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def post_at_once(app, user, url: str, data: dict, n: int = 2) -> list:
    """The same form POSTed n times at the same instant, each from its own client (two tabs, a
    double click that the browser sent twice)."""
    clients = []
    for _ in range(n):
        c = app.test_client()
        c.login_user(user)
        clients.append((c, c.csrf_token()))
    db.session.commit()
    barrier = threading.Barrier(n)
    responses: list = [None] * n

    def post(i: int) -> None:
        c, csrf = clients[i]
        barrier.wait()
        responses[i] = c.post(url, data={**data, "csrf_token": csrf})

    threads = [threading.Thread(target=post, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.expire_all()
    return responses


@pytest.fixture
def world(make_user):
    own, target = factories.UnitFactory(), factories.UnitFactory()
    member = make_user("inspector", unit=own)
    lead = make_user("lead")
    task = factories.TaskFactory(status="active")
    task.units = [target]
    factories.TaskInspectorFactory(task=task, user=member, is_leader=True)
    db.session.commit()
    return {"member": member, "lead": lead, "task": task, "target": target, "own": own}


def finding_form(w, token: str) -> dict:
    return {
        "unit_id": str(w["target"].id),
        "category": "证据",
        "severity": "serious",
        "description": "现场照片未注明拍摄时间",
        "legal_basis": "",
        "found_on": local_today().isoformat(),
        "form_token": token,
    }


def test_the_form_carries_a_fresh_token_each_time(client, world):
    client.login_user(world["member"])
    url = f"/tasks/{world['task'].id}/findings/new"
    first, second = (token_on(client.get(url).get_data(as_text=True)) for _ in range(2))
    assert first != second and len(first) >= 20


def test_a_second_finding_post_with_the_same_token_creates_nothing(client, world):
    client.login_user(world["member"])
    url = f"/tasks/{world['task'].id}/findings/new"
    token = token_on(client.get(url).get_data(as_text=True))
    first = client.post_form(url, finding_form(world, token))
    second = client.post_form(url, finding_form(world, token))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Finding) == 1
    assert db.session.get(FormSubmission, token).result_url == first.headers["Location"]
    # A new form (a new token) records a second finding, as it should.
    third = client.post_form(url, finding_form(world, token_on(client.get(url).get_data(as_text=True))))
    assert third.status_code == 302 and count(Finding) == 2


def test_a_refused_create_does_not_use_up_the_token(client, world):
    client.login_user(world["member"])
    url = f"/tasks/{world['task'].id}/findings/new"
    token = token_on(client.get(url).get_data(as_text=True))
    refused = client.post_form(url, {**finding_form(world, token), "unit_id": str(world["own"].id)})
    assert refused.status_code == 200 and count(Finding) == 0
    assert token_on(refused.get_data(as_text=True)) == token
    assert client.post_form(url, finding_form(world, token)).status_code == 302
    assert count(Finding) == 1


@pytest.mark.real_commits  # the posts race in threads, each on its own connection
def test_two_finding_posts_at_once_create_one(app, world):
    url = f"/tasks/{world['task'].id}/findings/new"
    for n in range(5):
        responses = post_at_once(app, world["member"], url, finding_form(world, f"finding-token-{n}"))
        assert [r.status_code for r in responses] == [302, 302]
        assert len({r.headers["Location"] for r in responses}) == 1
        assert count(Finding) == n + 1


def task_form(w, token: str) -> dict:
    return {
        "title": "行政执法“三项制度”专项督察",
        "kind": "special",
        "basis": "",
        "description": "",
        "period_start": "2026-04-01",
        "period_end": "2026-05-31",
        "unit_ids": [str(w["target"].id)],
        "inspector_ids": [str(w["member"].id)],
        "leader_id": str(w["member"].id),
        "form_token": token,
    }


@pytest.mark.real_commits  # the posts race in threads, each on its own connection
def test_two_task_posts_at_once_create_one(app, world):
    before = count(SupervisionTask)
    for n in range(5):
        responses = post_at_once(app, world["lead"], "/tasks/new", task_form(world, f"task-token-{n}"))
        assert [r.status_code for r in responses] == [302, 302]
        assert len({r.headers["Location"] for r in responses}) == 1
        assert count(SupervisionTask) == before + n + 1


@pytest.mark.real_commits  # the posts race in threads, each on its own connection
def test_two_interview_posts_at_once_record_one(app, make_user):
    w = World(make_user)
    notice = w.issued(today=date(2025, 3, 3))  # long overdue by now
    db.session.commit()
    url = f"/notices/{notice.id}/escalations"
    for n in range(3):
        data = {
            "kind": "interview",
            "on_date": local_today().isoformat(),
            "note": "约谈",
            "form_token": f"esc-{n}",
        }
        responses = post_at_once(app, w.lead, url, data)
        assert [r.status_code for r in responses] == [302, 302]
        assert count(Escalation) == n + 1


def test_the_notice_page_gives_the_escalation_form_a_token(client, make_user):
    w = World(make_user)
    notice = w.issued(today=date(2025, 3, 3))
    client.login_user(w.lead)
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    form = page[page.index('data-testid="escalation-form"') :]
    assert token_on(form[: form.index("</form>")])


def test_old_form_tokens_are_cleaned_and_recent_ones_kept(client, world, app):
    from datetime import timedelta

    from supervision.models import utcnow
    from supervision.services.form_submissions import form_submissions_clean

    client.login_user(world["member"])
    url = f"/tasks/{world['task'].id}/findings/new"
    token = token_on(client.get(url).get_data(as_text=True))
    client.post_form(url, finding_form(world, token))
    keep = timedelta(hours=app.config["SESSION_MAX_HOURS"]) + timedelta(days=1)
    assert form_submissions_clean(now=utcnow() + keep - timedelta(minutes=1)) == 0
    assert db.session.get(FormSubmission, token) is not None  # a tab drawn in a live session still counts
    assert form_submissions_clean(now=utcnow() + keep + timedelta(minutes=1)) == 1
    db.session.expire_all()
    assert db.session.get(FormSubmission, token) is None and count(Finding) == 1
