"""Every route in the URL map × every role, against one lived-in world (the demo district).

ROUTES is the spec: for each endpoint and method, the roles allowed on this world's records. A new
endpoint without an entry fails `test_every_endpoint_has_a_matrix_entry`. The world is built once
for the module; an unauthorised request (which changes nothing) is sent for every refused role, and a
GET for every allowed one. The liaison's object routes are asked about records of ANOTHER unit, so
they are refused (a 404: out of scope looks like missing) and never show that unit's data.
"""

from __future__ import annotations

import time

import pytest
from flask import url_for
from sqlalchemy import text

from supervision import cache
from supervision.extensions import db
from supervision.models import ExportJob, User
from supervision.services.api_tokens import token_create

from .conftest import empty_tables

A, L, INS, U = "admin", "lead", "inspector", "liaison"
ALL = frozenset({A, L, INS, U})
OFFICE = frozenset({A, L, INS})
ADMIN = frozenset({A})
LEAD = frozenset({L})
INSPECTOR = frozenset({INS})
LIAISON = frozenset({U})
PUBLIC = "public"  # no sign-in needed
ROLES = ["anonymous", A, L, INS, U]

# endpoint → {method: roles allowed (on this world's records)}
ROUTES: dict[str, dict[str, frozenset[str] | str]] = {
    "static": {"GET": PUBLIC},
    "main.healthz": {"GET": PUBLIC},
    "auth.login": {"GET": PUBLIC, "POST": PUBLIC},
    "auth.set_language": {"POST": PUBLIC},
    "auth.oidc_login": {"GET": PUBLIC},
    "auth.oidc_callback": {"GET": PUBLIC},
    "auth.logout": {"POST": ALL},
    "main.home": {"GET": ALL},
    "main.notifications": {"GET": ALL},
    "main.notification_open": {"POST": ALL},  # one's own only; anyone else's is ignored
    "main.notifications_read_all": {"POST": ALL},
    "account.password": {"GET": ALL, "POST": ALL},
    "account.logout_everywhere": {"POST": ALL},
    "search.index": {"GET": ALL},
    "suggest.units": {"GET": ALL},
    "suggest.inspectors": {"GET": {A, L}},
    "files.download": {"GET": OFFICE},  # a rectification's evidence of another unit
    # 我的导出: anyone queues and lists their own; the world's job is another user's (liaison2's)
    "exports.start": {"POST": ALL},
    "exports.index": {"GET": ALL},
    "exports.detail": {"GET": frozenset()},
    "exports.download": {"GET": frozenset()},
    "exports.retry": {"POST": frozenset()},
    # administration
    "admin.audit": {"GET": ADMIN},
    "admin.units": {"GET": OFFICE},
    "admin.unit_detail": {"GET": OFFICE},
    "admin.unit_new": {"GET": ADMIN, "POST": ADMIN},
    "admin.unit_edit": {"GET": ADMIN, "POST": ADMIN},
    "admin.unit_set_active": {"POST": ADMIN},
    "admin.unit_files": {"POST": ADMIN},
    "admin.units_import": {"GET": ADMIN, "POST": ADMIN},
    "admin.units_template": {"GET": ADMIN},
    "admin.users": {"GET": OFFICE},
    "admin.user_detail": {"GET": OFFICE},  # reduced to name and unit for all but the admin
    "admin.user_new": {"GET": ADMIN, "POST": ADMIN},
    "admin.user_edit": {"GET": ADMIN, "POST": ADMIN},
    "admin.user_set_active": {"POST": ADMIN},
    "admin.user_reset_password": {"POST": ADMIN},
    "admin.user_end_sessions": {"POST": ADMIN},
    "admin.users_import": {"GET": ADMIN, "POST": ADMIN},
    "admin.users_template": {"GET": ADMIN},
    "inspectors.index": {"GET": OFFICE},
    "inspectors.detail": {"GET": OFFICE},
    "inspectors.edit": {"GET": {A, L}, "POST": {A, L}},
    "dashboard.index": {"GET": {A, L}},
    "dashboard.annual": {"GET": {A, L}},
    "dashboard.annual_download": {"GET": {A, L}},
    "registers.index": {"GET": ALL},
    "registers.findings": {"GET": OFFICE},
    "registers.rectification": {"GET": ALL},
    "registers.reviews": {"GET": ALL},
    "registers.assessments": {"GET": ALL},
    # supervision tasks and findings
    "tasks.index": {"GET": OFFICE},
    "tasks.new": {"GET": LEAD, "POST": LEAD},
    "tasks.detail": {"GET": OFFICE},
    "tasks.edit": {"GET": LEAD, "POST": LEAD},
    "tasks.files": {"POST": LEAD},
    "tasks.step": {"POST": LEAD},
    "tasks.ledger": {"GET": OFFICE},
    "tasks.categories": {"GET": {A, L}, "POST": {A, L}},
    "tasks.category_active": {"POST": {A, L}},
    "tasks.findings": {"GET": OFFICE},
    "tasks.finding_new": {"GET": INSPECTOR, "POST": INSPECTOR},
    "tasks.finding_detail": {"GET": OFFICE},
    "tasks.finding_edit": {"GET": INSPECTOR, "POST": INSPECTOR},
    "tasks.finding_files": {"POST": INSPECTOR},
    "tasks.finding_dismiss": {"POST": LEAD},
    # notices
    "notices.index": {"GET": OFFICE},
    "notices.mine": {"GET": LIAISON},
    "notices.new": {"GET": INSPECTOR, "POST": INSPECTOR},
    "notices.deadline_preview": {"GET": INSPECTOR},
    "notices.edit": {"GET": INSPECTOR, "POST": INSPECTOR},  # the draft's author
    "notices.detail": {"GET": OFFICE},
    "notices.print_view": {"GET": OFFICE},
    "notices.docx": {"GET": OFFICE},
    "notices.submit": {"POST": INSPECTOR},
    "notices.return_": {"POST": LEAD},
    "notices.issue": {"POST": LEAD},
    "notices.void": {"POST": LEAD},
    "notices.acknowledge": {"POST": frozenset()},  # the addressed unit's liaison only
    "notices.report": {"POST": frozenset()},
    "notices.accept": {"POST": INSPECTOR},
    "notices.return_item": {"POST": INSPECTOR},
    "notices.extension_new": {"POST": frozenset()},
    "notices.extension_decide": {"POST": LEAD},
    "notices.escalate": {"POST": LEAD},
    "notices.register": {"GET": OFFICE},
    "notices.register_export": {"GET": OFFICE},
    "admin.notice_kinds": {"GET": OFFICE},
    "admin.notice_kind_form": {"GET": ADMIN, "POST": ADMIN},
    "admin.notice_kind_template": {"POST": ADMIN},
    "admin.holidays": {"GET": OFFICE, "POST": ADMIN},
    "admin.holiday_edit": {"GET": ADMIN, "POST": ADMIN},
    "admin.holiday_delete": {"POST": ADMIN},
    "admin.holidays_seed": {"POST": ADMIN},
    "admin.holidays_import": {"POST": ADMIN},
    "admin.holidays_estimate": {"POST": ADMIN},
    "admin.holidays_confirm": {"POST": ADMIN},
    "admin.holidays_unconfirm": {"POST": ADMIN},
    # case-file reviews
    "reviews.index": {"GET": ALL},
    "reviews.rubrics": {"GET": OFFICE},
    "reviews.rubric_detail": {"GET": OFFICE},
    "reviews.rubric_edit": {"GET": ADMIN, "POST": ADMIN},
    "reviews.rubric_export": {"GET": OFFICE},
    "reviews.rubric_import": {"GET": ADMIN, "POST": ADMIN},
    "reviews.campaign_new": {"GET": LEAD, "POST": LEAD},
    "reviews.campaign_detail": {"GET": OFFICE},
    "reviews.campaign_edit": {"GET": LEAD, "POST": LEAD},
    "reviews.campaign_sample": {"POST": LEAD},
    "reviews.campaign_unsample": {"POST": LEAD},
    "reviews.campaign_assign": {"POST": LEAD},
    "reviews.campaign_publish": {"POST": LEAD},
    "reviews.campaign_report_docx": {"GET": {A, L}},
    "reviews.campaign_results_xlsx": {"GET": {A, L}},
    "reviews.casefiles_import": {"GET": LEAD, "POST": LEAD},
    "reviews.casefiles_template": {"GET": LEAD},
    "reviews.file_detail": {"GET": OFFICE},
    "reviews.file_sampled": {"POST": LEAD},
    "reviews.file_settle": {"POST": LEAD},
    "reviews.file_excellent": {"POST": LEAD},
    "reviews.file_findings": {"POST": LEAD},
    "reviews.assignment_detail": {"GET": OFFICE, "POST": INSPECTOR},  # the assigned reviewer scores
    "reviews.assignment_return": {"POST": LEAD},
    "reviews.assignment_reassign": {"POST": LEAD},
    # indicator assessments, scorecards and the roadmap
    "scorecards.index": {"GET": ALL},
    "scorecards.frameworks": {"GET": OFFICE},
    "scorecards.framework_detail": {"GET": OFFICE},
    "scorecards.framework_export": {"GET": OFFICE},
    "scorecards.framework_import": {"GET": ADMIN, "POST": ADMIN},
    "scorecards.framework_template": {"GET": OFFICE},
    "scorecards.indicator_edit": {"GET": ADMIN, "POST": ADMIN},
    "scorecards.rounds": {"GET": ALL},
    "scorecards.round_new": {"GET": LEAD, "POST": LEAD},
    "scorecards.round_detail": {"GET": OFFICE},
    "scorecards.round_close": {"POST": LEAD},
    "scorecards.assessment": {"GET": OFFICE},
    "scorecards.assessment_action": {"POST": {L, INS}},
    "scorecards.assessment_reuse_previous": {"POST": frozenset()},
    "scorecards.score_save": {"POST": frozenset()},
    "scorecards.score_files": {"POST": frozenset()},
    "scorecards.score_evaluate": {"POST": INSPECTOR},
    "scorecards.unit": {"GET": OFFICE},
    "scorecards.unit_indicator": {"GET": OFFICE},
    "scorecards.office": {"GET": OFFICE},
    "scorecards.office_data": {"GET": OFFICE},
    "scorecards.office_export": {"GET": OFFICE},
    "scorecards.rollup": {"GET": OFFICE},
    "scorecards.rollup_indicator": {"GET": OFFICE},
    "scorecards.roadmap": {"GET": ALL},
    "scorecards.roadmap_export": {"GET": ALL},
    "scorecards.roadmap_new": {"GET": LEAD, "POST": LEAD},  # a liaison: for their own unit only
    "scorecards.roadmap_detail": {"GET": OFFICE},
    "scorecards.roadmap_edit": {"GET": LEAD, "POST": LEAD},
    "scorecards.roadmap_step": {"POST": LEAD},
    "account.tokens": {"GET": ALL, "POST": ALL},
    "account.token_revoke_view": {"POST": ALL},  # one's own; the admin anyone's
    # the JSON API (asked with each role's read-write token; anonymous is a 401)
    "api.docs": {"GET": PUBLIC},
    "api-docs.openapi_json": {"GET": PUBLIC},
    "api_personal.Me": {"GET": ALL},
    "api_personal.Notifications": {"GET": ALL},
    "api_personal.Figures": {"GET": {A, L}},
    "api_org.Units": {"GET": ALL},  # a liaison: their own unit only
    "api_org.UnitDetail": {"GET": OFFICE},
    "api_org.Users": {"GET": OFFICE},
    "api_org.UserDetail": {"GET": OFFICE},
    "api_tasks.Tasks": {"GET": OFFICE},
    "api_tasks.TaskDetail": {"GET": OFFICE},
    "api_tasks.TaskFindings": {"POST": INSPECTOR},
    "api_tasks.Findings": {"GET": OFFICE},
    "api_tasks.FindingDetail": {"GET": OFFICE},
    "api_notices.Notices": {"GET": ALL},
    "api_notices.NoticeDetail": {"GET": OFFICE},
    "api_notices.NoticeSubmit": {"POST": INSPECTOR},
    "api_notices.NoticeIssue": {"POST": LEAD},
    "api_notices.NoticeVoid": {"POST": LEAD},
    "api_notices.NoticeAcknowledge": {"POST": frozenset()},  # the addressed unit's liaison only
    "api_notices.NoticeExtensions": {"POST": frozenset()},
    "api_notices.ItemReport": {"POST": frozenset()},
    "api_notices.ItemAccept": {"POST": INSPECTOR},
    "api_notices.ItemReturn": {"POST": INSPECTOR},
    "api_notices.ExtensionDecision": {"POST": LEAD},
    "api_notices.NoticeHistory": {"GET": OFFICE},
    "api_notices.NoticeRegister": {"GET": OFFICE},
    "api_notices.NoticeDrafts": {"POST": INSPECTOR},
    "api_reviews.CaseFilesImport": {"POST": LEAD},
    "api_reviews.Campaigns": {"GET": ALL},  # a liaison: published ones of their unit
    "api_reviews.CampaignDetail": {"GET": OFFICE},
    "api_reviews.CampaignResults": {"GET": OFFICE},
    "api_reviews.CampaignCaseFiles": {"GET": OFFICE},
    "api_reviews.CaseFileDetail": {"GET": OFFICE},
    "api_scorecards.Frameworks": {"GET": OFFICE},
    "api_scorecards.FrameworkDetail": {"GET": OFFICE},
    "api_scorecards.Assessments": {"GET": ALL},  # a liaison: their own unit's
    "api_scorecards.AssessmentDetail": {"GET": OFFICE},
    "api_scorecards.SelfScore": {"POST": frozenset()},  # the assessed unit's liaison only
    "api_scorecards.Evaluation": {"POST": INSPECTOR},
    "api_scorecards.AssessmentSubmit": {"POST": frozenset()},  # the assessed unit's liaison only
    "api_scorecards.AssessmentEvaluate": {"POST": INSPECTOR},
    "api_boards.UnitScorecard": {"GET": OFFICE},
    "api_boards.OfficeBoard": {"GET": OFFICE},
    "api_scorecards.Roadmap": {"GET": ALL},
    "api_scorecards.RoadmapDetail": {"GET": OFFICE},
}

# What a refused response must never contain: the other unit whose records fill the URLs.
OTHER_UNIT = "区综合行政执法局"
INSPECTOR_NAME = "inspector2"  # on the world's task, reviewer of its files, author of its draft
LIAISON_NAME = "liaison1"  # of 横街镇; the records in the URLs are of 区综合行政执法局

# Url parameters with a fixed value, and those whose value depends on the blueprint.
FIXED = {"code": "en", "fmt": "xlsx", "filename": "css/app.css", "year": 2026}
# Query arguments a page needs to show anything (filled with the world's ids).
QUERY = {
    "registers.assessments": {"round": "round_id"},
    "scorecards.roadmap_new": {"assessment": "assessment_id", "indicator": "indicator_id"},
    "notices.new": {"unit": "unit_id"},
}
ACTIONS = {
    "tasks.step": "close",
    "scorecards.assessment_action": "submit",
    "scorecards.roadmap_step": "start",
}


def _one(sql: str, **params) -> int:
    value = db.session.execute(text(sql), params).scalar()
    assert value is not None, f"the demo world has no record for: {sql}"
    return value


def _world_ids() -> dict[str, int]:
    users = dict(db.session.execute(text('SELECT username, id FROM "user"')).all())
    unit = _one("SELECT id FROM unit WHERE short_name = :n", n=OTHER_UNIT)
    inspector = users[INSPECTOR_NAME]
    notice = _one("SELECT id FROM notice WHERE unit_id = :u AND status = 'acknowledged' ORDER BY id", u=unit)
    campaign = _one(
        "SELECT campaign_id FROM campaign_reviewer WHERE user_id = :i ORDER BY campaign_id DESC", i=inspector
    )
    assignment = _one(
        "SELECT a.id FROM review_assignment a JOIN case_file f ON f.id = a.case_file_id"
        " WHERE a.reviewer_id = :i AND f.unit_id = :u AND f.campaign_id = :c ORDER BY a.id",
        i=inspector,
        u=unit,
        c=campaign,
    )
    assessment = _one("SELECT id FROM assessment WHERE unit_id = :u ORDER BY id DESC", u=unit)
    return {
        "unit_id": unit,
        "user_id": users["liaison2"],
        "inspector_user_id": inspector,
        "task_id": _one(
            "SELECT t.id FROM supervision_task t JOIN task_inspector ti ON ti.task_id = t.id"
            " WHERE ti.user_id = :i AND t.status = 'active' ORDER BY t.id",
            i=inspector,
        ),
        "finding_id": _one(
            "SELECT id FROM finding WHERE unit_id = :u AND inspector_id = :i AND status = 'open' ORDER BY id",
            u=unit,
            i=inspector,
        ),
        "category_id": _one("SELECT id FROM finding_category ORDER BY id"),
        "notice_id": notice,
        "draft_id": _one(
            "SELECT id FROM notice WHERE unit_id = :u AND status = 'draft' AND drafted_by_id = :i",
            u=unit,
            i=inspector,
        ),
        "notice_item_id": _one("SELECT id FROM notice_item WHERE notice_id = :n ORDER BY id", n=notice),
        "ext_id": _one("SELECT id FROM extension_request WHERE notice_id = :n", n=notice),
        "attachment_id": _one(
            "SELECT a.id FROM attachment a JOIN rectification r ON r.id = a.owner_id"
            " JOIN notice_item i ON i.id = r.item_id"
            " WHERE a.owner_type = 'rectification' AND i.notice_id = :n",
            n=notice,
        ),
        "kind_id": _one("SELECT id FROM notice_kind ORDER BY id"),
        "holiday_id": _one("SELECT id FROM holiday ORDER BY id"),
        "notification_id": _one("SELECT id FROM notification WHERE user_id = :u", u=users["liaison2"]),
        "rubric_id": _one("SELECT id FROM rubric ORDER BY id"),
        "campaign_id": campaign,
        "file_id": _one("SELECT case_file_id FROM review_assignment WHERE id = :a", a=assignment),
        "assignment_id": assignment,
        "framework_id": _one(
            "SELECT framework_id FROM assessment_round r JOIN assessment a ON a.round_id = r.id"
            " WHERE a.id = :a",
            a=assessment,
        ),
        "indicator_id": _one(
            "SELECT indicator_id FROM indicator_score WHERE assessment_id = :a ORDER BY id", a=assessment
        ),
        "round_id": _one("SELECT round_id FROM assessment WHERE id = :a", a=assessment),
        "assessment_id": assessment,
        "roadmap_item_id": _one("SELECT id FROM roadmap_item WHERE unit_id = :u ORDER BY id", u=unit),
    }


@pytest.fixture(scope="module")
def world(app):
    """The demo district, loaded once for the module; the ids of the records the URLs use."""
    from supervision.demo import seed_demo

    with app.app_context():
        empty_tables()
        assert seed_demo()
        db.session.commit()
        ids = _world_ids()
        job = ExportJob(user_id=ids["user_id"], kind="registers.rectification", status="failed", error="测试")
        db.session.add(job)
        db.session.commit()
        ids["job_id"] = job.id
        ids["users"] = dict(
            db.session.execute(
                text("SELECT role, id FROM \"user\" WHERE username IN ('admin', 'lead', :i, :l)"),
                {"i": INSPECTOR_NAME, "l": LIAISON_NAME},
            ).all()
        )
        ids["tokens"] = {
            role: token_create(actor=db.session.get(User, uid), name="矩阵", scope="read-write", days=1)[1]
            for role, uid in ids["users"].items()
        }
        other_token = token_create(
            actor=db.session.get(User, ids["user_id"]), name="他人", scope="read", days=1
        )
        ids["token_id"] = other_token[0].id
    yield ids
    with app.app_context():
        empty_tables()
        cache.clear()


@pytest.fixture(autouse=True)
def _app_context(app, world):
    """Overrides conftest's: the module's world stays between tests (the refused requests change
    nothing, and allowed ones are only GETs)."""
    with app.app_context():
        yield


def _rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _value(endpoint: str, arg: str, ids: dict) -> object:
    if arg in FIXED:
        return FIXED[arg]
    if arg == "action":
        return ACTIONS[endpoint]
    blueprint = endpoint.split(".")[0]
    if arg == "item_id":
        return ids["roadmap_item_id" if blueprint in ("scorecards", "api_scorecards") else "notice_item_id"]
    if arg == "notice_id" and endpoint in ("notices.edit", "notices.submit"):
        return ids["draft_id"]
    if arg == "user_id" and blueprint == "inspectors":
        return ids["inspector_user_id"]
    return ids[arg]


def _cases(app):
    for rule, method in _rules(app):
        for role in ROLES:
            yield pytest.param(rule.endpoint, rule.rule, method, role, id=f"{method} {rule.rule} as {role}")


def pytest_generate_tests(metafunc):
    if "route_case" in metafunc.fixturenames:
        from supervision import create_app

        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
        metafunc.parametrize("route_case", [p.values for p in _cases(app)], ids=[p.id for p in _cases(app)])


def test_every_endpoint_has_a_matrix_entry(app):
    missing = [
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule, method in _rules(app)
        if method not in ROUTES.get(rule.endpoint, {})
    ]
    assert not missing, "routes without a matrix entry (say who may use them): " + ", ".join(missing)
    stale = set(ROUTES) - {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not stale, f"matrix entries for endpoints that no longer exist: {sorted(stale)}"


def test_route_as_role(app, world, route_case):
    endpoint, rule_text, method, role = route_case
    allowed = ROUTES.get(endpoint, {}).get(method)
    if allowed is None:
        pytest.fail(f"no matrix entry for {method} {rule_text}")
    rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_text and r.endpoint == endpoint)
    with app.test_request_context():
        values = {arg: _value(endpoint, arg, world) for arg in rule.arguments}
        values.update({name: world[key] for name, key in QUERY.get(endpoint, {}).items()})
        path = url_for(endpoint, **values)
    if allowed == PUBLIC:
        return  # public pages are tested with their own flows (test_auth)
    client = app.test_client()
    is_allowed = role in allowed
    if rule_text.startswith("/api/"):
        _api_route_as_role(client, method, path, role, is_allowed, world)
        return
    if role != "anonymous":
        with client.session_transaction() as session:
            session["_user_id"] = str(world["users"][role])
            session["_fresh"] = True
            session["session_version"] = db.session.get(User, world["users"][role]).session_version
            session["session_started"] = session["session_seen"] = int(time.time())
    if method != "GET" and is_allowed:
        return  # a permitted POST would change the shared world; its own test file covers it
    response = client.get(path) if method == "GET" else client.post_form(path, {})
    status = response.status_code
    if role == "anonymous":
        assert status == 302 and "/auth/login" in response.headers["Location"], status
    elif is_allowed:
        assert status not in (403, 404) and status < 500, status
    else:
        assert status in (403, 404), status
        assert OTHER_UNIT not in response.get_data(as_text=True)


def _api_route_as_role(client, method: str, path: str, role: str, is_allowed: bool, world: dict) -> None:
    """The API by token: anonymous is a 401 problem; refused roles a 403 or 404 without the other
    unit's data, before any body is read (so an empty body says nothing either)."""
    from supervision.api import limiter

    limiter.reset()
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {world['tokens'][role]}"}
    if method != "GET" and is_allowed and role != "anonymous":
        return  # a permitted write would change the shared world; test_api covers it
    response = (
        client.get(path, headers=headers) if method == "GET" else client.post(path, json={}, headers=headers)
    )
    status = response.status_code
    if role == "anonymous":
        assert status == 401 and response.mimetype == "application/problem+json", status
    elif is_allowed:
        assert status not in (401, 403, 404) and status < 500, status
    else:
        assert status in (403, 404), status
        assert response.mimetype == "application/problem+json"
        assert OTHER_UNIT not in response.get_data(as_text=True)
