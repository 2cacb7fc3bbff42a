"""What a zone's or a site's card shows, as plain data (the page lays it out).

A card's figures come from :func:`mapapp.analysis.stats.period_counts` (the filtered points,
all periods of the chosen kind) and its flags from the hotspot summary
(:mod:`mapapp.analysis.hotspots`: flagged, rising, persistent, fading, place); nothing is
counted here that those functions count. Rising sites come first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mapapp.analysis.significance import DEFAULT_CONFIDENCE, compare
from mapapp.analysis.zoning import assign
from mapapp.i18n import render
from mapapp.render.features import measure_line, status_label
from mapapp.render.hotspot_text import status_text, summary_reason


@dataclass(frozen=True)
class PeriodFigure:
    """One period's total on a card and its tested change against the same days a year
    earlier (:func:`mapapp.analysis.stats.period_counts`' rule): ``previous`` is the count of
    that earlier window, ``change_abs`` = this period's count in the window − ``previous``."""

    period: str
    count: int
    change_abs: int | None
    change_pct: float | None
    previous: int | None = None
    p_value: float | None = None
    significant: bool | None = None
    trend: str | None = None
    complete: bool = True
    compared_to: str | None = None  # last day of the compared window (incomplete periods)

    @property
    def arrow(self) -> str:
        """↑/↓ only for a significant increase/decrease; "" otherwise (normal variation or
        nothing to compare)."""
        return {"increase": "↑", "decrease": "↓"}.get(self.trend or "", "")


@dataclass(frozen=True)
class Card:
    kind: str  # "zone" or "site"
    id: int
    name: str
    subtitle: str = ""
    text: str = ""
    lists: dict[str, list[str]] = field(default_factory=dict)
    revision_due: bool = False
    revision_reasons: list[str] = field(default_factory=list)
    figures: list[PeriodFigure] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    measures: list[dict[str, Any]] = field(default_factory=list)
    zone_id: int | None = None


def period_totals(counts: pd.DataFrame, labels: Sequence[str],
                  zone: str | None = None, *,
                  confidence: float = DEFAULT_CONFIDENCE) -> list[PeriodFigure]:
    """Totals over categories for each period label in ``labels`` (the order kept), from a
    :func:`period_counts` frame, with the change of the total tested again (a sum of counts
    is a Poisson count too); ``zone`` limits to one zone. Labels missing from the frame
    count 0 with an unknown change."""
    df = counts if zone is None else counts[counts["zone"] == zone]
    g = df.groupby("period", sort=False)
    total = g["count"].sum()
    out = []
    for label in labels:
        if label not in total.index:
            out.append(PeriodFigure(label, 0, None, None))
            continue
        rows = df[df["period"] == label]
        n = int(total[label])
        complete = bool(rows["complete"].iloc[0]) if "complete" in rows and len(rows) else True
        cmp_to = rows["cmp_to"].iloc[0] if "cmp_to" in rows and len(rows) else None
        if "prev_count" not in rows or rows["prev_count"].isna().all():
            out.append(PeriodFigure(label, n, None, None, complete=complete))
            continue
        now = int(rows["cmp_count"].sum())
        prev = int(rows["prev_count"].sum())
        c = compare(prev, now, confidence=confidence)  # the same span a year apart
        out.append(PeriodFigure(label, n, c.change, c.change_pct, previous=prev,
                                p_value=c.p_value, significant=c.significant, trend=c.trend,
                                complete=complete, compared_to=None if complete else cmp_to))
    return out


def last_periods(all_labels: Sequence[str], selected: str, n: int = 3) -> list[str]:
    """The ``n`` period labels ending at ``selected`` (oldest first).

    >>> last_periods(["a", "b", "c", "d"], "c")
    ['a', 'b', 'c']
    >>> last_periods(["a", "b"], "b")
    ['a', 'b']
    >>> last_periods([], "x")
    ['x']
    """
    if selected not in all_labels:
        return [selected]
    i = list(all_labels).index(selected)
    return list(all_labels[max(0, i - n + 1): i + 1])


def _measure_records(measures: pd.DataFrame | None, *, lang: str) -> list[dict[str, Any]]:
    if measures is None or len(measures) == 0:
        return []
    out = []
    for m in measures.to_dict("records"):
        out.append({
            "id": int(m["id"]), "title": str(m.get("title") or ""),
            "site": m.get("site"), "status": m.get("status"),
            "status_label": status_label(m.get("status"), lang=lang), "actor": m.get("actor"),
            "due": m.get("due"), "overdue": bool(m.get("overdue")),
            "line": measure_line(m, lang=lang)})
    return out


def zone_card(zone: Mapping[str, Any], *, revision: Mapping[str, Any] | None,
              counts: pd.DataFrame, labels: Sequence[str], selected: str,
              flags: pd.DataFrame | None, measures: pd.DataFrame | None,
              lang: str = "sv", confidence: float = DEFAULT_CONFIDENCE) -> Card:
    """The card of one zone (a row of the zones frame). ``counts``: period_counts of the
    filtered points; ``labels``: all period labels of the kind; ``flags``: the hotspot summary
    of the selected period (any zone); ``measures``: the measures frame (any zone)."""
    zid = int(zone["id"])
    name = str(zone["name"])
    reasons = flag_lines(flags[flags["zone"] == name] if flags is not None and len(flags)
                         else None, lang=lang)
    ms = measures[measures["zone_id"] == zid] if measures is not None and len(measures) else None

    def as_list(v: Any) -> list[str]:
        return [str(x) for x in v] if isinstance(v, list | tuple) else []

    return Card(
        kind="zone", id=zid, name=name, subtitle=str(zone.get("kind") or ""),
        text=str(zone.get("lagesbild") or ""),
        lists={"priority_areas": as_list(zone.get("priority_areas")),
               "actors": as_list(zone.get("actors")), "goals": as_list(zone.get("goals"))},
        revision_due=bool(revision.get("flagged")) if revision is not None else False,
        revision_reasons=[render(m, lang) for m in (revision.get("reasons") or [])]
        if revision is not None else [],
        figures=period_totals(counts, last_periods(labels, selected), zone=name,
                              confidence=confidence),
        flags=reasons, measures=_measure_records(ms, lang=lang), zone_id=zid)


def flag_lines(summary: pd.DataFrame | None, *, lang: str = "sv") -> list[str]:
    """"ökande: Kämpetorpsskolan: 31 händelser kvällstid, väntat 6 (q < 0,001)" for every
    flagged, rising or fading site of ``summary`` (in its order: rising first)."""
    if summary is None or len(summary) == 0:
        return []
    out = []
    for r in summary.to_dict("records"):
        if r.get("flagged") or r.get("rising") or r.get("fading"):
            reason = summary_reason(r, lang=lang)
            out.append(f"{status_text(r, lang=lang)}: {reason}" if reason else status_text(r, lang=lang))
    return out


def site_figures(points: pd.DataFrame, lon: float, lat: float, labels: Sequence[str],
                 selected: str, *, radius_m: float, period_kind: str = "statistical",
                 stat_year_start_month: int = 9, reference: pd.Timestamp | None = None,
                 confidence: float = DEFAULT_CONFIDENCE) -> list[PeriodFigure]:
    """A site's figures: the points within ``radius_m`` of (lon, lat) in the ``n`` periods
    ending at ``selected``, each change tested against the same days a year earlier; the data's
    coverage is that of all ``points`` (a quiet site does not make a period incomplete)."""
    from mapapp.analysis.stats import period_counts
    from mapapp.crs import METRIC, WGS84, transformer

    if len(points) == 0 or not (np.isfinite(lon) and np.isfinite(lat)):
        return []
    tr = transformer(WGS84, METRIC)
    px = points["lon"].to_numpy(dtype="float64")
    py = points["lat"].to_numpy(dtype="float64")
    ok = np.isfinite(px) & np.isfinite(py)
    near = np.zeros(len(points), dtype=bool)
    if ok.any():
        x, y = tr.transform(px[ok], py[ok])
        sx, sy = tr.transform(lon, lat)
        near[np.flatnonzero(ok)] = np.hypot(np.asarray(x) - sx, np.asarray(y) - sy) <= radius_m
    times = pd.to_datetime(points["occurred_at"], utc=True)
    sub = points.loc[near, ["category", "occurred_at"]].assign(zone="site")
    if sub.empty:
        return []
    counts = period_counts(sub, period_kind=period_kind,
                           stat_year_start_month=stat_year_start_month, reference=reference,
                           data_start=times.min(), data_end=times.max(), confidence=confidence)
    return period_totals(counts, last_periods(labels, selected), confidence=confidence)


def site_card(site: Mapping[str, Any], *, flags: pd.DataFrame | None,
              measures: Sequence[Mapping[str, Any]], kind_label: str, count_label: str,
              lang: str = "sv", figures: list[PeriodFigure] | None = None) -> Card:
    """The card of one site: its status and reason in the selected period and the measures
    of :func:`mapapp.analysis.sites.measures_for_sites` (its own and its zone's)."""
    sid = int(site["id"])
    reasons = flag_lines(flags[flags["site_id"] == sid] if flags is not None and len(flags)
                         else None, lang=lang)
    recs = []
    for m in measures:
        recs.append({"id": m.get("id"), "title": str(m.get("title") or ""),
                     "status": m.get("status"), "status_label": status_label(m.get("status"), lang=lang),
                     "due": m.get("due"), "overdue": bool(m.get("overdue")),
                     "scope": m.get("scope"),
                     "line": measure_line({**m, "overdue": m.get("overdue")}, lang=lang)})
    zid = site.get("zone_id")
    return Card(kind="site", id=sid, name=str(site["name"]),
                subtitle=f"{kind_label} · {site.get('zone') or ''}".strip(" ·"),
                text=count_label, flags=reasons, measures=recs, figures=list(figures or []),
                zone_id=None if zid is None or pd.isna(zid) else int(zid))


#: A click this close (degrees) to a site's position is a click on the site's marker: Leaflet
#: reports a marker's own position, which the map carries rounded to 5 decimals.
SITE_TOLERANCE_DEG = 2e-5


def resolve_click(lat: float, lng: float, sites: pd.DataFrame, zones: Any
                  ) -> tuple[str, int] | None:
    """What a click at (lat, lng) opened: ("site", id) when it is on a site's marker, else
    ("zone", id) of the zone that contains it (border rule of
    :mod:`mapapp.analysis.zoning`), else None.

    >>> import shapely, geopandas as gpd
    >>> z = gpd.GeoDataFrame({"id": [7]}, geometry=[shapely.box(18.0, 59.0, 18.1, 59.1)])
    >>> s = pd.DataFrame({"id": [3], "lon": [18.05], "lat": [59.05]})
    >>> resolve_click(59.05, 18.05, s, z), resolve_click(59.02, 18.02, s, z)
    (('site', 3), ('zone', 7))
    >>> resolve_click(60.0, 18.0, s, z) is None
    True
    """
    if len(sites):
        d = np.hypot(sites["lat"].to_numpy(dtype=float) - lat,
                     (sites["lon"].to_numpy(dtype=float) - lng) * np.cos(np.radians(lat)))
        i = int(np.nanargmin(d)) if np.isfinite(d).any() else -1
        if i >= 0 and d[i] <= SITE_TOLERANCE_DEG:
            return "site", int(sites["id"].iloc[i])
    if zones is not None and len(zones):
        idx = assign(np.array([lng]), np.array([lat]), list(zones.geometry))
        if idx[0] >= 0:
            return "zone", int(zones["id"].iloc[int(idx[0])])
    return None
