"""The snapshot as PDF (reportlab platypus): the same blocks as the DOCX.

The font is DejaVu Sans, embedded (matplotlib ships it), so å, ä, ö, −, × and "<" print on
any reader. reportlab's Paragraph reads a small markup language, so every text is XML-escaped
before it goes in: user text stays literal.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

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
    plain,
)

FONT, FONT_BOLD, FONT_ITALIC = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"
MARGIN = 2.0 * cm
FRAME_W = A4[0] - 2 * MARGIN


@lru_cache(maxsize=1)
def _fonts() -> None:
    """Register DejaVu Sans (regular, bold, oblique) from matplotlib's bundled fonts."""
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name, file in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf"),
                       (FONT_ITALIC, "DejaVuSans-Oblique.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(ttf / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=4)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontName=FONT_ITALIC, fontSize=7.5,
                                leading=9.5),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9, spaceAfter=0),
        "head": ParagraphStyle("headcell", parent=base, fontName=FONT_BOLD, fontSize=7.5,
                               leading=9, spaceAfter=0),
        "caption": ParagraphStyle("caption", parent=base, fontName=FONT_ITALIC, fontSize=7.5,
                                  alignment=TA_CENTER),
        "h0": ParagraphStyle("h0", parent=base, fontName=FONT_BOLD, fontSize=17, leading=21,
                             spaceAfter=8),
        "h1": ParagraphStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=13.5, leading=17,
                             spaceBefore=10, spaceAfter=5, keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14,
                             spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=base, fontName=FONT_BOLD, fontSize=9.5, leading=12,
                             spaceBefore=6, spaceAfter=3, keepWithNext=1),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(plain(text)).replace("\n", "<br/>"), style)


CELL_PAD = 3.0  # left and right padding of a cell (TableStyle below), points
CELL_SIZE = 7.5  # font size of the cells and headers (styles "cell" and "head")


def _longest_word(texts: Sequence[str], font: str) -> float:
    """Width in points of the widest word (reportlab breaks lines at spaces only, so a word
    wider than its column is cut mid-word: "start 20|23-04-2|1")."""
    words = (w for text in texts for w in plain(text).split())
    return max((pdfmetrics.stringWidth(w, font, CELL_SIZE) for w in words), default=0.0)


def _col_widths(tb: Table) -> list[float]:
    """Column widths in points over the frame: in proportion to :func:`column_weights`, but
    never narrower than the column's widest word (:func:`outline.fit_widths`)."""
    _fonts()
    need = [max(_longest_word([r[i] for r in tb.rows], FONT),
                _longest_word([h], FONT_BOLD)) + 2 * CELL_PAD + 0.5
            for i, h in enumerate(tb.headers)]
    return fit_widths(column_weights(tb), need, FRAME_W)


def _table(tb: Table, level: int, st: dict[str, ParagraphStyle]) -> list[object]:
    out: list[object] = [_p(tb.title, st[f"h{min(level, 3)}"])]
    if tb.rows:
        data = [[_p(h, st["head"]) for h in tb.headers]]
        data += [[_p(c, st["cell"]) for c in row] for row in tb.rows]
        table = RLTable(data, colWidths=_col_widths(tb), repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        out.append(table)
    out += [_p(n, st["small"]) for n in tb.notes]
    return out


def write_pdf(snap: Snapshot, map_png: bytes, map_size_px: tuple[int, int]) -> bytes:
    """The PDF file's bytes (A4, the map 17 cm wide)."""
    return pdf_from_blocks(blocks(snap), title=snap.title, subject=f"{snap.area} {snap.period}",
                           map_png=map_png, map_size_px=map_size_px)


def pdf_from_blocks(items: Sequence[Block], *, title: str, subject: str,
                    map_png: bytes | None = None,
                    map_size_px: tuple[int, int] = (1, 1)) -> bytes:
    """A PDF of outline blocks (as :func:`mapapp.snapshot.docx.docx_from_blocks`)."""
    _fonts()
    st = _styles()
    story: list[object] = []
    for b in items:
        if isinstance(b, Heading):
            # no spacer after a heading: it would break keepWithNext, leaving the heading
            # alone at the foot of a page (the styles' spaceAfter gives the room)
            story.append(_p(b.text, st[f"h{min(b.level, 3)}"]))
            continue
        elif isinstance(b, Meta):
            for label, value in b.pairs:
                story.append(Paragraph(f"<b>{escape(plain(label))}:</b> {escape(plain(value))}",
                                       st["body"]))
        elif isinstance(b, Para):
            story.append(_p(b.text, st["small" if b.small else "body"]))
        elif isinstance(b, Bullets):
            story.append(Paragraph(f"<b>{escape(plain(b.label))}</b>", st["body"]))
            story.append(ListFlowable([ListItem(_p(i, st["body"]), leftIndent=12)
                                       for i in b.items], bulletType="bullet",
                                      bulletFontName=FONT, start="•", leftIndent=12))
        elif isinstance(b, MapImage) and map_png is not None:
            w_px, h_px = map_size_px
            width = FRAME_W
            story.append(Image(io.BytesIO(map_png), width=width, height=width * h_px / w_px))
            story.append(_p(b.caption, st["caption"]))
        elif isinstance(b, TableBlock):
            story += _table(b.table, b.level, st)
        story.append(Spacer(1, 2))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=plain(title),
                            author="mapapp", subject=plain(subject))
    doc.build(story)  # type: ignore[arg-type]
    return buf.getvalue()
