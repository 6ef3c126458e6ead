"""The faces LibreOffice uses for the official fonts when they are not installed.

The documents ask for 仿宋_GB2312, 方正小标宋简体, 黑体 and 楷体_GB2312 (GB/T 9704-2012). A server
rarely has them; fontconfig then offers its default face (DejaVu Sans) and LibreOffice takes the
CJK glyphs from whichever CJK face it finds first, so the whole PDF came out in a sans face. Each
conversion gets a fontconfig file of its own (FONTCONFIG_FILE in soffice's environment) that
includes the system's configuration and adds each official name's nearest free face after it: Song
and Fang Song names → Noto Serif CJK SC, Hei → Noto Sans CJK SC, Kai → AR PL UKai (Debian's
fonts-arphic-ukai) where installed, else the serif face. The substitutes are *accepted* after the
name asked for, so a real 仿宋_GB2312 (or any of these) installed on the server is still used
first; fontconfig skips a substitute that is not installed.
"""

from __future__ import annotations

import os
from pathlib import Path
from xml.sax.saxutils import escape

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
KAI = ("AR PL UKai CN", "AR PL UKai", "AR PL KaitiM GB")

# The names the documents (and offices' own templates) use, each with its substitutes in order.
SUBSTITUTES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312", "STFangsong"), (SERIF,)),
    **dict.fromkeys(("方正小标宋简体", "方正小标宋_GBK", "宋体", "SimSun", "NSimSun", "STSong"), (SERIF,)),
    **dict.fromkeys(("黑体", "SimHei", "STHeiti", "方正黑体_GBK"), (SANS,)),
    **dict.fromkeys(("楷体_GB2312", "楷体", "KaiTi", "KaiTi_GB2312", "STKaiti"), (*KAI, SERIF)),
}

SYSTEM_CONFIG = "/etc/fonts/fonts.conf"


def _system_config() -> str:
    """The configuration fontconfig would read without us: the caller's FONTCONFIG_FILE, else the
    file under FONTCONFIG_PATH, else /etc/fonts/fonts.conf."""
    if os.environ.get("FONTCONFIG_FILE"):
        return os.environ["FONTCONFIG_FILE"]
    if os.environ.get("FONTCONFIG_PATH"):
        return str(Path(os.environ["FONTCONFIG_PATH"]) / "fonts.conf")
    return SYSTEM_CONFIG


def fontconfig_xml(system: str | None = None) -> str:
    """A fonts.conf: the system's configuration, then the official names' substitutes."""
    aliases = "".join(
        f'  <alias binding="strong">\n    <family>{escape(name)}</family>\n    <accept>'
        + "".join(f"<family>{escape(face)}</family>" for face in faces)
        + "</accept>\n  </alias>\n"
        for name, faces in SUBSTITUTES.items()
    )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{escape(system or _system_config())}</include>\n'
        f"{aliases}</fontconfig>\n"
    )


def soffice_environment(folder: Path) -> dict[str, str]:
    """The environment for one soffice run: ours, with FONTCONFIG_FILE naming a fonts.conf written
    into `folder` (the conversion's temporary directory)."""
    config = folder / "fonts.conf"
    config.write_text(fontconfig_xml(), encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(config)}
