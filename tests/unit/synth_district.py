"""Synthetic districts with known truth for the hotspot tests (seeds fixed).

The bundled Hägersten-Älvsjö outline and its 334 real sites; three statistical years
(2020-2021 … 2022-2023); points as incidents and observations:

- ``background``: uniform over the district, times uniform over each year and the clock;
- ``hubs``: every station and centre is a crowded transit hub, a dense cluster (σ = 60 m)
  of the same size every year, spilling onto the playgrounds and preschools around it;
- ``planted``: four school yards more than 800 m from every hub (and 700 m from each
  other) get a new evening problem in the last year only (weekday 18–23, σ = 35 m).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mapapp.crs import transformer
from mapapp.store.district import bundled_frames

YEARS = (2020, 2021, 2022)
TO_M = transformer("EPSG:4326", "EPSG:3006")
TO_W = transformer("EPSG:3006", "EPSG:4326")


def frames() -> dict[str, Any]:
    return bundled_frames()


def _times(rng: np.random.Generator, n: int, year: int, evening: bool = False) -> pd.Series:
    start = pd.Timestamp(f"{year}-09-01")
    day = rng.integers(0, 365, n)
    if evening:
        local = start + pd.to_timedelta(day, "D")
        # move to a weekday
        wd = local.day_of_week.to_numpy()
        local = local + pd.to_timedelta(np.where(wd >= 5, 7 - wd, 0), "D")
        local = local + pd.to_timedelta(rng.integers(18 * 60, 24 * 60, n), "min")
    else:
        local = start + pd.to_timedelta(day, "D") + pd.to_timedelta(
            rng.integers(0, 24 * 60, n), "min")
    return pd.Series(pd.DatetimeIndex(local).tz_localize(
        "Europe/Stockholm", ambiguous="NaT", nonexistent="shift_forward").tz_convert("UTC"))


def _uniform(rng: np.random.Generator, outline: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    import shapely

    minx, miny, maxx, maxy = outline.bounds
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < n:
        x = rng.uniform(minx, maxx, 2 * n)
        y = rng.uniform(miny, maxy, 2 * n)
        keep = shapely.contains_xy(outline, x, y)
        lon, lat = np.concatenate([lon, x[keep]]), np.concatenate([lat, y[keep]])
    return lon[:n], lat[:n]


def _around(rng: np.random.Generator, lon: float, lat: float, n: int, sigma: float
            ) -> tuple[np.ndarray, np.ndarray]:
    x, y = TO_M.transform(lon, lat)
    xs = x + rng.normal(0, sigma, n)
    ys = y + rng.normal(0, sigma, n)
    lo, la = TO_W.transform(xs, ys)
    return np.asarray(lo), np.asarray(la)


def planted_schools(sites: pd.DataFrame, n: int = 4, min_dist_m: float = 800.0) -> list[int]:
    """Row positions of ``n`` schools far from every station and centre (and each other)."""
    x, y = TO_M.transform(sites["lon"].to_numpy(), sites["lat"].to_numpy())
    xy = np.column_stack([x, y])
    hubs = xy[sites["kind"].isin(["station", "centre"]).to_numpy()]
    out: list[int] = []
    for i in np.flatnonzero((sites["kind"] == "school").to_numpy()):
        if np.min(np.hypot(*(hubs - xy[i]).T)) < min_dist_m:
            continue
        if any(np.hypot(*(xy[j] - xy[i])) < 700 for j in out):
            continue
        out.append(int(i))
        if len(out) == n:
            break
    return out


def district_points(seed: int = 7, *, background: int = 15_000, hub: int = 250,
                    planted: int = 25, with_hubs: bool = True, with_planted: bool = True
                    ) -> tuple[pd.DataFrame, dict[str, Any], list[int]]:
    """(points, bundled frames, planted site positions). ``background`` and ``hub`` are per
    year (hub: per hub site). ``story`` says where a point comes from: "background",
    "hub:<site>" or "planted:<site>"."""
    rng = np.random.default_rng(seed)
    f = frames()
    sites, outline = f["sites"], f["outline"]
    parts = []
    hubs = sites[sites["kind"].isin(["station", "centre"])]
    plant = planted_schools(sites) if with_planted else []
    for year in YEARS:
        lon, lat = _uniform(rng, outline, background)
        parts.append((lon, lat, _times(rng, background, year), "background"))
        if with_hubs:
            for s in hubs.itertuples(index=False):
                lo, la = _around(rng, s.lon, s.lat, hub, 60.0)
                parts.append((lo, la, _times(rng, hub, year), f"hub:{s.name}"))
        if year == YEARS[-1]:
            for i in plant:
                s = sites.iloc[i]
                lo, la = _around(rng, s["lon"], s["lat"], planted, 35.0)
                parts.append((lo, la, _times(rng, planted, year, evening=True),
                              f"planted:{s['name']}"))
    lon = np.concatenate([p[0] for p in parts])
    lat = np.concatenate([p[1] for p in parts])
    t = pd.concat([p[2] for p in parts], ignore_index=True)
    story = np.concatenate([np.full(len(p[0]), p[3], dtype=object) for p in parts])
    n = len(lon)
    kind = np.where(rng.random(n) < 0.8, "incident", "observation")
    # planted points are incidents
    npl = planted * len(plant)
    if npl:
        kind[n - npl:] = "incident"
    pts = pd.DataFrame({"id": np.arange(n), "kind": kind, "category": "narkotikabrott",
                        "occurred_at": t, "lon": lon, "lat": lat, "zone": None,
                        "sensitive": False, "story": story})
    pts = pts[pts["occurred_at"].notna()].reset_index(drop=True)
    return pts, f, plant
