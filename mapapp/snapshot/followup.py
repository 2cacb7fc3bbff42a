"""The follow-up sheet of a walk as a Word (DOCX) or PDF document for the follow-up meeting.

One section per place (in the order the walk reached them), one row per observation: category,
note, ratings, the owner to contact, the status, and a column to write what the owner will do.
User text (notes, the organiser, place names) stays text: python-docx writes it as runs (never
parsed), and for the PDF it is XML-escaped before it reaches reportlab's paragraph markup.
Control characters that XML cannot hold are dropped.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

from mapapp.i18n import t
from mapapp.logs import survived
from mapapp.snapshot.outline import plain
from mapapp.walks import FollowUpSheet, WalkInfo

log = logging.getLogger(__name__)

_FONT = "MapappSans"
COLUMNS = ("nr", "category", "note", "ratings", "owner", "status", "action")


def _facts(walk: WalkInfo, *, lang: str) -> list[tuple[str, str]]:
    start = pd.Timestamp(walk.starts_at).tz_convert("Europe/Stockholm")
    groups = ", ".join(f"{t(f'walks.group.{g}', lang)} {n}"
                       for g, n in walk.participants.items() if n)
    return [
        (t("walks.doc.zone", lang), plain(walk.zone)),
        (t("walks.doc.when", lang), f"{start:%Y-%m-%d %H:%M}"),
        (t("walks.doc.organiser", lang), plain(walk.organiser)),
        (t("walks.doc.participants", lang),
         f"{sum(walk.participants.values())} ({groups})" if groups else "0"),
        (t("walks.doc.status", lang), t(f"walks.walkstatus.{walk.status}", lang)),
        (t("walks.doc.count", lang), str(walk.n_observations)),
    ]


def _cells(r: pd.Series, *, lang: str) -> list[str]:
    note = plain(r["note"])
    if r["has_photo"]:
        note = f"{note} [{t('walks.doc.photo', lang)}]".strip()
    return [str(r["observation_id"]), plain(r["category_label"]), note, plain(r["ratings"]),
            plain(r["owner"]), plain(r["status_label"]), ""]


def followup_docx(sheet: FollowUpSheet, *, lang: str = "sv",
                  photos: Mapping[int, bytes] | None = None) -> bytes:
    """The sheet as a .docx (landscape A4). ``photos`` (observation id -> image bytes, already
    without metadata) are shown small under their place."""
    from docx.shared import Cm, Pt

    from mapapp.snapshot.docx import a4_document

    doc = a4_document(landscape=True, margin_cm=1.5)
    doc.styles["Normal"].font.size = Pt(10)
    doc.add_heading(t("walks.doc.title", lang, title=plain(sheet.walk.title)), level=1)
    facts = doc.add_table(rows=0, cols=2)
    for k, v in _facts(sheet.walk, lang=lang):
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = k, v
    if sheet.rows.empty:
        doc.add_paragraph(t("walks.doc.empty", lang))
    for place, rows in sheet.places():
        doc.add_heading(plain(place), level=2)
        table = doc.add_table(rows=1, cols=len(COLUMNS))
        table.style = "Table Grid"
        for cell, key in zip(table.rows[0].cells, COLUMNS, strict=True):
            cell.text = t(f"walks.doc.col.{key}", lang)
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for _, r in rows.iterrows():
            for cell, text in zip(table.add_row().cells, _cells(r, lang=lang), strict=True):
                cell.text = text
        for oid in rows["observation_id"]:
            if photos and int(oid) in photos:
                p = doc.add_paragraph(f"{t('walks.doc.col.nr', lang)} {oid}: ")
                p.add_run().add_picture(io.BytesIO(photos[int(oid)]), width=Cm(5))
    doc.add_paragraph(t("walks.doc.footer", lang))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _register_font() -> str:
    """DejaVu Sans (shipped with matplotlib) for å, ä, ö and every other character; Helvetica
    if it cannot be found."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT in pdfmetrics.getRegisteredFontNames():
        return _FONT
    try:
        import matplotlib

        base = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont(_FONT, str(base / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(_FONT + "-Bold", str(base / "DejaVuSans-Bold.ttf")))
        from reportlab.lib.fonts import addMapping

        addMapping(_FONT, 0, 0, _FONT)
        addMapping(_FONT, 1, 0, _FONT + "-Bold")
        return _FONT
    except Exception as exc:  # no matplotlib fonts: the built-in font still covers Swedish letters
        survived(log, exc, "DejaVu font not registered; the PDF uses Helvetica", level=logging.INFO)
        return "Helvetica"


def followup_pdf(sheet: FollowUpSheet, *, lang: str = "sv",
                 photos: Mapping[int, bytes] | None = None) -> bytes:
    """The sheet as a PDF (landscape A4)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Image,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = _register_font()
    styles = getSampleStyleSheet()
    for s in styles.byName.values():
        s.fontName = font  # type: ignore[attr-defined]
    body, h1, h2 = styles["BodyText"], styles["Heading1"], styles["Heading2"]
    body.fontSize, body.leading = 9, 11

    def para(text: str, style=body) -> Paragraph:  # type: ignore[no-untyped-def]
        return Paragraph(escape(plain(text)).replace("\n", "<br/>"), style)

    story: list = [para(t("walks.doc.title", lang, title=sheet.walk.title), h1)]
    story.append(Table([[para(k), para(v)] for k, v in _facts(sheet.walk, lang=lang)],
                       colWidths=[5 * cm, 20 * cm]))
    if sheet.rows.empty:
        story.append(para(t("walks.doc.empty", lang)))
    widths = [1.2 * cm, 3.5 * cm, 8.5 * cm, 3.5 * cm, 3.8 * cm, 2.5 * cm, 3.6 * cm]
    for place, rows in sheet.places():
        story += [Spacer(1, 0.3 * cm), para(place, h2)]
        data = [[para(t(f"walks.doc.col.{k}", lang)) for k in COLUMNS]]
        data += [[para(c) for c in _cells(r, lang=lang)] for _, r in rows.iterrows()]
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
        for oid in rows["observation_id"]:
            if photos and int(oid) in photos:
                img = Image(io.BytesIO(photos[int(oid)]))
                scale = min(5 * cm / img.imageWidth, 5 * cm / img.imageHeight)
                img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
                story += [para(f"{t('walks.doc.col.nr', lang)} {oid}"), img]
    story += [Spacer(1, 0.4 * cm), para(t("walks.doc.footer", lang))]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=1.5 * cm, rightMargin=1.5 * cm,
                      topMargin=1.5 * cm, bottomMargin=1.5 * cm,
                      title=plain(t("walks.doc.title", lang, title=sheet.walk.title))
                      ).build(story)
    return out.getvalue()


def write_followup(sheet: FollowUpSheet, path: Path, *, lang: str = "sv",
                   photos: Mapping[int, bytes] | None = None) -> Path:
    """Write the sheet to ``path``; the format follows the suffix (.docx or .pdf)."""
    from mapapp.errors import DataValidationError, Problem

    suffix = path.suffix.lower()
    if suffix not in (".docx", ".pdf"):
        raise DataValidationError([Problem(None, "out", "walks.doc.suffix", {"name": path.name})])
    data = (followup_docx if suffix == ".docx" else followup_pdf)(sheet, lang=lang, photos=photos)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
