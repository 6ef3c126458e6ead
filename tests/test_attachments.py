"""Attachments: size limit, type sniffed from the content, served only to permitted users."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from supervision.extensions import db
from supervision.models import Attachment
from supervision.services.attachments import safe_name, sniff

from .factories import UnitFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            z.writestr(name, "x")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PNG, "png"),
        (PDF, "pdf"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpg"),
        (_zip(["[Content_Types].xml", "word/document.xml"]), "docx"),
        (_zip(["[Content_Types].xml", "xl/workbook.xml"]), "xlsx"),
        (_zip(["OFD.xml", "Doc_0/Document.xml"]), "ofd"),
        (_zip(["a.txt"]), "zip"),
        (EXE, None),
        (b"<html><script>alert(1)</script>", None),
    ],
)
def test_sniff(data, kind):
    assert sniff(data[:16], data) == kind


def test_safe_name_keeps_chinese_and_drops_paths():
    assert safe_name("../../etc/整改报告.pdf") == "整改报告.pdf"
    assert safe_name("C:\\Users\\a\\照片 1.jpg") == "照片 1.jpg"
    assert safe_name("") == "附件"


def _upload(client, unit_id, data, name):
    return client.post_form(
        f"/admin/units/{unit_id}/files",
        {"files": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_upload_and_download_by_permitted_users(client, app, login_as, make_user):
    unit = UnitFactory()
    login_as("admin")
    response = _upload(client, unit.id, PDF, "权责清单.pdf")
    assert "已上传 1 个附件" in response.get_data(as_text=True)
    attachment = db.session.scalar(select(Attachment))
    assert attachment.kind == "pdf" and attachment.original_name == "权责清单.pdf"
    download = client.get(f"/files/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "%E6%9D%83%E8%B4%A3" in download.headers["Content-Disposition"]

    # The unit's own liaison may see it; another unit's liaison and anonymous users may not.
    own = app.test_client()
    own.login_user(make_user("liaison", unit=unit))
    assert own.get(f"/files/{attachment.id}").status_code == 200
    stranger = app.test_client()
    stranger.login_user(make_user("liaison"))
    assert stranger.get(f"/files/{attachment.id}").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(f"/files/{attachment.id}").status_code == 302


def test_renamed_executable_is_refused(client, login_as):
    unit = UnitFactory()
    login_as("admin")
    response = _upload(client, unit.id, EXE, "报告.pdf")
    assert "类型不允许上传" in response.get_data(as_text=True)
    assert db.session.scalar(select(Attachment)) is None


def test_too_large_is_refused(client, login_as, app):
    unit = UnitFactory()
    login_as("admin")
    big = PDF + b"0" * (app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
    response = _upload(client, unit.id, big, "大文件.pdf")
    assert "超过大小限制" in response.get_data(as_text=True)
    assert db.session.scalar(select(Attachment)) is None


def test_one_bad_file_in_a_batch_saves_none(client, login_as):
    unit = UnitFactory()
    login_as("admin")
    response = client.post_form(
        f"/admin/units/{unit.id}/files",
        {"files": [(io.BytesIO(PDF), "好.pdf"), (io.BytesIO(EXE), "坏.exe")]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "类型不允许上传" in response.get_data(as_text=True)
    assert db.session.scalar(select(Attachment)) is None


def test_unknown_owner_type_is_denied(client, login_as):
    login_as("admin")
    attachment = Attachment(
        owner_type="nobody-registered",
        owner_id=1,
        original_name="x.pdf",
        kind="pdf",
        mime="application/pdf",
        size=3,
        sha256="0" * 64,
    )
    db.session.add(attachment)
    db.session.commit()
    assert client.get(f"/files/{attachment.id}").status_code == 404


def test_photo_can_be_shown_inline(client, login_as):
    unit = UnitFactory()
    login_as("admin")
    _upload(client, unit.id, PNG, "现场照片.png")
    attachment = db.session.scalar(select(Attachment))
    response = client.get(f"/files/{attachment.id}?inline=1")
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.mimetype == "image/png"


@pytest.mark.real_commits  # forty threads, each with its own session and connection
def test_forty_simultaneous_uploads_of_the_same_file_all_succeed(app, make_user):
    """Each upload writes its own temporary file and renames it into place (it was one shared
    `<sha>.tmp`, and 3 of 40 failed with a 500)."""
    import threading
    from types import SimpleNamespace

    from werkzeug.datastructures import FileStorage

    from supervision.services.attachments import attachment_key, attachments_add
    from supervision.storage import storage

    # A plain actor: the test's own User row belongs to the test's session, not to the threads'.
    user = SimpleNamespace(id=make_user("inspector").id)

    def race(data: bytes) -> tuple[list, list]:
        barrier = threading.Barrier(40)
        errors: list[BaseException] = []
        paths = []

        def upload() -> None:
            with app.app_context():
                stream = FileStorage(stream=io.BytesIO(data), filename="同一份.pdf")
                barrier.wait()
                try:
                    [attachment] = attachments_add(
                        actor=user, owner_type="unit", owner_id=1, uploads=[stream]
                    )
                    paths.append(storage().path(attachment_key(attachment)))
                except BaseException as error:
                    errors.append(error)
                finally:
                    db.session.rollback()

        threads = [threading.Thread(target=upload) for _ in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return errors, paths

    for n in range(10):
        data = PDF + f"第{n}份".encode() * 100_000  # a new file each round, large enough to overlap
        errors, paths = race(data)
        assert errors == []
        assert len(paths) == 40 and len(set(paths)) == 1
        assert paths[0].read_bytes() == data
        assert list(paths[0].parent.glob("*.tmp")) == []
