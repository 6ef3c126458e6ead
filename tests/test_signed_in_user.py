"""The signed-in user as the request pipeline loads it: read as columns and made into the session's
User and Unit (supervision._signed_in_user), current_user resolved without the proxies' lookups, and
a kept session's plain contents copied, not shared."""

from __future__ import annotations

import flask_login.utils
from flask import g, request
from flask_login import current_user
from sqlalchemy import inspect

import supervision
from supervision.extensions import db
from supervision.models import Notification, Unit, User

from . import factories


def _columns(obj) -> dict:
    return {attr.key: getattr(obj, attr.key) for attr in inspect(type(obj)).column_attrs}


def _by_the_orm(uid: int):
    db.session.expunge_all()
    user, unread = db.session.execute(supervision._user_statement(), {"user_id": uid}).one()
    return _columns(user), _columns(user.unit) if user.unit else None, unread


def test_the_user_and_unit_are_those_the_orm_query_loads(make_user):
    user = make_user("liaison", display_name="联络员<甲>", email="a@example.cn")
    db.session.add(Notification(user_id=user.id, text="未读"))
    db.session.add(Notification(user_id=user.id, text="已读", read_at=user.created_at))
    db.session.commit()
    uid = user.id
    expected = _by_the_orm(uid)
    db.session.expunge_all()
    loaded, unread = supervision._signed_in_user(uid)
    assert (_columns(loaded), _columns(loaded.unit), unread) == expected
    assert unread == 1
    for obj in (loaded, loaded.unit):
        state = inspect(obj)
        assert state.persistent and obj in db.session and not state.modified
    assert not db.session.dirty and not db.session.new
    assert db.session.get(User, uid) is loaded  # the identity map's object
    assert db.session.get(Unit, loaded.unit_id) is loaded.unit


def test_a_user_without_a_unit(make_user):
    user = make_user("lead")
    db.session.commit()
    uid = user.id
    expected = _by_the_orm(uid)
    db.session.expunge_all()
    loaded, unread = supervision._signed_in_user(uid)
    assert loaded.unit is None and loaded.unit_id is None
    assert (_columns(loaded), None, unread) == expected
    assert supervision._signed_in_user(10**9) is None


def test_the_unit_lists_all_its_users_and_changes_are_written(make_user):
    unit = factories.UnitFactory()
    first = make_user("liaison", unit=unit)
    second = make_user("liaison", unit=unit)
    db.session.commit()
    ids = (first.id, second.id)
    db.session.expunge_all()
    loaded, _ = supervision._signed_in_user(ids[0])
    assert {u.id for u in loaded.unit.users} == set(ids)  # loaded lazily, in full
    version = loaded.version
    loaded.display_name = "改过的名字"
    db.session.commit()
    db.session.expunge_all()
    again = db.session.get(User, ids[0])
    assert again.display_name == "改过的名字" and again.version == version + 1


def test_a_user_the_session_already_holds_is_that_object(make_user):
    user = make_user("liaison")
    db.session.commit()
    uid, unit_id = user.id, user.unit_id
    db.session.expunge_all()
    held = db.session.get(User, uid)
    loaded, _ = supervision._signed_in_user(uid)
    assert loaded is held
    db.session.expunge_all()
    held_unit = db.session.get(Unit, unit_id)
    loaded, _ = supervision._signed_in_user(uid)
    assert loaded.unit is held_unit


def test_current_user_resolves_as_flask_login_does(app, client, login_as):
    original = supervision._current_user_from_contexts.original
    assert flask_login.utils._get_user is supervision._flask_login_get_user
    assert supervision._flask_login_get_user() is None and original() is None  # no request
    user = login_as("inspector")
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        app.preprocess_request()
        assert "_login_user" not in g.__dict__ or g._login_user is not None
        g.__dict__.pop("_login_user", None)
        loaded = supervision._flask_login_get_user()  # not loaded yet: the manager loads it
        assert loaded.id == user.id and g._login_user is loaded
        assert original() is loaded and current_user._get_current_object() is loaded
        assert supervision._signed_in_now() is loaded
    with app.test_request_context("/"):
        g.__dict__.pop("_login_user", None)  # the test's app context (and g) outlives a request
        anonymous = supervision._flask_login_get_user()
        assert not anonymous.is_authenticated and original() is anonymous
        assert supervision._signed_in_now() is anonymous
    assert supervision._signed_in_now() is current_user  # outside a request: the proxy itself


def test_a_kept_session_is_copied_for_each_request(app):
    serializer = app.session_interface.get_signing_serializer(app)
    plain = serializer.dumps({"a": 1, "lang": "en", "seen": 1.5, "flag": True, "none": None})
    tagged = serializer.dumps({"_flashes": [("info", "x")], "a": 1})
    for cookie in (plain, tagged):
        with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
            first = app.session_interface.open_session(app, request)  # checked in full, kept
            second = app.session_interface.open_session(app, request)  # read from the kept
            second["a"] = 2
            second.setdefault("_flashes", []).append(("info", "mine"))
            third = app.session_interface.open_session(app, request)
        assert dict(third) == dict(first) and third["a"] == 1
        assert third.get("_flashes") in (None, [("info", "x")])
    kept = app.session_interface._kept[2]
    assert kept[plain][2] is not None and kept[tagged][2] is None
