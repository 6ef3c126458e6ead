"""OIDC sign-in against a real OpenID provider (oidc-provider) started here, and ID token checks."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select

from supervision.extensions import db
from supervision.models import AuditEvent

from .oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider, sign_in_at_provider

REDIRECT_URI = "http://localhost/auth/oidc/callback"


@pytest.fixture(scope="module")
def provider():
    with running_provider(REDIRECT_URI, "http://localhost/auth/login") as issuer:
        yield issuer


@pytest.fixture
def oidc(app, provider, monkeypatch):
    for key, value in {
        "OIDC_ISSUER": provider,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_SCOPES": "openid profile",
        "OIDC_USERNAME_CLAIM": "preferred_username",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return provider


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def _authorize_url(client, next_path: str = "") -> str:
    response = client.get("/auth/oidc/login" + (f"?next={next_path}" if next_path else ""))
    assert response.status_code == 302
    return response.headers["Location"]


def _callback(client, login: str = "wang", tamper=None):
    callback = sign_in_at_provider(_authorize_url(client), login, REDIRECT_URI)
    if tamper:
        callback = tamper(callback)
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def test_the_login_page_offers_the_unified_sign_in_only_when_set_up(client, oidc, monkeypatch, app):
    assert "统一身份认证登录" in client.get("/auth/login").text
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "")
    assert "统一身份认证登录" not in client.get("/auth/login").text
    assert client.get("/auth/oidc/login").status_code == 404


def test_the_request_uses_pkce_s256_state_and_nonce(client, oidc):
    query = parse_qs(urlsplit(_authorize_url(client)).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0] and query["scope"] == ["openid profile"]
    assert query["redirect_uri"] == [REDIRECT_URI] and query["response_type"] == ["code"]


def test_a_person_with_an_account_signs_in_through_the_provider(client, make_user, oidc):
    user = make_user("lead", username="wang")
    response = _callback(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _signed_in(client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.login"))
    assert (
        event.record_id == user.id and event.changes == {"method": "oidc"} and "统一身份认证" in event.summary
    )
    # The local password was never asked for, so no forced change applies to this session.
    user.must_change_password = True
    db.session.commit()
    assert _signed_in(client)


def test_the_username_claim_is_configurable(client, make_user, oidc, monkeypatch, app):
    monkeypatch.setitem(app.config, "OIDC_USERNAME_CLAIM", "employee_no")
    make_user("inspector", username="e1001")  # the provider's E1001, usernames being case-blind
    assert _callback(client).status_code == 302 and _signed_in(client)


def test_an_unknown_person_is_told_to_ask_the_administrator(client, make_user, oidc):
    response = _callback(client, login="stranger")
    assert response.status_code == 403
    assert "本系统中没有您的账号" in response.text and "系统管理员" in response.text
    assert not _signed_in(client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.login_failed"))
    assert event.changes == {"method": "oidc", "username": "stranger"}


def test_a_disabled_account_is_refused(client, make_user, oidc):
    make_user("lead", username="wang", active=False)
    response = _callback(client)
    assert response.status_code == 403 and "该账号已停用" in response.text
    assert not _signed_in(client)


def test_a_tampered_state_is_refused(client, make_user, oidc):
    make_user("lead", username="wang")

    def tamper(url: str) -> str:
        parts = urlsplit(url)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        query["state"] = query["state"][:-2] + "xx"
        return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"

    response = _callback(client, tamper=tamper)
    assert response.status_code == 403 and "state 不符" in response.text
    assert not _signed_in(client)


def test_an_id_token_for_another_nonce_is_refused(client, make_user, oidc):
    """The ID token the provider issues carries the nonce of this login; one of another login fails."""
    make_user("lead", username="wang")
    callback = sign_in_at_provider(_authorize_url(client), "wang", REDIRECT_URI)
    with client.session_transaction() as session:
        (key,) = [key for key in session if key.startswith("_state_oidc_")]
        state = session[key]
        state["data"]["nonce"] = "a-nonce-of-another-login"
        session[key] = state
    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 403 and "身份令牌无效或已过期" in response.text
    assert not _signed_in(client)


def test_an_expired_id_token_from_the_provider_is_refused(client, make_user, oidc, monkeypatch):
    """The provider's ID tokens live an hour: two hours on, the same answer is refused."""
    import types

    import joserfc._rfc7519.claims as claims_module

    make_user("lead", username="wang")
    callback = sign_in_at_provider(_authorize_url(client), "wang", REDIRECT_URI)
    later = types.SimpleNamespace(time=lambda: time.time() + 2 * 3600)
    monkeypatch.setattr(claims_module, "time", later)  # the clock the ID token's expiry is judged by
    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 403 and "身份令牌无效或已过期" in response.text
    assert not _signed_in(client)


def test_a_code_is_good_once(client, make_user, app, oidc):
    make_user("lead", username="wang")
    callback = sign_in_at_provider(_authorize_url(client), "wang", REDIRECT_URI)
    parts = urlsplit(callback)
    assert client.get(f"{parts.path}?{parts.query}").status_code == 302
    assert _signed_in(client)
    other = app.test_client()
    assert other.get(f"{parts.path}?{parts.query}").status_code == 403  # no state of its own
    assert not _signed_in(other)


def test_logout_ends_the_local_session_and_calls_the_providers_end_session(client, make_user, oidc):
    make_user("lead", username="wang")
    _callback(client)
    response = client.post_form("/auth/logout")
    location = response.headers["Location"]
    assert location.startswith(f"{oidc}/session/end")
    query = parse_qs(urlsplit(location).query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/auth/login"] and query["id_token_hint"]
    assert not _signed_in(client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.logout"))
    assert event.changes == {"method": "oidc"}


def test_an_unreachable_provider_says_so(client, app, monkeypatch, oidc):
    from .oidc_provider import _free_port

    monkeypatch.setitem(app.config, "OIDC_ISSUER", f"http://127.0.0.1:{_free_port()}")
    response = client.get("/auth/oidc/login")
    assert response.status_code == 503 and "暂时无法连接" in response.text


# --- the ID token checks, on tokens made here with a key of our own ----------------------------


@pytest.fixture
def signed_token(app):
    """make(**claims) → an ID token signed by a test key, and a client that trusts only that key."""
    from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "alg": "RS256", "use": "sig"})
    client = FlaskOAuth2App(FlaskIntegration("oidc"), name="oidc", client_id=CLIENT_ID, client_secret="x")
    client.server_metadata = {
        "issuer": "https://idp.example",
        "jwks": {"keys": [key.as_dict(private=False)]},
        "id_token_signing_alg_values_supported": ["RS256"],
        "_loaded_at": time.time(),
    }

    def make(**claims):
        now = int(time.time())
        payload = {
            "iss": "https://idp.example",
            "aud": CLIENT_ID,
            "sub": "wang",
            "iat": now,
            "exp": now + 300,
            "nonce": "n-1",
            **claims,
        }
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, payload, key)

    return client, make


def test_a_valid_token_passes(signed_token):
    client, make = signed_token
    claims = client.parse_id_token({"id_token": make()}, nonce="n-1")
    assert claims["sub"] == "wang"


@pytest.mark.parametrize(
    "claims, nonce",
    [
        ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}, "n-1"),  # expired
        ({}, "n-2"),  # wrong nonce
        ({"iss": "https://evil.example"}, "n-1"),  # another issuer
        ({"aud": "another-client"}, "n-1"),  # for another client
    ],
    ids=["expired", "wrong-nonce", "wrong-issuer", "wrong-audience"],
)
def test_a_bad_token_is_refused(signed_token, claims, nonce):
    from joserfc.errors import JoseError

    client, make = signed_token
    with pytest.raises(JoseError):
        client.parse_id_token({"id_token": make(**claims)}, nonce=nonce)


def test_a_token_signed_by_another_key_is_refused(signed_token):
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import RSAKey

    client, _ = signed_token
    other = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    now = int(time.time())
    forged = jwt.encode(
        {"alg": "RS256", "kid": "test-key"},
        {
            "iss": "https://idp.example",
            "aud": CLIENT_ID,
            "sub": "wang",
            "iat": now,
            "exp": now + 300,
            "nonce": "n-1",
        },
        other,
    )
    with pytest.raises(JoseError):
        client.parse_id_token({"id_token": forged}, nonce="n-1")
