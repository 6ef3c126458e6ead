"""Scoring a case file (评分): a reviewer's deductions saved or submitted, the file's result from its
submitted reviews, returning a review and handing an unscored file to another reviewer.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from .. import scoring
from ..audit import record_event
from ..errors import DomainError
from ..extensions import db
from ..limits import NOTE_MAX, length_error
from ..models import (
    CaseFile,
    ReviewAssignment,
    ReviewDeduction,
    Rubric,
    User,
    utcnow,
)
from ..numbers import score_text
from ..permissions import authorize, can, can_review_file, can_score
from ..workflow import transition
from .case_files import record_file_event
from .notify import notify
from .transaction import check_version, transactional

# --- assignment ---------------------------------------------------------------------------


@transactional
def assignment_reassign(*, actor: User, assignment: ReviewAssignment, reviewer_id: int) -> ReviewAssignment:
    """Hand an unscored file to another reviewer; the cross-review rule still holds."""
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    case_file = assignment.case_file
    if case_file.campaign.status != "reviewing":
        raise DomainError(_("评查活动不在评查阶段，不能改派。"))
    if assignment.status != "assigned":
        raise DomainError(_("已提交的评分不能改派，请先退回。"))
    reviewer = db.session.get(User, reviewer_id)
    if reviewer is None or not can(reviewer, "reviews.score"):
        raise DomainError(_("请选择在用的督察员。"))
    if not can_review_file(reviewer, case_file):
        raise DomainError(
            _(
                "%(display_name)s属于被评查单位，不能评查本单位的案卷（交叉评查）。",
                display_name=reviewer.display_name,
            )
        )
    if any(a.reviewer_id == reviewer.id for a in case_file.assignments):
        raise DomainError(_("%(display_name)s已是该案卷的评查人员。", display_name=reviewer.display_name))
    old = assignment.reviewer
    assignment.reviewer_id = reviewer.id
    assignment.deductions.clear()
    assignment.comment = ""
    campaign = case_file.campaign
    if reviewer not in campaign.reviewers:
        campaign.reviewers.append(reviewer)
    db.session.flush()
    record_file_event(
        actor,
        case_file,
        "reassign",
        f"案卷“{case_file.case_number}”改派：{old.display_name} → {reviewer.display_name}",
        {"reviewer": [old.display_name, reviewer.display_name]},
    )
    notify(
        [reviewer.id],
        f"您有一份改派的案卷待评查：{case_file.case_number}。",
        f"/reviews/assignments/{assignment.id}",
        kind="review",
    )
    return assignment


# --- scoring ------------------------------------------------------------------------------


@dataclass
class Entry:
    """What the reviewer typed for one item: points (None = left blank) and a note."""

    points: float | None
    note: str = ""


def _rubric_of(assignment: ReviewAssignment) -> Rubric:
    return assignment.case_file.campaign.rubric


@transactional
def assignment_save(
    *,
    actor: User,
    assignment: ReviewAssignment,
    entries: dict[int, Entry],
    vetoes: dict[int, str],
    comment: str = "",
    submit: bool = False,
    version: int | None = None,
) -> ReviewAssignment:
    """Save the reviewer's deductions (a draft), or submit them. Bad input saves nothing."""
    authorize(can_score(actor, assignment), "只能为分配给自己的案卷评分。")
    check_version(assignment, version)
    if assignment.case_file.campaign.status != "reviewing":
        raise DomainError(_("评查活动不在评查阶段。"))
    if assignment.status != "assigned":
        raise DomainError(_("评分已提交，不能再修改。"))
    rubric = _rubric_of(assignment)
    items = {i.id: i for i in rubric.items}
    veto_hit = any(items.get(i) is not None and items[i].is_veto for i in vetoes)
    errors = _entry_errors(items, entries, vetoes, comment)
    if submit and not veto_hit:
        errors += _blank_item_errors(rubric, entries)
    if errors:
        raise DomainError(errors[0], errors)
    rows = _replace_deductions(assignment, rubric, entries, vetoes)
    assignment.comment = (comment or "").strip()
    assignment.veto_hit = veto_hit
    assignment.updated_at = utcnow()  # the row changes on every save, so its version moves on
    deductions = [(items[r.item_id].category, r.points) for r in rows if not items[r.item_id].is_veto]
    total = scoring.total_score(rubric.category_max, deductions, veto=veto_hit)
    if submit:
        _submit(actor, assignment, rubric, total)
    else:
        case_file = assignment.case_file
        db.session.flush()
        record_event(
            actor=actor,
            action="assignment.save",
            record_type="assignment",
            record_id=assignment.id,
            summary=f"暂存案卷“{case_file.case_number}”的评分（当前 {score_text(total)} 分）",
            unit_id=case_file.unit_id,
        )
    return assignment


def _entry_errors(items: dict, entries: dict[int, Entry], vetoes: dict[int, str], comment: str) -> list[str]:
    """What is wrong with the typed deductions, notes, comment and veto notes (empty when nothing)."""
    errors = []
    for item_id, entry in entries.items():
        item = items.get(item_id)
        if item is None or item.is_veto or entry.points is None:
            continue
        problem = scoring.validate_deduction(entry.points, item.max_points, entry.note)
        if problem:
            errors.append(f"“{item.text}”：{problem}")
    for item_id, note in [(i, e.note) for i, e in entries.items()] + list(vetoes.items()):
        item = items.get(item_id)
        problem = item is not None and length_error(note, NOTE_MAX, f"“{item.text[:20]}”的扣分说明")
        if problem:
            errors.append(problem)
    if problem := length_error(comment, NOTE_MAX, "评查意见"):
        errors.append(problem)
    for item_id, note in vetoes.items():
        item = items.get(item_id)
        if item is not None and item.is_veto and not (note or "").strip():
            errors.append(_("否决项“%(text)s”：必须填写说明。", text=item.text))
    return errors


def _blank_item_errors(rubric: Rubric, entries: dict[int, Entry]) -> list[str]:
    """A submitted review scores every item (0 for none), unless it hit a veto item."""
    blank = [i.text for i in rubric.items if not i.is_veto and entries.get(i.id, Entry(None)).points is None]
    if not blank:
        return []
    return [
        _(
            "还有 %(count)s 个评查项目未评分（无扣分请填 0）：%(items)s",
            count=len(blank),
            items="、".join(blank[:5]) + ("……" if len(blank) > 5 else ""),
        )
    ]


def _replace_deductions(
    assignment: ReviewAssignment, rubric: Rubric, entries: dict[int, Entry], vetoes: dict[int, str]
) -> list[ReviewDeduction]:
    """The assignment's deduction rows, replaced by what was typed (blank items have no row)."""
    assignment.deductions.clear()
    db.session.flush()
    rows = []
    for item in rubric.items:
        if item.is_veto:
            if item.id in vetoes:
                rows.append(ReviewDeduction(item_id=item.id, points=0, note=vetoes[item.id].strip()))
        else:
            entry = entries.get(item.id)
            if entry is not None and entry.points is not None:
                rows.append(
                    ReviewDeduction(item_id=item.id, points=float(entry.points), note=entry.note.strip())
                )
    assignment.deductions.extend(rows)
    return rows


def _submit(actor: User, assignment: ReviewAssignment, rubric: Rubric, total: float) -> None:
    case_file = assignment.case_file
    assignment.total = total
    assignment.submitted_at = utcnow()
    grade = scoring.grade_for(total, rubric.band_pairs, veto=assignment.veto_hit)
    transition(
        assignment,
        "submit",
        actor=actor,
        summary=f"提交案卷“{case_file.case_number}”的评分：{grade}，{score_text(total)} 分",
        unit_id=case_file.unit_id,
    )
    _recompute(case_file)


def _recompute(case_file: CaseFile) -> None:
    """The file's result from its submitted reviews: mean, divergence flag, grade."""
    campaign = case_file.campaign
    rubric = campaign.rubric
    totals = [a.total for a in case_file.assignments if a.status == "submitted" and a.total is not None]
    complete = bool(case_file.assignments) and len(totals) == len(case_file.assignments)
    if not complete:
        case_file.final_score, case_file.grade, case_file.divergent = None, None, False
        case_file.settled_reason = ""
        return
    case_file.divergent = scoring.is_divergent(totals, campaign.divergence_margin)
    if case_file.settled_reason:
        return
    all_veto = all(a.veto_hit for a in case_file.assignments)
    case_file.final_score = scoring.mean_score(totals)
    case_file.grade = scoring.grade_for(case_file.final_score, rubric.band_pairs, veto=all_veto)


@transactional
def assignment_return(*, actor: User, assignment: ReviewAssignment, reason: str) -> ReviewAssignment:
    authorize(can(actor, "reviews.manage"), "您没有管理评查活动的权限。")
    case_file = assignment.case_file
    if case_file.campaign.status != "reviewing":
        raise DomainError(_("评查结果已公布，不能退回。"))
    transition(
        assignment,
        "return",
        actor=actor,
        reason=reason,
        unit_id=case_file.unit_id,
        summary=f"退回{assignment.reviewer.display_name}对案卷“{case_file.case_number}”的评分，要求重评",
    )
    assignment.total = None
    assignment.submitted_at = None
    if case_file.excellent:
        case_file.excellent = False
    _recompute(case_file)
    notify(
        [assignment.reviewer_id],
        f"案卷“{case_file.case_number}”的评分被退回重评：{reason.strip()}",
        f"/reviews/assignments/{assignment.id}",
        kind="review",
    )
    return assignment
