"""All models, imported here so that Alembic and the app see every table."""

from .audit import AuditEvent, LoginAttempt
from .base import UTCDateTime, utcnow
from .calendar import Holiday
from .files import Attachment
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
from .scorecards import RATINGS, Assessment, AssessmentRound, Framework, Indicator, IndicatorScore, RoadmapItem
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

__all__ = [
    "RATINGS",
    "Assessment",
    "AssessmentRound",
    "Framework",
    "Indicator",
    "IndicatorScore",
    "RoadmapItem",
    "CASE_TYPES",
    "CaseFile",
    "ReviewAssignment",
    "ReviewCampaign",
    "ReviewDeduction",
    "Rubric",
    "RubricItem",
    "campaign_reviewer",
    "campaign_unit",
    "DEFAULT_FINDING_CATEGORIES",
    "ESCALATION_KINDS",
    "ROLES",
    "SEVERITIES",
    "SPECIALTIES",
    "TASK_KINDS",
    "UNIT_KINDS",
    "Attachment",
    "AuditEvent",
    "DocCounter",
    "Escalation",
    "ExtensionRequest",
    "Finding",
    "FindingCategory",
    "Holiday",
    "InspectorProfile",
    "LoginAttempt",
    "Notice",
    "NoticeItem",
    "NoticeKind",
    "Notification",
    "Rectification",
    "SupervisionTask",
    "TaskInspector",
    "UTCDateTime",
    "Unit",
    "User",
    "Verification",
    "task_unit",
    "utcnow",
]
