"""The assessment page's head (queries/assessment_page.py): the assessment as plain columns answers
what the page, its mode, the permission rules and the workflow read of the ORM object, and only for
those who may see it."""

from __future__ import annotations

from datetime import date

import pytest

from supervision.extensions import db
from supervision.models import Assessment, AssessmentRound, utcnow
from supervision.permissions import can_evaluate, can_self_assess
from supervision.queries import assessment_page as page_queries
from supervision.workflow import allowed_steps

from .factories import UnitFactory, make_framework


def _assessment(status: str, evaluator=None, demo: bool = False, deadline=None) -> Assessment:
    framework = make_framework(areas=1, per_area=2)
    framework.is_demo = demo
    round_ = AssessmentRound(
        year=2026, framework_id=framework.id, title="2026年度<script>", status="open", deadline=deadline
    )
    db.session.add(round_)
    db.session.flush()
    now = utcnow()
    assessment = Assessment(
        round_id=round_.id,
        unit_id=UnitFactory(kind="town", name="镇<b>").id,
        status=status,
        return_reason="理由",
        submitted_at=now if status != "draft" else None,
        finalized_at=now if status == "finalized" else None,
        evaluator_id=evaluator.id if evaluator else None,
    )
    db.session.add(assessment)
    db.session.commit()
    return assessment


@pytest.mark.parametrize(
    ("status", "with_evaluator", "demo", "deadline"),
    [
        ("draft", False, False, None),
        ("submitted", False, True, date(2026, 3, 5)),
        ("evaluated", True, False, date(2026, 3, 5)),
        ("finalized", True, False, None),
    ],
)
def test_the_head_reads_what_the_assessment_object_has(
    app, make_user, status, with_evaluator, demo, deadline
):
    evaluator = make_user("inspector") if with_evaluator else None
    mine = _assessment(status, evaluator, demo, deadline)
    lead, inspector = make_user("lead"), make_user("inspector")
    liaison = make_user("liaison", unit=db.session.get(Assessment, mine.id).unit)
    with app.test_request_context("/"):
        for user in (lead, inspector, liaison):
            db.session.expire_all()
            orm = db.session.get(Assessment, mine.id)
            head = page_queries.assessment_head_for_page(user, mine.id)
            for name in (
                "id", "round_id", "unit_id", "status", "return_reason", "submitted_at",
                "finalized_at", "evaluator_id", "version", "__workflow__",
            ):  # fmt: skip
                assert getattr(head, name) == getattr(orm, name), name
            for name in ("id", "title", "year", "status", "deadline", "framework_id"):
                assert getattr(head.round, name) == getattr(orm.round, name), name
            for name in ("id", "label", "is_demo"):
                assert getattr(head.round.framework, name) == getattr(orm.round.framework, name)
            for name in ("id", "name", "kind", "kind_label"):
                assert getattr(head.unit, name) == getattr(orm.unit, name), name
            if orm.evaluator is None:
                assert head.evaluator is None
            else:
                assert head.evaluator.display_name == orm.evaluator.display_name
            assert can_self_assess(user, head) == can_self_assess(user, orm)
            assert can_evaluate(user, head) == can_evaluate(user, orm)
            assert allowed_steps(head, user) == allowed_steps(orm, user)
            assert page_queries.assessment_page(user, head) == _orm_page(user, orm)


def _orm_page(user, orm):
    from supervision.queries import scorecards as queries

    return queries.assessment_page(user, orm)


def test_no_head_for_a_liaison_of_another_unit_nor_a_missing_assessment(app, make_user):
    mine = _assessment("draft")
    other = make_user("liaison", unit=UnitFactory(kind="town"))
    with app.test_request_context("/"):
        assert page_queries.assessment_head_for_page(other, mine.id) is None
        assert page_queries.assessment_head_for_page(make_user("lead"), mine.id + 999) is None
