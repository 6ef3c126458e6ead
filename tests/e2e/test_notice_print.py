"""The print view through Chromium's print-to-PDF: page numbers “— n —” on the outer side of each page,
the 版记 at the foot of the last page, the 草稿 mark on every page of a draft; PNGs to look at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from supervision.extensions import db
from supervision.services import notices as svc

from .. import factories
from .conftest import login

REQUIREMENT = "请对照《中华人民共和国行政处罚法》逐卷核查，补正相关文书，并对承办人员开展专题培训。" * 3


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} not found; CI must install poppler-utils")
        pytest.skip(f"{name} not found")
    return path


def _notice(make_user, n_findings: int, issue: bool):
    from datetime import date

    town = factories.UnitFactory(name="横街镇人民政府", short_name="横街镇", kind="town")
    lead = make_user("lead", username="wang", display_name="王建国")
    inspector = make_user("inspector", username="chen", display_name="陈敏")
    kind = factories.NoticeKindFactory(
        name="执法监督通知书",
        prefix="海法督",
        default_days=15,
        issuing_authority="海曙区司法局",
        signature="海曙区司法局",
    )
    findings = [
        factories.FindingFactory(
            unit=town,
            task=None,
            inspector=inspector,
            description=f"问题{n + 1}：" + "案卷中现场检查笔录缺少当事人签名，证据链不完整" * 2,
        )
        for n in range(n_findings)
    ]
    db.session.commit()
    data = svc.DraftData(
        kind_id=kind.id,
        unit_id=town.id,
        title="关于横街镇人民政府落实整改有关问题的执法监督通知书",
        intro="",
        requirements="",
        time_limit_days=15,
        fixed_deadline=None,
        items=[(f.id, REQUIREMENT) for f in findings],
        cc="区委全面依法治区委员会办公室，区人民政府办公室",
    )
    notice = svc.notice_create(actor=inspector, data=data, today=date(2026, 3, 2))
    if issue:
        svc.notice_submit(actor=inspector, notice=notice)
        svc.notice_issue(actor=lead, notice=notice, today=date(2026, 3, 2))
    return notice


def _pdf_pages(page, url: str, artifacts, name: str) -> list[str]:
    page.goto(url)
    page.wait_for_function("document.querySelector('[data-sheet]').dataset.pages")
    pdf = artifacts / f"{name}.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    subprocess.run([_tool("pdftoppm"), "-png", "-r", "50", str(pdf), str(artifacts / name)], check=True)
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return text.stdout.split("\f")[:-1]


def test_print_pdf_page_numbers_and_colophon(new_page, artifacts, make_user):
    notice = _notice(make_user, 4, issue=True)
    page = new_page()
    login(page, "wang", factories.PASSWORD)
    pages = _pdf_pages(page, f"/notices/{notice.id}/print", artifacts, "notice-print")
    assert len(pages) >= 2
    for n, text in enumerate(pages, start=1):
        lines = [line for line in text.splitlines() if line.strip()]
        number = lines[-1]
        assert re.fullmatch(rf"—\s*{n}\s*—", number.strip()), (n, lines[-3:])
        # odd pages on the right, even pages on the left (pdftotext -layout keeps the columns)
        indent = len(number) - len(number.lstrip())
        assert (indent > 15) if n % 2 else (indent < 5), (n, number)
    last = [line.strip() for line in pages[-1].splitlines() if line.strip()]
    assert last[-3].startswith("抄送：区委全面依法治区委员会办公室") and "2026年3月2日印发" in last[-2]
    assert "抄送" not in "".join(pages[:-1])
    assert "海曙区司法局" in pages[0].splitlines()[0] or "海曙区司法局" in pages[0][:200]


def test_print_pdf_draft_mark_on_every_page(new_page, artifacts, make_user):
    notice = _notice(make_user, 4, issue=False)
    page = new_page()
    login(page, "chen", factories.PASSWORD)
    pages = _pdf_pages(page, f"/notices/{notice.id}/print", artifacts, "notice-print-draft")
    assert len(pages) >= 2 and all("草 稿" in p or "草稿" in p for p in pages)
