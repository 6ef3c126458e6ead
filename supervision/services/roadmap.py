"""The improvement roadmap (write side): a measure, owner and deadline for each weak indicator.

Every function validates, changes, audits and commits; on bad input it raises DomainError and
changes nothing.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from ..audit import diff, record_event, snapshot
from ..errors import DomainError
from ..extensions import db
from ..models import Assessment, Indicator, RoadmapItem, User
from ..permissions import authorize, can, can_manage_roadmap_for_unit
from ..queries.scorecards import score_of
from ..scoring_indicators import is_weak
from ..workflow import transition
from .transaction import check_version, edit_and_audit, transactional

ROADMAP_FIELDS = ["measure", "owner", "due_date", "progress"]


def _roadmap_values(data: dict) -> dict:
    errors = []
    measure = (data.get("measure") or "").strip()
    owner = (data.get("owner") or "").strip()
    due = data.get("due_date")
    if not measure:
        errors.append(_("请填写整改措施。"))
    if not owner:
        errors.append(_("请填写责任人（或责任科室）。"))
    if not isinstance(due, date):
        errors.append(_("请填写完成时限。"))
    if errors:
        raise DomainError(errors[0], errors)
    return {
        "measure": measure[:5000],
        "owner": owner[:100],
        "due_date": due,
        "progress": (data.get("progress") or "").strip()[:5000],
    }


def _check_roadmap_scope(actor: User, unit_id: int) -> None:
    if not can_manage_roadmap_for_unit(actor, unit_id):
        raise DomainError(_("只能为本单位制定或更新路线图。"))


@transactional
def roadmap_item_create(
    *, actor: User, assessment: Assessment, indicator: Indicator, data: dict
) -> RoadmapItem:
    _check_roadmap_scope(actor, assessment.unit_id)
    if indicator.framework_id != assessment.round.framework_id or not indicator.is_leaf:
        raise DomainError(_("该指标不属于本次评估。"))
    if assessment.status == "finalized" and not _is_weak_in(assessment, indicator):
        raise DomainError(_("该指标不是短板指标。"))
    values = _roadmap_values(data)
    item = RoadmapItem(
        indicator_id=indicator.id,
        unit_id=assessment.unit_id,
        assessment_id=assessment.id,
        year=assessment.round.year,
        status="planned",
        created_by_id=actor.id,
        **values,
    )
    db.session.add(item)
    db.session.flush()
    record_event(
        actor=actor,
        action="roadmap.create",
        record_type="roadmap",
        record_id=item.id,
        summary=f"制定指标 {indicator.code} 的整改路线图",
        changes=diff({}, snapshot(item, ROADMAP_FIELDS)),
        unit_id=item.unit_id,
    )
    return item


def _is_weak_in(assessment: Assessment, indicator: Indicator) -> bool:
    record = score_of(assessment, indicator)
    return record is not None and is_weak(
        record.evaluated_rating, record.evaluated_score, indicator.max_points
    )


@transactional
def roadmap_item_update(
    *, actor: User, item: RoadmapItem, data: dict, version: int | None = None
) -> RoadmapItem:
    _check_roadmap_scope(actor, item.unit_id)
    check_version(item, version)
    if item.status == "done":
        raise DomainError(_("已完成的路线图事项不能再修改。"))
    values = _roadmap_values(data)
    edit_and_audit(
        item,
        values,
        fields=ROADMAP_FIELDS,
        actor=actor,
        action="roadmap.update",
        record_type="roadmap",
        summary=lambda: f"修改指标 {item.indicator.code} 的路线图",
        unit_id=lambda: item.unit_id,
    )
    return item


@transactional
def roadmap_item_step(*, actor: User, item: RoadmapItem, action: str) -> RoadmapItem:
    authorize(can(actor, "roadmap.manage"), "您没有更新路线图状态的权限。")
    transition(item, action, actor=actor)
    return item
