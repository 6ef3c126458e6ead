"""LDAP sign-in against a real slapd started here: a temporary directory with two people."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest
from sqlalchemy import select

from supervision.extensions import db
from supervision.models import AuditEvent, LoginAttempt

SUFFIX = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "directory-secret"

PEOPLE = f"""dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,{SUFFIX}
objectClass: organizationalUnit
ou: people

dn: uid=wang,ou=people,{SUFFIX}
objectClass: inetOrgPerson
uid: wang
cn: Wang Fang
sn: Wang
userPassword: Dir-pass-1

dn: uid=zhao,ou=people,{SUFFIX}
objectClass: inetOrgPerson
uid: zhao
cn: Zhao Lei
sn: Zhao
userPassword: Dir-pass-2
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("slapd exited at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("slapd did not start")


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    """A slapd on 127.0.0.1 (plain LDAP with StartTLS, and LDAPS), with a self-signed certificate."""
    if shutil.which("slapd") is None or shutil.which("openssl") is None:
        if os.environ.get("CI"):
            pytest.fail("slapd is not installed (.ci/run installs slapd and ldap-utils)")
        pytest.skip("slapd is not installed")
    root = tmp_path_factory.mktemp("slapd")
    (root / "db").mkdir()
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    conf = root / "slapd.conf"
    conf.write_text(
        f"""include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {root}/slapd.pid
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
database mdb
suffix "{SUFFIX}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {root}/db
access to attrs=userPassword by anonymous auth by self write by * none
access to * by users read by * none
"""
    )
    ldif = root / "people.ldif"
    ldif.write_text(PEOPLE)
    subprocess.run(["slapadd", "-f", str(conf), "-l", str(ldif)], check=True, capture_output=True)
    port, tls_port = _free_port(), _free_port()
    urls = f"ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{tls_port}/"
    process = subprocess.Popen(
        ["slapd", "-d", "0", "-f", str(conf), "-h", urls],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process)
        _wait_for(tls_port, process)
        yield {"url": f"ldap://127.0.0.1:{port}", "ldaps": f"ldaps://127.0.0.1:{tls_port}", "ca": str(cert)}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def directory(app, slapd, monkeypatch):
    """The app set up to search the directory with a service account (plain LDAP on loopback)."""
    settings = {
        "LDAP_URL": slapd["url"],
        "LDAP_BIND_DN": ADMIN_DN,
        "LDAP_BIND_PASSWORD": ADMIN_PASSWORD,
        "LDAP_SEARCH_BASE": f"ou=people,{SUFFIX}",
        "LDAP_SEARCH_FILTER": "(uid={username})",
        "LDAP_USER_DN_TEMPLATE": "",
        "LDAP_STARTTLS": False,
        "LDAP_CA_FILE": "",
        "LDAP_TLS_VERIFY": True,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    return slapd


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_the_directory_password_signs_in_with_the_apps_role(client, make_user, directory):
    user = make_user("lead", username="wang")
    response = client.login("wang", "Dir-pass-1")
    assert response.status_code == 302 and _signed_in(client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.login"))
    assert event.record_id == user.id and event.changes == {"method": "ldap"} and "LDAP" in event.summary
    # The local password is not what counts once the directory is in use.
    client.post_form("/auth/logout")
    assert client.login("wang").status_code == 200


def test_a_wrong_directory_password_is_refused_and_counted(client, make_user, directory):
    make_user("lead", username="wang")
    response = client.login("wang", "Dir-pass-2")  # zhao's
    assert response.status_code == 200 and "用户名或密码不正确" in response.text
    assert not _signed_in(client)
    (attempt,) = db.session.scalars(select(LoginAttempt)).all()
    assert attempt.username == "wang" and not attempt.success
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.login_failed"))
    assert event.changes["method"] == "ldap"


def test_an_empty_password_is_never_an_anonymous_bind(make_user, directory):
    from supervision.sso.ldap import directory_password_ok

    assert not directory_password_ok("wang", "")
    assert directory_password_ok("wang", "Dir-pass-1")


def test_a_person_unknown_to_the_directory_is_refused(client, make_user, directory):
    make_user("lead", username="liu")  # an app account, but no entry in the directory
    response = client.login("liu", "Passw0rd!")
    assert "用户名或密码不正确" in response.text and not _signed_in(client)


def test_a_person_without_an_app_account_is_told_to_ask_the_administrator(client, directory):
    response = client.login("zhao", "Dir-pass-2")
    assert response.status_code == 200
    assert "本系统中没有您的账号" in response.text and "系统管理员" in response.text
    assert not _signed_in(client)


def test_a_disabled_app_account_is_refused(client, make_user, directory):
    make_user("lead", username="wang", active=False)
    response = client.login("wang", "Dir-pass-1")
    assert "该账号已停用" in response.text and not _signed_in(client)


def test_throttling_applies_to_directory_attempts(client, make_user, directory, app):
    make_user("lead", username="wang")
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        client.login("wang", "wrong-pass-9")
    response = client.login("wang", "Dir-pass-1")
    assert "登录失败次数过多" in response.text and not _signed_in(client)


def test_direct_bind_with_a_dn_template(client, make_user, directory, monkeypatch, app):
    monkeypatch.setitem(app.config, "LDAP_USER_DN_TEMPLATE", f"uid={{username}},ou=people,{SUFFIX}")
    monkeypatch.setitem(app.config, "LDAP_BIND_DN", "")
    make_user("inspector", username="zhao")
    assert client.login("zhao", "Dir-pass-2").status_code == 302 and _signed_in(client)


def test_filter_characters_in_the_username_are_escaped(make_user, directory):
    from supervision.sso.ldap import directory_password_ok

    # Unescaped, "*" would match every person and the first one's password would do.
    assert not directory_password_ok("*", "Dir-pass-1")
    assert not directory_password_ok("w*", "Dir-pass-1")


def test_ldaps_with_the_servers_certificate_signs_in(client, make_user, directory, monkeypatch, app):
    monkeypatch.setitem(app.config, "LDAP_URL", directory["ldaps"])
    monkeypatch.setitem(app.config, "LDAP_CA_FILE", directory["ca"])
    make_user("lead", username="wang")
    assert client.login("wang", "Dir-pass-1").status_code == 302 and _signed_in(client)


def test_starttls_with_the_servers_certificate_signs_in(client, make_user, directory, monkeypatch, app):
    monkeypatch.setitem(app.config, "LDAP_STARTTLS", True)
    monkeypatch.setitem(app.config, "LDAP_CA_FILE", directory["ca"])
    make_user("lead", username="wang")
    assert client.login("wang", "Dir-pass-1").status_code == 302 and _signed_in(client)


@pytest.mark.parametrize("starttls", [False, True], ids=["ldaps", "starttls"])
def test_an_untrusted_certificate_is_refused_with_a_clear_message(
    client, make_user, directory, monkeypatch, app, starttls
):
    """Certificate checking is on by default: a self-signed certificate the app does not trust fails."""
    monkeypatch.setitem(app.config, "LDAP_URL", directory["url"] if starttls else directory["ldaps"])
    monkeypatch.setitem(app.config, "LDAP_STARTTLS", starttls)
    make_user("lead", username="wang")
    response = client.login("wang", "Dir-pass-1")
    assert response.status_code == 200 and "服务器证书未通过验证" in response.text
    assert not _signed_in(client)
    assert not db.session.scalars(select(LoginAttempt)).all()  # not the person's failure: not counted


def test_an_unreachable_directory_says_so(client, make_user, directory, monkeypatch, app):
    monkeypatch.setitem(app.config, "LDAP_URL", f"ldap://127.0.0.1:{_free_port()}")
    make_user("lead", username="wang")
    response = client.login("wang", "Dir-pass-1")
    assert "目录服务器暂时无法连接" in response.text


def test_the_break_glass_account_keeps_its_local_password(client, make_user, directory, monkeypatch, app):
    monkeypatch.setitem(app.config, "LOCAL_LOGIN", False)
    monkeypatch.setitem(app.config, "LOCAL_LOGIN_BREAK_GLASS", "root")
    make_user("admin", username="root")
    assert client.login("root").status_code == 302 and _signed_in(client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.login"))
    assert event.changes == {"method": "local"}


@pytest.mark.parametrize("local_login", [True, False])
def test_with_ldap_only_the_break_glass_account_keeps_a_local_password(
    client, make_user, directory, monkeypatch, app, local_login
):
    monkeypatch.setitem(app.config, "LOCAL_LOGIN", local_login)
    monkeypatch.setitem(app.config, "LOCAL_LOGIN_BREAK_GLASS", "root")
    make_user("lead", username="wang")  # its local password is Passw0rd!, the directory's Dir-pass-1
    assert "用户名或密码不正确" in client.login("wang").text
    assert client.login("wang", "Dir-pass-1").status_code == 302
