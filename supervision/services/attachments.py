"""Storing uploaded files: content-addressed by SHA-256, type sniffed from the bytes."""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from ..errors import DomainError
from ..extensions import db
from ..models import Attachment, User
from ..storage import storage

# kind → mime type; the allow-list of what may be uploaded.
ALLOWED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
    "zip": "application/zip",
}
ACCEPT_ATTR = ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx,.ofd,.zip,image/*"


def sniff(head: bytes, data: bytes) -> str | None:
    """The file's kind judged from its content, or None if it is not on the allow-list."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # An OLE2 compound file: Word and Excel 97-2003 both use it.
        if b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" in data:
            return "doc"
        if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in data or b"B\x00o\x00o\x00k" in data:
            return "xls"
        return None
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
        return "zip"
    return None


def safe_name(name: str) -> str:
    """Keep the original (Chinese) name, minus path parts and control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    name = name.strip().strip(".")
    return name[:200] or "附件"


def storage_key(sha256: str) -> str:
    """Content-addressed: `ab/abcdef…` (the same layout in the local folder and in a bucket)."""
    return f"{sha256[:2]}/{sha256}"


def check_upload(upload: FileStorage) -> tuple[bytes, str]:
    """Read and validate one upload; returns (data, kind) or raises DomainError."""
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    data = upload.stream.read(limit + 1)
    name = safe_name(upload.filename or "")
    if not data:
        raise DomainError(_("文件“%(name)s”是空的。", name=name))
    if len(data) > limit:
        raise DomainError(
            _(
                "文件“%(name)s”超过大小限制（%(MAX_UPLOAD_MB)s MB）。",
                name=name,
                MAX_UPLOAD_MB=current_app.config["MAX_UPLOAD_MB"],
            )
        )
    kind = sniff(data[:16], data)
    if kind is None:
        raise DomainError(
            _("文件“%(name)s”的类型不允许上传。允许的类型：PDF、JPG、PNG、Word、Excel、OFD、ZIP。", name=name)
        )
    return data, kind


def attachments_add(
    *, actor: User, owner_type: str, owner_id: int, uploads: list[FileStorage]
) -> list[Attachment]:
    """Validate every file first (all or nothing), then store them. The caller commits."""
    checked = []
    for upload in uploads:
        if upload is None or not upload.filename:
            continue
        data, kind = check_upload(upload)
        checked.append((upload, data, kind))
    added = []
    store = storage()
    for upload, data, kind in checked:
        digest = hashlib.sha256(data).hexdigest()
        key = storage_key(digest)
        if not store.exists(key):
            store.put(key, data)
        attachment = Attachment(
            owner_type=owner_type,
            owner_id=owner_id,
            original_name=safe_name(upload.filename),
            kind=kind,
            mime=ALLOWED[kind],
            size=len(data),
            sha256=digest,
            uploaded_by_id=actor.id,
        )
        db.session.add(attachment)
        added.append(attachment)
    return added


def attachment_key(attachment: Attachment) -> str:
    return storage_key(attachment.sha256)
