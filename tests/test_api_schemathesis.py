"""Schemathesis against the served OpenAPI document, as a lead, an inspector and a liaison token:
no server errors, no response outside the document (status, content type, schema). Bounded examples
per operation so that the whole run stays well under a minute."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from supervision import cache
from supervision.api import limiter
from supervision.extensions import db
from supervision.services.api_tokens import token_create

from .conftest import empty_tables
from .test_notices import World

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _document() -> dict:
    """The served document, read once at collection from an app of the same code (no database)."""
    from supervision import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    return app.test_client().get("/api/v1/openapi.json").json


schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture(scope="module")
def tokens(app):
    """A lived-in world (an issued, an acknowledged and a draft notice), built once for the module,
    and a token per role."""
    from .factories import UserFactory

    with app.app_context():
        empty_tables()
        w = World(
            lambda role, **kw: UserFactory(
                role=role, **({"unit": None} if role in ("admin", "lead") else {}), **kw
            )
        )
        w.acknowledged(findings=w.findings[:1])
        w.issued(findings=w.findings[1:2])
        w.draft(findings=w.findings[2:])
        app.config["API_RATE_LIMIT"] = "100000 per minute"
        limiter.reset()
        secrets = {
            role: token_create(actor=user, name="契约测试", scope="read-write", days=1)[1]
            for role, user in (("lead", w.lead), ("inspector", w.inspector2), ("liaison", w.liaison))
        }
        db.session.commit()
    yield secrets
    app.config["API_RATE_LIMIT"] = "300 per minute"
    with app.app_context():
        empty_tables()
        cache.clear()


@pytest.fixture(autouse=True)
def _app_context(app, tokens):
    """Overrides conftest's: the module's world stays between operations."""
    with app.app_context():
        yield


@schema.parametrize()
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_its_contract(app, case, tokens):
    for role in ("lead", "inspector", "liaison"):  # each example as each role, on the test database
        case.call_and_validate(app=app, headers={"Authorization": f"Bearer {tokens[role]}"}, checks=CHECKS)
        db.session.rollback()  # nothing of a failed request lingers for the next call
