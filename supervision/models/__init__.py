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
    "ESCALATION_KINDS",
    "DocCounter",
    "Escalation",
    "ExtensionRequest",
    "Holiday",
    "Notice",
    "NoticeItem",
    "NoticeKind",
    "Rectification",
    "Verification",
    "DEFAULT_FINDING_CATEGORIES",
    "ROLES",
    "SEVERITIES",
    "SPECIALTIES",
    "TASK_KINDS",
    "UNIT_KINDS",
    "Attachment",
    "AuditEvent",
    "Finding",
    "FindingCategory",
    "InspectorProfile",
    "LoginAttempt",
    "Notification",
    "SupervisionTask",
    "TaskInspector",
    "UTCDateTime",
    "Unit",
    "User",
    "task_unit",
    "utcnow",
]
