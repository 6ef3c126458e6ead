"""A user's open work, soonest first: what the inspector's and the liaison's home pages list.

Each kind of work is one scoped query; the list is merged and sorted by due date in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import case, func, select

from .calendar import request_calendar, working_days_between
from .extensions import db
from .models import (
    Assessment,
    AssessmentRound,
    CaseFile,
    Notice,
    NoticeItem,
    ReviewAssignment,
    ReviewCampaign,
    SupervisionTask,
    TaskInspector,
    User,
)
from .permissions import (
    assessments_for_user,
    assessments_to_evaluate_rows,
    notices_for_user,
    verifiable_items_for_user,
)

LIMIT = 15


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


def _sorted(items: list[Work]) -> list[Work]:
    return sorted(items, key=lambda w: (w.due is None, w.due or date.max, w.title))


def inspector_work(user: User, today: date) -> list[Work]:
    work: list[Work] = []
    mine = select(TaskInspector.task_id).where(TaskInspector.user_id == user.id)
    for task_id, title, period_end in db.session.execute(
        select(SupervisionTask.id, SupervisionTask.title, SupervisionTask.period_end)
        .where(SupervisionTask.id.in_(mine), SupervisionTask.status == "active")
        .order_by(SupervisionTask.period_end)
        .limit(LIMIT)
    ):
        work.append(
            Work(
                "记录问题",
                title,
                f"督察期间至 {period_end.month}月{period_end.day}日",
                url_for("tasks.detail", task_id=task_id),
                period_end,
            )
        )
    for item in verifiable_items_for_user(user):
        work.append(
            Work(
                "核查整改",
                f"{item.doc_number} 第{item.seq}项",
                item.unit_name,
                url_for("notices.detail", notice_id=item.notice_id),
                item.deadline,
            )
        )
    for assignment_id, case_number, case_title, campaign_title, deadline in db.session.execute(
        select(
            ReviewAssignment.id,
            CaseFile.case_number,
            CaseFile.title,
            ReviewCampaign.title,
            ReviewCampaign.deadline,
        )
        .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
        .join(ReviewCampaign, ReviewCampaign.id == CaseFile.campaign_id)
        .where(
            ReviewAssignment.reviewer_id == user.id,
            ReviewAssignment.status == "assigned",
            ReviewCampaign.status == "reviewing",
        )
        .order_by(ReviewCampaign.deadline, ReviewAssignment.id)
        .limit(LIMIT)
    ):
        work.append(
            Work(
                "评查案卷",
                f"{case_number} {case_title}",
                campaign_title,
                url_for("reviews.assignment_detail", assignment_id=assignment_id),
                deadline,
            )
        )
    for assessment in assessments_to_evaluate_rows(user):
        work.append(
            Work(
                "评估指标",
                assessment.unit_name,
                assessment.round_title,
                url_for("scorecards.assessment", assessment_id=assessment.id),
                assessment.deadline,
            )
        )
    return _sorted(work)


def liaison_work(user: User, today: date) -> list[Work]:
    work: list[Work] = []
    if user.unit_id is None:
        return work
    open_items = func.sum(case((NoticeItem.status.in_(("pending", "returned")), 1), else_=0))
    returned = func.sum(case((NoticeItem.status == "returned", 1), else_=0))
    rows = db.session.execute(
        notices_for_user(user)
        .join(NoticeItem, NoticeItem.notice_id == Notice.id)
        .where(Notice.status.in_(Notice.OPEN_STATUSES))
        .with_only_columns(
            Notice.id, Notice.doc_number, Notice.title, Notice.status, Notice.deadline, open_items, returned
        )
        .group_by(Notice.id, Notice.doc_number, Notice.title, Notice.status, Notice.deadline)
        .order_by(Notice.deadline)
        .limit(LIMIT)
    ).all()
    calendar = request_calendar(today, *(r[4] for r in rows))
    for notice_id, number, title, status, deadline, pending, back in rows:
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
                url_for("notices.detail", notice_id=notice_id),
                deadline,
                left,
            )
        )
    for assessment_id, return_reason, round_title, deadline in db.session.execute(
        assessments_for_user(user)
        .join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
        .with_only_columns(
            Assessment.id, Assessment.return_reason, AssessmentRound.title, AssessmentRound.deadline
        )
        .where(Assessment.status == "draft", AssessmentRound.status == "open")
        .limit(LIMIT)
    ):
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
