"""What the inspector pool, the pickers and the admin's home read: one function per page."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..filters import contains, starts_with
from ..models import AuditEvent, Finding, InspectorProfile, SupervisionTask, TaskInspector, Unit, User
from ..permissions import audit_events_for_record, tasks_for_user, units_for_user

INSPECTORS_PER_PAGE = 30
EXPIRY_WARNING = timedelta(days=90)


# --- the inspector pool (督察员库) -------------------------------------------------------------


def inspector_pool_rows() -> list:
    """The pool (督察员队伍) a task team is drawn from, with unit, specialties and term (one query)."""
    return db.session.execute(
        select(
            User.id,
            User.display_name,
            User.unit_id,
            Unit.name,
            InspectorProfile.specialties,
            InspectorProfile.term_end,
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(InspectorProfile, InspectorProfile.user_id == User.id)
        .where(User.in_inspector_pool)
        .order_by(Unit.id, User.display_name)
    ).all()


def workload(user_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per inspector: active tasks they are on and their open findings (two grouped queries)."""
    result = {uid: {"tasks": 0, "open": 0} for uid in user_ids}
    if not user_ids:
        return result
    for uid, count in db.session.execute(
        select(TaskInspector.user_id, func.count())
        .join(SupervisionTask, SupervisionTask.id == TaskInspector.task_id)
        .where(TaskInspector.user_id.in_(user_ids), SupervisionTask.status == "active")
        .group_by(TaskInspector.user_id)
    ):
        result[uid]["tasks"] = count
    for uid, count in db.session.execute(
        select(Finding.inspector_id, func.count(Finding.id))
        .where(Finding.inspector_id.in_(user_ids), Finding.status == "open")
        .group_by(Finding.inspector_id)
    ):
        result[uid]["open"] = count
    return result


def get_inspector_or_404(user_id: int) -> User:
    """An inspector account (in the pool or not any more); anyone else is a 404."""
    user = db.session.scalar(select(User).where(User.id == user_id, User.role == "inspector"))
    if user is None:
        abort(404)
    return user


def profile_for(user: User) -> InspectorProfile | None:
    """The inspector's pool entry (None until the office registers one)."""
    return db.session.scalar(select(InspectorProfile).where(InspectorProfile.user_id == user.id))


def _filtered_inspectors(query: Select, args: dict, today: date) -> Select:
    """The pool list's filters: keyword, specialty, unit, term and whether the account is in use."""
    if keyword := args["q"]:
        query = query.where(
            or_(
                contains(User.display_name, keyword),
                contains(User.username, keyword),
                contains(InspectorProfile.certificate_no, keyword),
            )
        )
    if args["specialty"]:
        query = query.where(contains(InspectorProfile.specialties, args["specialty"]))
    if args["unit"]:
        query = query.where(User.unit_id == args["unit"])
    terms = {
        "valid": (InspectorProfile.term_end >= today,),
        "expiring": (InspectorProfile.term_end >= today, InspectorProfile.term_end <= today + EXPIRY_WARNING),
        "expired": (InspectorProfile.term_end < today,),
        "none": (InspectorProfile.term_end.is_(None),),
    }
    if args["term"] in terms:
        query = query.where(*terms[args["term"]])
    states = {"active": User.active.is_(True), "inactive": User.active.is_(False)}
    if args["state"] in states:
        query = query.where(states[args["state"]])
    return query


def inspectors_page(args: dict, today: date, page: int) -> dict:
    """The pool list: a page of inspectors with their profiles and workload, the pool's summary."""
    query = (
        select(User)
        .outerjoin(InspectorProfile, InspectorProfile.user_id == User.id)
        .options(joinedload(User.unit))
        .where(User.role == "inspector")
    )
    query = _filtered_inspectors(query, args, today).order_by(User.unit_id, User.display_name, User.id)
    pagination = db.paginate(query, page=page, per_page=INSPECTORS_PER_PAGE, error_out=False)
    ids = [u.id for u in pagination.items]
    profiles = (
        {
            p.user_id: p
            for p in db.session.scalars(select(InspectorProfile).where(InspectorProfile.user_id.in_(ids)))
        }
        if ids
        else {}
    )
    summary = db.session.execute(
        select(
            func.count(User.id),
            func.sum(case((InspectorProfile.term_end < today, 1), else_=0)),
        )
        .select_from(User)
        .outerjoin(InspectorProfile, InspectorProfile.user_id == User.id)
        .where(User.in_inspector_pool)
    ).one()
    units = db.session.execute(
        select(Unit.id, Unit.name)
        .where(Unit.id.in_(select(User.unit_id).where(User.role == "inspector")))
        .order_by(Unit.kind, Unit.id)
    ).all()
    return {
        "page": pagination,
        "rows": [(u, profiles.get(u.id)) for u in pagination.items],
        "load": workload(ids),
        "units": units,
        "summary": {"total": summary[0] or 0, "expired": summary[1] or 0},
    }


def inspector_page(viewer: User, inspector: User) -> dict:
    """One inspector: the tasks they are on (of those the viewer may see), workload, profile history."""
    tasks = db.session.execute(
        select(SupervisionTask, TaskInspector.is_leader)
        .join(TaskInspector, TaskInspector.task_id == SupervisionTask.id)
        .where(TaskInspector.user_id == inspector.id)
        # Only the tasks the viewer may see (an inspector does not learn of tasks they are not on).
        .where(SupervisionTask.id.in_(tasks_for_user(viewer).with_only_columns(SupervisionTask.id)))
        .order_by(SupervisionTask.period_start.desc())
        .limit(50)
    ).all()
    events = list(
        db.session.scalars(
            audit_events_for_record(viewer, "user", inspector.id)
            .where(AuditEvent.action.like("inspector.%"))
            .options(joinedload(AuditEvent.actor))
            .limit(50)
        )
    )
    return {"tasks": tasks, "load": workload([inspector.id])[inspector.id], "events": events}


# --- the type-ahead pickers ------------------------------------------------------------------


def unit_matches(viewer: User, text: str) -> Select:
    """(id, name, short name, active) of the units the viewer may see matching `text`, best first."""
    query = units_for_user(viewer).with_only_columns(Unit.id, Unit.name, Unit.short_name, Unit.active)
    if not text:
        return query.order_by(Unit.active.desc(), Unit.kind, Unit.id)
    return query.where(
        or_(contains(Unit.name, text), contains(Unit.short_name, text), Unit.code == text)
    ).order_by(
        case((or_(Unit.name == text, Unit.short_name == text), 0), else_=1),
        case((or_(starts_with(Unit.name, text), starts_with(Unit.short_name, text)), 0), else_=1),
        Unit.active.desc(),
        Unit.kind,
        Unit.id,
    )


def inspector_matches(text: str) -> Select:
    """(id, name, username, unit) of the inspectors matching `text`, those in use first."""
    query = (
        select(User.id, User.display_name, User.username, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.role == "inspector")
    )
    if not text:
        return query.order_by(User.active.desc(), User.display_name, User.id)
    return query.where(or_(contains(User.display_name, text), contains(User.username, text))).order_by(
        case((User.display_name == text, 0), else_=1), User.active.desc(), User.display_name, User.id
    )


def unit_suggestions(viewer: User, text: str, limit: int) -> list:
    return db.session.execute(unit_matches(viewer, text).limit(limit)).all()


def inspector_suggestions(text: str, limit: int) -> list:
    return db.session.execute(inspector_matches(text).limit(limit)).all()


def unit_choice_by_id(viewer: User, unit_id: int | None):
    """(id, name) of a unit the viewer may see, or None."""
    return db.session.execute(
        units_for_user(viewer).with_only_columns(Unit.id, Unit.name).where(Unit.id == unit_id)
    ).first()


def inspector_choice_by_id(user_id: int | None):
    """(id, name) of an inspector, or None."""
    return db.session.execute(
        select(User.id, User.display_name).where(User.role == "inspector", User.id == user_id)
    ).first()


# --- the admin's home ------------------------------------------------------------------------


def admin_overview() -> dict:
    """The counts of units and users in use and the latest audit events."""
    counts = db.session.execute(
        select(
            select(func.count(Unit.id)).where(Unit.active.is_(True)).scalar_subquery(),
            select(func.count(User.id)).where(User.active.is_(True)).scalar_subquery(),
        )
    ).one()
    recent = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(10)
    ).all()
    return {"unit_count": counts[0], "user_count": counts[1], "recent": recent}
