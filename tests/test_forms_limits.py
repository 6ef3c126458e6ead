"""Length limits on every text are enforced on the server."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import HiddenField, StringField
from wtforms.validators import Length

import supervision.forms
from supervision.errors import DomainError
from supervision.extensions import db
from supervision.models import (
    CaseFile,
    Notice,
    Notification,
    ReviewAssignment,
    ReviewDeduction,
    SupervisionTask,
)
from supervision.services import case_files as casefile_svc
from supervision.services import notify as notify_svc
from supervision.services import review_scoring as scoring_svc
from supervision.services import reviews as campaign_svc
from supervision.services import rubrics as rubric_svc

from . import factories
from .test_notices import World as NoticeWorld
from .test_reviews import World as ReviewWorld


def _form_classes() -> list[type[FlaskForm]]:
    classes = []
    for info in pkgutil.iter_modules(supervision.forms.__path__):
        module = importlib.import_module(f"supervision.forms.{info.name}")
        classes += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__
        ]
    return classes


def test_every_text_field_of_every_form_has_a_max_length(app):
    checked = 0
    with app.test_request_context():
        for cls in _form_classes():
            form = cls(meta={"csrf": False})
            for field in form:
                # Hidden fields carry versions and ids, parsed as numbers by the views.
                if not isinstance(field, StringField) or isinstance(field, HiddenField):
                    continue
                limits = [v.max for v in field.validators if isinstance(v, Length) and v.max >= 0]
                assert limits, f"{cls.__name__}.{field.name} has no Length(max=...)"
                checked += 1
    assert checked > 40


def test_a_too_long_form_field_is_refused_with_a_message(client, login_as):
    login_as("lead")
    response = client.post_form(
        "/tasks/new",
        {
            "title": "专" * 201,
            "kind": "special",
            "period_start": "2026-03-02",
            "period_end": "2026-03-31",
        },
    )
    assert response.status_code == 200
    assert "任务名称：字段长度不能超过 200 个字符。" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SupervisionTask.id))) == 0


def test_an_overlong_password_is_refused_before_hashing(client, make_user):
    user = make_user("inspector")
    response = client.post_form("/auth/login", {"username": user.username, "password": "x" * 5000})
    assert "密码最多 128 个字符" in response.get_data(as_text=True)


def test_a_3000_character_return_reason_is_refused_and_nothing_changes(client, make_user):
    w = NoticeWorld(make_user)
    notice = w.submitted()
    client.login_user(w.lead)
    response = client.post_form(
        f"/notices/{notice.id}/return", {"reason": "理" * 3000}, follow_redirects=True
    )
    assert "理由最多 2000 个字（现为 3000 个字）" in response.get_data(as_text=True)
    notice = db.session.get(Notice, notice.id)
    assert notice.status == "submitted" and notice.return_reason == ""
    assert (
        db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "notice_returned"))
        == 0
    )


def test_a_long_reason_fits_the_notification(make_user):
    """A 1,500-character reason is allowed; its notification (String(500)) is cut with "…".

    On PostgreSQL the reviews' own notification writer failed here ("value too long")."""
    world = ReviewWorld().start()
    assignment = world.assignments()[0]
    world.score(assignment)
    reason = "请复核" * 500
    scoring_svc.assignment_return(actor=world.lead, assignment=assignment, reason=reason)
    assert db.session.get(ReviewAssignment, assignment.id).status == "assigned"
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == assignment.reviewer_id, Notification.text.contains("退回")
        )
    )
    assert len(note.text) == 500 and note.text.endswith("…") and note.kind == "review"
    assert note.link == f"/reviews/assignments/{assignment.id}"


def test_fit_text():
    assert notify_svc.fit_text("短") == "短"
    assert notify_svc.fit_text("长" * 600) == "长" * 499 + "…"


def test_sample_reason_must_fit_its_column():
    world = ReviewWorld()
    campaign_svc.campaign_sample(actor=world.lead, campaign=world.campaign, seed=1)
    outside = db.session.scalar(select(CaseFile).where(CaseFile.sampled.is_(False)).limit(1))
    with pytest.raises(DomainError, match="理由最多 294 个字"):
        casefile_svc.casefile_set_sampled(
            actor=world.lead, case_file=outside, sampled=True, reason="投" * 295
        )
    db.session.rollback()
    assert not db.session.get(CaseFile, outside.id).sampled
    casefile_svc.casefile_set_sampled(actor=world.lead, case_file=outside, sampled=True, reason="投" * 294)
    assert len(db.session.get(CaseFile, outside.id).sample_reason) == 300


def test_deduction_notes_and_comment_are_bounded():
    world = ReviewWorld().start()
    assignment = world.assignments()[0]
    items = world.items()
    entries = {i.id: scoring_svc.Entry(0, "") for i in items}
    entries[items[0].id] = scoring_svc.Entry(1, "说" * 2001)
    with pytest.raises(DomainError, match="扣分说明最多 2000 个字"):
        scoring_svc.assignment_save(
            actor=assignment.reviewer, assignment=assignment, entries=entries, vetoes={}
        )
    entries[items[0].id] = scoring_svc.Entry(1, "说明")
    with pytest.raises(DomainError, match="评查意见最多 2000 个字"):
        scoring_svc.assignment_save(
            actor=assignment.reviewer, assignment=assignment, entries=entries, vetoes={}, comment="评" * 2001
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(ReviewDeduction.id))) == 0


def test_rubric_texts_must_fit_their_columns():
    world = ReviewWorld()
    rubric = world.rubric
    with pytest.raises(DomainError) as error:
        rubric_svc.rubric_revise(
            actor=factories.UserFactory(role="admin", unit=None),  # rubrics are the admin's
            rubric=rubric,
            note="",
            bands=[("优秀等次特别长的等级名称超过二十个字的情况不可保存", 90.0)],
            items={rubric.items[0].id: {"text": "项" * 2001}},
            version=rubric.version,
        )
    assert any("等级" in e and "最多 20 个字" in e for e in error.value.errors)
    assert any("第 1 个评查项目最多 2000 个字" in e for e in error.value.errors)


def test_imported_texts_must_fit_their_columns():
    """A unit name of 101 characters was a PostgreSQL error (a 500), after the rows were checked."""
    from supervision.errors import ImportRejected
    from supervision.models import Framework, Unit
    from supervision.services import frameworks as framework_svc
    from supervision.services import org as org_svc

    from .factories import framework_rows

    rows = [(2, {"单位名称": "镇" * 101, "简称": "简" * 41, "类型": "部门", "编码": ""})]
    with pytest.raises(ImportRejected) as error:
        org_svc.units_import(actor=factories.UserFactory(role="admin", unit=None), rows=rows)
    assert "第 2 行：单位名称最多 100 个字（现为 101 个字），请删减后再提交。" in error.value.errors
    assert any("简称最多 40 个字" in e for e in error.value.errors)
    assert db.session.scalar(select(func.count(Unit.id))) == 0

    rows = framework_rows()
    rows[-1][1]["编码"] = "1." * 30
    rows[-2][1]["责任单位"] = "局" * 301
    with pytest.raises(ImportRejected) as error:
        framework_svc.framework_import(actor=None, name="长编码", rows=rows)
    assert any("编码最多 40 个字" in e for e in error.value.errors)
    assert any("责任单位最多 300 个字" in e for e in error.value.errors)
    assert db.session.scalar(select(func.count(Framework.id))) == 0
