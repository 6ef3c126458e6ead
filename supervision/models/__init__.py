"""All models, imported here so that Alembic and the app see every table."""

from .audit import AuditEvent, LoginAttempt
from .base import UTCDateTime, utcnow
from .files import Attachment
from .notification import Notification
from .org import ROLES, UNIT_KINDS, Unit, User
from .tasks import SEVERITIES, TASK_KINDS, Finding, SupervisionTask, TaskInspector, task_unit

__all__ = [
    "ROLES",
    "SEVERITIES",
    "TASK_KINDS",
    "UNIT_KINDS",
    "Attachment",
    "AuditEvent",
    "Finding",
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
