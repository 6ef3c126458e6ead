"""What the administration pages read (users, units, the audit trail): one function per page.

The views guard each page (`reference.read` for the user and unit pages, `admin.manage` for the
audit trail); what a viewer may see inside a page is decided here through permissions.py.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..filters import contains
from ..models import ROLES, UNIT_KINDS, Attachment, AuditEvent, Unit, User
from ..permissions import audit_events_for_record, can, can_read_user_details, units_for_user
from .api_tokens import tokens_of

USERS_PER_PAGE = 30
UNITS_PER_PAGE = 30
AUDIT_PER_PAGE = 50
TIMELINE_LIMIT = 100
STATES = {"active": True, "inactive": False}  # any other state: both


# --- users -----------------------------------------------------------------------------------


def unit_choices() -> list[tuple[int, str]]:
    """The units in use, for the user form's and the user list's unit select (0: none)."""
    rows = db.session.execute(
        select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.kind, Unit.id)
    )
    return [(0, "（无）")] + [(uid, name) for uid, name in rows]


def unit_names() -> list[str]:
    """Every unit's name, for the user import template's suggestions."""
    return list(db.session.scalars(select(Unit.name).order_by(Unit.kind, Unit.name)))


def users_page(viewer: User, args: dict, page: int) -> dict:
    """The user list: a page of accounts filtered by keyword, role, unit and state; the unit choices."""
    query = select(User).options(joinedload(User.unit))
    if keyword := args["q"]:
        # Usernames are the admin's to see (and so to search by); the office finds people by name.
        by_username = contains(User.username, keyword) if can(viewer, "admin.manage") else False
        query = query.where(or_(by_username, contains(User.display_name, keyword)))
    if args["role"] in ROLES:
        query = query.where(User.role == args["role"])
    if args["unit"]:
        query = query.where(User.unit_id == args["unit"])
    if args["state"] in STATES:
        query = query.where(User.active.is_(STATES[args["state"]]))
    pagination = db.paginate(
        query.order_by(User.role, User.id), page=page, per_page=USERS_PER_PAGE, error_out=False
    )
    return {"page": pagination, "unit_choices": unit_choices()}


def user_page(viewer: User, user: User) -> dict:
    """One account: its history for those who may read it, its access tokens for the admin."""
    events = []
    if can_read_user_details(viewer, user):  # others see the name, role and unit only
        events = db.session.scalars(
            audit_events_for_record(viewer, "user", user.id).limit(TIMELINE_LIMIT)
        ).all()
    tokens = tokens_of(user) if can(viewer, "admin.manage") else []
    return {"events": events, "tokens": tokens}


# --- units -----------------------------------------------------------------------------------


def units_page(viewer: User, args: dict, page: int) -> dict:
    """The unit list: a page of the units the viewer may see, filtered, with each one's user count."""
    query = units_for_user(viewer)
    if keyword := args["q"]:
        query = query.where(
            or_(
                contains(Unit.name, keyword), contains(Unit.short_name, keyword), contains(Unit.code, keyword)
            )
        )
    if args["kind"] in UNIT_KINDS:
        query = query.where(Unit.kind == args["kind"])
    if args["state"] in STATES:
        query = query.where(Unit.active.is_(STATES[args["state"]]))
    pagination = db.paginate(
        query.order_by(Unit.kind, Unit.id), page=page, per_page=UNITS_PER_PAGE, error_out=False
    )
    ids = [u.id for u in pagination.items]
    user_counts = (
        dict(
            db.session.execute(
                select(User.unit_id, func.count(User.id)).where(User.unit_id.in_(ids)).group_by(User.unit_id)
            ).all()
        )
        if ids
        else {}
    )
    return {"page": pagination, "user_counts": user_counts}


def unit_page(viewer: User, unit: Unit) -> dict:
    """One unit (already scoped by get_unit_for_user_or_404): its members, history and files."""
    members = db.session.scalars(
        select(User).where(User.unit_id == unit.id).order_by(User.role, User.id)
    ).all()
    events = db.session.scalars(audit_events_for_record(viewer, "unit", unit.id).limit(TIMELINE_LIMIT)).all()
    files = db.session.scalars(
        select(Attachment)
        .where(Attachment.owner_type == "unit", Attachment.owner_id == unit.id)
        .order_by(Attachment.uploaded_at.desc())
    ).all()
    return {"members": members, "events": events, "files": files}


# --- the audit trail -------------------------------------------------------------------------


def audit_page(args: dict, page: int):
    """A page of the whole audit trail, newest first, by record type and action (the admin's page)."""
    query = select(AuditEvent).options(joinedload(AuditEvent.actor))
    if args["type"]:
        query = query.where(AuditEvent.record_type == args["type"])
    if args["action"]:
        query = query.where(contains(AuditEvent.action, args["action"]))
    return db.paginate(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
        page=page,
        per_page=AUDIT_PER_PAGE,
        error_out=False,
    )
