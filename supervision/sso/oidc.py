"""OpenID Connect sign-in (统一身份认证) with Authlib: authorization code with PKCE (S256).

Authlib keeps the `state`, the `nonce` and the PKCE verifier of a login under way in the session,
refuses a callback whose `state` it did not issue, and checks the ID token's signature against the
issuer's published keys (JWKS), its issuer, audience, expiry and `nonce`. The person then signs in only
if an active account with the username the provider names (OIDC_USERNAME_CLAIM) exists: the app's
account gives the role and unit, exactly as for LDAP.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import Response, current_app
from flask_babel import gettext as _
from joserfc.errors import JoseError

from ..errors import DomainError

NAME = "oidc"

_clients: dict[tuple, FlaskOAuth2App] = {}


def oidc_enabled() -> bool:
    config = current_app.config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def client() -> FlaskOAuth2App:
    """The provider's client, one per configuration (its discovery document and keys are kept)."""
    config = current_app.config
    issuer = config["OIDC_ISSUER"].rstrip("/")
    key = (issuer, config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"], config["OIDC_SCOPES"])
    if key not in _clients:
        _clients[key] = FlaskOAuth2App(
            FlaskIntegration(NAME),
            name=NAME,
            client_id=config["OIDC_CLIENT_ID"],
            client_secret=config["OIDC_CLIENT_SECRET"],
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": config["OIDC_SCOPES"], "code_challenge_method": "S256", "timeout": 10},
        )
    return _clients[key]


def start(redirect_uri: str) -> Response:
    """The redirect to the provider's login; state, nonce and the PKCE verifier wait in the session."""
    try:
        return client().authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError) as error:
        current_app.logger.warning("OIDC discovery failed: %s", error)
        raise DomainError(_("统一身份认证服务暂时无法连接，请稍后再试或联系系统管理员。")) from error


@dataclass(frozen=True)
class Identity:
    username: str
    id_token: str


def finish() -> Identity:
    """The person the provider's answer names, once every check has passed; DomainError otherwise."""
    provider = client()
    try:
        token = provider.authorize_access_token()
    except OAuthError as error:
        current_app.logger.warning("OIDC callback refused: %s %s", error.error, error.description)
        if error.error == "mismatching_state":
            raise DomainError(_("登录请求已失效或被篡改（state 不符），请重新登录。")) from error
        raise DomainError(_("统一身份认证未完成，请重新登录。")) from error
    except JoseError as error:
        current_app.logger.warning("OIDC ID token refused: %s", error)
        raise DomainError(_("统一身份认证返回的身份令牌无效或已过期，请重新登录。")) from error
    except requests.RequestException as error:
        current_app.logger.warning("OIDC token request failed: %s", error)
        raise DomainError(_("统一身份认证服务暂时无法连接，请稍后再试或联系系统管理员。")) from error
    claims = token.get("userinfo")
    if not claims:
        # Authlib verifies the ID token only when a nonce was sent; both are required here.
        raise DomainError(_("统一身份认证未返回身份令牌，请联系系统管理员。"))
    return Identity(username=_username(provider, token, dict(claims)), id_token=token["id_token"])


def _username(provider: FlaskOAuth2App, token: dict, claims: dict) -> str:
    claim = current_app.config["OIDC_USERNAME_CLAIM"]
    value = claims.get(claim)
    if value is None:
        # Many providers put profile claims in the userinfo answer only (the ID token holds `sub`).
        info = provider.userinfo(token=token)
        if info.get("sub") != claims.get("sub"):
            raise DomainError(_("统一身份认证返回的用户信息不一致，请重新登录。"))
        value = info.get(claim)
    if not isinstance(value, str | int) or not str(value).strip():
        raise DomainError(_("统一身份认证未提供用户名（%(claim)s），请联系系统管理员。", claim=claim))
    return str(value).strip()


def logout_url(id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address (RP-initiated logout), or None if it has none."""
    try:
        metadata = client().load_server_metadata()
    except (requests.RequestException, ValueError):
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client().create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token,
        client_id=current_app.config["OIDC_CLIENT_ID"],
    )["url"]
