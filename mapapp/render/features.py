"""The vector layers' features: zones, stadsdelar, sites and measures with their status and
an escaped tooltip each.

Every text that comes from a user or a file (zone, site and measure names, reasons) goes
through :func:`mapapp.textsafe.html_text` here, once, before it reaches a folium template;
the ``tip`` column is therefore safe HTML. Coordinates are rounded to 5 decimals (≈ 1 m), which
is all a screen needs and keeps the map small.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapapp import categories as cats
from mapapp.crs import WGS84
from mapapp.i18n import t
from mapapp.textsafe import html_text

PRECISION = 5
#: Measure statuses from most to least urgent (overdue comes before all of them).
STATUS_ORDER: tuple[str, ...] = ("pagaende", "planerad", "genomford", "avbruten")


def tip(title: Any, lines: Iterable[Any] = ()) -> str:
    """Tooltip HTML: a bold escaped title and escaped lines.

    >>> tip("<b>x</b>", ["a`b", "${c}"])
    '<b>&lt;b&gt;x&lt;/b&gt;</b><br>a&#96;b<br>&#36;{c}'
    """
    parts = [f"<b>{html_text(title)}</b>"]
    parts += [html_text(line) for line in lines if line not in (None, "")]
    return "<br>".join(parts)


def round_geometry(geoms: Sequence[Any] | gpd.GeoSeries, precision: int = PRECISION
                   ) -> np.ndarray:
    arr = np.asarray(geoms, dtype=object)
    return shapely.transform(arr, lambda c: np.round(c, precision))


def feature_frame(df: pd.DataFrame, geometry: Any) -> gpd.GeoDataFrame:
    """``df`` with ``geometry`` (WGS84, rounded for the map) as a GeoDataFrame of features."""
    return gpd.GeoDataFrame(df.reset_index(drop=True),
                            geometry=gpd.GeoSeries(round_geometry(geometry), crs=WGS84), crs=WGS84)


def zone_features(zones: gpd.GeoDataFrame, revision: pd.DataFrame | None,
                  counts: Mapping[int, int], *, lang: str = "sv") -> gpd.GeoDataFrame:
    """One row per zone: ``id, name, status`` ("revision_due" or "ok"), ``count`` (points in
    the current filter), ``tip``."""
    flagged = ({int(z): bool(f) for z, f in zip(revision["zone_id"], revision["flagged"],
                                                 strict=True)}
               if revision is not None and len(revision) else {})
    rows = []
    for z in zones.itertuples(index=False):
        zid = int(z.id)
        status = "revision_due" if flagged.get(zid, False) else "ok"
        n = int(counts.get(zid, 0))
        rows.append({"id": zid, "name": str(z.name), "status": status, "count": n,
                     "tip": tip(z.name, [t("map.tip.count", lang, n=n),
                                         t(f"map.zone.{status}", lang),
                                         t("map.tip.click_card", lang)])})
    return feature_frame(pd.DataFrame(rows, columns=["id", "name", "status", "count", "tip"]),
                  zones.geometry.to_numpy())


def outline_features(stadsdelar: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Stadsdelar with their name as tooltip."""
    df = pd.DataFrame({"id": stadsdelar["id"].to_numpy(), "name": stadsdelar["name"].to_numpy(),
                       "status": "outline",
                       "tip": [tip(n) for n in stadsdelar["name"]]})
    return feature_frame(df, stadsdelar.geometry.to_numpy())


def site_features(sites: gpd.GeoDataFrame, flags: pd.DataFrame | None, *,
                  lang: str = "sv") -> gpd.GeoDataFrame:
    """One row per site: ``id, name, status`` (rising, persistent, flagged, fading or normal:
    :func:`mapapp.render.hotspot_text.status_of`), ``count``, ``reason``, ``place`` (the lead of the
    place a member belongs to; one place, one flag: a member is "normal" on the map and its tip
    says whose place it is in), ``tip``.
    ``flags``: the :mod:`mapapp.analysis.hotspots` summary of one period."""
    from mapapp.render.hotspot_text import status_of, status_text, summary_reason

    n = len(sites)
    count = np.zeros(n, dtype=np.int64)
    status = np.full(n, "normal", dtype=object)
    reasons = [""] * n
    states = [""] * n
    places: list[str | None] = [None] * n
    if flags is not None and len(flags):
        pos = {int(s): i for i, s in enumerate(sites["id"])}
        for r in flags.to_dict("records"):
            i = pos.get(int(r["site_id"])) if r.get("site_id") is not None else None
            if i is None:
                continue
            count[i] = int(r["count"])
            status[i] = status_of(r)
            reasons[i] = summary_reason(r, lang=lang)
            member = r.get("in_place_of")
            if status[i] != "normal" or isinstance(member, str):
                states[i] = status_text(r, lang=lang)  # a member: "part of the place X"
            place = r.get("place")
            places[i] = str(place) if isinstance(place, str) and place != r.get("name") \
                else None
    kinds = [t(f"map.site_kind.{k}", lang) for k in sites["kind"]]
    rows = pd.DataFrame({
        "id": sites["id"].to_numpy(), "name": sites["name"].to_numpy(),
        "status": status, "count": count, "reason": reasons, "place": places,
        "tip": [tip(nm, [k, t("map.tip.site_count", lang, n=int(c)), st, r])
                for nm, k, c, st, r in zip(sites["name"], kinds, count, states, reasons,
                                           strict=True)],
    })
    return feature_frame(rows, sites.geometry.to_numpy())


def measure_status(status: str, overdue: bool) -> str:
    return "overdue" if overdue else str(status)


def measure_features(measures: pd.DataFrame, zones: gpd.GeoDataFrame, *,
                     lang: str = "sv") -> gpd.GeoDataFrame:
    """One row per place with measures (a site, or the zone's representative point for
    zone-wide measures): ``status`` is the most urgent one there ("overdue" first),
    ``overdue`` (any), ``n``, ``site_id``, ``zone_id``, ``tip`` listing the measures."""
    cols = ["status", "overdue", "n", "site_id", "zone_id", "tip"]
    if measures is None or len(measures) == 0:
        return gpd.GeoDataFrame(pd.DataFrame(columns=cols), geometry=gpd.GeoSeries([], crs=WGS84),
                                crs=WGS84)
    rep = {int(z): g.representative_point() for z, g in zip(zones["id"], zones.geometry,
                                                            strict=True)}
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    where: dict[tuple[str, int], Any] = {}
    for m in measures.to_dict("records"):
        sid = m.get("site_id")
        if sid is not None and not pd.isna(sid) and np.isfinite(m.get("lon", np.nan)):
            key = ("site", int(sid))
            where[key] = shapely.Point(float(m["lon"]), float(m["lat"]))
        else:
            key = ("zone", int(m["zone_id"]))
            if int(m["zone_id"]) not in rep:
                continue
            where[key] = rep[int(m["zone_id"])]
        groups.setdefault(key, []).append(m)
    rows, geoms = [], []
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    for key, ms in groups.items():
        overdue = any(bool(m.get("overdue")) for m in ms)
        worst = min((str(m.get("status")) for m in ms), key=lambda s: order.get(s, 99))
        lines = [measure_line(m, lang=lang) for m in ms]
        title = (ms[0].get("site") if key[0] == "site" else ms[0].get("zone")) or ""
        rows.append({"status": measure_status(worst, overdue), "overdue": overdue, "n": len(ms),
                     "site_id": key[1] if key[0] == "site" else None,
                     "zone_id": int(ms[0]["zone_id"]),
                     "tip": tip(t("map.tip.measures_at", lang, place=title, n=len(ms)),
                                lines[:8] + ([f"… (+{len(lines) - 8})"] if len(lines) > 8
                                             else []))})
        geoms.append(where[key])
    return feature_frame(pd.DataFrame(rows, columns=cols), geoms)


def status_label(code: Any, *, lang: str = "sv") -> str:
    pair = cats.MEASURE_STATUS_LABELS.get(str(code))
    if pair is None:
        return str(code)
    return pair[0] if lang != "en" else pair[1]


def measure_line(m: Mapping[str, Any], *, lang: str = "sv") -> str:
    """"Title – Pågående, klar 2023-06-30 (försenad)" (plain text, escape before HTML)."""
    text = f"{m.get('title')} – {status_label(m.get('status'), lang=lang)}"
    due = m.get("due")
    if due is not None and not (isinstance(due, float) and np.isnan(due)) and str(due) != "":
        text += ", " + t("map.measure.due", lang, date=str(due)[:10])
    if m.get("overdue"):
        text += " " + t("map.measure.overdue_mark", lang)
    return text
