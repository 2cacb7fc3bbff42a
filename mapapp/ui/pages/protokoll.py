"""Export/Protokoll: the area snapshot for the council's minutes. Choose area, period, the date
of the last meeting and the format; preview the map and the tables; download. Thin: the content
comes from :mod:`mapapp.snapshot` (which checks the role again and audits each download). The
preview shows user text only through st.dataframe and plain st.text/st.caption, never as HTML."""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd
import streamlit as st

from mapapp.access import Perm, Principal
from mapapp.analysis.periods import Period, previous_period
from mapapp.errors import MapAppError
from mapapp.logs import survived
from mapapp.snapshot import MIME, export_snapshot, suggested_name, tile_source
from mapapp.snapshot.content import Snapshot, Table, gather
from mapapp.snapshot.source import default_since, latest_period
from mapapp.snapshot.staticmap import render_map
from mapapp.ui import context as ctx
from mapapp.ui.components.markdown import md

log = logging.getLogger(__name__)

PERMISSION = Perm.EXPORT
FORMATS = ("docx", "pdf", "html", "png")
ZONE_KEY = "protokoll_zone"


@st.cache_resource(show_spinner=False, max_entries=8)
def _preview(zone: str | None, period: str, since: date, notes: bool, cache_key: str, dv: str,
             _who: Principal, *, lang: str) -> tuple[Snapshot, bytes]:
    settings = ctx.get_settings()
    snap = gather(ctx.get_engine(), _who, zone=zone, period=period, since=since,
                  include_notes=notes, settings=settings, lang=lang)
    # the same basemap as the download (a tile server, WMS or local tiles when one is set)
    url, credit = (None, "") if settings.base.is_local else tile_source(settings)
    vector = settings.base.path if settings.base.kind == "vector" else None
    png = render_map(snap.map, lang=lang, dpi=110, title=f"{snap.area} · {snap.period}",
                     tiles_url=url, tiles_attribution=credit, basemap_path=vector).png
    return snap, png


def _periods(n: int = 6) -> list[str]:
    try:
        p: Period = latest_period(ctx.get_engine(), ctx.get_settings())
    except MapAppError as exc:
        survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
        return []
    out = [p.label]
    for _ in range(n - 1):
        p = previous_period(p)
        out.append(p.label)
    return out


def _table(tb: Table) -> None:
    st.subheader(md(tb.title))
    if tb.rows:
        st.dataframe(pd.DataFrame(tb.rows, columns=tb.headers), hide_index=True,
                     width="stretch")
    for note in tb.notes:
        st.caption(note)


def _lagesbild_button(who: Principal, fmt: str, notes: bool) -> None:
    """The law's document for the whole district (:mod:`mapapp.snapshot.lagesbild`), made and
    audited on the click; DOCX unless PDF is chosen."""
    from mapapp.snapshot.lagesbild import MIME as LB_MIME
    from mapapp.snapshot.lagesbild import export_lagesbild

    lb_fmt = fmt if fmt in LB_MIME else "docx"
    engine, settings, lang = ctx.get_engine(), ctx.get_settings(), ctx.lang()
    name = f"lagesbild-atgardsplan-hagersten-alvsjo.{lb_fmt}"

    def make() -> bytes:
        return export_lagesbild(engine, who, fmt=lb_fmt, include_notes=notes, file_name=name,
                                settings=settings, lang=lang)[0]

    st.download_button(ctx.tr("lb.button"), data=make, file_name=name, mime=LB_MIME[lb_fmt],
                       on_click="ignore", icon=":material/gavel:", help=ctx.tr("lb.button_help"),
                       key="protokoll_lagesbild")


def render() -> None:
    who = ctx.require_principal()
    lang = ctx.lang()
    st.title(ctx.tr("snapshot.page.title"))
    st.caption(ctx.tr("snapshot.page.intro", n=ctx.get_settings().suppress_below))
    zones = [str(z) for z in ctx.zones()["name"]]
    options: list[str | None] = [None, *zones]
    wanted = st.session_state.get(ZONE_KEY)
    c1, c2, c3 = st.columns(3)
    zone = c1.selectbox(ctx.tr("snapshot.page.area"), options,
                        index=options.index(wanted) if wanted in options else 0,
                        format_func=lambda z: ctx.tr("snapshot.page.whole") if z is None else z,
                        key="protokoll_area")
    periods = _periods()
    if not periods:
        st.info(ctx.tr("snapshot.no_data"))
        return
    period = c2.selectbox(ctx.tr("snapshot.page.period"), periods, key="protokoll_period")
    since = c3.date_input(ctx.tr("snapshot.page.since"), value=default_since(),
                          key="protokoll_since", format="YYYY-MM-DD")
    c4, c5, c6 = st.columns(3)
    fmt = c4.radio(ctx.tr("snapshot.page.format"), FORMATS, horizontal=True,
                   format_func=str.upper, key="protokoll_format")
    notes = c5.checkbox(ctx.tr("snapshot.page.notes"), value=False, key="protokoll_notes")
    hires = c6.checkbox(ctx.tr("snapshot.page.hires"), value=False, key="protokoll_hires")
    since_d = since if isinstance(since, date) else default_since()

    engine, settings = ctx.get_engine(), ctx.get_settings()

    def make() -> bytes:  # runs on the click: one audited export per download
        return export_snapshot(engine, who, zone=zone, period=period, since=since_d,
                               fmt=str(fmt), include_notes=bool(notes),
                               dpi=300 if hires else 150, settings=settings, lang=lang).data

    name = suggested_name(zone, period, str(fmt))
    st.download_button(ctx.tr("snapshot.page.download", name=name), data=make, file_name=name,
                       mime=MIME[str(fmt)], on_click="ignore", type="primary",
                       icon=":material/download:", key="protokoll_download")

    _lagesbild_button(who, str(fmt), bool(notes))

    st.divider()
    st.header(ctx.tr("snapshot.page.preview"))
    with st.spinner():
        snap, png = _preview(zone, period, since_d, bool(notes), who.cache_key, ctx.version(),
                             who, lang=lang)
    st.subheader(md(snap.title))
    st.image(png, caption=md(f"{snap.area} · {snap.period}"),
             alt=ctx.tr("snapshot.page.map_alt", area=snap.area, period=snap.period))
    st.header(ctx.tr("snapshot.h.lagesbild"))
    if snap.lagesbild:
        st.text(snap.lagesbild)
    for tb in [*snap.counts, *snap.statistics, snap.observations]:
        _table(tb)
    st.header(ctx.tr("snapshot.h.priorities"))
    for key, items in (("snapshot.meta.priority_areas", snap.priority_areas),
                       ("snapshot.meta.goals", snap.goals),
                       ("snapshot.meta.actors", snap.actors)):
        if items:
            st.dataframe(pd.DataFrame({ctx.tr(key): items}), hide_index=True,
                         width="stretch")
    for tb in (snap.hotspots, snap.measures):
        _table(tb)
