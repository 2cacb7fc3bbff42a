"""The weekly lägesbild as a one-page DOCX or PDF for the weekly meeting.

Same privacy rules as the area snapshot (:mod:`mapapp.snapshot`): counts from 1 to
``suppress_below`` − 1 are written "<5" (the week's count, the usual mean and range alike);
sensitive categories appear only as counts per zone (this document has no map and no
points); observations are listed by category, zone and date with no free-text note.
Each table is cut to a few rows so that the whole fits on one A4 page; what was cut is said.
Every export is audited (action ``export``, entity ``weekly``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

import pandas as pd
from sqlalchemy import Engine

from mapapp import categories as cats
from mapapp.access import Perm, Principal
from mapapp.analysis.stats import fmt_number
from mapapp.council.weekly import WeeklyReport
from mapapp.i18n import t
from mapapp.settings import Settings, load_settings
from mapapp.snapshot.content import suppress
from mapapp.snapshot.outline import plain
from mapapp.store import audit

MAX_ROWS = {"counts": 12, "places": 5, "observations": 6, "reports": 5, "survey": 6, "measures": 6,
            "walks": 4, "followup": 8, "tasks": 8}
MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf"}


@dataclass(frozen=True)
class DocTable:
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


def _cat(code: object, kind: str, *, lang: str) -> str:
    try:
        return cats.label(kind, str(code), lang=lang)  # type: ignore[arg-type]
    except Exception:
        return str(code)


def _date(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, pd.Timestamp | str):
        ts = pd.Timestamp(v)
        return str((ts.tz_convert("Europe/Stockholm") if ts.tzinfo else ts).date())
    return str(getattr(v, "isoformat", lambda: v)())[:10]


def _cut(title: str, headers: list[str], rows: list[list[str]], key: str,
         *, lang: str) -> DocTable:
    n = MAX_ROWS[key]
    note = t("weekly.more_rows", lang, n=len(rows) - n) if len(rows) > n else ""
    return DocTable(title, headers, rows[:n], note)


def _mean(v: float, below: int, *, lang: str) -> str:
    if 0 < v < below:
        return t("common.suppressed", lang, n=below)
    return fmt_number(v, lang, decimals=1)


def tables(rep: WeeklyReport, *, suppress_below: int = 5, lang: str = "sv") -> list[DocTable]:
    """The document's tables as display strings (suppressed for a public record)."""
    b = suppress_below
    c = rep.counts.sort_values(["more_than_usual", "count"], ascending=[False, False],
                               kind="stable")
    count_rows = [[str(r.zone), _cat(r.category, "incident", lang=lang), suppress(r.count, b, lang=lang),
                   _mean(float(r.usual_mean), b, lang=lang),
                   f"{suppress(r.usual_low, b, lang=lang)}–{suppress(r.usual_high, b, lang=lang)}",
                   t("common.yes", lang) if r.more_than_usual else ""]
                  for r in c.itertuples(index=False) if r.count > 0 or r.more_than_usual]
    col = lambda k: t(f"weekly.col.{k}", lang)  # noqa: E731
    out = [_cut(t("weekly.h.counts", lang),
                [col("zone"), col("category"), col("count"), col("usual_mean"),
                 col("usual_range"), col("more_than_usual")], count_rows, "counts", lang=lang)]
    pl = rep.places
    out.append(_cut(t("weekly.h.places", lang),
                    [col("place"), col("zone"), col("count"), col("expected"), col("flagged"),
                     col("rising")],
                    [[str(r.name), "" if r.zone is None else str(r.zone),
                      suppress(int(r.count), b, lang=lang), fmt_number(float(r.expected), lang),
                      t("common.yes", lang) if r.flagged else "",
                      t("common.yes", lang) if r.rising else ""]
                     for r in pl.itertuples(index=False)], "places", lang=lang))
    obs = rep.observations
    by = (obs.groupby([obs["zone"].fillna(t("common.outside", lang)), "category"],
                      observed=True).size().reset_index(name="n") if len(obs) else
          pd.DataFrame(columns=["zone", "category", "n"]))
    out.append(_cut(t("weekly.h.observations", lang),
                    [col("zone"), col("category"), col("observations")],
                    [[str(r.zone), _cat(r.category, "observation", lang=lang),
                      suppress(r.n, b, lang=lang)] for r in by.itertuples(index=False)],
                    "observations", lang=lang))
    rp = rep.reports
    rby = (rp.groupby([rp["zone"].fillna(t("common.outside", lang)), "category"])["n"].sum()
           .reset_index() if len(rp) else pd.DataFrame(columns=["zone", "category", "n"]))
    out.append(_cut(t("weekly.h.reports", lang),
                    [col("zone"), col("category"), col("observations")],
                    [[str(r.zone), _cat(r.category, "observation", lang=lang),
                      suppress(int(r.n), b, lang=lang)] for r in rby.itertuples(index=False)],
                    "reports", lang=lang))
    if rep.survey_title is not None:
        out.append(_cut(t("weekly.h.survey", lang, title=rep.survey_title),
                        [col("zone"), col("problem"), col("reported"), col("answered")],
                        [[str(r.zone), t(f"survey.problem.{r.problem}", lang),
                          suppress(int(r.reported), b, lang=lang), suppress(int(r.answered), b, lang=lang)]
                         for r in rep.survey.itertuples(index=False) if r.reported > 0],
                        "survey", lang=lang))
    out.append(_cut(t("weekly.h.measures", lang),
                    [col("zone"), col("title"), col("actor"), col("due"), col("overdue")],
                    [[str(r.zone), str(r.title), str(r.actor), _date(r.due),
                      t("common.yes", lang) if r.overdue else ""]
                     for r in rep.measures.itertuples(index=False)], "measures", lang=lang))
    out.append(_cut(t("weekly.h.walks", lang), [col("title"), col("zone"), col("date")],
                    [[str(r.title), "" if r.zone is None else str(r.zone), _date(r.starts_at)]
                     for r in rep.walks.itertuples(index=False)], "walks", lang=lang))
    for key, frame in (("followup", rep.followup), ("tasks", rep.tasks)):
        out.append(_cut(t(f"weekly.h.{key}", lang),
                        [col("actor"), col("place"), col("task"), col("due"), col("status")]
                        + ([col("followup")] if key == "followup" else []),
                        [[str(r.actor), str(r.place), str(r.task), _date(r.due),
                          t(f"weekly.status.{r.status}", lang)]
                         + ([str(r.followup or "")] if key == "followup" else [])
                         for r in frame.itertuples(index=False)], key, lang=lang))
    return out


def _alpha(alpha: float, *, lang: str) -> str:
    text = f"{alpha:g}"
    return text.replace(".", ",") if lang == "sv" else text


def _heading(rep: WeeklyReport, *, lang: str) -> tuple[str, str]:
    return (t("weekly.title", lang, week=rep.week.label),
            t("weekly.subtitle", lang, start=rep.week.start.isoformat(),
              end=rep.week.last_day.isoformat(), n=rep.history_weeks))


def write_docx(rep: WeeklyReport, *, suppress_below: int = 5, lang: str = "sv") -> bytes:
    from docx.shared import Pt

    from mapapp.snapshot.docx import a4_document

    doc = a4_document(landscape=False, margin_cm=1.5)
    title, sub = _heading(rep, lang=lang)
    doc.core_properties.title = plain(title)
    doc.core_properties.author = "mapapp"
    normal = doc.styles["Normal"]
    normal.font.size = Pt(8)
    h = doc.add_heading(plain(title), 0)
    for r in h.runs:
        r.font.size = Pt(16)
    doc.add_paragraph(plain(sub)).paragraph_format.space_after = Pt(2)
    for tb in tables(rep, suppress_below=suppress_below, lang=lang):
        hd = doc.add_heading(plain(tb.title), 2)
        hd.paragraph_format.space_before = Pt(4)
        hd.paragraph_format.space_after = Pt(1)
        if not tb.rows:
            doc.add_paragraph(plain(t("weekly.none", lang))).paragraph_format.space_after = Pt(0)
            continue
        table = doc.add_table(rows=1, cols=len(tb.headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, tb.headers, strict=True):
            run = cell.paragraphs[0].add_run(plain(text))
            run.bold = True
            run.font.size = Pt(7.5)
        for row in tb.rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.paragraphs[0].add_run(plain(text)).font.size = Pt(7.5)
        if tb.note:
            p = doc.add_paragraph()
            run = p.add_run(plain(tb.note))
            run.italic = True
            run.font.size = Pt(7)
    p = doc.add_paragraph()
    run = p.add_run(plain(t("weekly.method", lang, alpha=_alpha(rep.alpha, lang=lang), n=suppress_below)))
    run.italic = True
    run.font.size = Pt(7)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_pdf(rep: WeeklyReport, *, suppress_below: int = 5, lang: str = "sv") -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as RLTable

    from mapapp.snapshot.pdf import FONT, FONT_BOLD, FONT_ITALIC, _fonts

    _fonts()
    body = ParagraphStyle("wbody", fontName=FONT, fontSize=8, leading=10, spaceAfter=2)
    cell = ParagraphStyle("wcell", parent=body, fontSize=7, leading=8.5, spaceAfter=0)
    head = ParagraphStyle("whead", parent=cell, fontName=FONT_BOLD)
    small = ParagraphStyle("wsmall", parent=body, fontName=FONT_ITALIC, fontSize=6.5,
                           leading=8)
    h0 = ParagraphStyle("wh0", parent=body, fontName=FONT_BOLD, fontSize=14, leading=17)
    h2 = ParagraphStyle("wh2", parent=body, fontName=FONT_BOLD, fontSize=9.5, leading=12,
                        spaceBefore=5, spaceAfter=2, keepWithNext=1)

    def p(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(plain(text)), style)

    margin = 1.5 * cm
    width = A4[0] - 2 * margin
    title, sub = _heading(rep, lang=lang)
    story: list[object] = [p(title, h0), p(sub, body)]
    for tb in tables(rep, suppress_below=suppress_below, lang=lang):
        story.append(p(tb.title, h2))
        if not tb.rows:
            story.append(p(t("weekly.none", lang), body))
            continue
        weights = [min(max([len(hh) + 1, 8] + [len(r[i]) for r in tb.rows]), 50)
                   for i, hh in enumerate(tb.headers)]
        data = [[p(x, head) for x in tb.headers]] + [[p(x, cell) for x in r] for r in tb.rows]
        table = RLTable(data, colWidths=[width * w / sum(weights) for w in weights])
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ]))
        story.append(table)
        if tb.note:
            story.append(p(tb.note, small))
    story += [Spacer(1, 4), p(t("weekly.method", lang, alpha=_alpha(rep.alpha, lang=lang), n=suppress_below),
                                small)]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=margin, rightMargin=margin,
                      topMargin=margin, bottomMargin=margin, title=plain(title),
                      author="mapapp").build(story)  # type: ignore[arg-type]
    return buf.getvalue()


def export_weekly(engine: Engine, who: Principal, rep: WeeklyReport, fmt: str, *,
                  settings: Settings | None = None, lang: str | None = None,
                  file_name: str | None = None) -> bytes:
    """The document's bytes in ``fmt`` (docx or pdf); needs EXPORT; audited."""
    from mapapp.errors import DataValidationError, Problem

    settings = settings or load_settings()
    lang = lang or settings.lang
    who.require(Perm.EXPORT)
    if fmt not in MIME:
        raise DataValidationError([Problem(None, "format", "weekly.bad_format", {"fmt": fmt})])
    writer = write_docx if fmt == "docx" else write_pdf
    data = writer(rep, suppress_below=settings.suppress_below, lang=lang)
    with engine.begin() as conn:
        audit.record(conn, who, "export", "weekly", rep.week.label, format=fmt, file=file_name,
                     bytes=len(data))
    return data


def suggested_name(rep: WeeklyReport, fmt: str) -> str:
    return f"veckolage-{rep.week.label}.{fmt}"
