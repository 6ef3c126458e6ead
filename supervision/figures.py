"""The year's figures (dashboard and annual report), aggregated by the database from scoped queries.

Every figure starts from the viewer's scoped selector (`tasks_for_user`, `notices_for_user` …), so a
figure never counts what its viewer may not see. The number of queries is fixed whatever the data size.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, select

from .audit import changes_stamp, engine_key, records_stamp
from .cache import derived
from .calendar import WorkdayCounter, load_calendar
from .extensions import db
from .filters import is_counted_finding
from .formatting import SHANGHAI
from .models import (
    Assessment,
    AssessmentRound,
    CaseFile,
    Escalation,
    Finding,
    Notice,
    NoticeItem,
    NoticeKind,
    ReviewCampaign,
    SupervisionTask,
    User,
)
from .models.notices import ESCALATION_KINDS
from .models.tasks import SEVERITIES, TASK_KINDS
from .numbers import DAYS_PLACES, RATE_PLACES, rounded
from .permissions import (
    assessments_for_user,
    can,
    case_files_for_user,
    findings_for_user,
    notices_for_user,
    tasks_for_user,
)

OPEN_NOTICE = ("issued", "acknowledged")
# A campaign is held once its files are being reviewed; a draft or a draw of files alone is not.
HELD_CAMPAIGN = ("reviewing", "published")
GRADES = ("优秀", "良好", "合格", "不合格")


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


@dataclass
class YearFigures:
    year: int
    today: date
    tasks_by_kind: dict[str, int] = field(default_factory=dict)  # kind → tasks run (not drafts)
    tasks_by_status: dict[str, int] = field(default_factory=dict)
    findings_total: int = 0
    findings_by_category: dict[str, int] = field(default_factory=dict)
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    findings_by_status: dict[str, int] = field(default_factory=dict)
    findings_matrix: dict[str, dict[str, int]] = field(default_factory=dict)  # category → severity → n
    notices_by_kind: list[tuple[int, str, int]] = field(default_factory=list)  # (kind id, name, issued)
    notices_issued: int = 0
    notices_closed: int = 0
    notices_open: int = 0
    notices_overdue: int = 0
    notices_voided: int = 0
    close_days_avg: float | None = None
    close_days_max: int | None = None
    items_total: int = 0
    items_accepted: int = 0
    escalations: dict[str, int] = field(default_factory=dict)
    files_reviewed: int = 0
    files_by_grade: dict[str, int] = field(default_factory=dict)
    files_excellent: int = 0
    files_unsettled: int = 0  # scored, but the reviewers differ beyond the margin: no grade yet
    campaigns: int = 0  # campaigns held: those that reached reviewing (a draw alone is not one)
    assessments_by_status: dict[str, int] = field(default_factory=dict)
    round_id: int | None = None
    weakest: list[dict] = field(default_factory=list)
    calendar_gaps: list[int] = field(default_factory=list)

    @property
    def tasks_run(self) -> int:
        return sum(self.tasks_by_kind.values())

    @property
    def rectification_rate(self) -> float | None:
        """Accepted notice items ÷ all items of the year's issued (not voided) notices, in %."""
        if not self.items_total:
            return None
        return rounded(self.items_accepted * 100 / self.items_total, RATE_PLACES)

    @property
    def findings_counted(self) -> int:
        """发现问题 as the figures state it (`filters.counted_findings`: without the dismissed)."""
        return sum(n for status, n in self.findings_by_status.items() if is_counted_finding(status))

    @property
    def findings_uncounted(self) -> int:
        return self.findings_total - self.findings_counted

    @property
    def assessments_total(self) -> int:
        return sum(self.assessments_by_status.values())

    @property
    def assessments_finalized(self) -> int:
        return self.assessments_by_status.get("finalized", 0)


# The figures come in parts, each cached by a stamp of the kinds of record it reads: a change of a
# finding recomputes the findings only, and a login none. (part → the YearFigures fields it fills)
PARTS: dict[str, tuple[str, ...]] = {
    "tasks": ("tasks_by_kind", "tasks_by_status"),
    "findings": (
        "findings_total",
        "findings_by_category",
        "findings_by_severity",
        "findings_by_status",
        "findings_matrix",
    ),
    "notices": (
        "notices_by_kind",
        "notices_issued",
        "notices_closed",
        "notices_open",
        "notices_overdue",
        "notices_voided",
        "items_total",
        "items_accepted",
        "escalations",
    ),
    "close_days": ("close_days_avg", "close_days_max", "calendar_gaps"),
    "reviews": ("files_reviewed", "files_by_grade", "files_excellent", "files_unsettled", "campaigns"),
    "assessments": ("assessments_by_status",),
}


# The record types each part reads (`audit.changes_stamp`): escalations and extensions are audited
# as their notice, a review's scores as its assignment and case file.
PART_READS: dict[str, tuple[str, ...]] = {
    "tasks": ("task",),
    "findings": ("finding", "finding_category"),
    "notices": ("notice", "notice_item", "notice_kind"),
    "close_days": ("notice", "holiday", "calendar_year"),
    "reviews": ("campaign", "case_file", "assignment"),
    "assessments": ("assessment", "round"),
}
# The latest round and its finalized assessments' scores, the indicators' codes and texts.
WEAKEST_READS = ("assessment", "round", "framework")
# Everything the year's figures read, for a cache of something drawn from them (the home's strip).
YEAR_READS = tuple(sorted({t for types in PART_READS.values() for t in types}))


OFFICE_WIDE = (
    "tasks.read_all",
    "findings.read_all",
    "notices.read_all",
    "reviews.read_all",
    "assessments.read_all",
)


def office_wide(user: User) -> bool:
    """The user reads every record the figures count: their figures are the office's."""
    return all(can(user, c) for c in OFFICE_WIDE)


def _scope(user: User) -> tuple:
    """Whose figures: the office's (every office-wide reader shares them) or this viewer's.

    A viewer's own scope can change without the records changing (a task's members), so a
    viewer-scoped entry also carries the whole database's stamp.
    """
    return ("office",) if office_wide(user) else (f"user-{user.id}", records_stamp())


def year_figures(user: User, year: int, today: date, *, details: bool = True) -> YearFigures:
    """All figures of one year for this viewer, each part computed once per change of what it reads.

    A part is recomputed when a record of a type it reads changes (`audit.changes_stamp`: one query
    by primary key a request); a login or an edit of another kind of record leaves it as it is.
    `details=False` leaves out the time to close and the weakest indicators (the costly ones), for
    the home page's strip that shows neither.
    """
    base = ("year_figures", engine_key(db.engine), *_scope(user), year, today)
    fig = YearFigures(year=year, today=today)
    for name, fields in PARTS.items():
        if name == "close_days" and not details:
            continue
        stamp = changes_stamp(*PART_READS[name])
        part = derived((*base, name, stamp), lambda n=name: _compute_part(n, user, year, today))
        for name_ in fields:
            setattr(fig, name_, getattr(part, name_))
    if details and can(user, "scorecards.read_all"):  # the weakest indicators of the latest round
        fig.round_id, fig.weakest = derived(
            (*base, "weakest", changes_stamp(*WEAKEST_READS)), lambda: _weakest_indicators(year)
        )
    return fig


def _compute_part(name: str, user: User, year: int, today: date) -> YearFigures:
    start, end = year_bounds(year)
    fig = YearFigures(year=year, today=today)
    if name == "tasks":
        _add_tasks(fig, user, year)
    elif name == "findings":
        _add_findings(fig, user, start, end)
    elif name == "notices":
        _add_notices(fig, user, year, today)
        _add_items(fig, user, year)
        _add_escalations(fig, user, start, end)
    elif name == "close_days":
        _add_close_days(fig, user, year)
    elif name == "reviews":
        _add_reviews(fig, user, year)
    elif name == "assessments":
        _add_assessments(fig, user, year)
    return fig


def _add_tasks(fig: YearFigures, user: User, year: int) -> None:
    """Tasks (1 query): run = anything past draft."""
    rows = db.session.execute(
        tasks_for_user(user)
        .where(SupervisionTask.year == year)
        .with_only_columns(SupervisionTask.kind, SupervisionTask.status, func.count())
        .group_by(SupervisionTask.kind, SupervisionTask.status)
    ).all()
    for kind, status, n in rows:
        fig.tasks_by_status[status] = fig.tasks_by_status.get(status, 0) + n
        if status != "draft":
            fig.tasks_by_kind[kind] = fig.tasks_by_kind.get(kind, 0) + n
    order = list(TASK_KINDS)
    fig.tasks_by_kind = dict(
        sorted(fig.tasks_by_kind.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    )


def _add_findings(fig: YearFigures, user: User, start: date, end: date) -> None:
    """Findings found in the year (1 query)."""
    rows = db.session.execute(
        findings_for_user(user)
        .where(Finding.found_on >= start, Finding.found_on < end)
        .with_only_columns(Finding.category, Finding.severity, Finding.status, func.count())
        .group_by(Finding.category, Finding.severity, Finding.status)
    ).all()
    matrix: dict[str, Counter] = defaultdict(Counter)
    for category, severity, status, n in rows:
        fig.findings_total += n
        fig.findings_by_status[status] = fig.findings_by_status.get(status, 0) + n
        if not is_counted_finding(status):
            continue
        fig.findings_by_category[category] = fig.findings_by_category.get(category, 0) + n
        fig.findings_by_severity[severity] = fig.findings_by_severity.get(severity, 0) + n
        matrix[category][severity] += n
    fig.findings_matrix = {c: dict(v) for c, v in matrix.items()}


def _add_notices(fig: YearFigures, user: User, year: int, today: date) -> None:
    """Notices numbered in the year, by kind and state (1 query); overdue is derived."""
    overdue = case((and_(Notice.status.in_(OPEN_NOTICE), Notice.deadline < today), 1), else_=0)
    rows = db.session.execute(
        notices_for_user(user)
        .where(Notice.year == year, Notice.doc_number.is_not(None))
        .join(NoticeKind, NoticeKind.id == Notice.kind_id)
        .with_only_columns(NoticeKind.id, NoticeKind.name, Notice.status, func.count(), func.sum(overdue))
        .group_by(NoticeKind.id, NoticeKind.name, Notice.status)
        .order_by(NoticeKind.id)
    ).all()
    by_kind: dict[int, list] = {}
    for kind_id, name, status, n, late in rows:
        by_kind.setdefault(kind_id, [kind_id, name, 0])
        by_kind[kind_id][2] += n
        fig.notices_issued += n
        if status == "closed":
            fig.notices_closed += n
        elif status in OPEN_NOTICE:
            fig.notices_open += n
        elif status == "voided":
            fig.notices_voided += n
        fig.notices_overdue += int(late or 0)
    fig.notices_by_kind = [tuple(v) for v in by_kind.values()]


def _add_close_days(fig: YearFigures, user: User, year: int) -> None:
    """Time to close, in working days (1 query + the calendar); the walk over the days is done once."""
    closed = db.session.execute(
        notices_for_user(user)
        .where(Notice.year == year, Notice.status == "closed", Notice.closed_at.is_not(None))
        .with_only_columns(Notice.issue_date, Notice.closed_at)
    ).all()
    pairs = [(issued, at.astimezone(SHANGHAI).date()) for issued, at in closed if issued is not None]
    if pairs:
        first = min(min(a, b) for a, b in pairs)
        last = max(max(a, b) for a, b in pairs)
        calendar = load_calendar(first, last, margin_years=0)
        fig.calendar_gaps = calendar.uncovered_years(first, last)
        counter = WorkdayCounter(first, last, calendar)
        spans = [counter.between(issued, closed_on) for issued, closed_on in pairs]
        fig.close_days_avg = rounded(sum(spans) / len(spans), DAYS_PLACES)
        fig.close_days_max = max(spans)


def _add_items(fig: YearFigures, user: User, year: int) -> None:
    """Rectification items of the year's live notices (1 query)."""
    visible_notices = (
        notices_for_user(user)
        .where(Notice.year == year, Notice.doc_number.is_not(None), Notice.status != "voided")
        .with_only_columns(Notice.id)
    )
    rows = db.session.execute(
        select(NoticeItem.status, func.count())
        .where(NoticeItem.notice_id.in_(visible_notices))
        .group_by(NoticeItem.status)
    ).all()
    for status, n in rows:
        fig.items_total += n
        if status == "accepted":
            fig.items_accepted += n


def _add_escalations(fig: YearFigures, user: User, start: date, end: date) -> None:
    """Escalations recorded in the year (1 query)."""
    rows = db.session.execute(
        select(Escalation.kind, func.count())
        .where(
            Escalation.notice_id.in_(notices_for_user(user).with_only_columns(Notice.id)),
            Escalation.on_date >= start,
            Escalation.on_date < end,
        )
        .group_by(Escalation.kind)
    ).all()
    fig.escalations = {ESCALATION_KINDS.get(kind, kind): n for kind, n in rows}


def _add_reviews(fig: YearFigures, user: User, year: int) -> None:
    """Case files of the year's campaigns (1 query) and the campaigns themselves (1 query).

    Only final scores count; a file the lead has still to settle is counted apart, as open.
    """
    year_campaigns = select(ReviewCampaign.id).where(ReviewCampaign.year == year)
    final = case((CaseFile.is_final, 1), else_=0)
    rows = db.session.execute(
        case_files_for_user(user)
        .where(
            CaseFile.campaign_id.in_(year_campaigns),
            CaseFile.sampled.is_(True),
            CaseFile.final_score.is_not(None),
        )
        .with_only_columns(
            CaseFile.grade, final, func.count(), func.sum(case((CaseFile.excellent, 1), else_=0))
        )
        .group_by(CaseFile.grade, final)
    ).all()
    for grade, is_final, n, excellent in rows:
        if not is_final:
            fig.files_unsettled += n
            continue
        fig.files_reviewed += n
        fig.files_by_grade[grade or "未定"] = fig.files_by_grade.get(grade or "未定", 0) + n
        fig.files_excellent += int(excellent or 0)
    fig.campaigns = (
        db.session.scalar(
            select(func.count(ReviewCampaign.id)).where(
                ReviewCampaign.year == year, ReviewCampaign.status.in_(HELD_CAMPAIGN)
            )
        )
        if can(user, "reviews.read_all")
        else 0
    )


def _add_assessments(fig: YearFigures, user: User, year: int) -> None:
    """Assessments of the year's rounds (1 query)."""
    year_rounds = select(AssessmentRound.id).where(AssessmentRound.year == year)
    rows = db.session.execute(
        assessments_for_user(user)
        .where(Assessment.round_id.in_(year_rounds))
        .with_only_columns(Assessment.status, func.count())
        .group_by(Assessment.status)
    ).all()
    fig.assessments_by_status = dict(rows)


def _weakest_indicators(year: int, limit: int = 10) -> tuple[int | None, list[dict]]:
    """The indicators with the lowest district percentage in the year's latest round.

    The roll-up sums every score of the round, so it is computed once per change of the round's
    finalized assessments (their number and latest finalization are the cache's stamp).
    """
    from .services.scorecard_reports import rollup

    round_ = db.session.scalar(
        select(AssessmentRound)
        .where(AssessmentRound.year == year)
        .order_by(AssessmentRound.id.desc())
        .limit(1)
    )
    if round_ is None:
        return None, []
    # A finalized assessment's scores cannot change (scores are saved in draft, evaluated when
    # submitted): only finalizing or reopening one moves the roll-up, and either moves this stamp.
    finalized = db.session.execute(
        select(func.count(Assessment.id), func.max(Assessment.finalized_at)).where(
            Assessment.round_id == round_.id, Assessment.status == "finalized"
        )
    ).one()

    def compute() -> list[dict]:
        lines = [line for line in rollup(round_)["lines"] if line["percent"] is not None and line["rated"]]
        lines.sort(key=lambda line: (line["percent"], -line["unmet"]))
        return [
            {**line, "indicator": _IndicatorRef(line["indicator"].code, line["indicator"].text)}
            for line in lines[:limit]
        ]

    key = ("weakest", engine_key(db.engine), round_.id, tuple(finalized), limit)
    return round_.id, derived(key, compute)


@dataclass(frozen=True)
class _IndicatorRef:
    """What the dashboard shows of an indicator (plain values, safe to keep between requests)."""

    code: str
    text: str


def kind_label(kind: str) -> str:
    return TASK_KINDS.get(kind, kind)


def severity_label(severity: str) -> str:
    return SEVERITIES.get(severity, severity)
