"""Synthetic demo points, marked ``source = "demo"``, so the app has something to show on
first start. They cluster realistically around the real sites: school yards in the evenings and
at weekends, centres and stations all day and at night, plus a thin background over the
district, from 1 September 2019 to 31 August 2023 (four statistical years).

Reproducible: the same ``seed`` gives the same points (and the same external ids, so running
the command twice adds nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

from mapapp.access import Perm, Principal
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.store import audit
from mapapp.store.district import district_outline, sites_frame
from mapapp.store.points import InsertResult, insert_points

START = datetime(2019, 9, 1, tzinfo=UTC)
END = datetime(2023, 8, 31, 21, 0, tzinfo=UTC)

# Where incidents happen, by site kind: (weight of the kind, spread in metres, evening bias)
_KIND_WEIGHTS = {"centre": 0.30, "station": 0.25, "school": 0.20, "address": 0.10,
                 "playground": 0.05, "preschool": 0.02}
_INCIDENT_WEIGHTS = {"narkotikabrott": 0.18, "vald_offentlig_miljo": 0.14,
                     "vald_nara_relation": 0.08, "personran": 0.06, "bedrageri_aldre": 0.04,
                     "skadegorelse": 0.16, "inbrott": 0.08, "stold": 0.16,
                     "ordningsstorning": 0.08, "ovrigt": 0.02}
_OBSERVATION_WEIGHTS = {"belysning": 0.18, "vegetation": 0.12, "klotter": 0.16,
                        "skadegorelse": 0.08, "nedskrapning": 0.14, "missbruk": 0.08,
                        "samlingsplats": 0.12, "otrygg_passage": 0.06, "trafik": 0.03,
                        "olovlig_bosattning": 0.02, "ovrigt": 0.01}


def generate(
    sites: pd.DataFrame, district: shapely.Geometry, n: int, kind: str, seed: int
) -> pd.DataFrame:
    """``n`` synthetic points of ``kind`` ("incident"/"observation") as an insert frame."""
    rng = np.random.default_rng(seed + (0 if kind == "incident" else 1_000_003))
    to_m = transformer(WGS84, METRIC)
    to_ll = transformer(METRIC, WGS84)
    sx, sy = to_m.transform(sites["lon"].to_numpy(), sites["lat"].to_numpy())
    kinds = sites["kind"].to_numpy()
    w = np.array([_KIND_WEIGHTS.get(k, 0.01) for k in kinds], dtype=float)
    # A few sites are real hotspots: weight them up so the flags have something to find.
    hot = rng.choice(len(sites), size=max(1, len(sites) // 25), replace=False)
    w[hot] *= 12
    w /= w.sum()
    n_background = n // 10
    n_site = n - n_background
    pick = rng.choice(len(sites), size=n_site, p=w)
    spread = np.where(np.isin(kinds[pick], ["centre", "station"]), 70.0, 45.0)
    x = sx[pick] + rng.normal(0, 1, n_site) * spread
    y = sy[pick] + rng.normal(0, 1, n_site) * spread
    dmx0, dmy0, dmx1, dmy1 = shapely.bounds(shapely.transform(
        district, lambda c: np.column_stack(to_m.transform(c[:, 0], c[:, 1]))))
    bx = rng.uniform(dmx0, dmx1, n_background * 3)
    by = rng.uniform(dmy0, dmy1, n_background * 3)
    blon, blat = to_ll.transform(bx, by)
    inside = shapely.contains_xy(district, blon, blat)
    bx, by = bx[inside][:n_background], by[inside][:n_background]
    x = np.concatenate([x, bx])
    y = np.concatenate([y, by])
    lon, lat = to_ll.transform(x, y)
    m = len(lon)
    # Time: uniform day over the four years; hour by the kind of place.
    span_days = (END - START).days
    day = rng.integers(0, span_days, m)
    evening = np.concatenate([np.isin(kinds[pick], ["school", "playground", "preschool"]),
                              np.zeros(m - n_site, dtype=bool)])
    hour = np.where(evening, rng.choice([17, 18, 19, 20, 21, 22, 23], m),
                    rng.choice(np.arange(24), m, p=_hour_profile()))
    minute = rng.integers(0, 60, m)
    local = (pd.Timestamp("2019-09-01") + pd.to_timedelta(day, "D")
             + pd.to_timedelta(hour, "h") + pd.to_timedelta(minute, "min"))
    occurred = pd.DatetimeIndex(local).tz_localize(
        "Europe/Stockholm", ambiguous="NaT", nonexistent="shift_forward").tz_convert("UTC")
    weights = _INCIDENT_WEIGHTS if kind == "incident" else _OBSERVATION_WEIGHTS
    codes = np.array(list(weights))
    p = np.array(list(weights.values()))
    cats = rng.choice(codes, m, p=p / p.sum())
    frame = pd.DataFrame({
        "source": "demo",
        "external_id": [f"demo-{kind[0]}-{seed}-{i}" for i in range(m)],
        "category": cats,
        "occurred_at": occurred,
        "lon": np.round(lon, 6),
        "lat": np.round(lat, 6),
        "description": None,
        "precision": "exact",
    })
    frame = frame[frame["occurred_at"].notna()]
    if kind == "observation":
        frame["status"] = "ny"
        frame["ratings"] = [None] * len(frame)
    return frame.reset_index(drop=True)


def _hour_profile() -> np.ndarray:
    p = np.array([4, 3, 3, 2, 1, 1, 1, 2, 3, 3, 3, 4, 4, 4, 4, 5, 6, 7, 8, 8, 8, 7, 6, 5],
                 dtype=float)
    return p / p.sum()


def load_demo(
    engine: Engine, who: Principal, *, incidents: int, observations: int, seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, InsertResult]:
    """Generate and store demo points (idempotent for the same seed and counts)."""
    who.require(Perm.IMPORT)
    sites = sites_frame(engine)
    district = district_outline(engine)
    out = {}
    with engine.begin() as conn:
        for kind, n in (("incident", incidents), ("observation", observations)):
            if n <= 0:
                continue
            frame = generate(sites, district, n, kind, seed)
            out[kind] = insert_points(conn, frame, kind, progress=progress)  # type: ignore[arg-type]
        audit.record(conn, who, "import", "demo", None, incidents=incidents,
                     observations=observations, seed=seed)
    return out


