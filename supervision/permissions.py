"""Who may see and do what: the role → capability table, can(), @require and scoped queries.

Views, templates and services ask this module; nobody compares roles anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, has_request_context
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, Select, any_, func, select, union

from . import statements
from .extensions import db
from .models import AuditEvent, Unit, User
from .request_memo import per_request

_OFFICE_READ = {
    "reference.read",  # units, users, notice kinds, rubrics, frameworks, calendar
    "tasks.read_all",
    "findings.read_all",
    "notices.read_all",
    "reviews.read_all",
    "assessments.read_all",
    "scorecards.read_all",
    "audit.read_all",
    "dashboard.view",
    "search.use",
}

CAPABILITIES: dict[str, frozenset[str]] = {
    "admin": frozenset(_OFFICE_READ | {"admin.manage"}),
    "lead": frozenset(
        _OFFICE_READ
        | {
            "tasks.manage",  # create, activate, close, reopen
            "findings.dismiss",
            "notices.issue",  # sign off: issue or return to draft
            "notices.void",
            "notices.extend",
            "notices.escalate",
            "reviews.manage",  # campaigns: create, sample, assign, return, settle, publish
            "casefiles.upload",
            "assessments.open_round",
            "assessments.finalize",
            "roadmap.manage",
        }
    ),
    "inspector": frozenset(
        {
            "reference.read",
            "tasks.read_assigned",
            "findings.record",
            "notices.read_all",
            "notices.draft",
            "notices.verify",
            "reviews.score",
            "assessments.read_all",
            "assessments.evaluate",
            "scorecards.read_all",
            "audit.read_visible",
            "search.use",
        }
    ),
    "liaison": frozenset(
        {
            "notices.read_own_unit",
            "notices.respond",  # acknowledge, report, ask for an extension
            "reviews.read_own_unit",
            "casefiles.upload_own_unit",
            "assessments.self_assess",
            "scorecards.read_own_unit",
            "roadmap.update_own_unit",
            "audit.read_own_unit",
            "search.use",
        }
    ),
}


# Object-level rules that templates call too, as rule(record, ...) for the current user
# (registered in the Jinja env by create_app), so a page offers exactly what the service allows.
TEMPLATE_RULES: dict[str, Callable[..., bool]] = {}


def template_rule(func: Callable[..., bool]) -> Callable[..., bool]:
    TEMPLATE_RULES[func.__name__] = func
    return func


def can(user: Any, capability: str) -> bool:
    """True if the user's role grants the capability (anonymous and inactive users: nothing)."""
    return capability in _granted(user)


def can_any(user: Any, *capabilities: str) -> bool:
    granted = _granted(user)
    return any(c in granted for c in capabilities)


_NOTHING: frozenset[str] = frozenset()


def _granted(user: Any) -> frozenset[str]:
    """The capabilities of the user's role; `current_user` is resolved once, not per attribute."""
    if user is None:
        return _NOTHING
    resolve = getattr(user, "_get_current_object", None)  # Flask-Login's current_user proxy
    if resolve is not None:
        user = resolve()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _NOTHING
    return CAPABILITIES.get(user.role, _NOTHING)


def authorize(allowed: bool, message: str) -> None:
    """A service's entry check: raise NotAllowed with the message unless the rule allowed it.

    The message is translated here: `make messages` extracts the second argument of every
    authorize() call (`-k authorize:2`), so callers pass the Chinese text as a literal.
    """
    if not allowed:
        from flask_babel import gettext

        from .errors import NotAllowed

        raise NotAllowed(gettext(message))


def is_own_unit(user: Any, unit_id: int | None) -> bool:
    """The user belongs to that unit (a liaison's unit; an inspector's home unit, for 回避)."""
    return unit_id is not None and getattr(user, "unit_id", None) == unit_id


def require(*capabilities: str) -> Callable:
    """View decorator: log in first, then any one of the capabilities, else 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can_any(current_user, *capabilities):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_capabilities = capabilities  # read by the export queue before it queues
        return wrapped

    return decorator


# --- scoped queries -------------------------------------------------------------------------


def _one_or_404(query: Select) -> Any:
    """The single record a scoped query finds, or a 404 (out of scope looks like missing)."""
    record = db.session.scalar(query)
    if record is None:
        abort(404)
    return record


def units_for_user(user: User) -> Select:
    """Units the user may see: the office sees all; a liaison only their own."""
    query = select(Unit)
    if can(user, "reference.read"):
        return query
    if user.unit_id is not None:
        return query.where(Unit.id == user.unit_id)
    return query.where(False)


def get_unit_for_user_or_404(unit_id: int, user: User) -> Unit:
    return _one_or_404(units_for_user(user).where(Unit.id == unit_id))


def get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@template_rule
def can_read_user_details(user: Any, other: User) -> bool:
    """Phone, e-mail, username and the account's history: the admin (and the person themself).
    The rest of the office sees names, roles and units only."""
    return can(user, "admin.manage") or (can(user, "reference.read") and other.id == user.id)


def can_revoke_token(user: Any, token: Any) -> bool:
    """A personal access token is revoked by its owner, or by the admin (anyone's)."""
    return token.user_id == user.id or can(user, "admin.manage")


def audit_events_for_record(user: User, record_type: str, record_id: int) -> Select:
    """The timeline of one record. Callers have already checked the user may see the record."""
    return (
        select(AuditEvent)
        .where(AuditEvent.record_type == record_type, AuditEvent.record_id == record_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


# --- attachments ---------------------------------------------------------------------------

# owner_type → function(user, owner_id) returning the owner record if the user may see it,
# else None. Each area registers its owners; an unknown owner type is a 404 (deny by default).
AttachmentResolver = Callable[[User, int], Any]
_attachment_owners: dict[str, AttachmentResolver] = {}


def register_attachment_owner(owner_type: str) -> Callable[[AttachmentResolver], AttachmentResolver]:
    def decorator(resolver: AttachmentResolver) -> AttachmentResolver:
        _attachment_owners[owner_type] = resolver
        return resolver

    return decorator


def attachment_owner_for_user(user: User, owner_type: str, owner_id: int) -> Any:
    """The record owning an attachment, if the user may see it; otherwise None."""
    resolver = _attachment_owners.get(owner_type)
    if resolver is None:
        return None
    return resolver(user, owner_id)


@register_attachment_owner("unit")
def _unit_owner(user: User, owner_id: int) -> Unit | None:
    return db.session.scalar(units_for_user(user).where(Unit.id == owner_id))


# --- supervision tasks and findings -------------------------------------------------


def _my_task_ids(user: User) -> Select:
    from .models import TaskInspector

    return select(TaskInspector.task_id).where(TaskInspector.user_id == user.id)


def among(column: ColumnElement, ids: Select) -> ColumnElement[bool]:
    """column IN (ids). PostgreSQL: = ANY(ARRAY(ids)), which its index answers inside an OR or an
    AND (a bitmap of each side), where IN (subquery) is a filter tested on every row read."""
    if db.engine.dialect.name == "postgresql":
        return column == any_(func.array(ids.scalar_subquery()))
    return column.in_(ids)


def tasks_for_user(user: User) -> Select:
    """The office reads every task; an inspector the tasks they are on; a liaison none."""
    from .models import SupervisionTask

    query = select(SupervisionTask)
    if can(user, "tasks.read_all"):
        return query
    if can(user, "tasks.read_assigned"):
        return query.where(SupervisionTask.id.in_(_my_task_ids(user)))
    return query.where(False)


def get_task_for_user_or_404(task_id: int, user: User):
    from .models import SupervisionTask

    return _one_or_404(tasks_for_user(user).where(SupervisionTask.id == task_id))


def findings_for_user(user: User) -> Select:
    """The office reads all findings; an inspector those of their tasks plus findings without a task
    (recorded by the office in case-file reviews and assessments); a liaison none (units meet
    findings only inside issued notices)."""
    from .models import Finding

    query = select(Finding)
    if can(user, "findings.read_all"):
        return query
    if can(user, "tasks.read_assigned"):
        return query.where(Finding.task_id.is_(None) | among(Finding.task_id, _my_task_ids(user)))
    return query.where(False)


def get_finding_for_user_or_404(finding_id: int, user: User):
    from .models import Finding

    return _one_or_404(findings_for_user(user).where(Finding.id == finding_id))


def can_record_finding_in(user: Any, task: Any) -> bool:
    """Record a finding in a task: one of its inspectors (the task being active is workflow's)."""
    return can(user, "findings.record") and is_on_task(user, task.id)


def can_record_finding_for_unit(user: Any, unit_id: int | None) -> bool:
    """回避: an inspector never records a finding against their own (home) unit."""
    return not is_own_unit(user, unit_id)


@template_rule
def can_edit_finding(user: Any, finding: Any) -> bool:
    """Edit a finding (while open): the inspector who recorded it, and only them."""
    return can(user, "findings.record") and finding.inspector_id == user.id


@register_attachment_owner("task")
def _task_owner(user: User, owner_id: int):
    from .models import SupervisionTask

    return db.session.scalar(tasks_for_user(user).where(SupervisionTask.id == owner_id))


@register_attachment_owner("finding")
def _finding_owner(user: User, owner_id: int):
    from .models import Finding

    return db.session.scalar(findings_for_user(user).where(Finding.id == owner_id))


# --- notices and rectification ----------------------------------------------------

# Statuses a unit sees: only once issued (a voided notice that had been issued stays visible).
UNIT_VISIBLE_NOTICE_STATUSES = ("issued", "acknowledged", "closed", "voided")


def notices_for_user(user: User) -> Select:
    """The office reads every notice; a liaison their own unit's notices once issued; others none."""
    from .models import Notice

    query = select(Notice)
    if can(user, "notices.read_all"):
        return query
    if can(user, "notices.read_own_unit") and user.unit_id is not None:
        return query.where(
            Notice.unit_id == user.unit_id,
            Notice.status.in_(UNIT_VISIBLE_NOTICE_STATUSES),
            Notice.doc_number.is_not(None),
        )
    return query.where(False)


def get_notice_for_user_or_404(notice_id: int, user: User):
    from .models import Notice

    return _one_or_404(notices_for_user(user).where(Notice.id == notice_id))


# The office's drafting and sign-off discussion, which the unit does not see in a notice's history.
DRAFTING_ACTIONS = ("notice.create", "notice.update", "notice.submit", "notice.return")


def notice_events_for_user(user: User, notice: Any, item_ids: Any = None) -> Select:
    """A notice's history (its own events and its items'), newest first, as this user may read it:
    the unit sees its notice from issue on. Callers have already checked the user may see the notice.
    `item_ids`: the notice's item ids, or an expanding bound parameter for a statement built once
    (queries/notice_detail.py; `notice.id` may then be a bound parameter too)."""
    from sqlalchemy import or_

    if item_ids is None:
        item_ids = [i.id for i in notice.items] or [0]
    query = (
        select(AuditEvent)
        .where(
            or_(
                (AuditEvent.record_type == "notice") & (AuditEvent.record_id == notice.id),
                (AuditEvent.record_type == "notice_item") & (AuditEvent.record_id.in_(item_ids)),
            )
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if not can(user, "notices.read_all"):
        query = query.where(AuditEvent.action.not_in(DRAFTING_ACTIONS))
    return query


def is_on_task(user: Any, task_id: int | None) -> bool:
    """True if the user is one of the task's inspectors (cached per request: pages ask per row)."""
    from .models import TaskInspector

    if task_id is None or not getattr(user, "is_authenticated", False):
        return False
    key = (user.id, task_id)
    cache = g.setdefault("_on_task", {}) if has_request_context() else {}
    if key not in cache:
        cache[key] = (
            db.session.scalar(
                select(TaskInspector.user_id).where(
                    TaskInspector.task_id == task_id, TaskInspector.user_id == user.id
                )
            )
            is not None
        )
    return cache[key]


def _named_on_notice(user: Any, notice: Any) -> bool:
    """The drafter, or an inspector of the notice's source task."""
    return notice.drafted_by_id == user.id or is_on_task(user, notice.task_id)


@template_rule
def can_edit_draft(user: Any, notice: Any) -> bool:
    """Edit or submit a draft: an inspector who drafted it or is on its source task."""
    return can(user, "notices.draft") and _named_on_notice(user, notice)


@template_rule
def can_issue_notice(user: Any, notice: Any) -> bool:
    """Sign off (issue or return): a lead, never for a notice they drafted themself."""
    return can(user, "notices.issue") and notice.drafted_by_id != user.id


@template_rule
def is_notice_unit(user: Any, notice: Any) -> bool:
    """The addressed unit's own liaison: acknowledges, reports, asks for an extension."""
    return can(user, "notices.respond") and user.unit_id is not None and user.unit_id == notice.unit_id


def verify_refusal(user: Any, notice: Any, item: Any = None) -> str | None:
    """Why the user may not verify (accept or return) the item, or None if they may.

    回避: an inspector of the addressed unit never verifies its rectification; only the drafter or
    an inspector of the source task does; and nobody verifies a report they submitted.
    """
    if not can(user, "notices.verify"):
        return "您没有核查整改情况的权限。"
    if user.unit_id is not None and user.unit_id == notice.unit_id:
        return "您是被督察单位的人员，应当回避，不能核查本单位的整改情况。"
    if not _named_on_notice(user, notice):
        return "只有通知书的起草人或来源督察任务的督察员可以核查。"
    latest = item.rectifications[-1] if item is not None and item.rectifications else None
    if latest is not None and latest.submitted_by_id == user.id:
        return "不能核查自己报送的整改报告。"
    return None


def verifiable_notices_for_user(user: User) -> Select:
    """Notices whose items the user may verify (the same rule as verify_refusal, as a query)."""
    from .models import Notice

    query = select(Notice)
    if not can(user, "notices.verify"):
        return query.where(False)
    query = query.where(Notice.id.in_(_named_notice_ids(user)))
    if user.unit_id is not None:
        query = query.where(Notice.unit_id != user.unit_id)
    return query


def _named_notice_ids(user: User) -> Select:
    """Ids of the notices the user drafted or that come from one of their tasks.

    A union of two index-backed selects (ix_notice_drafted_by_status, ix_notice_task): the same rule
    written as an OR of the two columns makes SQLite and PostgreSQL scan every notice.
    """
    from .models import Notice

    named = union(
        select(Notice.id).where(Notice.drafted_by_id == user.id),
        select(Notice.id).where(Notice.task_id.in_(_my_task_ids(user))),
    ).subquery()
    return select(named.c.id)


def verifiable_items_for_user(user: User, limit: int = 15) -> list:
    """Submitted reports the user may verify (the rule of verify_refusal), their own notices first,
    then by deadline: tuples (item_id, seq, notice_id, doc_number, unit_name, unit_short_name, deadline,
    drafted_by_id, description). Read once per request: the work list and the notices panel share it.
    """
    from .models import Finding, Notice, NoticeItem

    def build(asker) -> Select:
        return (
            select(
                NoticeItem.id.label("item_id"),
                NoticeItem.seq,
                Notice.id.label("notice_id"),
                Notice.doc_number,
                Unit.name.label("unit_name"),
                Unit.short_name.label("unit_short_name"),
                Notice.deadline,
                Notice.drafted_by_id,
                Finding.description,
            )
            .join(Notice, Notice.id == NoticeItem.notice_id)
            .join(Unit, Unit.id == Notice.unit_id)
            .join(Finding, Finding.id == NoticeItem.finding_id)
            .where(
                NoticeItem.status == "submitted",
                Notice.status == "acknowledged",  # reports are submitted only on acknowledged notices
                Notice.id.in_(verifiable_notices_for_user(asker).with_only_columns(Notice.id)),
            )
            .order_by((Notice.drafted_by_id == asker.id).desc(), Notice.deadline, NoticeItem.id)
            .limit(limit)
        )

    return per_request(
        ("verifiable_items", user.id, limit),
        lambda: statements.read_rows(("verifiable_items", limit), user, build),
    )


@template_rule
def can_verify_item(user: Any, notice: Any, item: Any = None) -> bool:
    return verify_refusal(user, notice, item) is None


def get_notice_item_for_user_or_404(notice_id: int, item_id: int, user: User):
    """An item, only through a notice the user may see."""
    from .models import NoticeItem

    notice = get_notice_for_user_or_404(notice_id, user)
    item = _one_or_404(select(NoticeItem).where(NoticeItem.id == item_id, NoticeItem.notice_id == notice.id))
    return notice, item


@register_attachment_owner("rectification")
def _rectification_owner(user: User, owner_id: int):
    from .models import Notice, NoticeItem, Rectification

    visible = notices_for_user(user).with_only_columns(Notice.id)
    return db.session.scalar(
        select(Rectification)
        .join(NoticeItem, NoticeItem.id == Rectification.item_id)
        .where(Rectification.id == owner_id, NoticeItem.notice_id.in_(visible))
    )


# --- case-file review -------------------------------------------------------------


def campaigns_for_user(user: User) -> Select:
    """The office reads all campaigns; a reviewer those they review in; a liaison published ones
    that include their unit."""
    from .models import ReviewCampaign, campaign_reviewer, campaign_unit

    query = select(ReviewCampaign)
    if can(user, "reviews.read_all"):
        return query
    if can(user, "reviews.score"):
        mine = select(campaign_reviewer.c.campaign_id).where(campaign_reviewer.c.user_id == user.id)
        return query.where(ReviewCampaign.id.in_(mine))
    if can(user, "reviews.read_own_unit") and user.unit_id is not None:
        ours = select(campaign_unit.c.campaign_id).where(campaign_unit.c.unit_id == user.unit_id)
        return query.where(ReviewCampaign.status == "published", ReviewCampaign.id.in_(ours))
    return query.where(False)


def get_campaign_for_user_or_404(campaign_id: int, user: User):
    from .models import ReviewCampaign

    return _one_or_404(campaigns_for_user(user).where(ReviewCampaign.id == campaign_id))


def case_files_for_user(user: User) -> Select:
    """The office reads every file; a reviewer only files assigned to them; a liaison only their
    own unit's sampled files once the campaign is published."""
    from .models import CaseFile, ReviewAssignment, ReviewCampaign

    query = select(CaseFile)
    if can(user, "reviews.read_all"):
        return query
    if can(user, "reviews.score"):
        mine = select(ReviewAssignment.case_file_id).where(ReviewAssignment.reviewer_id == user.id)
        return query.where(CaseFile.id.in_(mine))
    if can(user, "reviews.read_own_unit") and user.unit_id is not None:
        published = select(ReviewCampaign.id).where(ReviewCampaign.status == "published")
        return query.where(
            CaseFile.unit_id == user.unit_id,
            CaseFile.sampled.is_(True),
            CaseFile.campaign_id.in_(published),
        )
    return query.where(False)


def get_case_file_for_user_or_404(file_id: int, user: User):
    from .models import CaseFile

    return _one_or_404(case_files_for_user(user).where(CaseFile.id == file_id))


def upload_campaigns_for_user(user: User) -> Select:
    """Campaigns the user may add case-file lists to: the lead any; a liaison the campaigns still
    taking lists (draft) that include their unit."""
    from .models import ReviewCampaign, campaign_unit

    query = select(ReviewCampaign)
    if can(user, "casefiles.upload"):
        return query
    if can(user, "casefiles.upload_own_unit") and user.unit_id is not None:
        ours = select(campaign_unit.c.campaign_id).where(campaign_unit.c.unit_id == user.unit_id)
        return query.where(ReviewCampaign.status == "draft", ReviewCampaign.id.in_(ours))
    return query.where(False)


def unit_upload_campaigns_for_user(user: User) -> Select:
    """A liaison's campaigns still taking case-file lists that include their unit, newest first (their
    home panel and 本单位评查); none for the lead, whose campaigns are on the lead's own pages."""
    from .models import ReviewCampaign

    if can(user, "casefiles.upload"):
        return select(ReviewCampaign).where(False)
    return upload_campaigns_for_user(user).order_by(ReviewCampaign.id.desc())


@template_rule
def can_upload_case_list(user: Any, campaign: Any, unit_id: int | None = None) -> bool:
    """Upload a case-file list (for the unit, if given): the lead for any unit; a liaison only
    their own unit's. Which campaigns still take lists is the service's (and the page's) business."""
    if can(user, "casefiles.upload"):
        return True
    if not can(user, "casefiles.upload_own_unit") or user.unit_id is None:
        return False
    return unit_id is None or unit_id == user.unit_id


def get_upload_campaign_for_user_or_404(campaign_id: int, user: User):
    from .models import ReviewCampaign

    return _one_or_404(upload_campaigns_for_user(user).where(ReviewCampaign.id == campaign_id))


def case_list_units_for_user(user: Any, campaign: Any) -> list:
    """The campaign's units whose list the user may upload."""
    return [u for u in campaign.units if can_upload_case_list(user, campaign, u.id)]


@template_rule
def can_score(user: Any, assignment: Any) -> bool:
    """Score (save or submit deductions on) an assignment: its reviewer, and only them."""
    return can(user, "reviews.score") and assignment.reviewer_id == user.id


def can_review_file(reviewer: Any, case_file: Any) -> bool:
    """May this person be assigned the file? An active inspector not of the file's unit (交叉评查)."""
    return (
        reviewer is not None
        and reviewer.active
        and can(reviewer, "reviews.score")
        and not is_own_unit(reviewer, case_file.unit_id)
    )


def assignments_for_user(user: User) -> Select:
    """The office reads every assignment; a reviewer only their own; nobody else any."""
    from .models import ReviewAssignment

    query = select(ReviewAssignment)
    if can(user, "reviews.read_all"):
        return query
    if can(user, "reviews.score"):
        return query.where(ReviewAssignment.reviewer_id == user.id)
    return query.where(False)


def get_assignment_for_user_or_404(assignment_id: int, user: User):
    from .models import ReviewAssignment

    return _one_or_404(assignments_for_user(user).where(ReviewAssignment.id == assignment_id))


# --- indicator assessments, scorecards and the roadmap -------------------------------


def assessments_for_user(user: User) -> Select:
    """The office reads every assessment; a liaison only their own unit's; nobody else any."""
    from .models import Assessment

    query = select(Assessment)
    if can(user, "assessments.read_all"):
        return query
    if can(user, "assessments.self_assess") and user.unit_id is not None:
        return query.where(Assessment.unit_id == user.unit_id)
    return query.where(False)


def get_assessment_for_user_or_404(assessment_id: int, user: User, *options: Any):
    """The assessment, only if the user may see it; `options` (loader options) load what the page
    shows with it in the same query."""
    from .models import Assessment

    return _one_or_404(assessments_for_user(user).where(Assessment.id == assessment_id).options(*options))


@template_rule
def can_self_assess(user: Any, assessment: Any) -> bool:
    """Fill in and submit a self-assessment: the liaison of the assessed unit."""
    return can(user, "assessments.self_assess") and is_own_unit(user, assessment.unit_id)


@template_rule
def can_evaluate(user: Any, assessment: Any) -> bool:
    """Evaluate (or return) a self-assessment: an inspector not of the assessed unit (回避)."""
    return can(user, "assessments.evaluate") and not is_own_unit(user, assessment.unit_id)


def assessments_to_evaluate_for_user(user: User) -> Select:
    """Submitted self-assessments the user may evaluate (not their own unit's)."""
    from .models import Assessment

    query = select(Assessment).where(Assessment.status == "submitted")
    if not can(user, "assessments.evaluate"):
        return query.where(False)
    if user.unit_id is not None:
        query = query.where(Assessment.unit_id != user.unit_id)
    return query


def assessments_to_evaluate_rows(user: User, limit: int = 15) -> list:
    """The submitted self-assessments the user may evaluate, oldest submission first, each with the
    number of them all: tuples (id, unit_name, round_title, deadline, submitted_at, total). One query,
    read once per request: the work list and the scorecards panel share it.
    """
    from sqlalchemy import func

    from .models import Assessment, AssessmentRound

    def build(asker) -> Select:
        # The first rows and the count from the assessments alone, then their unit and round: joined
        # before the limit, every submitted assessment was joined to its unit to be counted (a
        # scan of the units at province scale).
        first = (
            assessments_to_evaluate_for_user(asker)
            .with_only_columns(
                Assessment.id,
                Assessment.unit_id,
                Assessment.round_id,
                Assessment.submitted_at,
                func.count().over().label("total"),
            )
            .order_by(Assessment.submitted_at, Assessment.id)
            .limit(limit)
            .subquery()
        )
        return (
            select(
                first.c.id,
                Unit.name.label("unit_name"),
                AssessmentRound.title.label("round_title"),
                AssessmentRound.deadline,
                first.c.submitted_at,
                first.c.total,
            )
            .join(Unit, Unit.id == first.c.unit_id)
            .join(AssessmentRound, AssessmentRound.id == first.c.round_id)
            .order_by(first.c.submitted_at, first.c.id)
        )

    return per_request(
        ("assessments_to_evaluate", user.id, limit),
        lambda: statements.read_rows(("assessments_to_evaluate", limit), user, build),
    )


@template_rule
def can_manage_roadmap_for_unit(user: Any, unit_id: int) -> bool:
    """Draw up or update a roadmap item: the lead for any unit; a liaison for their own unit."""
    return can(user, "roadmap.manage") or (
        can(user, "roadmap.update_own_unit") and is_own_unit(user, unit_id)
    )


@template_rule
def can_manage_roadmap_item(user: Any, item: Any) -> bool:
    return can_manage_roadmap_for_unit(user, item.unit_id)


def scorecard_units_for_user(user: User) -> Select:
    """Units whose scorecard the user may see: all for the office, the own unit for a liaison."""
    query = select(Unit)
    if can(user, "scorecards.read_all"):
        return query
    if can(user, "scorecards.read_own_unit") and user.unit_id is not None:
        return query.where(Unit.id == user.unit_id)
    return query.where(False)


def get_scorecard_unit_for_user_or_404(unit_id: int, user: User) -> Unit:
    return _one_or_404(scorecard_units_for_user(user).where(Unit.id == unit_id))


def roadmap_items_for_user(user: User) -> Select:
    """The office reads the whole roadmap; a liaison their own unit's items."""
    from .models import RoadmapItem

    query = select(RoadmapItem)
    if can_any(user, "roadmap.manage", "scorecards.read_all"):
        return query
    if can(user, "roadmap.update_own_unit") and user.unit_id is not None:
        return query.where(RoadmapItem.unit_id == user.unit_id)
    return query.where(False)


def get_roadmap_item_for_user_or_404(item_id: int, user: User):
    from .models import RoadmapItem

    return _one_or_404(roadmap_items_for_user(user).where(RoadmapItem.id == item_id))


@register_attachment_owner("indicator_score")
def _indicator_score_owner(user: User, owner_id: int):
    from .models import Assessment, IndicatorScore

    visible = assessments_for_user(user).with_only_columns(Assessment.id)
    return db.session.scalar(
        select(IndicatorScore).where(IndicatorScore.id == owner_id, IndicatorScore.assessment_id.in_(visible))
    )
