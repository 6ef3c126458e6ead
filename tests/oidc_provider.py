"""A real OpenID provider for the tests: tests/oidc/provider.js (oidc-provider on Node.js) on 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).parent / "oidc"
CLIENT_ID = "duchatong"
CLIENT_SECRET = "test-client-secret-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _need_provider() -> None:
    missing = shutil.which("node") is None or not (HERE / "node_modules" / "oidc-provider").exists()
    if missing:
        if os.environ.get("CI"):
            pytest.fail("node or tests/oidc/node_modules missing (.ci/run runs npm ci in tests/oidc)")
        pytest.skip("node or oidc-provider not installed (npm ci in tests/oidc)")


@contextmanager
def running_provider(redirect_uri: str, post_logout_uri: str):
    """The provider's issuer URL while it runs; stopped afterwards."""
    _need_provider()
    port = _free_port()
    env = dict(
        os.environ,
        PORT=str(port),
        CLIENT_ID=CLIENT_ID,
        CLIENT_SECRET=CLIENT_SECRET,
        REDIRECT_URI=redirect_uri,
        POST_LOGOUT_URI=post_logout_uri,
    )
    process = subprocess.Popen(
        ["node", "provider.js"], cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError("oidc-provider exited: " + process.stderr.read().decode()[-2000:])
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("oidc-provider did not start")
            time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def sign_in_at_provider(authorize_url: str, login: str, redirect_uri: str) -> str:
    """What a browser does at the provider: its dev login form, then back; the callback URL it reaches."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=5)
        while response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            if url.startswith(redirect_uri):
                return url
            response = browser.get(url, allow_redirects=False, timeout=5)
        page = response.text
        action = re.search(r'<form[^>]*action="([^"]+)"[^>]*method="post"', page)
        assert action, f"no form at the provider: {page[:500]}"
        prompt = re.search(r'name="prompt" value="([^"]+)"', page)
        data = {"prompt": prompt.group(1) if prompt else ""}
        if data["prompt"] == "login":
            data.update(login=login, password="any")
        response = browser.post(urljoin(url, action.group(1)), data=data, allow_redirects=False, timeout=5)
        url = urljoin(url, response.headers["Location"])
        if url.startswith(redirect_uri):
            return url
    raise AssertionError("the provider never sent the browser back")
