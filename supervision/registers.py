"""The registers (台账) an office files, as rows: each built from the viewer's scoped queries.

One query per register (plus none per row, and one COUNT), so that a city's year exports in seconds;
the rows are plain tuples streamed from the database in chunks (`RowStream`), never all at once, so
that a province's register is written in the memory of one chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from functools import lru_cache

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from .extensions import db
from .filters import filter_findings
from .formatting import SHANGHAI
from .i18n import in_chinese
from .models import (
    Assessment,
    AssessmentRound,
    CaseFile,
    Finding,
    Indicator,
    IndicatorScore,
    Notice,
    NoticeItem,
    NoticeKind,
    Rectification,
    ReviewCampaign,
    SupervisionTask,
    Unit,
    User,
    Verification,
)
from .models.tasks import SEVERITIES
from .numbers import INDICATOR_PLACES, SCORE_PLACES, rounded
from .permissions import assessments_for_user, case_files_for_user, findings_for_user, notices_for_user
from .scoring_indicators import RATINGS
from .workflow import status_label

FINDING_COLUMNS = [
    ("序号", 6),
    ("来源", 24),
    ("被督察单位", 22),
    ("问题分类", 10),
    ("严重程度", 9),
    ("发现的问题", 46),
    ("依据条款", 28),
    ("督察员", 10),
    ("发现日期", 15),
    ("状态", 10),
    ("通知书文号", 20),
]
RECTIFICATION_COLUMNS = [
    ("序号", 6),
    ("文号", 20),
    ("种类", 14),
    ("被督察单位", 22),
    ("整改事项", 40),
    ("整改要求", 36),
    ("下发日期", 15),
    ("整改期限", 15),
    ("签收日期", 15),
    ("最近报告日期", 15),
    ("核查结果", 10),
    ("核查日期", 15),
    ("退回次数", 8),
    ("状态", 10),
    ("是否逾期", 8),
]
REVIEW_COLUMNS = [
    ("序号", 6),
    ("评查活动", 26),
    ("被评查单位", 22),
    ("案号", 24),
    ("案件名称", 36),
    ("案件类型", 10),
    ("决定日期", 15),
    ("最终得分", 9),
    ("等次", 8),
    ("优秀案卷", 8),
]
ASSESSMENT_COLUMNS = [
    ("序号", 6),
    ("单位", 20),
    ("指标编码", 10),
    ("指标内容", 50),
    ("分值", 7),
    ("自评等次", 10),
    ("自评得分", 9),
    ("评估等次", 10),
    ("评估得分", 9),
    ("自评说明", 36),
    ("评估意见", 30),
]


# Rows fetched from the database at a time (a server-side cursor on PostgreSQL).
CHUNK = 2000


class RowStream:
    """A register's rows, read when iterated: `len()` counts them first (one COUNT, for the subtitle
    and the progress bar); iterating runs the query with `yield_per`, so only a chunk of rows is in
    memory, and `shape(n, row)` turns each database row (numbered from 1) into the sheet's values.
    Iterate it inside the writer (`sheets.register_sheet`, which runs in Chinese): the labels are
    made as the rows go by."""

    def __init__(self, query: Select, shape: Callable[[int, tuple], list]) -> None:
        self.query, self.shape = query, shape
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            counted = select(func.count()).select_from(self.query.order_by(None).subquery())
            self._count = db.session.scalar(counted)
        return self._count

    def __iter__(self) -> Iterator[list]:
        result = db.session.execute(self.query, execution_options={"yield_per": CHUNK})
        for n, row in enumerate(result, start=1):
            yield self.shape(n, row)


@in_chinese
def notice_register_rows(user: User, year: int | None, prefix: str) -> RowStream:
    """发文登记簿: one row per numbered notice, newest number first (the register page's order), for
    `exports.notices.register_xlsx`: ([number, kind, title, unit, issue date, deadline, approver,
    status, note], voided) per notice (one query)."""
    approver = aliased(User)
    query = (
        notices_for_user(user)
        .join(NoticeKind, NoticeKind.id == Notice.kind_id)
        .join(Unit, Unit.id == Notice.unit_id)
        .outerjoin(approver, approver.id == Notice.approved_by_id)
        .where(Notice.doc_number.is_not(None))
        .with_only_columns(
            Notice.doc_number,
            NoticeKind.name,
            Notice.title,
            Unit.name,
            Notice.issue_date,
            Notice.deadline,
            approver.display_name,
            Notice.status,
            Notice.void_reason,
        )
        .order_by(Notice.year.desc(), Notice.doc_prefix, Notice.seq.desc())
    )
    if year:
        query = query.where(Notice.year == year)
    if prefix:
        query = query.where(Notice.doc_prefix == prefix)
    return RowStream(query, _notice_register_row)


def _notice_register_row(n: int, r) -> tuple[list, bool]:
    voided = r[7] == "voided"
    values = [r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "", status_label("notice", r[7])]
    values.append("作废：" + r[8] if voided else "")
    return values, voided


def _local(value) -> date | None:
    return value.astimezone(SHANGHAI).date() if value is not None else None


@in_chinese
def finding_rows(user: User, filters: dict) -> RowStream:
    """督察问题台账: every finding the viewer may see, filtered like the findings list (one query)."""
    issued = (
        select(NoticeItem.finding_id, func.max(Notice.doc_number).label("doc_number"))
        .join(Notice, Notice.id == NoticeItem.notice_id)
        .where(Notice.doc_number.is_not(None), Notice.status != "voided")
        .group_by(NoticeItem.finding_id)
        .subquery()
    )
    query = (
        findings_for_user(user)
        .outerjoin(SupervisionTask, SupervisionTask.id == Finding.task_id)
        .join(Unit, Unit.id == Finding.unit_id)
        .outerjoin(User, User.id == Finding.inspector_id)
        .outerjoin(issued, issued.c.finding_id == Finding.id)
        .with_only_columns(
            SupervisionTask.title,
            Finding.case_file_id,
            Unit.name,
            Finding.category,
            Finding.severity,
            Finding.description,
            Finding.legal_basis,
            User.display_name,
            Finding.found_on,
            Finding.status,
            issued.c.doc_number,
        )
        .order_by(Finding.found_on, Finding.id)
    )
    return RowStream(filter_findings(query, filters), _finding_row)


def _finding_row(n: int, r) -> list:
    return [
        n,
        r[0] or ("案卷评查" if r[1] else "其他"),
        r[2],
        r[3],
        SEVERITIES.get(r[4], r[4]),
        r[5],
        r[6],
        r[7] or "",
        r[8],
        status_label("finding", r[9]),
        r[10] or "",
    ]


@in_chinese
def rectification_rows(
    user: User, *, year: int | None = None, unit_id: int | None = None, today: date
) -> RowStream:
    """整改台账: every item of every issued notice, with its dates and status (one query)."""
    reports = (
        select(Rectification.item_id, func.max(Rectification.submitted_at).label("last_report"))
        .group_by(Rectification.item_id)
        .subquery()
    )
    checks = (
        select(
            Verification.item_id,
            func.max(Verification.at).label("last_check"),
            func.sum(case((Verification.decision == "return", 1), else_=0)).label("returns"),
        )
        .group_by(Verification.item_id)
        .subquery()
    )
    finding = aliased(Finding)
    visible = notices_for_user(user).where(Notice.doc_number.is_not(None)).with_only_columns(Notice.id)
    query = (
        select(
            Notice.doc_number,
            NoticeKind.name,
            Unit.name,
            finding.description,
            NoticeItem.requirement,
            Notice.issue_date,
            Notice.deadline,
            Notice.acknowledged_at,
            reports.c.last_report,
            NoticeItem.status,
            checks.c.last_check,
            checks.c.returns,
            Notice.status,
        )
        .join(Notice, Notice.id == NoticeItem.notice_id)
        .join(NoticeKind, NoticeKind.id == Notice.kind_id)
        .join(Unit, Unit.id == Notice.unit_id)
        .join(finding, finding.id == NoticeItem.finding_id)
        .outerjoin(reports, reports.c.item_id == NoticeItem.id)
        .outerjoin(checks, checks.c.item_id == NoticeItem.id)
        .where(NoticeItem.notice_id.in_(visible))
        .order_by(Notice.year, Notice.doc_prefix, Notice.seq, NoticeItem.seq)
    )
    if year:
        query = query.where(Notice.year == year)
    if unit_id:
        query = query.where(Notice.unit_id == unit_id)

    def shape(n: int, r) -> list:
        item_status = r[9]
        verdict = {"accepted": "通过", "returned": "退回"}.get(item_status, "")
        live = r[12] in ("issued", "acknowledged")
        late = live and item_status != "accepted" and r[6] is not None and r[6] < today
        status = "通知已作废" if r[12] == "voided" else status_label("notice_item", item_status)
        return [
            n,
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            _local(r[7]),
            _local(r[8]),
            verdict,
            _local(r[10]),
            int(r[11] or 0),
            status,
            "是" if late else "否",
        ]

    return RowStream(query, shape)


@in_chinese
def review_rows(user: User, *, year: int | None = None, unit_id: int | None = None) -> RowStream:
    """评查结果表: the reviewed files of the year's campaigns (one query)."""
    query = (
        case_files_for_user(user)
        .join(ReviewCampaign, ReviewCampaign.id == CaseFile.campaign_id)
        .join(Unit, Unit.id == CaseFile.unit_id)
        .where(CaseFile.sampled.is_(True))
        .with_only_columns(
            ReviewCampaign.title,
            Unit.name,
            CaseFile.case_number,
            CaseFile.title,
            CaseFile.case_type,
            CaseFile.decision_date,
            CaseFile.final_score,
            CaseFile.grade,
            CaseFile.excellent,
            CaseFile.is_final,
            CaseFile.awaits_settlement,
        )
        .order_by(ReviewCampaign.id, Unit.id, CaseFile.case_number)
    )
    if year:
        query = query.where(ReviewCampaign.year == year)
    if unit_id:
        query = query.where(CaseFile.unit_id == unit_id)
    return RowStream(query, _review_row)


def _review_row(n: int, r) -> list:
    return [
        n,
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        rounded(r[6], SCORE_PLACES) if r[9] else "",
        (r[7] or "") if r[9] else ("待裁定" if r[10] else ""),
        "是" if r[8] else "",
    ]


@in_chinese
def assessment_rows(user: User, *, round_id: int, unit_id: int | None = None) -> RowStream:
    """指标自评汇总表: each unit's self-assessment and evaluation per indicator (one query)."""
    query = (
        assessments_for_user(user)
        .join(Unit, Unit.id == Assessment.unit_id)
        .join(IndicatorScore, IndicatorScore.assessment_id == Assessment.id)
        .join(Indicator, Indicator.id == IndicatorScore.indicator_id)
        .where(Assessment.round_id == round_id)
        .with_only_columns(
            Unit.name,
            Indicator.code,
            Indicator.text,
            Indicator.max_points,
            IndicatorScore.self_rating,
            IndicatorScore.self_score,
            IndicatorScore.evaluated_rating,
            IndicatorScore.evaluated_score,
            IndicatorScore.explanation,
            IndicatorScore.comment,
        )
        .order_by(Unit.kind, Unit.id, Indicator.position)
    )
    if unit_id:
        query = query.where(Assessment.unit_id == unit_id)
    return RowStream(query, _assessment_row)


@lru_cache(maxsize=4096, typed=True)
def _points(value) -> float | None:
    """An indicator's points as shown (the same few values on every unit's rows: worked out once)."""
    return rounded(value, INDICATOR_PLACES)


def _assessment_row(n: int, r) -> list:
    return [
        n,
        r[0],
        r[1],
        r[2],
        _points(r[3]),
        RATINGS.get(r[4], "未填"),
        _points(r[5]),
        RATINGS.get(r[6], "") if r[6] else "",
        _points(r[7]),
        r[8],
        r[9],
    ]


_ROUNDS = AssessmentRound.__table__
_ROUND_CHOICES = select(_ROUNDS.c.id, _ROUNDS.c.year, _ROUNDS.c.title).order_by(
    _ROUNDS.c.year.desc(), _ROUNDS.c.id.desc()
)


def rounds_for(user: User) -> list:
    """The rounds whose 指标自评汇总表 the user may download, newest first: (id, year, title) rows
    from a statement built once (the registers page shows them on every visit)."""
    return list(db.session.execute(_ROUND_CHOICES).all())
