"""A user's open work, soonest first: what the inspector's and the liaison's home pages list.

Each kind of work is one scoped query; the list is merged and sorted by due date in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from flask import has_request_context, request, url_for
from sqlalchemy import case, func, select, true

from . import cache, statements
from .audit import changes_stamp, engine_key
from .calendar import CALENDAR_RECORDS, request_calendar, working_days_between
from .extensions import db
from .models import (
    Assessment,
    AssessmentRound,
    CaseFile,
    Finding,
    Notice,
    NoticeItem,
    NoticeKind,
    ReviewAssignment,
    ReviewCampaign,
    SupervisionTask,
    TaskInspector,
    Unit,
    User,
)
from .permissions import (
    assessments_for_user,
    assessments_to_evaluate_rows,
    assignments_for_user,
    notices_for_user,
    verifiable_items_for_user,
)
from .request_memo import per_request

LIMIT = 15

T = TypeVar("T")

# What each kept read of a home page reads, by record type (`audit.changes_stamp`): its rows are
# kept until a record of one of these types changes. Generous on purpose: a type too many only
# costs a read again after an unrelated change, a type forgotten would show stale rows.
ACTIVE_TASKS_READS = ("task", "finding", "user")  # the teams are audited as their task's
VERIFY_READS = ("notice", "notice_item", "finding", "task", "unit", "user")
REVIEW_READS = ("assignment", "case_file", "campaign", "unit", "user")
EVALUATE_READS = ("assessment", "round", "unit", "user")
DRAFT_READS = ("notice", "unit", "user")
OPEN_NOTICE_READS = ("notice", "notice_item", "notice_kind", "unit", "user")
# the liaison's scorecard summary: open roadmap, current and last assessment, its drafts
SUMMARY_READS = ("roadmap", "assessment", "round", "framework", "unit", "user")
RATED_READS = ("assessment", "round", "framework")  # a score's save is audited as its assessment's
# the unit's published results (files, scores by assignment) and the campaigns wanting its list
LIAISON_REVIEW_READS = ("campaign", "case_file", "assignment", "unit", "user")

# Kept rows of one user each, apart from `cache.derived` (whose few office-wide entries are costly
# to make again): a busy office's users must not push those out. A few KB an entry.
_kept = cache.Store(2048)


def kept_for_user(name: Hashable, user: User, reads: tuple[str, ...], read: Callable[[], T]) -> T:
    """`read()` (rows of a scoped read for `user`), kept in this process until a record of the types
    `reads` changes: an inspector's or liaison's home shows the same rows on every visit between two
    changes, and reads them (five or six statements, a millisecond of SQLAlchemy) only after one.

    Keyed by everything a scoped statement may depend on (`statements.Asker`: the user's id, role,
    unit and whether they are active), so two users never share rows; every change writes an audit
    event (`audit.change_versions`), whichever process wrote it."""
    key = (
        name,
        engine_key(db.engine),
        user.id,
        user.role,
        user.unit_id,
        bool(user.is_active),
        changes_stamp(*reads),
    )
    return _kept.get(key, read)


@dataclass
class Work:
    kind: str  # shown as a badge: 记录问题 / 核查整改 / 评查案卷 / 评估指标 / 签收 / 整改 …
    title: str
    detail: str
    url: str
    due: date | None = None
    days_left: int | None = None  # working days, for notices

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


_PLACEHOLDER = 987654321  # an id no URL of ours spells otherwise


def _links(endpoint: str, arg: str) -> Callable[[int], str]:
    """url_for(endpoint, **{arg: id}) for many ids from one url_for (ids are integers)."""
    head, tail = url_for(endpoint, **{arg: _PLACEHOLDER}).split(str(_PLACEHOLDER))
    return lambda record_id: f"{head}{int(record_id)}{tail}"


def _sorted(items: list[Work]) -> list[Work]:
    return sorted(items, key=lambda w: (w.due is None, w.due or date.max, w.title))


def _active_tasks_and_counts(user: User) -> list:
    """The active tasks the user is on, each row also carrying the user's task and finding counts
    (the tasks panel's figures), in one query read once per request; with no active task one row of
    the counts alone (its task columns NULL): the counts are the one-row side of an outer join."""

    def build(asker):
        mine = select(TaskInspector.task_id).where(TaskInspector.user_id == asker.id)
        leader = (
            select(User.display_name)
            .join(TaskInspector, TaskInspector.user_id == User.id)
            .where(TaskInspector.task_id == SupervisionTask.id, TaskInspector.is_leader.is_(True))
            .order_by(TaskInspector.user_id)
            .limit(1)
            .correlate(SupervisionTask)
            .scalar_subquery()
        )
        findings = (
            select(func.count(Finding.id))
            .where(Finding.task_id == SupervisionTask.id, Finding.status != "dismissed")
            .correlate(SupervisionTask)
            .scalar_subquery()
        )
        first = (
            select(
                SupervisionTask.id,
                SupervisionTask.code,
                SupervisionTask.title,
                SupervisionTask.period_end,
                leader.label("leader"),
                findings.label("findings"),
                func.count().over().label("total"),
            )
            .where(SupervisionTask.id.in_(mine), SupervisionTask.status == "active")
            .order_by(SupervisionTask.period_end, SupervisionTask.id)
            .limit(LIMIT)
            .subquery()
        )
        counts = select(
            select(func.count(SupervisionTask.id))
            .where(SupervisionTask.id.in_(mine))
            .scalar_subquery()
            .label("task_count"),
            select(func.count(Finding.id))
            .where(Finding.inspector_id == asker.id, Finding.status != "dismissed")
            .scalar_subquery()
            .label("finding_count"),
            select(func.count(Finding.id))
            .where(Finding.inspector_id == asker.id, Finding.status == "open")
            .scalar_subquery()
            .label("open_count"),
        ).subquery()
        return (
            select(*first.c, counts.c.task_count, counts.c.finding_count, counts.c.open_count)
            .select_from(counts)
            .outerjoin(first, true())
            .order_by(first.c.period_end, first.c.id)
        )

    return per_request(
        ("active_tasks", user.id),
        lambda: kept_for_user(
            "active_tasks",
            user,
            ACTIVE_TASKS_READS,
            lambda: statements.read_rows("active_tasks", user, build),
        ),
    )


def active_tasks_rows(user: User) -> list:
    """The active tasks the user is on (a member of the team), soonest end first: tuples (id, code,
    title, period_end, leader, findings, total, ...) with the team leader's name, the task's findings
    (dismissed ones left out) and the number of active tasks in all. Read once per request with the
    tasks panel's counts (`inspector_task_counts`): the work list and the tasks panel share it."""
    return [row for row in _active_tasks_and_counts(user) if row.id is not None]


def inspector_task_counts(user: User) -> tuple[int, int, int]:
    """The tasks the user is on, the findings they recorded (dismissed ones left out) and of those
    the open ones: from the same query as `active_tasks_rows`."""
    row = _active_tasks_and_counts(user)[0]
    return row.task_count, row.finding_count, row.open_count


def reviews_to_score_rows(user: User) -> list:
    """The reviewer's files still to score in campaigns under review, by the campaign's deadline:
    tuples (id, case_number, case_title, campaign_title, deadline, unit_name, unit_short_name,
    total), total being the number of them all. One query, read once per request: the work list
    and the reviews panel share it."""

    def build(asker):
        return (
            assignments_for_user(asker)
            .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
            .join(ReviewCampaign, ReviewCampaign.id == CaseFile.campaign_id)
            .outerjoin(Unit, Unit.id == CaseFile.unit_id)
            .with_only_columns(
                ReviewAssignment.id,
                CaseFile.case_number,
                CaseFile.title.label("case_title"),
                ReviewCampaign.title.label("campaign_title"),
                ReviewCampaign.deadline,
                Unit.name.label("unit_name"),
                Unit.short_name.label("unit_short_name"),
                func.count().over().label("total"),
            )
            .where(
                ReviewAssignment.reviewer_id == asker.id,  # their own, even for a role that reads all
                ReviewAssignment.status == "assigned",
                ReviewCampaign.status == "reviewing",
            )
            .order_by(ReviewCampaign.deadline, ReviewAssignment.id)
            .limit(LIMIT)
        )

    return per_request(
        ("reviews_to_score", user.id),
        lambda: kept_for_user(
            "reviews_to_score",
            user,
            REVIEW_READS,
            lambda: statements.read_rows("reviews_to_score", user, build),
        ),
    )


def verifiable_items(user: User) -> list:
    """`permissions.verifiable_items_for_user`, kept until a notice, its items or the teams change
    (`kept_for_user`): the work list and the notices panel read it."""
    return kept_for_user("verifiable_items", user, VERIFY_READS, lambda: verifiable_items_for_user(user))


def assessments_to_evaluate(user: User) -> list:
    """`permissions.assessments_to_evaluate_rows`, kept until an assessment, a round or a unit changes
    (`kept_for_user`): the work list and the scorecards panel read it."""
    return kept_for_user(
        "assessments_to_evaluate", user, EVALUATE_READS, lambda: assessments_to_evaluate_rows(user)
    )


# everything the work lists read: kept as a whole too, so a visit between two changes builds no Work
INSPECTOR_WORK_READS = tuple(dict.fromkeys(ACTIVE_TASKS_READS + VERIFY_READS + REVIEW_READS + EVALUATE_READS))


def _where(today: date) -> tuple:
    """What a kept work list depends on besides the records: the day and the URLs' root."""
    return today, request.script_root if has_request_context() else ""


def inspector_work(user: User, today: date) -> list[Work]:
    """The inspector's work list, kept until a record it reads changes (`kept_for_user`)."""
    return kept_for_user(
        ("inspector_work", *_where(today)), user, INSPECTOR_WORK_READS, lambda: _inspector_work(user, today)
    )


def _inspector_work(user: User, today: date) -> list[Work]:
    work: list[Work] = []
    task_url = _links("tasks.detail", "task_id")
    notice_url = _links("notices.detail", "notice_id")
    for task_id, _code, title, period_end, *_counts in active_tasks_rows(user):
        work.append(
            Work(
                "记录问题",
                title,
                f"督察期间至 {period_end.month}月{period_end.day}日",
                task_url(task_id),
                period_end,
            )
        )
    for item in verifiable_items(user):
        work.append(
            Work(
                "核查整改",
                f"{item.doc_number} 第{item.seq}项",
                item.unit_name,
                notice_url(item.notice_id),
                item.deadline,
            )
        )
    review_url = _links("reviews.assignment_detail", "assignment_id")
    for assignment_id, case_number, case_title, campaign_title, deadline, *_unit in reviews_to_score_rows(
        user
    ):
        work.append(
            Work(
                "评查案卷",
                f"{case_number} {case_title}",
                campaign_title,
                review_url(assignment_id),
                deadline,
            )
        )
    assessment_url = _links("scorecards.assessment", "assessment_id")
    for assessment in assessments_to_evaluate(user):
        work.append(
            Work(
                "评估指标",
                assessment.unit_name,
                assessment.round_title,
                assessment_url(assessment.id),
                assessment.deadline,
            )
        )
    return _sorted(work)


def open_notices_rows(user: User, limit: int = 20) -> list:
    """The unit's open notices, nearest deadline first, with their items counted: tuples (id,
    doc_number, title, status, deadline, requires_rectification, total, accepted, submitted, to_report,
    returned), to_report being the items pending or returned. One query, read once per request: the
    work list and the notices panel share it."""

    def build(asker):
        def items_in(*statuses: str):
            return func.coalesce(func.sum(case((NoticeItem.status.in_(statuses), 1), else_=0)), 0)

        return (
            notices_for_user(asker)
            .join(NoticeKind, NoticeKind.id == Notice.kind_id)
            .outerjoin(NoticeItem, NoticeItem.notice_id == Notice.id)
            .where(Notice.status.in_(Notice.OPEN_STATUSES))
            .with_only_columns(
                Notice.id,
                Notice.doc_number,
                Notice.title,
                Notice.status,
                Notice.deadline,
                NoticeKind.requires_rectification,
                func.count(NoticeItem.id).label("total"),
                items_in("accepted").label("accepted"),
                items_in("submitted").label("submitted"),
                items_in("pending", "returned").label("to_report"),
                items_in("returned").label("returned"),
            )
            .group_by(
                Notice.id,
                Notice.doc_number,
                Notice.title,
                Notice.status,
                Notice.deadline,
                NoticeKind.requires_rectification,
            )
            .order_by(Notice.deadline, Notice.id)
            .limit(limit)
        )

    return per_request(
        ("open_notices", user.id, limit),
        lambda: kept_for_user(
            ("open_notices", limit),
            user,
            OPEN_NOTICE_READS,
            lambda: statements.read_rows(("open_notices", limit), user, build),
        ),
    )


def draft_assessments(asker):
    """The unit's self-assessments in draft in an open round (the work list's 指标自评)."""
    return (
        assessments_for_user(asker)
        .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
        .with_only_columns(
            Assessment.id, Assessment.return_reason, AssessmentRound.title, AssessmentRound.deadline
        )
        .where(Assessment.status == "draft", AssessmentRound.status == "open")
        .limit(LIMIT)
    )


# the liaison's work list: the open notices, their working days left, the draft self-assessments
LIAISON_WORK_READS = tuple(dict.fromkeys(OPEN_NOTICE_READS + SUMMARY_READS + CALENDAR_RECORDS))


def liaison_work(user: User, today: date) -> list[Work]:
    """The liaison's work list, kept until a record it reads changes (`kept_for_user`)."""
    return kept_for_user(
        ("liaison_work", *_where(today)), user, LIAISON_WORK_READS, lambda: _liaison_work(user, today)
    )


def _liaison_work(user: User, today: date) -> list[Work]:
    work: list[Work] = []
    if user.unit_id is None:
        return work
    rows = [r for r in open_notices_rows(user) if r.total][:LIMIT]
    notice_url = _links("notices.detail", "notice_id")
    calendar = request_calendar(today, *(r.deadline for r in rows))
    for r in rows:
        notice_id, number, title, status, deadline = r.id, r.doc_number, r.title, r.status, r.deadline
        pending, back = r.to_report, r.returned
        left = working_days_between(today, deadline, calendar) if deadline else None
        if status == "issued":
            kind, detail = "签收", "请签收通知书"
        elif back:
            kind, detail = "退回重报", f"{int(back)} 项整改被退回，请补充后重新报送"
        elif pending:
            kind, detail = "报告整改", f"{int(pending)} 项待报送整改报告"
        else:
            kind, detail = "等待核查", "整改报告已全部报送，等待督察员核查"
        work.append(
            Work(
                kind,
                f"{number} {title}",
                detail,
                notice_url(notice_id),
                deadline,
                left,
            )
        )
    from .queries.scorecard_panels import unit_summary

    # read only when the unit's scorecard summary (the scorecard panel's row) counts some
    drafts = []
    if unit_summary(user, today).draft_assessments:
        drafts = kept_for_user(
            "liaison_draft_assessments",
            user,
            SUMMARY_READS,
            lambda: statements.read_rows("liaison_draft_assessments", user, draft_assessments),
        )
    for assessment_id, return_reason, round_title, deadline in drafts:
        detail = "请完成自评并提交" + (f"（退回理由：{return_reason}）" if return_reason else "")
        work.append(
            Work(
                "指标自评",
                round_title,
                detail,
                url_for("scorecards.assessment", assessment_id=assessment_id),
                deadline,
            )
        )
    return _sorted(work)
