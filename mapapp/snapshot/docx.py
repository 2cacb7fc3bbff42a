"""The snapshot as a Word document (python-docx), the format of the council's minutes.

A4, 2 cm margins; the map as an inline picture 17 cm wide; tables in the "Table Grid" style
with a bold header row. User text goes in as text runs (python-docx escapes it for XML), so
``<script>`` or ``=HYPERLINK("x")`` stays literal text: no field, no hyperlink, no markup.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from mapapp.snapshot.content import Snapshot, Table
from mapapp.snapshot.outline import (
    Block,
    Bullets,
    Heading,
    MapImage,
    Meta,
    Para,
    TableBlock,
    blocks,
    column_weights,
    fit_widths,
    longest_words,
    plain,
)

MAP_WIDTH_CM = 16.0
TEXT_WIDTH_CM = 17.0


CM_PER_CHAR = 0.15  # an average character at 8.5 pt in Calibri, Word's default (bold: +10 %)
CELL_MARGIN_CM = 0.4  # Word's default left + right cell margins


def column_widths_cm(tb: Table, total_cm: float) -> list[float]:
    """Widths in proportion to :func:`column_weights`, none narrower than its widest word
    (estimated from its length: Word and LibreOffice pick the font, so no exact metrics)."""
    need = [max(cell * CM_PER_CHAR, head * CM_PER_CHAR * 1.1) + CELL_MARGIN_CM
            for cell, head in longest_words(tb)]
    return fit_widths(column_weights(tb), need, total_cm)


def _table(doc: object, tb: Table, level: int) -> None:
    doc.add_heading(plain(tb.title), level).paragraph_format.keep_with_next = True  # type: ignore[attr-defined]
    if tb.rows:
        table = doc.add_table(rows=1, cols=len(tb.headers))  # type: ignore[attr-defined]
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, tb.headers, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(plain(text))
            run.bold = True
            run.font.size = Pt(8.5)
        for row in tb.rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                run = cell.paragraphs[0].add_run(plain(text))
                run.font.size = Pt(8.5)
        table.autofit = False
        for col, width in zip(table.columns, column_widths_cm(tb, TEXT_WIDTH_CM), strict=True):
            col.width = Cm(width)  # the grid (LibreOffice reads this) …
            for cell in col.cells:
                cell.width = Cm(width)  # … and each cell (Word reads this)
    for note in tb.notes:
        p = doc.add_paragraph()  # type: ignore[attr-defined]
        run = p.add_run(plain(note))
        run.italic = True
        run.font.size = Pt(8)


def a4_document(*, landscape: bool = False, margin_cm: float = 2.0) -> Any:
    """A new python-docx document on A4, portrait or landscape, with equal margins."""
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (29.7, 21.0) if landscape else (21.0, 29.7)
    sec.page_width, sec.page_height = Cm(width), Cm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(margin_cm))
    return doc


def write_docx(snap: Snapshot, map_png: bytes) -> bytes:
    """The DOCX file's bytes."""
    return docx_from_blocks(blocks(snap), title=snap.title,
                            subject=f"{snap.area} {snap.period}", map_png=map_png)


def docx_from_blocks(items: Sequence[Block], *, title: str, subject: str,
                     map_png: bytes | None = None) -> bytes:
    """A DOCX of outline blocks (the snapshot's, or another document's such as the lägesbild
    of :mod:`mapapp.snapshot.lagesbild`); a :class:`MapImage` needs ``map_png``."""
    doc = a4_document(landscape=False, margin_cm=2.0)
    doc.core_properties.title = plain(title)
    doc.core_properties.subject = plain(subject)
    doc.core_properties.author = "mapapp"
    for b in items:
        if isinstance(b, Heading):
            h = doc.add_heading(plain(b.text), b.level)
            if b.level == 0:  # the Title style is large: a long zone name would break badly
                for r in h.runs:
                    r.font.size = Pt(20)
        elif isinstance(b, Meta):
            for label, value in b.pairs:
                p = doc.add_paragraph()
                p.add_run(plain(label) + ": ").bold = True
                p.add_run(plain(value))
                p.paragraph_format.space_after = Pt(0)
        elif isinstance(b, Para):
            p = doc.add_paragraph(plain(b.text))
            if b.small:
                for r in p.runs:
                    r.font.size = Pt(8)
        elif isinstance(b, Bullets):
            p = doc.add_paragraph()
            p.add_run(plain(b.label)).bold = True
            for item in b.items:
                doc.add_paragraph(plain(item), style="List Bullet")
        elif isinstance(b, MapImage) and map_png is not None:
            doc.add_picture(io.BytesIO(map_png), width=Cm(MAP_WIDTH_CM))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            cap = doc.add_paragraph()
            run = cap.add_run(plain(b.caption))
            run.italic = True
            run.font.size = Pt(8)
        elif isinstance(b, TableBlock):
            _table(doc, b.table, b.level)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
