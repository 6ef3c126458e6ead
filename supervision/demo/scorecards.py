"""Demo data for indicator assessment: the 示例 framework, two finalized years and an open round.

Scores are drawn from a seeded random generator (the same district every time) and written with
bulk inserts, so that seeding stays fast.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import bindparam, insert, select, update

from ..extensions import db
from ..formatting import local_today
from ..models import (
    Assessment,
    AssessmentRound,
    AuditEvent,
    Finding,
    Indicator,
    IndicatorScore,
    RoadmapItem,
    Unit,
    User,
)
from ..scoring_indicators import is_weak
from ..services.frameworks import seed_demo_framework
from ..services.scorecard_reports import area_sums, stored_area_sums
from . import seeder

MEASURES = [
    "梳理存在的问题，制定专项整改方案，明确责任科室、完成时限和验收标准。",
    "修订完善相关制度文件并印发执行，建立工作台账，每季度向区法治办报送进展。",
    "组织专题业务培训，开展全面自查自纠，整改结果书面报区法治办。",
    "对接区司法局开展业务指导，补齐缺失的佐证材料，规范归档。",
    "将该项工作纳入年度重点任务，由分管领导牵头，每月调度一次。",
    "借助执法监管平台数据按月通报，对落后科室（所）约谈提醒。",
]
OWNERS = ["办公室", "法规科", "综合科", "政策法规科", "执法监督科", "司法所", "党政办", "综合信息指挥室"]
EXPLANATIONS = [
    "已建立制度并全面落实，相关台账、会议纪要已上传。",
    "本年度按要求完成，数据来源于省平台统计。",
    "大部分落实到位，个别环节（如公开时限）仍有延迟。",
    "制度已建立，但执行记录不完整，正在补齐。",
    "尚未开展，已列入下一年度工作计划。",
]
COMMENTS = [
    "佐证材料不完整，按基本达标计。",
    "抽查发现记录缺失，核减得分。",
    "经平台数据核查，未达到指标要求。",
]
# Finding category → the indicator (by code) it usually bears on.
FINDING_INDICATORS = {
    "程序": "4.3.4",
    "证据": "4.2.2",
    "法律适用": "4.3.4",
    "文书": "4.3.3",
    "裁量": "4.3.2",
    "主体": "4.3.1",
    "其他": "4.5.2",
}


def _at(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def _rate(rng: random.Random, quality: float, max_points: float) -> tuple[str, float | None]:
    if rng.random() < 0.03:
        return "na", None
    r = rng.random()
    if r < quality:
        return "met", max_points
    if r < quality + (1 - quality) * 0.65:
        return "basic", round(max_points * rng.choice([0.4, 0.5, 0.6, 0.7, 0.8, 0.9]), 2)
    return "unmet", 0.0


@seeder
def seed_scorecards() -> None:
    users = {u.username: u for u in db.session.scalars(select(User))}
    lead, admin = users.get("lead"), users.get("admin")
    inspectors = [u for u in (users.get("inspector1"), users.get("inspector2")) if u]
    framework, _ = seed_demo_framework(actor=admin)
    leaves = db.session.scalars(
        select(Indicator)
        .where(Indicator.framework_id == framework.id, Indicator.is_leaf.is_(True))
        .order_by(Indicator.position)
    ).all()
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)).all()
    rng = random.Random(2026)
    quality = {u.id: rng.uniform(0.4, 0.85) for u in units}
    today = local_today()
    framework.frozen_at = _at(date(2024, 3, 1))
    events: list[dict] = []

    def event(at: datetime, actor, action: str, record_type: str, record_id: int, summary: str, unit_id=None):
        events.append(
            {
                "at": at,
                "actor_id": actor.id if actor else None,
                "action": action,
                "record_type": record_type,
                "record_id": record_id,
                "unit_id": unit_id,
                "summary": summary,
                "ip": "",
            }
        )

    for year, bump in ((2024, 0.0), (2025, 0.05)):
        round_ = AssessmentRound(
            year=year,
            framework_id=framework.id,
            title=f"{year}年度法治政府建设示范指标自评",
            status="closed",
            deadline=date(year, 11, 30),
            created_by_id=lead.id if lead else None,
        )
        db.session.add(round_)
        db.session.flush()
        event(_at(date(year, 3, 1)), lead, "round.open", "round", round_.id, f"开启评估轮次“{round_.title}”")
        submitted, evaluated, finalized = date(year, 11, 20), date(year, 12, 10), date(year, 12, 20)
        db.session.execute(
            insert(Assessment),
            [
                {
                    "round_id": round_.id,
                    "unit_id": u.id,
                    "status": "finalized",
                    "return_reason": "",
                    "submitted_at": _at(submitted),
                    "evaluated_at": _at(evaluated),
                    "finalized_at": _at(finalized),
                    "evaluator_id": inspectors[i % len(inspectors)].id if inspectors else None,
                    "version": 4,
                    "created_at": _at(date(year, 3, 1)),
                    "updated_at": _at(finalized),
                }
                for i, u in enumerate(units)
            ],
        )
        ids = dict(
            db.session.execute(
                select(Assessment.unit_id, Assessment.id).where(Assessment.round_id == round_.id)
            ).all()
        )
        scores, roadmap = [], []
        for u in units:
            q = min(0.97, quality[u.id] + bump)
            evaluator = inspectors[u.id % len(inspectors)] if inspectors else None
            for leaf in leaves:
                if not leaf.applies(u.kind):
                    continue
                rating, points = _rate(rng, q, leaf.max_points)
                self_rating, self_points, comment = rating, points, ""
                if rating in ("basic", "unmet") and rng.random() < 0.3:
                    # The unit rated itself higher than the office did.
                    self_rating, self_points = "met", leaf.max_points
                    comment = rng.choice(COMMENTS)
                scores.append(
                    {
                        "assessment_id": ids[u.id],
                        "indicator_id": leaf.id,
                        "self_rating": self_rating,
                        "self_score": self_points,
                        "explanation": rng.choice(
                            EXPLANATIONS[:2] if self_rating == "met" else EXPLANATIONS[2:]
                        ),
                        "evaluated_rating": rating,
                        "evaluated_score": points,
                        "comment": comment,
                        "evaluator_id": evaluator.id if evaluator else None,
                        "version": 1,
                        "created_at": _at(submitted),
                        "updated_at": _at(evaluated),
                    }
                )
                if is_weak(rating, points, leaf.max_points):
                    if year == 2024:
                        status, due = "done", date(2025, 6, 30) - timedelta(days=rng.randint(0, 120))
                    else:
                        status = rng.choices(["planned", "in_progress", "done"], [3, 4, 3])[0]
                        due = today + timedelta(days=rng.randint(-75, 200))
                    roadmap.append(
                        {
                            "indicator_id": leaf.id,
                            "unit_id": u.id,
                            "assessment_id": ids[u.id],
                            "year": year,
                            "measure": rng.choice(MEASURES),
                            "owner": rng.choice(OWNERS),
                            "due_date": due,
                            "status": status,
                            "progress": "已按计划完成整改并通过验收。"
                            if status == "done"
                            else ("措施正在推进，已完成方案制定。" if status == "in_progress" else ""),
                            "created_by_id": lead.id if lead else None,
                            "version": 1,
                            "created_at": _at(finalized),
                            "updated_at": _at(finalized),
                        }
                    )
        db.session.execute(insert(IndicatorScore), scores)
        sums = area_sums(list(ids.values()))
        table = Assessment.__table__
        db.session.execute(
            table.update().where(table.c.id == bindparam("aid")).values(area_scores=bindparam("scores")),
            [{"aid": aid, "scores": stored_area_sums(sums.get(aid, []))} for aid in ids.values()],
        )
        if roadmap:
            db.session.execute(insert(RoadmapItem), roadmap)
        for u in units:
            aid = ids[u.id]
            event(
                _at(submitted),
                None,
                "assessment.submit",
                "assessment",
                aid,
                "提交自评：自评中 → 已提交",
                u.id,
            )
            event(_at(evaluated), inspectors[u.id % len(inspectors)] if inspectors else None, "assessment.evaluate",
                  "assessment", aid, "完成评估：已提交 → 已评估", u.id)  # fmt: skip
            event(
                _at(finalized), lead, "assessment.finalize", "assessment", aid, "定稿：已评估 → 已定稿", u.id
            )

    _seed_open_round(framework, leaves, units, quality, rng, lead, users, event, today)
    if events:
        db.session.execute(insert(AuditEvent), events)
    _link_findings(framework)
    db.session.flush()


def _seed_open_round(framework, leaves, units, quality, rng, lead, users, event, today) -> None:
    """The current round: 横街镇 (liaison1) half-way, 区综合行政执法局 (liaison2) submitted, others spread."""
    year = 2026
    round_ = AssessmentRound(
        year=year,
        framework_id=framework.id,
        title=f"{year}年度法治政府建设示范指标自评",
        status="open",
        deadline=max(today + timedelta(days=24), date(year, 3, 31)),
        created_by_id=lead.id if lead else None,
    )
    db.session.add(round_)
    db.session.flush()
    opened = min(today - timedelta(days=30), date(year, 11, 1))
    event(_at(opened), lead, "round.open", "round", round_.id, f"开启评估轮次“{round_.title}”")
    liaison_units = {
        users[name].unit_id: name
        for name in ("liaison1", "liaison2")
        if name in users and users[name].unit_id
    }
    by_short = {u.short_name: u for u in units}
    submitted_units = {
        by_short[s].id for s in ("区综合行政执法局", "区市场监管局", "古林镇", "石碶街道") if s in by_short
    }
    evaluated_units = {by_short[s].id for s in ("区卫健局", "月湖街道") if s in by_short}
    plan = {}
    for u in units:
        if u.id in submitted_units or u.id in evaluated_units:
            plan[u.id] = 1.0
        elif liaison_units.get(u.id) == "liaison1":
            plan[u.id] = 0.6
        else:
            plan[u.id] = rng.choice([0.0, 0.0, 0.2, 0.45, 0.8])
    status_of = {
        u.id: "evaluated"
        if u.id in evaluated_units
        else ("submitted" if u.id in submitted_units else "draft")
        for u in units
    }
    submitted_at = _at(today - timedelta(days=3))
    db.session.execute(
        insert(Assessment),
        [
            {
                "round_id": round_.id,
                "unit_id": u.id,
                "status": status_of[u.id],
                "return_reason": "",
                "submitted_at": submitted_at if status_of[u.id] != "draft" else None,
                "evaluated_at": _at(today - timedelta(days=1)) if status_of[u.id] == "evaluated" else None,
                "evaluator_id": users["inspector2"].id
                if status_of[u.id] == "evaluated" and "inspector2" in users
                else None,
                "version": 2 if status_of[u.id] != "draft" else 1,
                "created_at": _at(opened),
                "updated_at": _at(opened),
            }
            for u in units
        ],
    )
    ids = dict(
        db.session.execute(
            select(Assessment.unit_id, Assessment.id).where(Assessment.round_id == round_.id)
        ).all()
    )
    scores = []
    for u in units:
        share = plan[u.id]
        if not share:
            continue
        applicable = [leaf for leaf in leaves if leaf.applies(u.kind)]
        count = round(len(applicable) * share)
        for leaf in applicable[:count]:
            rating, points = _rate(rng, min(0.97, quality[u.id] + 0.08), leaf.max_points)
            done = status_of[u.id] == "evaluated"
            scores.append(
                {
                    "assessment_id": ids[u.id],
                    "indicator_id": leaf.id,
                    "self_rating": rating,
                    "self_score": points,
                    "explanation": rng.choice(EXPLANATIONS[:2] if rating == "met" else EXPLANATIONS[2:]),
                    "evaluated_rating": rating if done else None,
                    "evaluated_score": points if done else None,
                    "comment": "",
                    "evaluator_id": users["inspector2"].id if done and "inspector2" in users else None,
                    "version": 1,
                    "created_at": _at(opened + timedelta(days=3)),
                    "updated_at": _at(today - timedelta(days=4)),
                }
            )
        if status_of[u.id] != "draft":
            event(
                submitted_at,
                None,
                "assessment.submit",
                "assessment",
                ids[u.id],
                "提交自评：自评中 → 已提交",
                u.id,
            )
    if scores:
        db.session.execute(insert(IndicatorScore), scores)


def _link_findings(framework) -> None:
    """Demo findings name the indicator they bear on (when it applies to the unit's kind)."""
    codes = {
        i.code: i for i in db.session.scalars(select(Indicator).where(Indicator.framework_id == framework.id))
    }
    rows = db.session.execute(
        select(Finding.id, Finding.category, Unit.kind).join(Unit, Unit.id == Finding.unit_id)
    ).all()
    for finding_id, category, kind in rows:
        indicator = codes.get(FINDING_INDICATORS.get(category, ""))
        if indicator is None or not indicator.applies(kind):
            continue
        db.session.execute(update(Finding).where(Finding.id == finding_id).values(indicator_id=indicator.id))
