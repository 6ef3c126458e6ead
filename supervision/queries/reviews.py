"""Case-file review pages (read side): one function per page, each scoped by who is asking.

The figures (averages, grades, common problems, progress) are `services.review_reports`; the steps a
page offers come from `workflow.allowed_steps`, so templates ask `'publish' in steps`, not the status.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from .. import scoring, statements
from ..extensions import db
from ..models import (
    AuditEvent,
    CaseFile,
    Finding,
    ReviewAssignment,
    ReviewCampaign,
    ReviewDeduction,
    Rubric,
    RubricItem,
    Unit,
    User,
)
from ..permissions import (
    assignments_for_user,
    audit_events_for_record,
    campaigns_for_user,
    can,
    can_score,
    case_files_for_user,
    unit_upload_campaigns_for_user,
)
from ..services import review_reports
from ..services.reviews import publish_blockers
from ..todo import LIAISON_REVIEW_READS, kept_for_user, reviews_to_score_rows
from ..workflow import MACHINES, allowed_steps

CAMPAIGN_STAGES = tuple(MACHINES["campaign"].statuses)  # draft → sampling → reviewing → published
HAS_RESULTS = ("reviewing", "published")


def step_actions(record, user: User) -> set[str]:
    """The actions of the workflow steps this user may take on the record now (for its buttons)."""
    return {s.action for s in allowed_steps(record, user)}


# --- the index: campaigns, a reviewer's assignments, a unit's campaigns ----------------------


def campaign_list_page(user: User, *, year: int | None, status: str, page: int) -> dict:
    """The office's campaign list, filtered by year and status, with each campaign's counts."""
    query = campaigns_for_user(user).options(joinedload(ReviewCampaign.rubric))
    if year:
        query = query.where(ReviewCampaign.year == year)
    if status:
        query = query.where(ReviewCampaign.status == status)
    campaigns = db.paginate(
        query.order_by(ReviewCampaign.year.desc(), ReviewCampaign.id.desc()),
        page=page,
        per_page=20,
        error_out=False,
    )
    years = db.session.scalars(
        campaigns_for_user(user)
        .with_only_columns(ReviewCampaign.year)
        .distinct()
        .order_by(ReviewCampaign.year.desc())
    ).all()
    return {"page": campaigns, "counts": _campaign_counts([c.id for c in campaigns.items]), "years": years}


def _campaign_counts(ids: list[int]) -> dict[int, dict]:
    """Per campaign: files in the pool, sampled, excellent; assignments and submitted ones."""
    counts: dict[int, dict] = {}
    if not ids:
        return counts
    rows = db.session.execute(
        select(
            CaseFile.campaign_id,
            func.count(CaseFile.id),
            func.count(CaseFile.id).filter(CaseFile.sampled.is_(True)),
            func.count(CaseFile.id).filter(CaseFile.excellent.is_(True)),
        )
        .where(CaseFile.campaign_id.in_(ids))
        .group_by(CaseFile.campaign_id)
    )
    counts = {r[0]: {"pool": r[1], "sampled": r[2], "excellent": r[3]} for r in rows}
    for cid, total, done in db.session.execute(
        select(
            CaseFile.campaign_id,
            func.count(ReviewAssignment.id),
            func.count(ReviewAssignment.id).filter(ReviewAssignment.status == "submitted"),
        )
        .join(ReviewAssignment, ReviewAssignment.case_file_id == CaseFile.id)
        .where(CaseFile.campaign_id.in_(ids))
        .group_by(CaseFile.campaign_id)
    ):
        counts.setdefault(cid, {}).update(assignments=total, submitted=done)
    return counts


def my_assignments_page(user: User, *, status: str, campaign_id: int | None, page: int) -> dict:
    """A reviewer's assignments (to score, submitted or all), soonest deadline first."""
    query = (
        assignments_for_user(user)
        .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
        .join(ReviewCampaign, ReviewCampaign.id == CaseFile.campaign_id)
        .options(
            joinedload(ReviewAssignment.case_file).joinedload(CaseFile.unit),
            joinedload(ReviewAssignment.case_file).joinedload(CaseFile.campaign),
        )
    )
    if status in ("assigned", "submitted"):
        query = query.where(ReviewAssignment.status == status)
    if campaign_id:
        query = query.where(CaseFile.campaign_id == campaign_id)
    assignments = db.paginate(
        query.order_by(ReviewCampaign.deadline, CaseFile.unit_id, CaseFile.case_number),
        page=page,
        per_page=30,
        error_out=False,
    )
    # The rows the reviewer may still score get the "评分" button; the others "查看".
    to_score = {a.id for a in assignments.items if "submit" in step_actions(a, user)}
    return {"page": assignments, "to_score": to_score}


def unit_campaigns_page(user: User, *, page: int) -> dict:
    """A liaison's campaigns: the published ones of their unit, and those still taking its list."""
    campaigns = db.paginate(
        campaigns_for_user(user).order_by(ReviewCampaign.year.desc(), ReviewCampaign.id.desc()),
        page=page,
        per_page=20,
        error_out=False,
    )
    return {"page": campaigns, "drafts": drafts_for_liaison(user)}


def drafts_for_liaison(user: User) -> list[ReviewCampaign]:
    """Campaigns still taking case-file lists that include the liaison's unit."""
    return db.session.scalars(unit_upload_campaigns_for_user(user)).all()


# --- campaign set-up ------------------------------------------------------------------------


def campaign_form_options() -> dict[str, list]:
    """What the campaign form offers: every rubric version as (id, label), the active units as
    (id, name, kind) and the inspector pool as (id, display name, unit name)."""
    rubrics = db.session.execute(
        select(Rubric.id, Rubric.name, Rubric.edition).order_by(Rubric.name, Rubric.edition.desc())
    ).all()
    units = db.session.execute(
        select(Unit.id, Unit.name, Unit.kind).where(Unit.active.is_(True)).order_by(Unit.kind, Unit.id)
    ).all()
    reviewers = db.session.execute(
        select(User.id, User.display_name, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.in_inspector_pool)
        .order_by(User.id)
    ).all()
    labels = [(rid, f"{name}（第{edition}版）") for rid, name, edition in rubrics]
    return {"rubrics": labels, "units": units, "reviewers": reviewers}


def default_rubric_id() -> int | None:
    """The newest version of the default rubric, preselected on a new campaign."""
    return db.session.scalar(
        select(Rubric.id).where(Rubric.is_default.is_(True)).order_by(Rubric.edition.desc())
    )


# --- the campaign page ----------------------------------------------------------------------


def campaign_flags(campaign: ReviewCampaign, user: User) -> dict[str, bool]:
    """What the campaign page shows at this stage (the workflow buttons come from `steps`)."""
    status = campaign.status
    manage = can(user, "reviews.manage")
    return {
        "editable": status == "draft" and manage,  # its settings (campaign_update refuses later)
        "importable": status == "draft" and can(user, "casefiles.upload"),
        "preparing": status == "draft",  # the units' lists, before the draw
        "drawn": status != "draft",  # the sample and the whole pool are two lists
        "sample_adjustable": status == "sampling" and manage,  # files in or out, before assignment
        "sampled": status == "sampling",
        "reviewing": status == "reviewing",
        "has_results": status in HAS_RESULTS,  # scores, figures and exports
        "published": status == "published",
    }


def campaign_stage_bar(campaign: ReviewCampaign) -> list[tuple[str, str]]:
    """(status, css class) for the step bar: stages before the current one are done."""
    current = CAMPAIGN_STAGES.index(campaign.status)
    return [
        (s, "done" if n < current else "current" if n == current else "")
        for n, s in enumerate(CAMPAIGN_STAGES)
    ]


def campaign_page(user: User, campaign: ReviewCampaign, *, show: str, unit_id: int | None, page: int) -> dict:
    """The office's campaign page: settings, progress, figures, the file list and the record."""
    flags = campaign_flags(campaign, user)
    return {
        "rubric": db.session.get(Rubric, campaign.rubric_id),
        "progress": review_reports.campaign_progress(campaign.id),
        "files": _campaign_files(campaign, show=show, unit_id=unit_id, page=page),
        "stats": _campaign_stats(campaign) if flags["has_results"] else {},
        "pool_by_unit": dict(
            db.session.execute(
                select(CaseFile.unit_id, func.count(CaseFile.id))
                .where(CaseFile.campaign_id == campaign.id)
                .group_by(CaseFile.unit_id)
            ).all()
        ),
        "events": db.session.scalars(
            audit_events_for_record(user, "campaign", campaign.id)
            .options(joinedload(AuditEvent.actor))
            .limit(50)
        ).all(),
        "blockers": publish_blockers(campaign) if flags["reviewing"] else [],
        "reviewer_progress": _reviewer_progress(campaign.id) if flags["reviewing"] else [],
        "flags": flags,
        "stages": campaign_stage_bar(campaign),
        "steps": step_actions(campaign, user),
    }


def _campaign_files(campaign: ReviewCampaign, *, show: str, unit_id: int | None, page: int):
    query = (
        select(CaseFile)
        .where(CaseFile.campaign_id == campaign.id)
        .options(
            joinedload(CaseFile.unit),
            selectinload(CaseFile.assignments).joinedload(ReviewAssignment.reviewer),
        )
    )
    if campaign.status != "draft" and show != "pool":
        query = query.where(CaseFile.sampled.is_(True))
    if show == "divergent":
        query = query.where(CaseFile.divergent.is_(True))
    elif show == "excellent":
        query = query.where(CaseFile.excellent.is_(True))
    if unit_id:
        query = query.where(CaseFile.unit_id == unit_id)
    return db.paginate(
        query.order_by(CaseFile.unit_id, CaseFile.case_type, CaseFile.case_number),
        page=page,
        per_page=50,
        error_out=False,
    )


def _campaign_stats(campaign: ReviewCampaign) -> dict:
    return {
        "overall": review_reports.overall_average(campaign.id),
        "averages": review_reports.unit_averages(campaign.id),
        "grades": review_reports.grade_distribution(campaign),
        "common": review_reports.frequent_deductions(campaign.id),
    }


def _reviewer_progress(campaign_id: int) -> list:
    """(reviewer name, assigned, submitted) per reviewer of the campaign."""
    return db.session.execute(
        select(
            User.display_name,
            func.count(ReviewAssignment.id),
            func.count(ReviewAssignment.id).filter(ReviewAssignment.status == "submitted"),
        )
        .join(ReviewAssignment, ReviewAssignment.reviewer_id == User.id)
        .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
        .where(CaseFile.campaign_id == campaign_id)
        .group_by(User.id, User.display_name)
        .order_by(User.id)
    ).all()


def unit_results_page(user: User, campaign: ReviewCampaign, *, page: int) -> dict:
    """A liaison's view of a published campaign: their unit's files, scores and deductions, no names."""
    unit_id = user.unit_id
    files = db.paginate(
        case_files_for_user(user)
        .where(CaseFile.campaign_id == campaign.id)
        .order_by(CaseFile.case_type, CaseFile.case_number),
        page=page,
        per_page=30,
        error_out=False,
    )
    return {
        "rubric": db.session.get(Rubric, campaign.rubric_id),
        "files": files,
        "deductions": _unit_deductions([f.id for f in files.items]),
        "averages": review_reports.unit_averages(campaign.id, unit_id=unit_id),
        "grades": review_reports.grade_distribution(campaign, unit_id=unit_id),
        "common": review_reports.frequent_deductions(campaign.id, limit=5, unit_id=unit_id),
    }


def _unit_deductions(file_ids: list[int]) -> dict[int, list]:
    """Each file's submitted deductions, its reviewers numbered 1, 2 … instead of named."""
    deductions: dict[int, list] = defaultdict(list)
    if not file_ids:
        return deductions
    rows = db.session.execute(
        select(
            ReviewAssignment.case_file_id,
            ReviewAssignment.id,
            RubricItem.category,
            RubricItem.text,
            RubricItem.is_veto,
            ReviewDeduction.points,
            ReviewDeduction.note,
        )
        .join(ReviewDeduction, ReviewDeduction.assignment_id == ReviewAssignment.id)
        .join(RubricItem, RubricItem.id == ReviewDeduction.item_id)
        .where(
            ReviewAssignment.case_file_id.in_(file_ids),
            ReviewAssignment.status == "submitted",
            (ReviewDeduction.points > 0) | RubricItem.is_veto,
        )
        .order_by(ReviewAssignment.case_file_id, ReviewAssignment.id, RubricItem.order)
    )
    order: dict[int, dict[int, int]] = defaultdict(dict)
    for file_id, assignment_id, category, text, veto, points, note in rows:
        n = order[file_id].setdefault(assignment_id, len(order[file_id]) + 1)
        deductions[file_id].append(
            {
                "reviewer_no": n,
                "category": category,
                "text": text,
                "veto": veto,
                "points": points,
                "note": note,
            }
        )
    return deductions


# --- exports --------------------------------------------------------------------------------


def sampled_files(campaign_id: int) -> list[CaseFile]:
    """The campaign's sampled files with their units and assignments, in the results' order."""
    return db.session.scalars(
        select(CaseFile)
        .where(CaseFile.campaign_id == campaign_id, CaseFile.sampled.is_(True))
        .options(joinedload(CaseFile.unit), selectinload(CaseFile.assignments))
        .order_by(CaseFile.unit_id, CaseFile.case_type, CaseFile.case_number)
    ).all()


def campaign_results(campaign: ReviewCampaign) -> tuple[list[CaseFile], dict[int, list[str]]]:
    """The 评查结果表: the sampled files and each one's deducted items."""
    return sampled_files(campaign.id), review_reports.problems_by_file(campaign.id)


def campaign_report_figures(campaign: ReviewCampaign) -> dict:
    """Everything the 评查情况通报 prints besides the office's name and date."""
    files = sampled_files(campaign.id)
    return {
        "progress": review_reports.campaign_progress(campaign.id),
        **_campaign_stats(campaign),
        "excellent": [f for f in files if f.excellent],
        "failed": [f for f in files if f.is_final and f.grade == scoring.FAIL_GRADE],
    }


# --- one file -------------------------------------------------------------------------------


def own_assignment_for_file(user: User, case_file: CaseFile) -> ReviewAssignment | None:
    """The reviewer's own assignment on the file (a reviewer reads a file only through it)."""
    return db.session.scalar(assignments_for_user(user).where(ReviewAssignment.case_file_id == case_file.id))


def file_page(user: User, case_file: CaseFile) -> dict:
    """The office's page of one file: each review, the findings made from it, its record."""
    campaign = case_file.campaign
    rubric = db.session.get(Rubric, campaign.rubric_id)
    assignments = db.session.scalars(
        select(ReviewAssignment)
        .where(ReviewAssignment.case_file_id == case_file.id)
        .options(
            joinedload(ReviewAssignment.reviewer),
            selectinload(ReviewAssignment.deductions).joinedload(ReviewDeduction.item),
        )
        .order_by(ReviewAssignment.id)
    ).all()
    findings = db.session.scalars(
        select(Finding).where(Finding.case_file_id == case_file.id).order_by(Finding.id)
    ).all()
    reviewing = campaign.status == "reviewing"
    manage = can(user, "reviews.manage")
    all_submitted = bool(assignments) and all(a.status == "submitted" for a in assignments)
    return {
        "campaign": campaign,
        "rubric": rubric,
        "assignments": assignments,
        "findings": findings,
        "events": _file_events(case_file, assignments),
        # Returning a review is its workflow step, and only while the campaign is under review.
        "returnable": {a.id for a in assignments if reviewing and "return" in step_actions(a, user)},
        "reassignable": [a for a in assignments if reviewing and manage and a.status == "assigned"],
        "reassign_candidates": reassign_candidates(case_file, assignments) if reviewing and manage else [],
        "can_decide": reviewing and manage and all_submitted,  # settle the score, name it excellent
        "can_make_findings": manage and campaign.status in HAS_RESULTS,
        "top_grade": scoring.grade_labels(rubric.band_pairs)[0],
        "spread": scoring.spread([a.total for a in assignments if a.total is not None]),
    }


def _file_events(case_file: CaseFile, assignments: list[ReviewAssignment]) -> list[AuditEvent]:
    """The file's own events and its reviews' (submitted, returned …), newest first."""
    return db.session.scalars(
        select(AuditEvent)
        .where(
            ((AuditEvent.record_type == "case_file") & (AuditEvent.record_id == case_file.id))
            | (
                (AuditEvent.record_type == "assignment")
                & AuditEvent.record_id.in_([a.id for a in assignments])
            )
        )
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(50)
    ).all()


def reassign_candidates(case_file: CaseFile, assignments: list[ReviewAssignment]) -> list:
    """(id, name, unit short name) of the inspector pool who may take over a review of the file:
    not already on it, and not of the file's unit (交叉评查)."""
    taken = {a.reviewer_id for a in assignments}
    return db.session.execute(
        select(User.id, User.display_name, Unit.short_name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.in_inspector_pool, User.id.not_in(taken))
        .where((User.unit_id.is_(None)) | (User.unit_id != case_file.unit_id))
        .order_by(User.id)
    ).all()


# --- scoring --------------------------------------------------------------------------------


def scoring_rubric(campaign: ReviewCampaign) -> Rubric:
    """The campaign's rubric with its items, for reading a posted score sheet."""
    return db.session.scalar(
        select(Rubric).where(Rubric.id == campaign.rubric_id).options(selectinload(Rubric.items))
    )


def assignment_page(user: User, assignment: ReviewAssignment) -> dict:
    """The scoring page of one assignment: the rubric by category, the veto items, the record."""
    case_file = assignment.case_file
    campaign = case_file.campaign
    rubric = scoring_rubric(campaign)
    groups = [
        (category, rubric.category_max.get(category), [i for i in rubric.items if i.category == category])
        for category in [c["name"] for c in rubric.categories]
    ]
    events = db.session.scalars(
        audit_events_for_record(user, "assignment", assignment.id)
        .options(joinedload(AuditEvent.actor))
        .limit(20)
    ).all()
    return {
        "case_file": case_file,
        "campaign": campaign,
        "rubric": rubric,
        # The reviewer scores while submitting is their next step and the campaign is under review.
        "editable": can_score(user, assignment)
        and "submit" in step_actions(assignment, user)
        and campaign.status == "reviewing",
        "groups": groups,
        "veto_items": [i for i in rubric.items if i.is_veto],
        "events": events,
        "bands": "|".join(f"{label}:{minimum:g}" for label, minimum in rubric.band_pairs),
    }


# --- rubrics --------------------------------------------------------------------------------


def rubric_list() -> list:
    """Every rubric version with its number of items (rubrics are reference data, read by all)."""
    return db.session.execute(
        select(Rubric, func.count(RubricItem.id))
        .outerjoin(RubricItem, RubricItem.rubric_id == Rubric.id)
        .group_by(Rubric.id)
        .order_by(Rubric.name, Rubric.edition.desc())
    ).all()


def rubric_with_items(rubric_id: int) -> Rubric | None:
    return db.session.scalar(select(Rubric).where(Rubric.id == rubric_id).options(selectinload(Rubric.items)))


def rubric_page(user: User, rubric: Rubric) -> dict:
    """The campaigns using the rubric and its record."""
    used_by = db.session.scalars(
        select(ReviewCampaign).where(ReviewCampaign.rubric_id == rubric.id).order_by(ReviewCampaign.id.desc())
    ).all()
    events = db.session.scalars(
        audit_events_for_record(user, "rubric", rubric.id).options(joinedload(AuditEvent.actor)).limit(30)
    ).all()
    return {"used_by": used_by, "events": events}


# --- home panels ----------------------------------------------------------------------------


def reviewer_panel(user: User) -> dict:
    """The reviewer's files still to score in campaigns under review: a count and the first eight
    (tuples, from the rows the work list reads in the same request)."""
    rows = reviews_to_score_rows(user)
    return {"count": rows[0].total if rows else 0, "pending": rows[:8]}


def lead_panel(user: User) -> dict:
    """The five newest unpublished campaigns with their scoring progress and files to settle."""
    campaigns = db.session.scalars(
        campaigns_for_user(user)
        .where(ReviewCampaign.status != "published")
        .order_by(ReviewCampaign.year.desc(), ReviewCampaign.id.desc())
        .limit(5)
    ).all()
    ids = [c.id for c in campaigns]
    progress = {}
    if ids:
        for cid, total, done, unsettled in db.session.execute(
            select(
                CaseFile.campaign_id,
                func.count(ReviewAssignment.id),
                func.count(ReviewAssignment.id).filter(ReviewAssignment.status == "submitted"),
                func.count(func.distinct(CaseFile.id)).filter(
                    CaseFile.divergent.is_(True), CaseFile.settled_reason == ""
                ),
            )
            .join(ReviewAssignment, ReviewAssignment.case_file_id == CaseFile.id)
            .where(CaseFile.campaign_id.in_(ids))
            .group_by(CaseFile.campaign_id)
        ):
            progress[cid] = {"total": total, "done": done, "unsettled": unsettled}
    return {"campaigns": campaigns, "progress": progress}


def liaison_panel(user: User) -> dict:
    """The unit's three latest published results with its figures, and the lists still wanted."""

    def build_published(asker):
        def of_unit(column, *where):
            return (
                select(column)
                .where(
                    CaseFile.campaign_id == ReviewCampaign.id,
                    CaseFile.unit_id == asker.unit_id,
                    CaseFile.sampled.is_(True),
                    *where,
                )
                .correlate(ReviewCampaign)
                .scalar_subquery()
            )

        # whether any campaign still wants the unit's list: the second read only when one does
        wanted = select(func.count()).select_from(_upload_campaigns(asker).subquery()).scalar_subquery()
        return (
            campaigns_for_user(asker)
            .with_only_columns(
                ReviewCampaign.id,
                ReviewCampaign.title,
                wanted.label("wanted"),
                of_unit(func.count(CaseFile.id)).label("files"),
                of_unit(func.avg(CaseFile.final_score)).label("avg"),
                of_unit(func.count(CaseFile.id), CaseFile.excellent.is_(True)).label("excellent"),
            )
            .order_by(ReviewCampaign.published_at.desc(), ReviewCampaign.id.desc())
            .limit(3)
        )

    def read():
        published = statements.read_rows("liaison_published_campaigns", user, build_published)
        drafts = []
        if not published or published[0].wanted:
            drafts = statements.read_rows("liaison_upload_campaigns", user, _upload_campaigns)
        return published, drafts

    # kept until a campaign, its files or their scores change (todo.kept_for_user)
    published, drafts = kept_for_user("liaison_review_panel", user, LIAISON_REVIEW_READS, read)
    figures = {}
    if user.unit_id is not None:
        figures = {
            c.id: {
                "files": c.files,
                "avg": float(c.avg) if c.avg is not None else None,
                "excellent": c.excellent,
            }
            for c in published
            if c.files
        }
    return {"published": published, "figures": figures, "drafts": drafts}


def _upload_campaigns(asker):
    """The campaigns still taking the unit's case-file list (the liaison's panel asks them to)."""
    return unit_upload_campaigns_for_user(asker).with_only_columns(ReviewCampaign.id, ReviewCampaign.title)
