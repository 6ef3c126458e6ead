"""Several app servers on one database. Production refuses to start without a shared
SECRET_KEY; a session made on one server works on another; a write through one server shows at once
on the other, whatever each has cached."""

from __future__ import annotations

import re

import pytest

from supervision import cache, create_app
from supervision.config import ConfigError, is_production
from supervision.extensions import db
from supervision.models import Finding, Notification

from . import factories
from .conftest import Client

SHARED = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "UPLOAD_DIR", "MAX_UPLOAD_MB", "PASSWORD_HASH_METHOD")


@pytest.fixture
def other_server(app, real_commits):
    """A second application on the same database and settings: another gunicorn server."""
    second = create_app({"TESTING": True, **{key: app.config[key] for key in SHARED}})
    second.test_client_class = Client
    yield second
    with second.app_context():
        db.engine.dispose()


def _no_secret(monkeypatch, **env):
    for name in ("SECRET_KEY", "APP_ENV", "FLASK_ENV", "FLASK_DEBUG", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    "env",
    [{"APP_ENV": "production"}, {"FLASK_ENV": "production"}, {"DATABASE_URL": "postgresql://db/supervision"}],
)
def test_production_without_secret_key_is_a_start_up_error(monkeypatch, env):
    _no_secret(monkeypatch, **env)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL", "sqlite://")})


def test_production_with_secret_key_starts_and_development_makes_its_own(monkeypatch):
    _no_secret(monkeypatch, APP_ENV="production", SECRET_KEY="shared-by-every-server")
    assert (
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"] == "shared-by-every-server"
    )
    # Debugging against PostgreSQL, and tests, are not production.
    assert not is_production({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/x", "DEBUG": True}, {})
    assert not is_production({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/x", "TESTING": True}, {})
    assert is_production({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/x"}, {})
    assert not is_production({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}, {})


def test_log_in_on_one_server_act_on_the_other(app, other_server, make_user):
    lead = make_user("lead")
    note = Notification(user_id=lead.id, text="测试提醒", link="/notices/")
    db.session.add(note)
    db.session.commit()
    first, second = app.test_client(), other_server.test_client()
    assert first.login(lead.username).status_code == 302
    # The load balancer sends the next request to the other server, with the same cookie.
    second.set_cookie("session", first.get_cookie("session").value)
    page = second.get("/account/password")
    assert page.status_code == 200
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
    first.set_cookie("session", second.get_cookie("session").value)  # one browser, one cookie
    response = first.post(f"/notifications/{note.id}/open", data={"csrf_token": token})
    assert response.status_code == 302  # the token the other server gave is good here too
    assert db.session.get(Notification, note.id).read_at is not None


def _findings_figure(client, year: int) -> int:
    html = client.get(f"/dashboard/?year={year}").get_data(as_text=True)
    block = html.split('data-figure="findings"', 1)[1]
    return int(re.search(r'class="stat-value[^"]*">(\d+)', block).group(1))


def test_a_write_through_one_server_shows_at_once_on_the_other(app, other_server, make_user):
    lead = make_user("lead")
    task = factories.TaskFactory(status="active")
    findings = [factories.FindingFactory(task=task) for _ in range(3)]
    db.session.commit()
    year = findings[0].found_on.year
    first, second = app.test_client(), other_server.test_client()
    first.login_user(lead)
    second.login_user(lead)
    assert _findings_figure(first, year) == 3
    assert _findings_figure(second, year) == 3  # each server has its figures cached now
    response = second.post_form(f"/tasks/findings/{findings[0].id}/dismiss", {"reason": "重复登记"})
    assert response.status_code == 302
    assert db.session.get(Finding, findings[0].id).status == "dismissed"
    assert _findings_figure(first, year) == 2
    # Two processes do not share memory: the first server alone, with only its own cache, agrees.
    cache.clear()
    assert _findings_figure(first, year) == 2
