"""The layout's fixed cost: menus built once per role and language, the bell and the
user's unit read with the user; what it shows stays right per role, language and moment."""

from __future__ import annotations

import re

import pytest

from supervision.extensions import db
from supervision.nav import NAV, nav_for
from supervision.permissions import can, can_any
from supervision.services.notify import notify

from .conftest import count_queries

ROLES = ("admin", "lead", "inspector", "liaison")


def _nav(html: str) -> str:
    return html.split('data-testid="main-nav"', 1)[1].split("</nav>", 1)[0]


def _bell(html: str) -> str:
    return html.split('data-testid="bell"', 1)[1].split("</a>", 1)[0]


def test_each_role_sees_exactly_its_menu_entries_in_turn(app, client, make_user):
    """One warm cache, four roles one after another: each page shows its own role's entries."""
    for role in (*ROLES, *reversed(ROLES)):
        user = make_user(role)
        client.login_user(user)
        html = client.get("/").get_data(as_text=True)
        nav = _nav(html)
        with app.test_request_context("/"):
            expected = [
                (item["label"], item["url"])
                for g in ("main", "reports", "admin")
                for item in nav_for(user, g)
            ]
        shown = re.findall(
            r'<a class="nav-link[^"]*" href="([^"]+)"><i class="bi [^"]+"></i> ([^<]+)</a>', nav
        )
        assert [(label, url) for url, label in shown] == expected, role
        for item in NAV:
            # an entry of another role only (some labels are shared by two entries) is not shown
            mine = {str(other.label) for other in NAV if can_any(user, *other.capabilities)}
            if not can_any(user, *item.capabilities) and str(item.label) not in mine:
                assert f"> {item.label}</a>" not in nav, (role, item.label)
        assert ('data-testid="nav-search"' in html) == can(user, "search.use"), role


def test_menus_follow_the_language_of_each_request(client, login_as):
    login_as("lead")
    assert "督察任务" in _nav(client.get("/").get_data(as_text=True))
    client.post_form("/auth/lang/en", {"next": "/"})
    english = client.get("/").get_data(as_text=True)
    assert "督察任务" not in _nav(english) and 'lang="en"' in english
    client.post_form("/auth/lang/zh_CN", {"next": "/"})
    assert "督察任务" in _nav(client.get("/").get_data(as_text=True))


def test_the_kept_parts_mark_each_page_active_and_hold_nothing_of_the_user(client, make_user):
    """The navbar's and side menu's fixed parts are rendered once per role and language (and page
    entry): two users of one role get the same parts, each with their own name around them."""
    first, second = make_user("lead"), make_user("lead")
    first.display_name, second.display_name = "甲领导", "乙领导"
    db.session.commit()
    pages = {}
    for user in (first, second):
        client.login_user(user)
        for path in ("/", "/dashboard/"):
            html = client.get(path).get_data(as_text=True)
            pages[(user.display_name, path)] = html
            active = re.findall(r'<a class="nav-link active" href="([^"]+)"', _nav(html))
            assert active == [path], (user.display_name, path)
    for path in ("/", "/dashboard/"):
        one, other = pages[("甲领导", path)], pages[("乙领导", path)]
        assert _nav(one) == _nav(other)
        assert "甲领导" in one and "乙领导" not in one and "乙领导" in other and "甲领导" not in other


def test_the_bell_counts_a_new_notification_at_once_and_forgets_it_when_read(client, login_as):
    user = login_as("inspector")
    assert "bell-badge" not in _bell(client.get("/account/password").get_data(as_text=True))
    notify([user], "新的督察任务")
    db.session.commit()
    assert ">1</span>" in _bell(client.get("/account/password").get_data(as_text=True))
    notify([user], "又一条")
    db.session.commit()
    assert ">2</span>" in _bell(client.get("/account/password").get_data(as_text=True))
    client.post_form("/notifications/read-all")
    assert "bell-badge" not in _bell(client.get("/account/password").get_data(as_text=True))


def test_the_bell_counts_again_after_a_commit_in_the_same_request(app, login_as, make_user):
    """load_user reads the count with the user; a commit later in the request makes it count again."""
    from flask import render_template_string
    from flask_login import login_user

    from supervision import _unread_count

    user = make_user("inspector")
    db.session.commit()
    with app.test_request_context("/"):
        login_user(user)
        assert _unread_count() == 0
        notify([user], "同一请求里的通知")
        db.session.commit()
        assert _unread_count() == 1
        assert render_template_string("{{ unread_count }}") == "1"


@pytest.mark.parametrize("role", ROLES)
def test_a_near_empty_page_costs_one_query(client, make_user, role):
    """The user, their unit and the bell's count: one query for the whole layout."""
    client.login_user(make_user(role))
    client.get("/account/password")  # warm: the layout is built once per role and language
    with count_queries() as n:
        page = client.get("/account/password")
    assert page.status_code == 200
    assert n() == 1
