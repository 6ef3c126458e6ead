"""All models, imported here so that Alembic and the app see every table."""

from .audit import AuditEvent, LoginAttempt
from .base import UTCDateTime, utcnow
from .calendar import CalendarYear, Holiday
from .files import Attachment
from .jobs import EXPORT_STATUSES, ExportJob
from .notices import (
    ESCALATION_KINDS,
    DocCounter,
    Escalation,
    ExtensionRequest,
    Notice,
    NoticeItem,
    NoticeKind,
    Rectification,
    Verification,
)
from .notification import Notification
from .org import ROLES, UNIT_KINDS, Unit, User
from .reviews import (
    CASE_TYPES,
    CaseFile,
    ReviewAssignment,
    ReviewCampaign,
    ReviewDeduction,
    Rubric,
    RubricItem,
    campaign_reviewer,
    campaign_unit,
)
from .scorecards import (
    RATINGS,
    Assessment,
    AssessmentRound,
    Framework,
    Indicator,
    IndicatorScore,
    RoadmapItem,
)
from .submissions import FormSubmission
from .tasks import (
    DEFAULT_FINDING_CATEGORIES,
    SEVERITIES,
    SPECIALTIES,
    TASK_KINDS,
    Finding,
    FindingCategory,
    InspectorProfile,
    SupervisionTask,
    TaskInspector,
    task_unit,
)
from .tokens import TOKEN_SCOPES, ApiToken

__all__ = [
    "CASE_TYPES",
    "DEFAULT_FINDING_CATEGORIES",
    "ESCALATION_KINDS",
    "EXPORT_STATUSES",
    "RATINGS",
    "ROLES",
    "SEVERITIES",
    "SPECIALTIES",
    "TASK_KINDS",
    "TOKEN_SCOPES",
    "UNIT_KINDS",
    "ApiToken",
    "Assessment",
    "AssessmentRound",
    "Attachment",
    "AuditEvent",
    "CalendarYear",
    "CaseFile",
    "DocCounter",
    "Escalation",
    "ExportJob",
    "ExtensionRequest",
    "Finding",
    "FindingCategory",
    "FormSubmission",
    "Framework",
    "Holiday",
    "Indicator",
    "IndicatorScore",
    "InspectorProfile",
    "LoginAttempt",
    "Notice",
    "NoticeItem",
    "NoticeKind",
    "Notification",
    "Rectification",
    "ReviewAssignment",
    "ReviewCampaign",
    "ReviewDeduction",
    "RoadmapItem",
    "Rubric",
    "RubricItem",
    "SupervisionTask",
    "TaskInspector",
    "UTCDateTime",
    "Unit",
    "User",
    "Verification",
    "campaign_reviewer",
    "campaign_unit",
    "task_unit",
    "utcnow",
]
