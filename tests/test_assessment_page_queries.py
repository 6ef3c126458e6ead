"""The assessment page's head (queries/assessment_page.py): the assessment as plain columns answers
what the page, its mode, the permission rules and the workflow read of the ORM object, and only for
those who may see it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from supervision import statements
from supervision.extensions import db
from supervision.models import Assessment, AssessmentRound, Attachment, Indicator, IndicatorScore, utcnow
from supervision.permissions import can_evaluate, can_self_assess
from supervision.queries import assessment_page as page_queries
from supervision.queries import scorecards as queries
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
            assert _same_headings(page_queries.assessment_page(user, head)) == _same_headings(
                queries.assessment_page(user, orm)
            )


def _same_headings(data: dict) -> dict:
    """The page's data with its headings as (code, text), what the rows read of them."""
    return {**data, "parents": {k: (h.code, h.text) for k, h in data["parents"].items()}}


def test_the_lines_read_in_one_pass_are_those_of_the_shared_readers(app, make_user):
    """_read_lines makes the lines, headings and last year's scores that scorecards._lines and
    _previous_of_lines make of the same rows: scores with two files, one, none, unscored leaves,
    last year's scores (one without values) and the page built from them the same."""
    mine = _assessment("submitted")
    orm = db.session.get(Assessment, mine.id)
    leaves = _leaves(orm.round.framework_id)
    earlier_round = AssessmentRound(
        year=2025, framework_id=orm.round.framework_id, title="2025年度", status="closed"
    )
    db.session.add(earlier_round)
    db.session.flush()
    earlier = Assessment(round_id=earlier_round.id, unit_id=orm.unit_id, status="finalized", return_reason="")
    db.session.add(earlier)
    db.session.flush()
    first = IndicatorScore(
        assessment_id=orm.id, indicator_id=leaves[0].id, self_rating="basic", self_score=0.5,
        explanation="<b>说明</b>", comment="", evaluated_rating="unmet", evaluated_score=0,
    )  # fmt: skip
    db.session.add(first)
    db.session.add(IndicatorScore(assessment_id=earlier.id, indicator_id=leaves[0].id, self_rating="met",
                                  self_score=None, explanation="", comment=""))  # fmt: skip
    db.session.add(
        IndicatorScore(assessment_id=earlier.id, indicator_id=leaves[1].id, explanation="", comment="")
    )
    db.session.flush()
    for name in ("b.pdf", "a.pdf"):
        db.session.add(
            Attachment(owner_type="indicator_score", owner_id=first.id, original_name=name, kind="pdf",
                       mime="application/pdf", size=1, sha256="0" * 64)
        )  # fmt: skip
    db.session.commit()
    lead = make_user("lead")
    with app.test_request_context("/"):
        head = page_queries.assessment_head_for_page(lead, orm.id)
        rows = db.session.connection().execute(
            statements.once("assessment_lines_previous", queries._page_lines_with_previous),
            {"framework_id": head.round.framework_id, "unit_kind": head.unit.kind,
             "assessment_id": head.id, "unit_id": head.unit_id, "year": head.round.year},
        ).all()  # fmt: skip
        lines, headings, previous = page_queries._read_lines(rows)
        old_lines, old_headings = queries._lines(rows)
        assert lines == old_lines and len(lines[0].files) == 2 and lines[0].files[0][1] == "b.pdf"
        assert {k: (h.code, h.text) for k, h in old_headings.items()} == {
            k: tuple(h) for k, h in headings.items()
        }
        assert previous == queries._previous_of_lines(rows)[1] and len(previous) == 2
        db.session.expire_all()
        orm = db.session.get(Assessment, orm.id)
        assert _same_headings(page_queries.assessment_page(lead, head)) == _same_headings(
            queries.assessment_page(lead, orm)
        )


def _leaves(framework_id):
    return db.session.scalars(
        select(Indicator)
        .where(Indicator.framework_id == framework_id, Indicator.is_leaf.is_(True))
        .order_by(Indicator.position)
    ).all()


def test_no_head_for_a_liaison_of_another_unit_nor_a_missing_assessment(app, make_user):
    mine = _assessment("draft")
    other = make_user("liaison", unit=UnitFactory(kind="town"))
    with app.test_request_context("/"):
        assert page_queries.assessment_head_for_page(other, mine.id) is None
        assert page_queries.assessment_head_for_page(make_user("lead"), mine.id + 999) is None
