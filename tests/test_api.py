"""The JSON API: personal access tokens (account page, admin, audit), authentication (tokens only for
writes, never for pages), scopes, problem+json errors, pagination and filters, the liaison's 404,
writes through the services with version checks, rate limits and the OpenAPI document."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from supervision.api import limiter
from supervision.extensions import db
from supervision.models import ApiToken, AuditEvent, Notice, Rectification, utcnow
from supervision.services.api_tokens import token_create

from .test_notices import PDF, World

PROBLEM = "application/problem+json"


@pytest.fixture
def w(make_user):
    return World(make_user)


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def bearer(user, scope="read-write") -> dict:
    _token, secret = token_create(actor=user, name="对接", scope=scope, days=30)
    return {"Authorization": f"Bearer {secret}"}


# --- tokens on the account page ----------------------------------------------------------------


def test_a_token_is_shown_once_stored_hashed_audited_and_revocable(client, login_as):
    user = login_as("liaison")
    response = client.post_form("/account/tokens", {"name": "OA 对接", "scope": "read", "days": "30"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="token-secret"' in page
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    secret = page.split('<code class="user-select-all fs-6">')[1].split("</code>")[0]
    assert secret.startswith("dct_") and len(secret) > 40
    assert token.token_hash != secret and secret not in token.token_hash and token.prefix == secret[:12]
    assert token.scope == "read" and token.expires_at > utcnow() + timedelta(days=29)
    assert db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "api_token.create"))
    # listed afterwards with its prefix only, never the secret
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert token.prefix in listing and secret not in listing
    headers = {"Authorization": f"Bearer {secret}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json["id"] == user.id and me.json["token_scope"] == "read"
    db.session.refresh(token)
    assert token.last_used_at is not None
    client.post_form(f"/account/tokens/{token.id}/revoke", {})
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "api_token.revoke")) == 1
    fresh = client.application.test_client()
    refused = fresh.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and refused.mimetype == PROBLEM


def test_expired_and_unknown_tokens_are_refused(client, make_user):
    user = make_user("lead")
    headers = bearer(user)
    token = db.session.scalar(select(ApiToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer dct_nonsense"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic eDp5"}).status_code == 401


def test_the_admin_lists_and_revokes_anyones_token_but_others_cannot(client, make_user, login_as):
    owner = make_user("inspector")
    token_create(actor=owner, name="评查系统", scope="read", days=None)
    token = db.session.scalar(select(ApiToken))
    other = login_as("lead")
    client.post_form(f"/account/tokens/{token.id}/revoke", {})
    db.session.refresh(token)
    assert token.revoked_at is None and other.id != owner.id
    client.login_user(make_user("admin"))
    page = client.get(f"/admin/users/{owner.id}").get_data(as_text=True)
    assert "评查系统" in page and token.prefix in page
    client.post_form(f"/account/tokens/{token.id}/revoke", {"next": f"/admin/users/{owner.id}"})
    db.session.refresh(token)
    assert token.revoked_at is not None


def test_token_form_refuses_bad_input(client, login_as):
    login_as("inspector")
    client.post_form("/account/tokens", {"name": "", "scope": "admin", "days": "999"})
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_a_password_change_revokes_the_users_tokens_and_says_so(client, make_user):
    user = make_user("inspector", username="chen")
    headers = bearer(user)
    other = bearer(make_user("lead"))
    client.login("chen")
    response = client.post_form(
        "/account/password",
        {"current": "Passw0rd!", "new": "Newpass123", "confirm": "Newpass123"},
        follow_redirects=True,
    )
    assert "1 个访问令牌已随之撤销" in response.get_data(as_text=True)
    fresh = client.application.test_client()
    assert fresh.get("/api/v1/me", headers=headers).status_code == 401
    assert fresh.get("/api/v1/me", headers=other).status_code == 200  # another user's token lives on
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.revoke_all"))
    assert event.actor_id == user.id and event.record_id == user.id and "修改密码" in event.summary


def test_a_refused_password_change_keeps_the_tokens(client, make_user):
    user = make_user("inspector", username="chen")
    headers = bearer(user)
    client.login("chen")
    client.post_form("/account/password", {"current": "wrong", "new": "Newpass123", "confirm": "Newpass123"})
    assert client.application.test_client().get("/api/v1/me", headers=headers).status_code == 200
    assert db.session.scalar(select(func.count(ApiToken.id)).where(ApiToken.revoked_at.is_not(None))) == 0


def test_an_admin_reset_revokes_the_users_tokens(client, make_user):
    user = make_user("liaison")
    headers = bearer(user)
    client.login_user(make_user("admin"))
    client.post_form(f"/admin/users/{user.id}/reset-password")
    assert client.application.test_client().get("/api/v1/me", headers=headers).status_code == 401
    assert db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "api_token.revoke_all"))


# --- authentication and scope ------------------------------------------------------------------


def test_a_token_never_signs_in_to_the_pages(client, make_user):
    headers = bearer(make_user("lead"))
    response = client.get("/notices/", headers=headers)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_session_reads_the_api_but_cannot_write(client, w):
    client.login_user(w.lead)
    notice = w.submitted()
    assert client.get("/api/v1/notices").status_code == 200
    response = client.post(f"/api/v1/notices/{notice.id}/issue", json={})
    assert response.status_code == 401 and response.mimetype == PROBLEM
    db.session.refresh(notice)
    assert notice.status == "submitted"


def test_a_read_token_cannot_write(client, w):
    notice = w.submitted()
    response = client.post(f"/api/v1/notices/{notice.id}/issue", json={}, headers=bearer(w.lead, "read"))
    assert response.status_code == 403 and response.json["type"].endswith("read-only-token")
    db.session.refresh(notice)
    assert notice.status == "submitted"


def test_no_api_writes_for_units_or_users(client, make_user):
    headers = bearer(make_user("admin"))
    assert client.post("/api/v1/users", json={}, headers=headers).status_code == 405
    assert client.post("/api/v1/units", json={}, headers=headers).status_code == 405


# --- reads ---------------------------------------------------------------------------------


def test_the_liaison_sees_their_units_notices_only_and_gets_404_for_others(client, w):
    mine = w.issued()
    other_task_finding = w.foreign
    theirs = Notice(
        kind_id=w.kind.id,
        unit_id=other_task_finding.unit_id,
        title="他单位",
        status="issued",
        doc_number="X1",
    )
    db.session.add(theirs)
    db.session.commit()
    headers = bearer(w.liaison, "read")
    listing = client.get("/api/v1/notices", headers=headers).json
    assert [n["id"] for n in listing["items"]] == [mine.id] and listing["total"] == 1
    refused = client.get(f"/api/v1/notices/{theirs.id}", headers=headers)
    assert refused.status_code == 404 and refused.mimetype == PROBLEM and "他单位" not in refused.text
    assert refused.json["title"] == "未找到"
    detail = client.get(f"/api/v1/notices/{mine.id}", headers=headers)
    assert detail.json["doc_number"] == mine.doc_number and len(detail.json["items"]) == 2
    assert detail.headers["ETag"] == f'W/"{mine.version}"'


def test_lists_paginate_filter_and_sort(client, w):
    for finding in w.findings:
        w.draft(findings=[finding])
    headers = bearer(w.lead, "read")
    page = client.get("/api/v1/notices?per_page=2&sort=id", headers=headers).json
    assert page["total"] == 3 and page["pages"] == 2 and len(page["items"]) == 2
    assert "page=2" in page["links"]["next"] and "sort=id" in page["links"]["next"]
    assert page["items"][0]["id"] < page["items"][1]["id"]
    second = client.get(page["links"]["next"], headers=headers).json
    assert len(second["items"]) == 1 and second["links"]["next"] is None
    assert client.get("/api/v1/notices?status=issued", headers=headers).json["total"] == 0
    too_many = client.get("/api/v1/notices?per_page=101", headers=headers)
    assert (
        too_many.status_code == 422 and too_many.mimetype == PROBLEM and "per_page" in too_many.json["errors"]
    )


def test_user_contact_details_only_for_the_admin(client, w):
    lead_view = client.get(f"/api/v1/users/{w.liaison.id}", headers=bearer(w.lead, "read")).json
    assert "email" not in lead_view and lead_view["display_name"] == "周丽"
    admin_view = client.get(f"/api/v1/users/{w.liaison.id}", headers=bearer(w.admin, "read")).json
    assert admin_view["email"] == "zhouli@example.cn"
    assert client.get("/api/v1/users", headers=bearer(w.liaison, "read")).status_code == 403


def test_errors_in_english_on_request(client, w):
    response = client.get("/api/v1/notices/999999", headers={**bearer(w.lead), "Accept-Language": "en"})
    assert response.json["title"] == "Not found" and response.headers["Content-Language"] == "en"


# --- writes through the services ---------------------------------------------------------------


def test_issue_answers_the_new_representation_and_a_stale_version_changes_nothing(client, w):
    notice = w.submitted()
    headers = bearer(w.lead)
    stale = client.post(
        f"/api/v1/notices/{notice.id}/issue", json={"version": notice.version - 1}, headers=headers
    )
    assert stale.status_code == 409 and stale.json["type"].endswith("stale-version")
    by_etag = client.post(
        f"/api/v1/notices/{notice.id}/issue", json={}, headers={**headers, "If-Match": 'W/"1"'}
    )
    assert by_etag.status_code == 409
    db.session.refresh(notice)
    assert notice.status == "submitted" and notice.doc_number is None
    done = client.post(
        f"/api/v1/notices/{notice.id}/issue", json={"version": notice.version}, headers=headers
    )
    assert done.status_code == 200 and done.json["status"] == "issued" and done.json["doc_number"]
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "notice.number")) == 1


def test_the_drafter_cannot_issue_their_own_and_a_liaison_cannot_issue(client, w):
    notice = w.submitted()
    refused = client.post(f"/api/v1/notices/{notice.id}/issue", json={}, headers=bearer(w.liaison))
    assert refused.status_code == 403  # as on the page: the role may not issue at all
    own = client.post(f"/api/v1/notices/{notice.id}/issue", json={}, headers=bearer(w.inspector))
    assert own.status_code == 403 and own.json["detail"]


def test_the_unit_acknowledges_reports_with_evidence_and_the_inspector_accepts(client, w):
    notice = w.issued()
    liaison = bearer(w.liaison)
    assert client.post(f"/api/v1/notices/{notice.id}/acknowledge", json={}, headers=liaison).json[
        "status"
    ] == ("acknowledged")
    item = notice.items[0]
    data = {
        "measures": "已逐件补正。",
        "completed_on": notice.issue_date.isoformat(),
        "files": (io.BytesIO(PDF), "整改佐证.pdf"),
    }
    report = client.post(
        f"/api/v1/notices/{notice.id}/items/{item.id}/report",
        data=data,
        headers=liaison,
        content_type="multipart/form-data",
    )
    assert report.status_code == 200, report.json
    assert db.session.scalar(select(func.count(Rectification.id))) == 1
    body = report.json["items"][0]
    assert body["status"] == "submitted" and body["rectifications"][0]["measures"] == "已逐件补正。"
    accepted = client.post(
        f"/api/v1/notices/{notice.id}/items/{item.id}/accept", json={}, headers=bearer(w.inspector2)
    )
    assert accepted.status_code == 200 and accepted.json["items"][0]["status"] == "accepted"
    again = client.post(
        f"/api/v1/notices/{notice.id}/items/{item.id}/accept", json={}, headers=bearer(w.inspector2)
    )
    assert again.status_code == 422 and again.mimetype == PROBLEM


def test_record_a_finding_through_the_service(client, w):
    headers = bearer(w.inspector)
    body = {
        "unit_id": w.unit.id,
        "category": "程序",
        "severity": "major",
        "description": "未按规定送达",
        "found_on": "2026-03-01",
    }
    from supervision.services.tasks import finding_categories_ensure

    finding_categories_ensure()
    w.task.units.append(w.unit)
    db.session.commit()
    created = client.post(f"/api/v1/tasks/{w.task.id}/findings", json=body, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["severity"] == "major"
    assert created.json["inspector_id"] == w.inspector.id
    invalid = client.post(
        f"/api/v1/tasks/{w.task.id}/findings", json={**body, "severity": "x"}, headers=headers
    )
    assert invalid.status_code == 422 and "severity" in invalid.json["errors"]
    outside = client.post(
        f"/api/v1/tasks/{w.task.id}/findings", json={**body, "unit_id": w.other_unit.id}, headers=headers
    )
    assert outside.status_code == 422 and "不在本任务" in outside.json["detail"]
    assert (
        client.post(f"/api/v1/tasks/{w.task.id}/findings", json=body, headers=bearer(w.liaison)).status_code
        == 403
    )


# --- rate limits and the document ------------------------------------------------------------


def test_rate_limit_per_token_answers_429_with_retry_after(app, client, make_user):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        first, second = bearer(make_user("lead")), bearer(make_user("lead"))
        statuses = [client.get("/api/v1/me", headers=first).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get("/api/v1/me", headers=first)
        assert limited.mimetype == PROBLEM and 0 < int(limited.headers["Retry-After"]) <= 61
        assert limited.json["type"].endswith("rate-limited")
        fine = client.get("/api/v1/me", headers=second)
        assert fine.status_code == 200 and "Retry-After" not in fine.headers  # per token
    finally:
        app.config["API_RATE_LIMIT"] = "300 per minute"


def test_the_openapi_document_is_31_and_every_field_is_described(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    missing = [
        f"{name}.{field}"
        for name, schema in spec["components"]["schemas"].items()
        for field, prop in schema.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert not missing, missing
    assert "/api/v1/notices/{notice_id}/issue" in spec["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text and "<script>" not in docs.text


def test_the_cli_creates_a_token_that_lists_the_callers_notices(app, w):
    w.issued()
    result = app.test_cli_runner().invoke(args=["api-token", "create", w.liaison.username, "--scope", "read"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    listing = app.test_client().get("/api/v1/notices", headers={"Authorization": f"Bearer {secret}"})
    assert listing.status_code == 200 and listing.json["total"] == 1
    unknown = app.test_cli_runner().invoke(args=["api-token", "create", "nobody"])
    assert unknown.exit_code != 0


def _redis_url() -> str | None:
    import os

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run with Redis (REDIS_URL) for the rate-limit storage test")
        return None
    return url


@pytest.mark.real_commits  # a second app (its own engine) on the test database
def test_rate_limits_are_kept_in_redis_when_redis_url_is_set(make_user):
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis reachable (set REDIS_URL)")
    from supervision import create_app

    redis_app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": db.engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "x",
            "REDIS_URL": url,
            "API_RATE_LIMIT": "2 per minute",
        }
    )
    try:
        assert redis_app.config["RATELIMIT_STORAGE_URI"] == url
        with redis_app.app_context():
            limiter.reset()
            headers = bearer(make_user("lead"))
            client = redis_app.test_client()
            statuses = [client.get("/api/v1/me", headers=headers).status_code for _ in range(3)]
            assert statuses == [200, 200, 429]
            assert "Redis" in type(limiter.storage).__name__
            limiter.reset()
    finally:
        # the shared limiter goes back to the suite's app and its memory storage
        from flask import current_app

        limiter.init_app(current_app._get_current_object())


def test_draft_submit_and_the_lead_decides_an_extension(client, w):
    inspector = bearer(w.inspector)
    body = {
        "kind_id": w.kind.id,
        "unit_id": w.unit.id,
        "title": "关于横街镇行政执法问题的整改通知",
        "time_limit_days": 15,
        "items": [{"finding_id": f.id, "requirement": "限期整改"} for f in w.findings[:2]],
    }
    created = client.post("/api/v1/notices/drafts", json=body, headers=inspector)
    assert created.status_code == 201, created.json
    assert created.json["status"] == "draft" and len(created.json["items"]) == 2
    taken = client.post("/api/v1/notices/drafts", json=body, headers=inspector)
    assert taken.status_code == 422 and "另一份未签发" in taken.json["detail"]
    notice_id = created.json["id"]
    submitted = client.post(f"/api/v1/notices/{notice_id}/submit", headers=inspector)
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    issued = client.post(f"/api/v1/notices/{notice_id}/issue", headers=bearer(w.lead)).json
    liaison = bearer(w.liaison)
    client.post(f"/api/v1/notices/{notice_id}/acknowledge", headers=liaison)
    later = date.fromisoformat(issued["deadline"]) + timedelta(days=10)
    asked = client.post(
        f"/api/v1/notices/{notice_id}/extensions",
        json={"reason": "涉及案卷较多", "requested_deadline": later.isoformat()},
        headers=liaison,
    )
    assert asked.status_code == 200 and asked.json["extensions"][0]["decision"] is None
    ext_id = asked.json["extensions"][0]["id"]
    refused = client.post(
        f"/api/v1/notices/{notice_id}/extensions/{ext_id}/decision", json={"approve": True}, headers=liaison
    )
    assert refused.status_code == 403
    decided = client.post(
        f"/api/v1/notices/{notice_id}/extensions/{ext_id}/decision",
        json={"approve": True, "note": "同意"},
        headers=bearer(w.lead),
    )
    assert decided.status_code == 200, decided.json
    assert (
        decided.json["deadline"] == later.isoformat()
        and decided.json["extensions"][0]["decision"] == "approved"
    )


def test_history_hides_the_drafting_from_the_unit_and_the_register_is_the_offices(client, w):
    notice = w.issued()
    office = client.get(f"/api/v1/notices/{notice.id}/history", headers=bearer(w.lead, "read")).json
    unit = client.get(f"/api/v1/notices/{notice.id}/history", headers=bearer(w.liaison, "read")).json
    office_actions = {e["action"] for e in office["items"]}
    unit_actions = {e["action"] for e in unit["items"]}
    assert "notice.submit" in office_actions and "notice.submit" not in unit_actions
    assert "notice.number" in unit_actions
    register = client.get("/api/v1/notices/register?year=2026", headers=bearer(w.lead, "read")).json
    assert [n["doc_number"] for n in register["items"]] == [notice.doc_number]
    assert client.get("/api/v1/notices/register", headers=bearer(w.liaison, "read")).status_code == 403
