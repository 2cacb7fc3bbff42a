"""The law's document: the district's lägesbild and åtgärdsplan.

Lag (2023:196) om kommuners ansvar för brottsförebyggande arbete asks each kommun for a
lägesbild and an åtgärdsplan, revised at least every second year. :func:`lagesbild_document`
writes them for the whole district as DOCX or PDF (the snapshot's writers,
:func:`mapapp.snapshot.docx.docx_from_blocks` and :func:`mapapp.snapshot.pdf.pdf_from_blocks`):

1. **Lägesbild** — reported crimes per zone and category over (at least) three periods, each
   change tested (the figures of ``mapapp stats``: :func:`mapapp.store.kindcounts.kind_counts`,
   the latest complete period by default); the walks' observations per zone apart (never added
   to the crimes); the flagged places; what the safety walks found in the latest period; the
   police's and the city's imported tables; the monthly actor survey per zone and month of the
   latest period (:mod:`mapapp.snapshot.survey_section`: shares with the number who answered).
2. **Prioriteringar och orsaker** — per zone the council's lägesbild text, priority areas,
   goals and actors.
3. **Åtgärdsplan** — every measure with the problem (priority area) and place it addresses,
   actor, status, dates, follow-up and its WDD verdict (:mod:`mapapp.analysis.wdd`) where it
   has a start and a place.
4. **Revidering** — when each part was last revised and when it is due
   (:func:`mapapp.measures.rules.revision_flags`).

Privacy as in the snapshot: counts below ``Settings.suppress_below`` are written "<5", a change
is shown only when both its counts are; sensitive categories are counts only (marked *); no
free text (observation notes, measure follow-up notes, the survey's free texts) unless
``include_notes``; the survey's marked places never. Every export is audited (action
``export``, entity ``lagesbild``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine

from mapapp import categories as cats
from mapapp.access import Perm, Principal
from mapapp.analysis.periods import parse_period, previous_period
from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import t
from mapapp.render.figures import arrow, category_label, fmt_number, trend_text, verdict_text
from mapapp.settings import Settings, load_settings
from mapapp.snapshot.content import (
    COUNCIL_CATEGORIES,
    Table,
    hotspots_table,
    observations_table,
    shown_exactly,
    statistics_tables,
    suppress,
)
from mapapp.snapshot.outline import Block, Bullets, Heading, Meta, Para, TableBlock
from mapapp.store import audit
from mapapp.store.statistics import statistics_frame
from mapapp.timezone import LOCAL_TZ

FORMATS = {".docx": "docx", ".pdf": "pdf"}
MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf"}


@dataclass(frozen=True)
class Lagesbild:
    """The document as blocks, and what it covers (for the audit and the tests)."""

    title: str
    periods: list[str]
    zones: list[str]
    measures: list[int]
    blocks: list[Block]
    exported_at: datetime


def _text(v: Any) -> str:
    if v is None or (not isinstance(v, str | list | tuple) and pd.isna(v)):
        return ""
    return str(v)


def _periods(frame: pd.DataFrame, period: str | None, n: int, settings: Settings,
             *, lang: str) -> list[str]:
    """``n`` consecutive period labels ending at ``period`` (default: the latest complete)."""
    labels = list(dict.fromkeys(frame["period"].astype(str)))
    if period:
        last = parse_period(period.replace("–", "-"),
                            stat_year_start_month=settings.stat_year_start_month)
    else:
        done = frame.drop_duplicates("period")
        complete = [str(p) for p, c in zip(done["period"], done["complete"], strict=True) if c]
        if not labels:
            raise DataValidationError([Problem(None, "period", t("snapshot.no_data", lang))])
        last = parse_period(complete[-1] if complete else labels[-1],
                            stat_year_start_month=settings.stat_year_start_month)
    out = [last]
    while len(out) < n:
        out.insert(0, previous_period(out[0]))
    return [p.label for p in out]


def zone_table(frame: pd.DataFrame, zone: str, kind: str, periods: list[str],
               settings: Settings, *, lang: str) -> Table:
    """One zone's counts per category over ``periods`` (suppressed), the last change and the
    assessment of each period against the one before (the tested change of ``mapapp stats``)."""
    below = settings.suppress_below
    df = frame[(frame["zone"] == zone) & frame["period"].isin(periods)]
    present = {str(c) for c, n in zip(df["category"], df["count"], strict=True) if n > 0}
    order = [c.code for c in cats.categories(kind)]  # type: ignore[arg-type]
    always = list(COUNCIL_CATEGORIES) if kind == "incident" else []
    codes = [c for c in order if c in present or c in always]
    codes += sorted(present - set(order))
    by = {(str(r["category"]), str(r["period"])): r for r in df.to_dict("records")}
    rows = []
    for code in codes:
        recs = [by.get((code, p)) for p in periods]
        ns = [int(r["count"]) if r is not None else 0 for r in recs]
        label = category_label(code, lang=lang) + (" *" if cats.is_sensitive(code) else "")
        last = recs[-1]
        change = ""
        if last is not None and pd.notna(last["change_abs"]) and shown_exactly(
                int(last["cmp_count"]), below) and shown_exactly(int(last["prev_count"]), below):
            change = fmt_number(int(last["change_abs"]), lang, decimals=0, sign=True)
        assess = []
        for r in recs[1:]:
            code_t = None if r is None else r["trend"]
            assess.append(f"{arrow(code_t)} {trend_text(code_t, lang=lang)}".strip())
        rows.append([label, *[suppress(n, below, lang=lang) for n in ns], change, *assess])
    inc = [p for p in periods if not bool(frame.loc[frame["period"] == p, "complete"].all())]
    headers = [t("snapshot.col.category", lang), *periods, t("snapshot.col.change", lang),
               *[t("lb.col.assessment", lang, period=p) for p in periods[1:]]]
    notes = []
    if inc:
        notes.append(t("lb.note.incomplete", lang, periods=", ".join(inc)))
    if any(cats.is_sensitive(c) for c in codes):
        notes.append(t("snapshot.note.sensitive", lang))
    title = t(f"lb.h.zone_{kind}", lang, zone=zone)
    return Table(title, headers, rows, notes)


def _wdd_text(r: dict[str, Any] | None, *, lang: str) -> str:
    if r is None:
        return ""
    return verdict_text(r, lang=lang)


#: Relative widths of the åtgärdsplan's columns (place, problem, measure, who, follow-up,
#: WDD), the same in every zone's table (the PDF widens a column only where a single word would
#: not fit). The follow-up column holds dated lines ("klart 2024-06-30 (försenad)", "nästa
#: uppföljning 2023-12-01"), so it is the widest: a date with its label on one line; the
#: problem, the measure and the verdict are prose that wraps well.
PLAN_WIDTHS = (16.0, 14.0, 16.0, 15.0, 24.0, 15.0)


def measures_plan(engine: Engine, who: Principal, settings: Settings,
                  include_notes: bool, *, lang: str) -> tuple[list[Table], list[int]]:
    """The åtgärdsplan, one table per zone: every measure with the problem (priority area) and
    place it addresses, actor and status, dates and follow-up, and its WDD verdict."""
    from mapapp.measures import get_measure, measures_frame
    from mapapp.snapshot.effects import measure_effects
    from mapapp.store.district import zones_frame

    ms = measures_frame(engine, who)
    zones = zones_frame(engine)
    effects = measure_effects(engine, who, ms, settings)
    headers = [t("snapshot.col.place", lang), t("lb.col.problem", lang),
               t("snapshot.col.measure", lang), t("lb.col.who", lang),
               t("lb.col.followup", lang), t("lb.col.wdd", lang)]
    ids: list[int] = []
    tables: list[Table] = []
    wdd_note = t("lb.note.wdd", lang, buffer=fmt_number(settings.wdd_buffer_m, lang,
                                                        decimals=0))
    for zone in [str(z) for z in zones["name"]]:
        mine = ms[ms["zone"] == zone].sort_values(["priority_area", "title"], kind="stable",
                                                  na_position="last")
        rows: list[list[str]] = []
        for m in mine.to_dict("records"):
            mid = int(m["id"])
            ids.append(mid)
            rows.append(_plan_row(m, get_measure(engine, who, mid), effects.get(mid),
                                  include_notes, lang=lang))
        notes = [wdd_note] if rows else [t("snapshot.note.no_measures", lang)]
        tables.append(Table(t("lb.h.plan", lang, zone=zone), headers, rows, notes,
                            widths=PLAN_WIDTHS))
    return tables, ids


def _plan_row(m: dict[str, Any], full: dict[str, Any], result: dict[str, Any] | None,
              include_notes: bool, *, lang: str) -> list[str]:
    status = str(m.get("status") or "")
    pair = cats.MEASURE_STATUS_LABELS.get(status)
    status_label = (pair[0] if lang != "en" else pair[1]) if pair else status
    follow = []
    if _day(m.get("start")):
        follow.append(t("lb.start", lang, date=_day(m.get("start"))))
    if _day(m.get("due")):
        follow.append(t("lb.due", lang, date=_day(m.get("due")))
                      + (" " + t("lb.overdue", lang) if bool(m.get("overdue")) else ""))
    if _day(m.get("next_followup")):
        follow.append(t("lb.next_followup", lang, date=_day(m.get("next_followup"))))
    notes = full.get("notes") or []
    if notes:
        last = notes[-1]
        follow.append(t("lb.last_note", lang, date=_day(last.get("noted_on")), n=len(notes)))
        if include_notes:
            follow.append(_text(last.get("text")))
    place = _text(m.get("site")) or _text(m.get("cell_id")) or t("lb.whole_zone", lang)
    return [place, _text(m.get("priority_area")), _text(m.get("title")),
            f"{_text(m.get('actor'))} ({status_label})", "\n".join(follow),
            _wdd_text(result, lang=lang)]


def _day(v: Any) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    return pd.Timestamp(v).date().isoformat()


def revision_table(zones: pd.DataFrame, today: date, *, lang: str) -> Table:
    """Per zone: when the lägesbild, the åtgärdsplan and the priorities were last revised and
    the last day each is in time (:func:`mapapp.measures.rules.revision_flags`)."""
    from mapapp.measures.rules import revision_flags

    flags = revision_flags(zones, today)
    rows = []
    for r in flags.to_dict("records"):
        cells = [t("lb.revised", lang, date=_day(r[done]) or "–", due=_day(r[due]) or "–")
                 for done, due in (("lagesbild_revised", "lagesbild_next"),
                                   ("plan_revised", "plan_next"),
                                   ("priorities_reviewed", "priorities_next"))]
        rows.append([_text(r["zone"]), *cells,
                     t("common.yes" if r["flagged"] else "common.no", lang)])
    headers = [t("snapshot.col.zone", lang), t("lb.col.lagesbild", lang),
               t("lb.col.plan", lang), t("lb.col.priorities", lang), t("lb.col.overdue", lang)]
    return Table(t("lb.h.revision", lang), headers, rows, [t("lb.note.revision", lang)])


def gather_lagesbild(
    engine: Engine,
    who: Principal,
    *,
    period: str | None = None,
    n_periods: int = 3,
    include_notes: bool = False,
    settings: Settings | None = None,
    lang: str | None = None,
    today: date | None = None,
) -> Lagesbild:
    """The document's blocks (see the module docstring). Needs :attr:`Perm.EXPORT`."""
    from mapapp.store.district import district_outline, sites_frame, zones_frame
    from mapapp.store.kindcounts import kind_counts
    from mapapp.store.points import PointFilter, load_points

    settings = settings or load_settings()
    lang = lang or settings.lang
    who.require(Perm.EXPORT)
    today = today or pd.Timestamp.now(tz=LOCAL_TZ).date()
    zones = zones_frame(engine)
    names = [str(n) for n in zones["name"]]
    kw: dict[str, Any] = {"zones": zones, "stat_year_start_month": settings.stat_year_start_month,
                          "confidence": settings.confidence_level}
    inc = kind_counts(engine, who, "incident", **kw)
    obs = kind_counts(engine, who, "observation", **kw)
    periods = _periods(inc if len(inc) else obs, period, max(3, int(n_periods)), settings, lang=lang)
    per = [parse_period(p, stat_year_start_month=settings.stat_year_start_month)
           for p in periods]
    exported = datetime.now(ZoneInfo(LOCAL_TZ))
    district = t("snapshot.district", lang)
    title = t("lb.title", lang, area=district)
    out: list[Block] = [
        Heading(title, 0),
        Meta([(t("snapshot.meta.area", lang), district),
              (t("lb.meta.periods", lang), ", ".join(periods)),
              (t("snapshot.meta.exported", lang), exported.strftime("%Y-%m-%d %H:%M")),
              (t("lb.meta.confidence", lang),
               fmt_number(100 * settings.confidence_level, lang, decimals=0) + " %")]),
        Para(t("lb.intro", lang)),
        Heading(t("lb.h.lagesbild", lang), 1),
        Heading(t("lb.h.crimes", lang), 2),
        Para(t("lb.method", lang), small=True),
        Para(t("snapshot.note.suppressed", lang, n=settings.suppress_below), small=True),
    ]
    out += [TableBlock(zone_table(inc, z, "incident", periods, settings, lang=lang), level=3)
            for z in names]
    out.append(Heading(t("lb.h.insecurity", lang), 2))
    out.append(Para(t("lb.insecurity_note", lang), small=True))
    for z in names:
        tb = zone_table(obs, z, "observation", periods, settings, lang=lang)
        if tb.rows:
            out.append(TableBlock(tb, level=3))
    # Flagged places and what the walks found, in the latest period.
    history = pd.concat([load_points(engine, who, k, PointFilter(  # type: ignore[arg-type]
        start=previous_period(per[0]).start.to_pydatetime(), end=per[-1].end.to_pydatetime()))
        for k in ("incident", "observation")], ignore_index=True)
    sites = sites_frame(engine)
    hot, _flagged = hotspots_table(history, sites, district_outline(engine), per[-1], settings,
                                   lang=lang)
    out.append(TableBlock(hot, level=2))
    walk_obs = load_points(engine, who, "observation", PointFilter(
        start=per[-1].start.to_pydatetime(), end=per[-1].end.to_pydatetime()))
    out.append(TableBlock(observations_table(walk_obs, sites, per[-1].start.date(), settings,
                                             include_notes, lang=lang), level=2))
    stats = statistics_tables(statistics_frame(engine, who), None, settings, lang=lang)
    out.append(Heading(t("snapshot.h.statistics", lang), 2))
    if stats:
        out += [TableBlock(tb, level=3) for tb in stats]
    else:
        out.append(Para(t("lb.no_statistics", lang), small=True))
    from mapapp.snapshot.survey_section import survey_blocks

    out += survey_blocks(engine, who, per[-1:], names, settings, include_notes, lang=lang)

    out.append(Heading(t("lb.h.priorities", lang), 1))
    for z in zones.to_dict("records"):
        out.append(Heading(str(z["name"]), 2))
        if _text(z.get("lagesbild")):
            out.append(Para(_text(z.get("lagesbild"))))
        for key, col in (("snapshot.meta.priority_areas", "priority_areas"),
                         ("snapshot.meta.goals", "goals"), ("snapshot.meta.actors", "actors")):
            items = z.get(col)
            if isinstance(items, list | tuple) and items:
                out.append(Bullets(t(key, lang), [str(i) for i in items]))

    out.append(Heading(t("lb.h.plan_section", lang), 1))
    plans, ids = measures_plan(engine, who, settings, include_notes, lang=lang)
    out += [TableBlock(tb, level=2) for tb in plans]
    out.append(Heading(t("lb.h.revision_section", lang), 1))
    out.append(TableBlock(revision_table(zones, today, lang=lang), level=2))
    return Lagesbild(title, periods, names, ids, out, exported)


def format_of(path: Path | str, *, lang: str = "sv") -> str:
    suffix = Path(path).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise DataValidationError([Problem(None, "out", "lb.bad_format", {"suffix": suffix or "–"})])
    return fmt


def render_lagesbild(doc: Lagesbild, fmt: str) -> bytes:
    subject = ", ".join(doc.periods)
    if fmt == "docx":
        from mapapp.snapshot.docx import docx_from_blocks

        return docx_from_blocks(doc.blocks, title=doc.title, subject=subject)
    from mapapp.snapshot.pdf import pdf_from_blocks

    return pdf_from_blocks(doc.blocks, title=doc.title, subject=subject)


def export_lagesbild(engine: Engine, who: Principal, *, fmt: str, period: str | None = None,
                     include_notes: bool = False, file_name: str | None = None,
                     settings: Settings | None = None, lang: str | None = None
                     ) -> tuple[bytes, Lagesbild]:
    """Gather, render and audit the document (action ``export``, entity ``lagesbild``)."""
    settings = settings or load_settings()
    lang = lang or settings.lang
    doc = gather_lagesbild(engine, who, period=period, include_notes=include_notes,
                           settings=settings, lang=lang)
    data = render_lagesbild(doc, fmt)
    with engine.begin() as conn:
        audit.record(conn, who, "export", "lagesbild", "district", format=fmt, file=file_name,
                     periods=doc.periods, include_notes=bool(include_notes),
                     suppress_below=settings.suppress_below, bytes=len(data))
    return data, doc


def write_lagesbild(engine: Engine, who: Principal, out: Path, *, period: str | None = None,
                    include_notes: bool = False, settings: Settings | None = None,
                    lang: str | None = None) -> Path:
    """Write the document to ``out`` (.docx or .pdf). Returns ``out``."""
    settings = settings or load_settings()
    lang = lang or settings.lang
    fmt = format_of(out, lang=lang)
    data, _ = export_lagesbild(engine, who, fmt=fmt, period=period, include_notes=include_notes,
                               file_name=Path(out).name, settings=settings, lang=lang)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
