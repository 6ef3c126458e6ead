"""LDAP sign-in: the directory proves the password; the app's account (same username) gives role and unit.

Two ways to find the person's entry: a service account binds and searches (LDAP_BIND_DN,
LDAP_BIND_PASSWORD, LDAP_SEARCH_BASE, LDAP_SEARCH_FILTER), or the entry's DN is built from the
username (LDAP_USER_DN_TEMPLATE, e.g. "uid={username},ou=people,dc=example,dc=org"). Then the
person's own bind with the typed password is the proof. TLS is ldaps:// or LDAP_STARTTLS, and the
server's certificate is checked (against LDAP_CA_FILE, else the system's CAs) unless
LDAP_TLS_VERIFY=0, which is for a test bench only.
"""

from __future__ import annotations

import ssl
from datetime import datetime

from flask import current_app
from ldap3 import NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException, LDAPSocketOpenError, LDAPStartTLSError
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

from ..errors import DomainError
from ..models import User
from ..services.auth import SignIn, sign_in

TIMEOUT_SECONDS = 5

TLS_FAILED = (
    "无法与目录服务器建立安全连接：服务器证书未通过验证。请联系系统管理员检查目录服务器证书（LDAP_CA_FILE）。"
)
UNREACHABLE = "目录服务器暂时无法连接，请稍后再试或联系系统管理员。"


def _server() -> Server:
    config = current_app.config
    url = config["LDAP_URL"]
    tls = Tls(
        validate=ssl.CERT_REQUIRED if config["LDAP_TLS_VERIFY"] else ssl.CERT_NONE,
        ca_certs_file=config["LDAP_CA_FILE"] or None,
        version=ssl.PROTOCOL_TLS_CLIENT,
    )
    return Server(
        url,
        use_ssl=url.lower().startswith("ldaps://"),
        tls=tls,
        get_info=NONE,
        connect_timeout=TIMEOUT_SECONDS,
    )


def _connection(server: Server, user: str | None, password: str | None) -> Connection:
    """An open connection, StartTLS done if configured, bound as `user` (raises if the bind fails)."""
    connection = Connection(
        server, user=user, password=password, receive_timeout=TIMEOUT_SECONDS, raise_exceptions=False
    )
    connection.open()
    if current_app.config["LDAP_STARTTLS"] and not server.ssl and not connection.start_tls():
        raise LDAPStartTLSError(str(connection.result))
    return connection


def _user_dn(server: Server, username: str) -> str | None:
    config = current_app.config
    if config["LDAP_USER_DN_TEMPLATE"]:
        return config["LDAP_USER_DN_TEMPLATE"].format(username=escape_rdn(username))
    service = _connection(server, config["LDAP_BIND_DN"] or None, config["LDAP_BIND_PASSWORD"] or None)
    try:
        if config["LDAP_BIND_DN"] and not service.bind():
            current_app.logger.error("LDAP service bind failed: %s", service.result)
            raise DomainError(UNREACHABLE)
        search_filter = config["LDAP_SEARCH_FILTER"].format(username=escape_filter_chars(username))
        service.search(
            config["LDAP_SEARCH_BASE"], search_filter, search_scope=SUBTREE, attributes=[], size_limit=2
        )
        entries = [entry for entry in service.response or [] if entry.get("type") == "searchResEntry"]
        return entries[0]["dn"] if len(entries) == 1 else None  # none or ambiguous: nobody
    finally:
        service.unbind()


def directory_password_ok(username: str, password: str) -> bool:
    """True if the directory accepts this person's password; DomainError if it cannot be asked."""
    if not username or not password:
        return False  # an empty password is an anonymous bind, which every directory accepts
    server = _server()
    try:
        dn = _user_dn(server, username)
        if dn is None:
            return False
        connection = _connection(server, dn, password)
        try:
            return bool(connection.bind())
        finally:
            connection.unbind()
    except (LDAPSocketOpenError, LDAPStartTLSError) as error:
        current_app.logger.warning("LDAP connection failed: %s", error)
        text = str(error).lower()
        if "certificate" in text or "ssl" in text or "tls" in text:
            raise DomainError(TLS_FAILED) from error
        raise DomainError(UNREACHABLE) from error
    except LDAPException as error:
        current_app.logger.warning("LDAP error: %s", error)
        raise DomainError(UNREACHABLE) from error


def ldap_login_check(*, username: str, password: str, ip: str, now: datetime | None = None) -> SignIn:
    """Sign in with the directory's password, throttled and audited like a local one."""
    name = (username or "").strip().lower()

    def prove(user: User | None) -> bool:
        return directory_password_ok(name, password or "")

    return sign_in(username=username, ip=ip, method="ldap", prove=prove, now=now)
