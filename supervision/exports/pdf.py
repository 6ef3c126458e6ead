"""PDF copies of the .docx documents, made by LibreOffice where it is installed (optional).

Each conversion runs `soffice --headless` with a profile of its own: LibreOffice locks its user
profile, so two conversions sharing one (two workers, or a worker and an admin at the shell) would
make the second fail or hang.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _

from ..errors import DomainError
from .fonts import soffice_environment
from .libreoffice import libreoffice_copy

TIMEOUT_SECONDS = 120
PDF_MIME = "application/pdf"


def soffice_path() -> str | None:
    """The LibreOffice binary: the SOFFICE setting if it names one that exists, else `soffice` on PATH."""
    configured = current_app.config.get("SOFFICE", "") if has_app_context() else ""
    return _which(configured or "soffice")


_found: dict[tuple[str, str | None], str | None] = {}


def _which(name: str) -> str | None:
    """shutil.which(name), looked up once per process for each name and PATH: the pages ask on every
    view whether to offer a PDF, and a search of PATH is a stat of each of its folders. LibreOffice
    installed or removed while the app runs is seen after a restart."""
    key = (name, os.environ.get("PATH"))
    try:
        return _found[key]
    except KeyError:
        found = _found[key] = shutil.which(name)
        return found


def pdf_available() -> bool:
    """Whether documents can be offered as PDF here (the pages show the PDF button only then)."""
    return soffice_path() is not None


def docx_to_pdf(data: bytes) -> bytes:
    """The PDF LibreOffice renders from a .docx; DomainError (in Chinese) when it cannot."""
    soffice = soffice_path()
    if soffice is None:
        raise DomainError(_("本服务器未安装 LibreOffice，无法生成 PDF。"))
    with tempfile.TemporaryDirectory(prefix="supervision-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(libreoffice_copy(data))
        command = [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            # A session of its own, so that a timeout kills soffice.bin too, not just its launcher.
            process = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                env=soffice_environment(folder),  # the official fonts' free substitutes (fonts.py)
            )
        except OSError as error:
            raise DomainError(
                _("无法启动 LibreOffice，PDF 转换失败：%(e)s", e=error.strerror or error)
            ) from error
        try:
            process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as error:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise DomainError(_("PDF 转换超时（超过 %(n)s 秒），请稍后重试。", n=TIMEOUT_SECONDS)) from error
        target = folder / "document.pdf"
        if not target.exists() or target.stat().st_size == 0:
            raise DomainError(_("LibreOffice 未能把文档转换为 PDF，请下载 Word 版，或联系管理员。"))
        return target.read_bytes()
