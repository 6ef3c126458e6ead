"""Browser tests: Playwright for Python driving Debian's Chromium against a live server."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--lang=zh-CN",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install it")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page() → a fresh browser page (own cookies) with the live server as base URL."""
    contexts = []

    def make(width: int = 1366, height: int = 860, mobile: bool = False):
        context = browser.new_context(
            base_url=live_server,
            viewport={"width": width, "height": height},
            locale="zh-CN",
            is_mobile=mobile,
            has_touch=mobile,
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    errors: list[str] = []
    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def click_through(page, target) -> None:
    """Click a link or a submit button (a selector or a locator; its confirm dialog accepted)
    and wait for the new page.

    A bare click returns before the new page is there: a count() read next can see the old
    page, and a field filled next can be typed into before the page's scripts are bound (a
    filter box that did not filter yet). A click followed by wait_for_load_state can return on
    the old page when a confirm dialog delays the navigation; waiting for the navigation itself
    cannot.
    """
    with page.expect_navigation(wait_until="networkidle"):
        if isinstance(target, str):
            page.click(target)
        else:
            target.click()


def login(page, username: str, password: str) -> None:
    page.goto("/auth/login")
    page.fill("#username", username)
    page.fill("#password", password)
    click_through(page, "[data-testid=login-submit]")


def shot(page, artifacts: Path, name: str) -> Path:
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
