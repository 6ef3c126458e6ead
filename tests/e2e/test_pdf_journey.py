"""PDF in the browser: the PDF button beside 下载 Word on a notice queues the conversion and
the 我的导出 page offers the PDF; a PNG of both pages to look at."""

from __future__ import annotations

import os
import shutil

import pytest

from .. import factories
from ..test_notices import World
from .conftest import click_through, login, shot


def test_the_pdf_button_makes_the_notice_as_pdf(new_page, make_user, artifacts):
    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("soffice not found; CI must install LibreOffice (.ci/run)")
        pytest.skip("soffice not found")
    w = World(make_user)
    notice = w.issued()
    page = new_page()
    login(page, w.lead.username, factories.PASSWORD)
    page.goto(f"/notices/{notice.id}")
    assert page.locator("[data-testid=pdf-link]").is_visible()
    shot(page, artifacts, "notice-detail-pdf-button")
    click_through(page, "[data-testid=pdf-link]")
    page.wait_for_selector("#export-job[data-status=done]")
    link = page.locator("[data-testid=export-download]")
    assert f"{notice.doc_number}.pdf" in link.inner_text()
    shot(page, artifacts, "notice-pdf-export")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"{notice.doc_number}.pdf"
