"""The navbar's bell and account menu drawn by nav.Layout.fill (templates/_layout/account_menu.html):
the same bytes as the template code it replaced, in both languages and every shape of the values,
and every value escaped."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale
from flask_login import login_user

from supervision.nav import layout_for
from supervision.sessions import csrf_token

from . import factories

# base.html's bell and account menu before nav.Layout.fill drew them.
OLD = """    <a class="nav-link text-white position-relative px-2" href="{{ layout.urls.notifications }}" title="{{ _('通知中心') }}" aria-label="{{ _('通知中心') }}{% if unread_count %}（{{ unread_count }}）{% endif %}" data-testid="bell">
      <i class="bi bi-bell fs-5"></i>
      {% if unread_count %}<span class="badge rounded-pill bg-danger bell-badge">{{ unread_count }}</span>{% endif %}
    </a>
    <div class="dropdown">
      <a class="nav-link text-white dropdown-toggle px-2" href="#" role="button" data-bs-toggle="dropdown" aria-expanded="false" aria-label="{{ current_user.display_name }}" data-testid="user-menu">
        <i class="bi bi-person-circle"></i> <span class="d-none d-sm-inline">{{ current_user.display_name }}</span>
        <small class="user-role d-none d-lg-inline">{{ current_user.role_label }}{% if current_user.unit %} · {{ current_user.unit.label }}{% endif %}</small>
      </a>
      <ul class="dropdown-menu dropdown-menu-end">
        <li><span class="dropdown-item-text small text-muted">{{ current_user.display_name }} · {{ current_user.role_label }}{% if current_user.unit %} · {{ current_user.unit.label }}{% endif %}</span></li>
        {{ layout.part('user_menu') }}
        <li>
          <form method="post" action="{{ layout.urls.language_zh if layout.english else layout.urls.language_en }}">
            <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
            <input type="hidden" name="next" value="{{ request.full_path }}">
            <button class="dropdown-item" type="submit"><i class="bi bi-translate"></i> {{ '中文' if layout.english else 'English' }}</button>
          </form>
        </li>
        <li>
          <form method="post" action="{{ layout.urls.logout }}">
            <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
            <button class="dropdown-item" type="submit" data-testid="logout"><i class="bi bi-box-arrow-right"></i> {{ _('退出登录') }}</button>
          </form>
        </li>
      </ul>
    </div>
"""
NEW = (
    "    {{ layout.fill('account_menu', unread_count=unread_count, display_name=current_user.display_name, "
    "role_label=current_user.role_label, unit_label=current_user.unit.label if current_user.unit else none, "
    "csrf_token=csrf_token(), next=request.full_path) }}\n"
)
NASTY = "<b>&\"'</b> 张三"


def _both(app, user, unread, path='/notices/?q=<x>&a="1"'):
    with app.test_request_context(path):
        login_user(user)
        for locale in ("zh_CN", "en"):
            with force_locale(locale):
                layout = layout_for(user)
                args = {"layout": layout, "unread_count": unread}
                yield locale, render_template_string(OLD, **args), render_template_string(NEW, **args)


@pytest.mark.parametrize("role", ["lead", "inspector", "liaison", "admin"])
@pytest.mark.parametrize("unread", [0, 3, None])
def test_the_account_menu_is_the_old_template_codes_bytes(app, make_user, role, unread):
    user = make_user(role)
    for locale, old, new in _both(app, user, unread):
        assert new == old, (role, unread, locale)


def test_every_value_is_escaped(app, make_user):
    user = make_user("liaison", display_name=NASTY, unit=factories.UnitFactory(name=NASTY, short_name=NASTY))
    for locale, old, new in _both(app, user, 7):
        assert new == old, locale
        assert NASTY not in new and "&lt;b&gt;&amp;&#34;&#39;&lt;/b&gt; 张三" in new
        assert "&lt;x&gt;&amp;a=" in new and csrf_token() in new


def test_a_user_without_a_unit_and_an_empty_unit_label(app, make_user):
    user = make_user("lead")
    assert user.unit is None
    for _, old, new in _both(app, user, 0):
        assert new == old and " · " in new
    user.unit = factories.UnitFactory(
        name="", short_name=""
    )  # a label that is empty but present: still shown
    for _, old, new in _both(app, user, 0):
        assert new == old
