"""The documents as PDF, converted by LibreOffice in an export job, only where it is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from supervision.exports import fonts, official, pdf
from supervision.extensions import db
from supervision.models import ExportJob

from .test_notices import World
from .test_reviews import World as ReviewWorld

# The export jobs run in immediate mode inside the request: their commits need real ones.
pytestmark = pytest.mark.real_commits


@pytest.fixture
def w(make_user) -> World:
    return World(make_user)


def _need(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} not found; CI must install it (.ci/run)")
        pytest.skip(f"{name} not found")
    return path


def _pdf_job(client, target: str) -> ExportJob:
    response = client.post_form("/exports/", {"target": target, "format": "pdf"})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    job_id = int(re.search(r"/exports/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(ExportJob, job_id)


def test_a_notice_as_pdf_is_made_by_libreoffice_in_a_job(client, w, tmp_path):
    _need("soffice")
    pdftotext = _need("pdftotext")
    notice = w.issued()
    client.login_user(w.lead)
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert 'data-testid="pdf-link"' in page and 'name="format" value="pdf"' in page
    assert 'data-testid="pdf-link"' in client.get(f"/notices/{notice.id}/print").get_data(as_text=True)

    job = _pdf_job(client, f"/notices/{notice.id}.docx")
    assert job.status == "done", job.error
    assert job.title == "督察通知书（PDF）" and job.mime == "application/pdf"
    assert job.filename == f"{notice.doc_number}.pdf"
    download = client.get(f"/exports/{job.id}/download")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    source = tmp_path / "notice.pdf"
    source.write_bytes(download.data)
    text = subprocess.run([pdftotext, str(source), "-"], capture_output=True, text=True, check=True).stdout
    assert notice.doc_number in text.replace(" ", "")
    assert "横街镇人民政府" in text.replace(" ", "")


def test_another_units_liaison_gets_no_pdf_of_the_notice(client, w, monkeypatch):
    monkeypatch.setattr(pdf, "pdf_available", lambda: True)

    def never(data: bytes) -> bytes:
        raise AssertionError("converted a document the user may not see")

    monkeypatch.setattr(pdf, "docx_to_pdf", never)
    notice = w.issued()
    client.login_user(w.outsider)
    assert client.get(f"/notices/{notice.id}.docx").status_code == 404
    job = _pdf_job(client, f"/notices/{notice.id}.docx")
    assert job.status == "failed" and job.error == "要导出的记录不存在，或您无权查看。"
    assert client.get(f"/exports/{job.id}/download").status_code == 404


def test_without_libreoffice_there_is_no_pdf_link_and_no_pdf_job(client, w, login_as, monkeypatch):
    monkeypatch.setattr(pdf, "pdf_available", lambda: False)
    notice = w.issued()
    client.login_user(w.lead)
    for url in (f"/notices/{notice.id}", f"/notices/{notice.id}/print", "/dashboard/annual"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "pdf-link" not in page.get_data(as_text=True) and 'value="pdf"' not in page.get_data(
            as_text=True
        )
    response = client.post_form("/exports/", {"target": f"/notices/{notice.id}.docx", "format": "pdf"})
    assert response.status_code == 404
    assert db.session.query(ExportJob).count() == 0


def test_only_the_docx_documents_convert(client, w, monkeypatch):
    monkeypatch.setattr(pdf, "pdf_available", lambda: True)
    notice = w.issued()
    client.login_user(w.lead)
    page = client.get("/dashboard/annual").get_data(as_text=True)
    assert 'data-testid="annual-pdf"' in page
    reviews = ReviewWorld(n_units=1, files_per_unit=1, reviewers=2, sample_size=1)
    reviews.start()
    client.login_user(reviews.lead)
    page = client.get(f"/reviews/campaigns/{reviews.campaign.id}").get_data(as_text=True)
    assert 'data-testid="export-pdf"' in page and 'data-testid="export-docx"' in page
    monkeypatch.setattr(pdf, "pdf_available", lambda: False)
    page = client.get(f"/reviews/campaigns/{reviews.campaign.id}").get_data(as_text=True)
    assert 'data-testid="export-pdf"' not in page and 'data-testid="export-docx"' in page
    client.login_user(w.lead)
    monkeypatch.setattr(pdf, "pdf_available", lambda: True)
    # A register is no document; the notice's .docx is a PDF job only (it downloads directly).
    assert (
        client.post_form("/exports/", {"target": "/registers/findings.xlsx", "format": "pdf"}).status_code
        == 404
    )
    assert client.post_form("/exports/", {"target": f"/notices/{notice.id}.docx"}).status_code == 404
    assert db.session.query(ExportJob).count() == 0


def test_a_failed_conversion_says_why_in_chinese(client, w, monkeypatch, tmp_path):
    notice = w.issued()
    client.login_user(w.lead)
    monkeypatch.setattr(pdf, "soffice_path", lambda: "/bin/true")  # runs, writes no PDF
    job = _pdf_job(client, f"/notices/{notice.id}.docx")
    assert job.status == "failed" and job.error.startswith("LibreOffice 未能把文档转换为 PDF")

    slow = tmp_path / "soffice"
    slow.write_text("#!/bin/sh\nsleep 5 &\nwait\n")  # a child holding on, as soffice.bin would
    slow.chmod(0o755)
    monkeypatch.setattr(pdf, "soffice_path", lambda: str(slow))
    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 0.3)
    job = _pdf_job(client, "/dashboard/annual.docx?year=2026")
    assert job.status == "failed" and job.error == "PDF 转换超时（超过 0.3 秒），请稍后重试。"
    assert job.title == "年度工作数据（PDF）"


def test_the_soffice_setting_names_the_binary(app, monkeypatch):
    monkeypatch.setitem(app.config, "SOFFICE", "/nonexistent/soffice")
    assert pdf.soffice_path() is None and not pdf.pdf_available()
    monkeypatch.setitem(app.config, "SOFFICE", "/bin/true")
    assert pdf.soffice_path() == "/bin/true" and pdf.pdf_available()


# --- the official fonts' substitutes (exports/fonts.py) -------------------------------------


def _match(config: Path, family: str) -> str:
    out = subprocess.run(
        [_need("fc-match"), "-f", "%{family[0]}", family],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
    )
    return out.stdout


def _need_face(name: str) -> None:
    listed = subprocess.run([_need("fc-list"), name, "family"], capture_output=True, text=True).stdout
    if not listed.strip():
        if os.environ.get("CI"):
            pytest.fail(f"{name} not installed; CI installs fonts-noto-cjk (.ci/run)")
        pytest.skip(f"{name} not installed")


def test_the_official_names_resolve_to_serif_sans_and_kai_faces(tmp_path):
    _need_face(fonts.SERIF)
    _need_face(fonts.SANS)
    env = fonts.soffice_environment(tmp_path)
    config = Path(env["FONTCONFIG_FILE"])
    assert config.parent == tmp_path and "<include" in config.read_text(encoding="utf-8")
    for name in ("仿宋_GB2312", "仿宋", "FangSong", "STFangsong", "方正小标宋简体", "宋体", "SimSun"):
        assert _match(config, name) == fonts.SERIF, name
    for name in ("黑体", "SimHei"):
        assert _match(config, name) == fonts.SANS, name
    kai = subprocess.run([_need("fc-list"), ":", "family"], capture_output=True, text=True).stdout
    installed_kai = next((face for face in fonts.KAI if face in kai), fonts.SERIF)
    for name in ("楷体_GB2312", "楷体", "KaiTi"):
        assert _match(config, name) == installed_kai, name
    # The system's configuration is still there: other names match as they did.
    assert _match(config, "Noto Sans CJK SC") == fonts.SANS


def test_an_installed_face_of_an_official_name_is_kept(tmp_path, monkeypatch):
    """Where the office installed the real font, the substitute comes only after it."""
    _need_face(fonts.SERIF)
    _need_face("DejaVu Sans")
    monkeypatch.setitem(fonts.SUBSTITUTES, "DejaVu Sans", (fonts.SERIF,))
    config = Path(fonts.soffice_environment(tmp_path)["FONTCONFIG_FILE"])
    assert _match(config, "DejaVu Sans") == "DejaVu Sans"


def _pdf_fonts(pdf: Path) -> list[str]:
    listed = subprocess.run([_need("pdffonts"), str(pdf)], capture_output=True, text=True, check=True)
    return [line.split()[0] for line in listed.stdout.splitlines()[2:]]


def test_the_pdf_sets_the_body_in_a_serif_face_and_headings_in_sans(tmp_path):
    """仿宋 body, 小标宋 title, 宋体 page numbers: serif; 黑体 headings: sans; nothing in DejaVu."""
    _need("soffice")
    _need_face(fonts.SERIF)
    authority = official.Authority("海曙区司法局", "海曙区司法局", "海曙区司法局")
    doc = official.new_document()
    official.masthead(doc, authority, "海法督〔2026〕3号")
    official.title(doc, "关于横街镇人民政府落实整改有关问题的执法监督通知书")
    official.para(doc, "横街镇人民政府：", indent=False)
    official.para(doc, "请对上述案卷逐件补正，完善证据材料，确保今后办理的案件合法规范。")
    official.para(doc, "（一）证据材料", face=official.KAITI)
    body_only = tmp_path / "body.pdf"
    body_only.write_bytes(pdf.docx_to_pdf(official.save(doc)))
    faces = _pdf_fonts(body_only)
    assert faces and all("NotoSerifCJK" in face for face in faces), faces

    official.para(doc, "一、存在的问题", face=official.HEITI)
    with_heading = tmp_path / "heading.pdf"
    with_heading.write_bytes(pdf.docx_to_pdf(official.save(doc)))
    faces = _pdf_fonts(with_heading)
    assert any("NotoSerifCJK" in face for face in faces) and any("NotoSansCJK" in face for face in faces)
    assert not any("DejaVu" in face for face in faces), faces


def test_the_review_report_renders_as_an_official_document(client, app, tmp_path, artifacts):
    """The 评查通报 through LibreOffice: masthead, its own number, the page number, the 版记, no seed."""
    from supervision.services import reviews as campaign_svc

    _need("soffice")
    pdftotext = _need("pdftotext")
    app.config["REVIEW_REPORT_AUTHORITY"] = "海曙区司法局"
    reviews = ReviewWorld(n_units=3, files_per_unit=3, reviewers=2, sample_size=2)
    reviews.start()
    reviews.score_all()
    campaign_svc.campaign_publish(actor=reviews.lead, campaign=reviews.campaign)
    client.login_user(reviews.lead)
    data = client.get(f"/reviews/campaigns/{reviews.campaign.id}/report.docx").data
    target = tmp_path / "report.pdf"
    target.write_bytes(pdf.docx_to_pdf(data))
    subprocess.run([_need("pdftoppm"), "-png", "-r", "60", str(target), str(artifacts / "review-report")])
    text = subprocess.run([pdftotext, str(target), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace(" ", "")
    assert flat.startswith("海曙区司法局") and reviews.campaign.report_number in flat
    assert "—1—" in flat and "印发" in flat and "随机种子" not in flat
    assert any("NotoSerifCJK" in face for face in _pdf_fonts(target))
