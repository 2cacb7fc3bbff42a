"""What a snapshot for the minutes holds, made from one read of the store
(:mod:`mapapp.snapshot.source`) by pure assembly with the analysis functions.

:func:`gather` (= :func:`~mapapp.snapshot.source.read_source` then :func:`assemble`) returns a
:class:`Snapshot` whose tables are already *strings* ready for a public record, so every
renderer (DOCX, PDF, HTML) prints the same figures:

- counts per category for the last three periods (from
  :func:`mapapp.analysis.stats.period_counts`, the figures of ``mapapp stats``) with the change
  between the last two; a count below ``Settings.suppress_below`` (and above 0) is written
  "<5"; the change is shown only when both counts it compares are shown;
- sensitive categories appear only as counts (never as points, never near a site);
- the sites flagged, rising or fading in the period (:mod:`mapapp.analysis.hotspots`) with
  their reasons;
  sensitive points are left out of the flags, so a flag never points at an address because of
  them, whichever role exports;
- the measures with actor, status and due date;
- the observations since a date (category, place, date; the free-text note only when
  ``include_notes``);
- the imported statistics tables of the area (issue 11), suppressed the same way.

User text stays as it was typed here; each renderer escapes it for its medium.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from sqlalchemy import Engine

from mapapp import categories as cats
from mapapp.access import Perm, Principal
from mapapp.analysis.hotspots import site_hotspots
from mapapp.analysis.periods import Period
from mapapp.analysis.sites import params_from
from mapapp.analysis.stats import period_counts
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.errors import NotFoundError
from mapapp.i18n import t
from mapapp.i18n.numbers import fmt_number
from mapapp.render.figures import category_label
from mapapp.settings import Settings, load_settings
from mapapp.snapshot.source import Source, read_source
from mapapp.timezone import LOCAL_TZ, local_midnight, local_now
from mapapp.values import fold

COUNCIL_CATEGORIES = ("narkotikabrott", "vald_offentlig_miljo", "vald_nara_relation",
                      "personran", "bedrageri_aldre")
MAX_OBSERVATIONS = 200
KINDS = ("incident", "observation")


@dataclass(frozen=True)
class Table:
    """A table of display strings: ``headers`` and ``rows`` (each as long as ``headers``)."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    #: Relative column widths chosen by the document (e.g. the åtgärdsplan, so every zone's
    #: table has the same layout); None: from the contents (:func:`outline.column_weights`).
    widths: tuple[float, ...] | None = None


@dataclass(frozen=True)
class MapData:
    """What the static map draws (WGS84). ``points`` never holds a sensitive point."""

    zone: str | None
    zone_geom: shapely.Geometry | None
    district: shapely.Geometry
    zones: gpd.GeoDataFrame  # name, geometry
    stadsdelar: gpd.GeoDataFrame  # name, geometry
    sites: pd.DataFrame  # name, kind, source, lon, lat, flagged, status (rising … normal)
    points: pd.DataFrame  # kind, lon, lat
    period: str
    grid_size_m: float = 100.0
    suppress_below: int = 5


@dataclass(frozen=True)
class Snapshot:
    title: str
    zone: str | None  # None = the whole district
    area: str
    period: str
    periods: list[str]
    exported_at: datetime
    since: date
    include_notes: bool
    lang: str
    lagesbild: str
    priority_areas: list[str]
    goals: list[str]
    actors: list[str]
    counts: list[Table]
    hotspots: Table
    measures: Table
    observations: Table
    statistics: list[Table]
    map: MapData
    filter: dict[str, Any]


# --- small helpers ---------------------------------------------------------------------------

def suppress(n: int | float, below: int, *, lang: str = "sv") -> str:
    """A count for a public record: "<5" for 1 … below-1, else the number.

    >>> suppress(3, 5), suppress(5, 5), suppress(0, 5), suppress(1234, 5)
    ('<5', '5', '0', '1\\u202f234')
    """
    v = int(n)
    if 0 < v < below:
        return t("common.suppressed", lang, n=below)
    return fmt_number(v, lang, decimals=0)


def shown_exactly(n: int, below: int) -> bool:
    return n == 0 or n >= below


def resolve_zone(zones: pd.DataFrame, name: str | None) -> pd.Series | None:
    """The zone row named ``name`` (exact, else case- and space-insensitive); None for None;
    an unknown name -> :class:`NotFoundError` listing the known zones."""
    if name is None or not str(name).strip():
        return None
    names = [str(n) for n in zones["name"]]
    for i, n in enumerate(names):
        if n == name:
            return zones.iloc[i]
    for i, n in enumerate(names):
        if fold(n) == fold(name):
            return zones.iloc[i]
    raise NotFoundError("zone.not_found", name=name, known="; ".join(names))


@dataclass(frozen=True)
class Counts:
    """(category, period label) -> count, and the tested change of each (category, period)
    against the same days a year earlier (summed over zones for the district, then tested)."""

    counts: dict[tuple[str, str], int]
    changes: dict[tuple[str, str], Any] = field(default_factory=dict)  # significance.Change
    incomplete: list[str] = field(default_factory=list)


def _count_lookup(points: pd.DataFrame, zones: pd.DataFrame, zone: str | None, per: Period,
                  settings: Settings, *, weight: str | None = None) -> Counts:
    """Counts and tested changes by :func:`period_counts` (district: every point in a
    stadsdel, summed over zones) -- the figures of ``mapapp stats``. ``weight``: rows already
    counted per day by the database (restricted to the area there: a ``stadsdel`` column is
    then not needed)."""
    from mapapp.analysis.significance import compare

    if len(points) == 0:
        return Counts({})
    kw: dict[str, Any] = {"period_kind": per.kind,
                          "stat_year_start_month": settings.stat_year_start_month,
                          "reference": per.last_day if per.kind == "rolling12" else None,
                          "weight": weight, "confidence": settings.confidence_level}
    if zone is not None:
        frame = period_counts(points, zones=zones, zone=zone, **kw)
    else:
        inside = points if weight is not None else points[points["stadsdel"].notna()]
        if len(inside) == 0:
            return Counts({})
        frame = period_counts(inside, zones=zones, **kw)
    grouped = frame.groupby(["category", "period"], sort=False, dropna=False)
    counts = {(str(c), str(p)): int(n) for (c, p), n in grouped["count"].sum().items()}
    changes: dict[tuple[str, str], Any] = {}
    tested = frame[frame["prev_count"].notna()]
    for (c, p), part in tested.groupby(["category", "period"], sort=False, dropna=False):
        changes[(str(c), str(p))] = compare(
            int(part["prev_count"].sum()), int(part["cmp_count"].sum()),
            confidence=settings.confidence_level)  # the same span a year apart
    periods = frame.drop_duplicates("period")
    incomplete = [f"{p} ({t_})" for p, c, t_ in zip(periods["period"], periods["complete"],
                                                    periods["cmp_to"], strict=True) if not c]
    return Counts(counts, changes, incomplete)


def counts_table(lookup: Counts, kind: str, periods: Sequence[str],
                 settings: Settings, *, lang: str) -> Table:
    """One row per category (the council's five incident categories always, others when any
    of the periods has a count) with the suppressed counts, the change last vs previous
    (over the same days a year earlier; shown only when both compared counts are shown) and
    its assessment: an arrow and "ökning"/"minskning" only when significant."""
    from mapapp.render.figures import arrow, trend_text

    below = settings.suppress_below
    counts = lookup.counts
    present = {c for (c, p), n in counts.items() if p in periods and n > 0}
    order = [c.code for c in cats.categories(kind)]  # type: ignore[arg-type]
    always = list(COUNCIL_CATEGORIES) if kind == "incident" else []
    codes = [c for c in order if c in present or c in always]
    codes += sorted(present - set(order))
    rows = []
    for code in codes:
        ns = [counts.get((code, p), 0) for p in periods]
        label = category_label(code, lang=lang) if kind == "incident" else cats.label(
            "observation", code, lang=lang)
        if cats.is_sensitive(code):
            label += " *"
        cells = [suppress(n, below, lang=lang) for n in ns]
        change, pct, assess = "", "", ""
        ch = lookup.changes.get((code, periods[-1])) if periods else None
        if ch is not None:
            if shown_exactly(ch.after, below) and shown_exactly(ch.before, below):
                change = fmt_number(ch.change, lang, decimals=0, sign=True)
                if ch.change_pct is not None:
                    pct = fmt_number(ch.change_pct, lang, sign=True) + " %"
            assess = f"{arrow(ch.trend)} {trend_text(ch.trend, lang=lang)}".strip()
        rows.append([label, *cells, change, pct, assess])
    headers = [t("snapshot.col.category", lang), *periods, t("snapshot.col.change", lang),
               t("snapshot.col.change_pct", lang), t("sig.col.trend", lang)]
    notes = [t("snapshot.note.suppressed", lang, n=below)]
    inc = [x for x in lookup.incomplete if x.split(" ")[0] in periods]
    if inc:
        notes.append(t("lb.note.incomplete", lang, periods=", ".join(inc)))
    if any(cats.is_sensitive(c) for c in codes):
        notes.append(t("snapshot.note.sensitive", lang))
    return Table(t(f"snapshot.h.counts_{kind}", lang), headers, rows, notes)


# --- measures and statistics ------------------------------------------------------------------

def measures_table(measures: pd.DataFrame, zone: str | None, *, lang: str,
                   effects: dict[int, dict[str, Any]] | None = None) -> Table:
    """The measures of the zone (all for the district), by priority area: actor, status and
    due date ("(försenad)" when overdue), from :func:`mapapp.measures.measures_frame`; with
    ``effects`` (:func:`mapapp.snapshot.effects.measure_effects`) each measure's WDD verdict."""
    df = measures if zone is None else measures[measures["zone"] == zone]
    df = df.sort_values(["priority_area", "title"], kind="stable", na_position="last")
    headers = [t("snapshot.col.priority_area", lang), t("snapshot.col.measure", lang)]
    if zone is None:
        headers.append(t("snapshot.col.zone", lang))
    headers += [t("snapshot.col.place", lang), t("snapshot.col.actor", lang),
                t("snapshot.col.status", lang), t("snapshot.col.due", lang)]
    if effects is not None:
        from mapapp.render.figures import verdict_text

        headers.append(t("lb.col.wdd", lang))
    rows = []
    for r in df.to_dict("records"):
        status = str(r.get("status") or "")
        pair = cats.MEASURE_STATUS_LABELS.get(status)
        status_label = (pair[0] if lang != "en" else pair[1]) if pair else status
        due = r.get("due")
        due_text = "" if due is None or pd.isna(due) else pd.Timestamp(due).date().isoformat()
        if due_text and bool(r.get("overdue")):
            due_text = t("snapshot.overdue", lang, date=due_text)
        row = [_text(r.get("priority_area")), _text(r.get("title"))]
        if zone is None:
            row.append(_text(r.get("zone")))
        row += [_text(r.get("site")) or _text(r.get("cell_id")), _text(r.get("actor")),
                status_label, due_text]
        if effects is not None:
            eff = effects.get(int(r["id"])) if r.get("id") is not None else None
            row.append(verdict_text(eff, lang=lang) if eff is not None else "")
        rows.append(row)
    notes = [] if rows else [t("snapshot.note.no_measures", lang)]
    return Table(t("snapshot.h.measures", lang), headers, rows, notes)


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def statistics_tables(frame: pd.DataFrame, zone: str | None, settings: Settings, *, lang: str,
                      max_periods: int = 6) -> list[Table]:
    """The imported statistics tables (``frame``: :func:`mapapp.store.statistics.statistics_frame`)
    of the zone, or of the district with its comparison areas: one :class:`Table` per imported
    table, the latest ``max_periods`` periods, counts suppressed."""
    df = frame
    if df.empty:
        return []
    if zone is None:
        df = df[df["area_kind"].isin(["district", "comparison"])]
    else:
        df = df[(df["area_kind"] == "zone") & (df["area"].map(fold) == fold(zone))]
    out: list[Table] = []
    below = settings.suppress_below
    for _tid, part in df.groupby("table_id", sort=True):
        first = part.iloc[0]
        periods = sorted(set(part["period"].astype(str)))[-max_periods:]
        keys = sorted(dict.fromkeys(zip(part["area_kind"] == "comparison", part["area"],
                                        part["category"], strict=True)),
                      key=lambda k: k[0])  # the area's own rows first, comparison areas after
        cell = {(a, c, p): int(n) for a, c, p, n in
                zip(part["area"], part["category"], part["period"].astype(str), part["count"],
                    strict=True)}
        rows = [[_text(a), _text(c), *[suppress(cell[(a, c, p)], below, lang=lang)
                                       if (a, c, p) in cell else "" for p in periods]]
                for _cmp, a, c in keys]
        extracted = first["extracted"]
        note = t("snapshot.note.statistics_source", lang, source=_text(first["source"]),
                 extracted=_text(extracted) or "–",
                 prelim=t("snapshot.note.preliminary", lang) if first["preliminary"] else "")
        out.append(Table(_text(first["table"]),
                         [t("snapshot.col.area", lang), t("snapshot.col.category", lang),
                          *periods], rows, [note, t("snapshot.note.suppressed", lang, n=below)]))
    return out


# --- hotspots and observations ----------------------------------------------------------------

def hotspots_table(points_now: pd.DataFrame, sites: pd.DataFrame, district: shapely.Geometry,
                   per: Period, settings: Settings, *, lang: str,
                   only: set[str] | None = None) -> tuple[Table, dict[str, str]]:
    """Flagged, rising and fading places in ``per`` (one place, one flag: each place's lead)
    with their status, reason and size, rising first (sensitive points left out); and the
    status code of every site that carries a flag (name -> rising, persistent, flagged or
    fading: :func:`mapapp.render.hotspot_text.status_of`). ``points_now``
    should hold the earlier periods too (rising compares with them). ``only``: the names of
    the sites to list (all sites are tested together)."""
    from mapapp.render.hotspot_text import status_of, status_text, summary_reason

    headers = [t("snapshot.col.place", lang), t("snapshot.col.site_kind", lang),
               t("snapshot.col.reason", lang)]
    rule = t("hotspots.rule", lang, min_count=settings.hotspot_min_count,
             radius=fmt_number(settings.site_radius_m, lang, decimals=0),
             q=fmt_number(settings.hotspot_q, lang, decimals=2))
    pts = points_now[~points_now["sensitive"].to_numpy(dtype=bool)]
    if len(sites) == 0 or len(pts) == 0:
        return Table(t("snapshot.h.hotspots", lang), headers, [],
                     [t("snapshot.note.no_hotspots", lang), rule]), {}
    res = site_hotspots(pts, sites, district, period=per, period_kind=per.kind,
                        stat_year_start_month=settings.stat_year_start_month,
                        params=params_from(settings.site_radius_m, settings.hotspot_min_count,
                                           settings.hotspot_q))
    summary = res.summary
    if only is not None:
        summary = summary[summary["name"].astype(str).isin(only)]
    listed = summary[summary["flagged"] | summary["rising"] | summary["fading"]]
    rows = []
    for r in listed.to_dict("records"):
        kind = str(r.get("kind") or "")
        name = _text(r["name"])
        # The reason starts with the site's name, which the table shows in its own column.
        reason = _text(summary_reason(r, lang=lang)).removeprefix(f"{name}: ")
        place = r.get("place")
        where = f" ({t('hotspots.place_of', lang, place=_text(place))})" if (
            place and place != r["name"]) else ""
        rows.append([name + where, t(f"snapshot.site_kind.{kind}", lang) if kind else "",
                     f"{status_text(r, lang=lang)}: {reason}"])
    notes = [rule] if rows else [t("snapshot.note.no_hotspots", lang), rule]
    status = {str(r["name"]): status_of(r) for r in listed.to_dict("records")}
    return Table(t("snapshot.h.hotspots", lang), headers, rows, notes), status


def observations_table(obs: pd.DataFrame, sites: pd.DataFrame, since: date, settings: Settings,
                       include_notes: bool, *, lang: str) -> Table:
    """Observations since ``since``, newest first: category, place (the nearest site within
    the site radius, else the stadsdel), local date and — only when asked — the note."""
    headers = [t("snapshot.col.date", lang), t("snapshot.col.category", lang),
               t("snapshot.col.place", lang)]
    if include_notes:
        headers.append(t("snapshot.col.note", lang))
    title = t("snapshot.h.observations", lang, date=since.isoformat())
    if len(obs) == 0:
        return Table(title, headers, [],
                     [t("snapshot.note.no_observations", lang, date=since.isoformat())])
    obs = obs.sort_values("occurred_at", ascending=False, kind="stable")
    total = len(obs)
    obs = obs.iloc[:MAX_OBSERVATIONS]
    place = np.array(obs["stadsdel"].astype(object).where(obs["stadsdel"].notna(), ""),
                     dtype=object)
    lon, lat = obs["lon"].to_numpy("float64"), obs["lat"].to_numpy("float64")
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.any() and len(sites):
        tr = transformer(WGS84, METRIC)
        sx, sy = tr.transform(sites["lon"].to_numpy("float64"), sites["lat"].to_numpy("float64"))
        px, py = tr.transform(lon[ok], lat[ok])
        dist, idx = cKDTree(np.column_stack([sx, sy])).query(np.column_stack([px, py]))
        near = dist <= settings.site_radius_m
        names = sites["name"].astype(str).to_numpy()
        sel = np.flatnonzero(ok)
        place[sel[near]] = names[idx[near]]
    local = pd.to_datetime(obs["occurred_at"], utc=True).dt.tz_convert(LOCAL_TZ)
    rows = []
    for i, (code, when) in enumerate(zip(obs["category"].astype(str), local, strict=True)):
        row = [when.date().isoformat(), cats.label("observation", code, lang=lang), _text(place[i])]
        if include_notes:
            row.append(_text(obs["description"].iloc[i]))
        rows.append(row)
    notes = []
    if total > len(rows):
        notes.append(t("snapshot.note.observations_capped", lang, shown=len(rows), total=total))
    if include_notes:
        notes.append(t("snapshot.note.notes_included", lang))
    return Table(title, headers, rows, notes)


# --- gather ------------------------------------------------------------------------------------

def _as_list(v: Any) -> list[str]:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return []
    if isinstance(v, list | tuple | np.ndarray):
        return [str(x) for x in v]
    return [str(v)]


def gather(
    engine: Engine,
    who: Principal,
    *,
    zone: str | None,
    period: str | Period | None = None,
    since: date | str | None = None,
    include_notes: bool = False,
    settings: Settings | None = None,
    lang: str | None = None,
) -> Snapshot:
    """Everything a snapshot shows, for ``zone`` (None = the whole district) and ``period``
    (default: the latest statistical year with data); observations since ``since`` (default:
    six months ago). Needs :attr:`Perm.EXPORT`. One read of the store
    (:func:`~mapapp.snapshot.source.read_source`), then :func:`assemble`."""
    settings = settings or load_settings()
    who.require(Perm.EXPORT)
    src = read_source(engine, who, zone=zone, period=period, since=since, settings=settings)
    return assemble(src, include_notes=include_notes, settings=settings,
                    lang=lang or settings.lang)


def _between(points: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp | None = None
             ) -> pd.DataFrame:
    when = pd.to_datetime(points["occurred_at"], utc=True)
    keep = when >= start if end is None else (when >= start) & (when < end)
    return points[keep.to_numpy(dtype=bool)]


def assemble(src: Source, *, include_notes: bool, settings: Settings, lang: str) -> Snapshot:
    """The snapshot of ``src.zone`` from what :func:`~mapapp.snapshot.source.read_source`
    read (pure: no store, no clock but the export time)."""
    zones = src.zones
    zrow = src.zone_row
    zname = None if zrow is None else str(zrow["name"])
    p0, p1, p2, p3 = src.periods
    periods = [p1.label, p2.label, p3.label]
    since_d = src.since
    raw = {"incident": src.incidents, "observation": src.observations}
    now = {k: _between(f, p3.start, p3.end) for k, f in raw.items()}

    # The three periods' counts, counted by the database per zone x category x local day.
    counts = []
    for kind in KINDS:
        lookup = _count_lookup(src.daily[kind], zones, zname, p3, settings, weight="n")
        counts.append(counts_table(lookup, kind, periods, settings, lang=lang))

    sites, district = src.sites, src.district
    area_sites = sites if zname is None else sites[sites["zone"] == zname]
    all_now = pd.concat([now["incident"], now["observation"]], ignore_index=True)
    # Hotspots test every site of the district together and compare with the three periods
    # before (rising, persistent, fading); the table keeps the area's sites.
    # (only the columns the hotspots read: a smaller frame to put together)
    cols = ["kind", "occurred_at", "lon", "lat", "sensitive"]
    history = [_between(f[cols], p0.start, p3.start) for f in raw.values()]
    hotspots, status = hotspots_table(pd.concat([*history, all_now[cols]], ignore_index=True),
                                       sites, district, p3, settings, lang=lang,
                                       only=set(area_sites["name"].astype(str)))
    measures = measures_table(src.measures, zname, lang=lang, effects=src.effects)
    obs = _between(src.observations, pd.Timestamp(local_midnight(since_d)))
    if zrow is not None:
        obs = obs[obs["zone_id"] == int(zrow["id"])]
    observations = observations_table(obs, sites, since_d, settings, include_notes, lang=lang)
    statistics = statistics_tables(src.statistics, zname, settings, lang=lang)

    in_area = all_now if zname is None else all_now[all_now["zone"] == zname]
    if zname is None:
        in_area = in_area[in_area["stadsdel"].notna()]
    keep = (~in_area["sensitive"].to_numpy(dtype=bool) & in_area["lon"].notna().to_numpy()
            & in_area["lat"].notna().to_numpy())
    map_points = in_area.loc[keep, ["kind", "lon", "lat"]].reset_index(drop=True)
    map_sites = pd.DataFrame({
        "name": area_sites["name"].astype(str).to_numpy(),
        "kind": area_sites["kind"].astype(str).to_numpy(),
        "source": area_sites["source"].astype(str).to_numpy(),
        "lon": area_sites["lon"].astype("float64").to_numpy(),
        "lat": area_sites["lat"].astype("float64").to_numpy(),
        "status": np.array([status.get(n, "normal") for n in area_sites["name"].astype(str)],
                           dtype=object),
    })
    map_sites["flagged"] = map_sites["status"] != "normal"
    area = zname or t("snapshot.district", lang)
    mapdata = MapData(
        zone=zname, zone_geom=None if zrow is None else zrow.geometry, district=district,
        zones=zones[["name", "geometry"]], stadsdelar=src.stadsdelar[["name", "geometry"]],
        sites=map_sites, points=map_points, period=p3.label, grid_size_m=settings.grid_size_m,
        suppress_below=settings.suppress_below)
    flt = {"zone": zname, "period": p3.label, "since": since_d.isoformat(),
           "include_notes": bool(include_notes), "suppress_below": settings.suppress_below}
    return Snapshot(
        title=t("snapshot.title", lang, area=area), zone=zname, area=area, period=p3.label,
        periods=periods, exported_at=local_now(), since=since_d,
        include_notes=bool(include_notes), lang=lang,
        lagesbild="" if zrow is None else _text(zrow["lagesbild"]),
        priority_areas=[] if zrow is None else _as_list(zrow["priority_areas"]),
        goals=[] if zrow is None else _as_list(zrow["goals"]),
        actors=[] if zrow is None else _as_list(zrow["actors"]),
        counts=counts, hotspots=hotspots, measures=measures, observations=observations,
        statistics=statistics, map=mapdata, filter=flt)
