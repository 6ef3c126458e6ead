"""The copy of a .docx that LibreOffice converts to PDF: the same pages with the character grid
emulated, because LibreOffice does not lay out a grid finer than its characters the way Word and
WPS do (see `libreoffice_copy`)."""

from __future__ import annotations

import io
import math
import zipfile

from lxml import etree

from .official import P_ORDER, R_ORDER, insert_ordered

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NS = {"w": _W[1:-1]}


def _style_sizes(styles) -> tuple[int, dict[str, int]]:
    """Half-points: the Normal style's size (else docDefaults', else 20) and each paragraph style's."""
    default = 20
    if styles is None:
        return default, {}
    for path in (
        "w:docDefaults/w:rPrDefault/w:rPr/w:sz",
        "w:style[@w:default='1'][@w:type='paragraph']/w:rPr/w:sz",
    ):
        found = styles.find(path, _NS)
        if found is not None:
            default = int(found.get(f"{_W}val"))
    own, based = {}, {}
    for style in styles.iter(f"{_W}style"):
        sid = style.get(f"{_W}styleId")
        size = style.find(f"{_W}rPr/{_W}sz")
        if size is not None:
            own[sid] = int(size.get(f"{_W}val"))
        parent = style.find(f"{_W}basedOn")
        if parent is not None:
            based[sid] = parent.get(f"{_W}val")
    sizes = {}
    for sid in set(own) | set(based):
        seen, cur = set(), sid
        while cur and cur not in own and cur not in seen:
            seen.add(cur)
            cur = based.get(cur)
        sizes[sid] = own.get(cur, default)
    return default, sizes


def _on_grid(paragraph) -> bool:
    snap = paragraph.find(f"{_W}pPr/{_W}snapToGrid")
    return snap is None or snap.get(f"{_W}val") not in ("0", "false", "off")


def _paragraph_properties(paragraph):
    p_pr = paragraph.find(f"{_W}pPr")
    if p_pr is None:
        p_pr = etree.Element(f"{_W}pPr")
        paragraph.insert(0, p_pr)
    return p_pr


def _condense(paragraph, size_here: int, default: int, condense: str) -> None:
    """Condensed spacing on the paragraph's runs of the Normal size that have none of their own."""
    for run in paragraph.iter(f"{_W}r"):
        r_pr = run.find(f"{_W}rPr")
        if r_pr is None:
            r_pr = etree.Element(f"{_W}rPr")
            run.insert(0, r_pr)
        size = r_pr.find(f"{_W}sz")
        if (int(size.get(f"{_W}val")) if size is not None else size_here) != default:
            continue
        if r_pr.find(f"{_W}spacing") is None:
            spacing = etree.Element(f"{_W}spacing")
            spacing.set(f"{_W}val", condense)
            insert_ordered(r_pr, spacing, R_ORDER)


def _emulate_grid(document, styles, grids: list) -> None:
    default, sizes = _style_sizes(styles)
    squeeze = min(int(grid.get(f"{_W}charSpace")) for grid in grids)
    condense = str(math.floor(squeeze / 4096 * 20))  # twentieths of a point, so the cells fit
    for grid in grids:
        grid.set(f"{_W}type", "lines")
    for paragraph in document.iter(f"{_W}p"):
        if not _on_grid(paragraph):
            continue
        p_pr = _paragraph_properties(paragraph)
        # No punctuation hanging into the margin: LibreOffice leaves it out of the PDF. (LibreOffice
        # 7.4 reads w:overflowPunct inverted: "1" gives punctuation-wrap="simple", no hanging.)
        overflow = etree.Element(f"{_W}overflowPunct")
        overflow.set(f"{_W}val", "1")
        insert_ordered(p_pr, overflow, P_ORDER)
        style = p_pr.find(f"{_W}pStyle")
        size_here = sizes.get(style.get(f"{_W}val"), default) if style is not None else default
        _condense(paragraph, size_here, default, condense)


def libreoffice_copy(data: bytes) -> bytes:
    """The .docx as LibreOffice should convert it: the same pages, the character grid emulated.

    LibreOffice does not shrink characters to a grid finer than their size (a 16 pt character on a
    15.79 pt grid takes two cells, 14 a line, where Word and WPS give 28). The copy has a line grid
    only and the grid's squeeze as condensed spacing (w:spacing) on the runs of the Normal size that
    snap to the grid, which LibreOffice lays out 28 a line; and no punctuation hanging into the
    margin (LibreOffice leaves a comma that would hang out of the PDF). A document without a
    squeezing character grid (an office's own template without one, say) is returned as it is.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        document = etree.fromstring(source.read("word/document.xml"))
        grids = [
            grid
            for grid in document.iter(f"{_W}docGrid")
            if grid.get(f"{_W}type") == "linesAndChars" and int(grid.get(f"{_W}charSpace") or 0) < 0
        ]
        if not grids:
            return data
        names = source.namelist()
        styles = etree.fromstring(source.read("word/styles.xml")) if "word/styles.xml" in names else None
        _emulate_grid(document, styles, grids)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                body = source.read(item.filename)
                if item.filename == "word/document.xml":
                    body = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
                target.writestr(item, body)
    return out.getvalue()
