"""Scorecards aggregate in SQL: a fixed number of queries whatever the size (600 units × 100 indicators)."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from supervision.extensions import db
from supervision.models import (
    Assessment,
    AssessmentRound,
    AuditEvent,
    Indicator,
    IndicatorScore,
    RoadmapItem,
    Unit,
    utcnow,
)

from .conftest import count_queries
from .factories import UnitFactory, make_framework

pytestmark = pytest.mark.slow


def _district(units: int, seed: int = 1):
    """A framework of 10 × 10 = 100 indicators and one finalized round for `units` units, by bulk insert."""
    framework = make_framework(areas=10, per_area=10)
    leaves = db.session.scalars(
        select(Indicator).where(Indicator.framework_id == framework.id, Indicator.is_leaf.is_(True))
    ).all()
    now = utcnow()
    first = (db.session.scalar(select(Unit.id).order_by(Unit.id.desc()).limit(1)) or 0) + 1
    db.session.execute(
        insert(Unit),
        [
            {
                "id": first + n,
                "name": f"批量单位{first + n}",
                "short_name": f"单位{first + n}",
                "kind": "department" if n % 3 else "town",
                "code": None,
                "active": True,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(units)
        ],
    )
    round_ = AssessmentRound(year=2025, framework_id=framework.id, title="2025年度", status="closed")
    db.session.add(round_)
    db.session.flush()
    db.session.execute(
        insert(Assessment),
        [
            {
                "round_id": round_.id,
                "unit_id": first + n,
                "status": "finalized",
                "version": 1,
                "return_reason": "",
            }
            for n in range(units)
        ],
    )
    ids = db.session.scalars(select(Assessment.id).where(Assessment.round_id == round_.id)).all()
    rng = random.Random(seed)
    rows = []
    for aid in ids:
        for leaf in leaves:
            rating = rng.choice(["met", "met", "met", "basic", "unmet", "na"])
            points = {"met": 1.0, "basic": 0.5, "unmet": 0.0, "na": None}[rating]
            rows.append(
                {
                    "assessment_id": aid,
                    "indicator_id": leaf.id,
                    "self_rating": rating,
                    "self_score": points,
                    "explanation": "",
                    "evaluated_rating": rating,
                    "evaluated_score": points,
                    "comment": "",
                    "version": 1,
                }
            )
    for start in range(0, len(rows), 20000):
        db.session.execute(insert(IndicatorScore), rows[start : start + 20000])
    db.session.execute(
        insert(RoadmapItem),
        [
            {
                "indicator_id": leaves[0].id,
                "unit_id": first + n,
                "assessment_id": ids[n],
                "year": 2025,
                "measure": "整改",
                "owner": "办公室",
                "due_date": now.date(),
                "status": "planned",
                "progress": "",
                "version": 1,
            }
            for n in range(units)
        ],
    )
    db.session.commit()
    return round_, first, ids


def _queries(client, url: str) -> int:
    """Statements of one request in the steady state (a first request warms any per-process cache,
    e.g. the dashboard's figures on the lead's home page)."""
    client.get(url)
    with count_queries() as n:
        response = client.get(url)
    assert response.status_code == 200, url
    return n()


PAGES = [
    "/scorecards/office?round={round}",
    "/scorecards/office/data.json?round={round}",
    "/scorecards/rollup?round={round}",
    "/scorecards/rounds/{round}",
    "/scorecards/units/{unit}",
    "/scorecards/roadmap",
    "/scorecards/rounds",
    "/",
]


def test_scorecard_pages_run_a_fixed_number_of_queries(client, login_as):
    lead = login_as("lead")
    small_round, small_unit, _ = _district(5)
    small = {url: _queries(client, url.format(round=small_round.id, unit=small_unit)) for url in PAGES}
    from .conftest import empty_tables

    empty_tables()
    lead = login_as("lead")
    big_round, big_unit, _ = _district(600, seed=2)
    assert db.session.query(IndicatorScore).count() == 600 * 100
    big = {url: _queries(client, url.format(round=big_round.id, unit=big_unit)) for url in PAGES}
    print("query counts", big)
    assert big == small, {u: (small[u], big[u]) for u in PAGES if small[u] != big[u]}
    assert big["/scorecards/office?round={round}"] <= 7
    # The office scorecard ranks all 600 units from one aggregate query.
    data = client.get(f"/scorecards/office/data.json?round={big_round.id}").get_json()
    assert len(data["units"]) == 600 and len(data["heat"]) == 600 * 10
    assert lead.role == "lead"


def test_office_ranking_is_paged(client, login_as):
    login_as("lead")
    round_, _, _ = _district(120)
    first = client.get(f"/scorecards/office?round={round_.id}").get_data(as_text=True)
    third = client.get(f"/scorecards/office?round={round_.id}&page=3").get_data(as_text=True)
    ranking = first.split('data-testid="ranking"')[1].split("</table>")[0]
    assert ranking.count("<tr>") == 51  # header + 50 units
    assert "第 1 / 3 页" in first and "第 3 / 3 页" in third
    assert third.split('data-testid="ranking"')[1].split("</table>")[0].count("<tr>") == 21


# --- one assessment and one unit's scorecard: the 100-row pages ---------------------------------


def _unit_world(make_user, areas: int, per_area: int):
    """A town with a finalized 2025 assessment and a draft 2026 one, a department with a submitted
    2026 one, every indicator scored, a few timeline events; the people who read the pages."""
    framework = make_framework(areas=areas, per_area=per_area)
    leaves = db.session.scalars(
        select(Indicator).where(Indicator.framework_id == framework.id, Indicator.is_leaf.is_(True))
    ).all()
    town = UnitFactory(kind="town")
    dept = UnitFactory(kind="department")
    people = {
        "liaison": make_user("liaison", unit=town),
        "inspector": make_user("inspector", unit=UnitFactory(kind="department")),
        "lead": make_user("lead"),
    }
    last = AssessmentRound(year=2025, framework_id=framework.id, title="2025年度", status="closed")
    this = AssessmentRound(year=2026, framework_id=framework.id, title="2026年度", status="open")
    db.session.add_all([last, this])
    db.session.flush()
    assessments = {
        "finalized": Assessment(round_id=last.id, unit_id=town.id, status="finalized", return_reason=""),
        "draft": Assessment(round_id=this.id, unit_id=town.id, status="draft", return_reason=""),
        "submitted": Assessment(round_id=this.id, unit_id=dept.id, status="submitted", return_reason=""),
    }
    db.session.add_all(assessments.values())
    db.session.flush()
    ratings = ["met", "basic", "unmet", "na"]
    db.session.execute(
        insert(IndicatorScore),
        [
            {
                "assessment_id": a.id,
                "indicator_id": leaf.id,
                "self_rating": ratings[n % 4],
                "self_score": 0.5 if n % 4 == 1 else None,
                "explanation": f"说明{n}",
                "evaluated_rating": ratings[(n + 1) % 4] if a.status == "finalized" else None,
                "evaluated_score": None,
                "comment": "",
                "version": 1,
            }
            for a in assessments.values()
            for n, leaf in enumerate(leaves)
        ],
    )
    db.session.add_all(
        AuditEvent(
            actor_id=people["liaison"].id,
            action="assessment.score",
            record_type="assessment",
            record_id=a.id,
            unit_id=a.unit_id,
            summary="自评",
        )
        for a in assessments.values()
        for _ in range(3)
    )
    db.session.commit()
    return town, assessments, people, len(leaves)


def _page_counts(client, town, assessments, people) -> dict[str, tuple[int, int, str]]:
    """(queries, relationship loads, body) of each page in the steady state."""
    pages = {
        "self-assessment": ("liaison", f"/scorecards/assessments/{assessments['draft'].id}"),
        "evaluation": ("inspector", f"/scorecards/assessments/{assessments['submitted'].id}"),
        "finalized": ("lead", f"/scorecards/assessments/{assessments['finalized'].id}"),
        "unit scorecard (liaison)": ("liaison", f"/scorecards/units/{town.id}"),
        "unit scorecard (lead)": ("lead", f"/scorecards/units/{town.id}"),
    }
    lazy: list[str] = []

    def spy(state):  # a relationship loaded on access (what an N + 1 is made of)
        if state.is_relationship_load:
            lazy.append(str(state.statement))

    result = {}
    for name, (role, url) in pages.items():
        client.login_user(people[role])
        client.get(url)
        db.session.expire_all()
        lazy.clear()
        event.listen(Session, "do_orm_execute", spy)
        try:
            with count_queries() as n:
                response = client.get(url)
        finally:
            event.remove(Session, "do_orm_execute", spy)
        assert response.status_code == 200, (name, url)
        result[name] = (n(), len(lazy), response.get_data(as_text=True))
    return result


def test_assessment_and_unit_scorecard_queries_do_not_grow_with_the_indicators(client, make_user):
    small = _page_counts(client, *_unit_world(make_user, areas=2, per_area=5)[:3])
    from .conftest import empty_tables

    empty_tables()
    town, assessments, people, leaves = _unit_world(make_user, areas=10, per_area=10)
    assert leaves == 100
    big = _page_counts(client, town, assessments, people)
    counts = {name: (small[name][:2], big[name][:2]) for name in big}
    print("queries, relationship loads (10 → 100 indicators)", counts)
    assert all(small[name][0] == big[name][0] for name in big), counts
    assert all(big[name][1] == 0 for name in big), counts  # nothing loaded lazily
    # The assessment: the user, the assessment, its indicators with scores and files and last
    # year's, the events (and the weak indicators' roadmap items once evaluated).
    assert big["self-assessment"][0] <= 4 and big["evaluation"][0] <= 4, counts
    assert big["finalized"][0] <= 5, counts
    # The unit scorecard: the user, the unit, its finalized assessments, the shown one's indicators
    # with scores and findings, its roadmap (and the area sums of assessments stored without them,
    # as this world's are: the shown one's and the trend's).
    assert big["unit scorecard (lead)"][0] <= 7 and big["unit scorecard (liaison)"][0] <= 7, counts
    # The pages show every row: the 100 inputs, the 100 read-only rows, the scorecard's table.
    assert big["self-assessment"][2].count('data-testid="rating-') == 100
    assert big["self-assessment"][2].count('data-testid="prev-') > 0
    assert big["evaluation"][2].count('data-testid="eval-rating-') == 100
    assert big["finalized"][2].count('class="score-row') == 100
    table = big["unit scorecard (lead)"][2].split('data-testid="indicator-table"')[1]
    assert table.count(f'href="/scorecards/units/{town.id}/indicators/') >= 100


def test_last_years_scores_read_with_the_lines_are_those_read_apart(app, make_user):
    """The assessment page reads last year's scores in its lines' statement (matched by code on the
    earlier assessment's framework): the same year and scores as _previous_rows reads apart, with a
    framework of other codes last year, a score without values, an older year and another unit's."""
    from supervision.queries import scorecards as queries

    old, new = make_framework(areas=2, per_area=3), make_framework(areas=3, per_area=2)
    town, other = UnitFactory(kind="town"), UnitFactory(kind="town")
    liaison = make_user("liaison", unit=town)
    rounds = {
        year: AssessmentRound(
            year=year, framework_id=(new if year == 2026 else old).id, title=f"{year}年度", status="open"
        )
        for year in (2024, 2025, 2026)
    }
    db.session.add_all(rounds.values())
    db.session.flush()

    def assessment(year, unit):
        a = Assessment(round_id=rounds[year].id, unit_id=unit.id, status="draft", return_reason="")
        db.session.add(a)
        db.session.flush()
        return a

    def leaves(framework):
        return db.session.scalars(
            select(Indicator)
            .where(Indicator.framework_id == framework.id, Indicator.is_leaf.is_(True))
            .order_by(Indicator.position)
        ).all()

    def score(a, indicator, rating, points):
        db.session.add(
            IndicatorScore(
                assessment_id=a.id,
                indicator_id=indicator.id,
                self_rating=rating,
                self_score=points,
                evaluated_rating=rating,
                evaluated_score=points,
                explanation="",
                comment="",
            )
        )

    this = assessment(2026, town)

    def both():
        db.session.expire_all()
        mine = db.session.get(Assessment, this.id)
        data = queries.assessment_page(liaison, mine)
        year, apart = queries._previous_rows(mine)
        codes = {line.code for line in data["leaves"]}
        return (data["previous_year"], data["prev_scores"]), (
            year,
            {code: p for code, p in apart.items() if code in codes},
        )

    with app.test_request_context("/"):
        joined, apart = both()
        assert joined == apart == (None, {})  # no earlier assessment
        older, earlier, theirs = assessment(2024, town), assessment(2025, town), assessment(2025, other)
        db.session.commit()
        joined, apart = both()
        assert joined == apart == (2025, {})  # an earlier one without scores: its year
        for n, leaf in enumerate(leaves(old)):
            score(older, leaf, "met", 9)
            score(theirs, leaf, "met", 8)
            if n == 1:
                score(earlier, leaf, None, None)  # a score without values is a score too
            elif n % 2 == 0:
                score(earlier, leaf, "basic", 0.5 + n)
        db.session.commit()
        joined, apart = both()
        assert joined == apart and joined[0] == 2025
        assert len(joined[1]) >= 2 and any(p.self_rating is None for p in joined[1].values())
        assert {p.self_score for p in joined[1].values()} <= {None, 0.5, 2.5, 4.5}
