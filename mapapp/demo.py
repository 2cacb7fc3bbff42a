"""Synthetic demo points, marked ``source = "demo"``, so the app has something to show on
first start: four statistical years (1 September 2019 – 31 August 2023) with a realistic
background and three planted stories that the hotspot analysis should find.

**Background** (where people live and move): half of the points spread broadly (σ = 400 m)
around the schools, preschools and playgrounds (a proxy for where people live), a fifth
around the stations and centres (σ = 650 m: where people move), the rest evenly over the
district. On its own the background flags no site. Seasons (more in late spring, summer and
early autumn, fewer in winter), weekdays and the clock (evenings and nights for the
residential part, commuting peaks around stations) shape the times.

**Stories** (sizes scale with the number of points; at the defaults):

1. *Kämpetorpsskolan* – a school yard with a **new evening problem** in the latest year
   (2022-2023): about 45 incidents on weekday evenings within ~40 m of the yard, and groups
   gathering and litter among the observations. Shows as **rising**.
2. *Fruängen centrum* – a centre that **improves after its measure** (ordningsvakter and
   better lighting from 1 September 2022): a dense cluster every year until August 2022, a
   thirtieth of it after. Shows as **fading** (persistent before, no longer flagged).
3. *Älvsjö station* – a station that **stays a hotspot**: a dense cluster in every year.
   Shows as **persistent**.

With the defaults (20,000 incidents, 2,000 observations) at most 10 % of the sites are flagged
in any period (a test). Reproducible: the same ``seed`` gives the same points (and the same
external ids, so running the command twice adds nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from sqlalchemy import Engine

from mapapp.access import Perm, Principal
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.store import audit
from mapapp.store.district import district_outline, sites_frame
from mapapp.store.points import InsertResult, insert_points

START = datetime(2019, 9, 1, tzinfo=UTC)
END = datetime(2023, 8, 31, 21, 0, tzinfo=UTC)
LAST_YEAR = pd.Timestamp("2022-09-01")  # local; the latest statistical year starts here
MEASURE_START = LAST_YEAR  # Fruängen centrum's measure

#: The planted stories: (site name, what it shows as).
STORIES: tuple[tuple[str, str], ...] = (("Kämpetorpsskolan", "rising"),
                                        ("Fruängen centrum", "fading"),
                                        ("Älvsjö station", "persistent"))

_INCIDENT_WEIGHTS = {"narkotikabrott": 0.18, "vald_offentlig_miljo": 0.14,
                     "vald_nara_relation": 0.08, "personran": 0.06, "bedrageri_aldre": 0.04,
                     "skadegorelse": 0.16, "inbrott": 0.08, "stold": 0.16,
                     "ordningsstorning": 0.08, "ovrigt": 0.02}
_OBSERVATION_WEIGHTS = {"belysning": 0.18, "vegetation": 0.12, "klotter": 0.16,
                        "skadegorelse": 0.08, "nedskrapning": 0.14, "missbruk": 0.08,
                        "samlingsplats": 0.12, "otrygg_passage": 0.06, "trafik": 0.03,
                        "olovlig_bosattning": 0.02, "ovrigt": 0.01}
_STORY_CATEGORIES = {
    "incident": {"Kämpetorpsskolan": {"skadegorelse": 0.4, "ordningsstorning": 0.3,
                                      "narkotikabrott": 0.3},
                 "Fruängen centrum": {"stold": 0.4, "ordningsstorning": 0.3, "personran": 0.3},
                 "Älvsjö station": {"personran": 0.3, "narkotikabrott": 0.4,
                                    "vald_offentlig_miljo": 0.3}},
    "observation": {"Kämpetorpsskolan": {"samlingsplats": 0.5, "nedskrapning": 0.3,
                                         "skadegorelse": 0.2},
                    "Fruängen centrum": {"samlingsplats": 0.5, "belysning": 0.5},
                    "Älvsjö station": {"otrygg_passage": 0.5, "missbruk": 0.5}},
}
# per year at 20,000 incidents (scaled with n); (σ m, years, evening only)
_STORY_SIZES = {"Kämpetorpsskolan": (45, 40.0), "Fruängen centrum": (90, 60.0),
                "Älvsjö station": (110, 60.0)}
#: month weights September … August (seasons)
_MONTHS = np.array([1.05, 1.0, 0.9, 0.85, 0.8, 0.75, 0.85, 1.0, 1.15, 1.2, 1.15, 1.1])
_HOURS_RESIDENTIAL = np.array([5, 4, 3, 2, 1, 1, 1, 2, 3, 3, 3, 4, 4, 4, 5, 6, 7, 8, 9, 9, 9,
                               8, 7, 6], dtype=float)
_HOURS_MOVEMENT = np.array([3, 2, 2, 1, 1, 2, 4, 8, 8, 5, 4, 5, 6, 5, 5, 6, 8, 9, 8, 6, 5, 5,
                            4, 4], dtype=float)
_HOURS_UNIFORM = np.ones(24)


def _days(rng: np.random.Generator, n: int, first: pd.Timestamp, last: pd.Timestamp,
          *, weekdays_only: bool = False) -> pd.DatetimeIndex:
    """``n`` local dates between ``first`` and ``last`` (exclusive), weighted by season."""
    days = pd.date_range(first, last - pd.Timedelta(days=1), freq="D")
    month_idx = (days.month.to_numpy() - 9) % 12
    w = _MONTHS[month_idx] * np.where(days.day_of_week.to_numpy() >= 5, 1.1, 1.0)
    if weekdays_only:
        w = w * (days.day_of_week.to_numpy() < 5)
    return days[rng.choice(len(days), size=n, p=w / w.sum())]


def _times(rng: np.random.Generator, n: int, hours: NDArray[np.float64],
           first: pd.Timestamp = pd.Timestamp("2019-09-01"),
           last: pd.Timestamp = pd.Timestamp("2023-09-01"), *,
           weekdays_only: bool = False) -> pd.DatetimeIndex:
    local = (_days(rng, n, first, last, weekdays_only=weekdays_only)
             + pd.to_timedelta(rng.choice(24, n, p=hours / hours.sum()), "h")
             + pd.to_timedelta(rng.integers(0, 60, n), "min"))
    return pd.DatetimeIndex(local).tz_localize(
        "Europe/Stockholm", ambiguous="NaT", nonexistent="shift_forward").tz_convert("UTC")


def _inside(district: shapely.Geometry, x: NDArray[np.float64], y: NDArray[np.float64]
            ) -> NDArray[np.bool_]:
    lon, lat = transformer(METRIC, WGS84).transform(x, y)
    return np.asarray(shapely.contains_xy(district, lon, lat))


def _around(rng: np.random.Generator, district: shapely.Geometry, cx: NDArray[np.float64],
            cy: NDArray[np.float64], sigma: float, n: int) -> tuple[NDArray[np.float64], ...]:
    """``n`` points in the district, normal around randomly chosen centres."""
    xs: list[NDArray[np.float64]] = []
    ys: list[NDArray[np.float64]] = []
    got = 0
    while got < n and len(cx):
        k = max(2 * (n - got), 16)
        pick = rng.integers(0, len(cx), k)
        x = cx[pick] + rng.normal(0, sigma, k)
        y = cy[pick] + rng.normal(0, sigma, k)
        keep = _inside(district, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        got += int(keep.sum())
    x = np.concatenate(xs)[:n] if xs else np.zeros(0)
    y = np.concatenate(ys)[:n] if ys else np.zeros(0)
    return x, y


def _uniform(rng: np.random.Generator, district: shapely.Geometry, n: int
             ) -> tuple[NDArray[np.float64], ...]:
    to_m = transformer(WGS84, METRIC)
    d = shapely.transform(district, lambda c: np.column_stack(to_m.transform(c[:, 0], c[:, 1])))
    x0, y0, x1, y1 = shapely.bounds(d)
    xs: list[NDArray[np.float64]] = []
    ys: list[NDArray[np.float64]] = []
    got = 0
    while got < n:
        k = 3 * (n - got) + 16
        x = rng.uniform(x0, x1, k)
        y = rng.uniform(y0, y1, k)
        keep = _inside(district, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        got += int(keep.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def generate(
    sites: pd.DataFrame, district: shapely.Geometry, n: int, kind: str, seed: int,
    *, stories: bool = True,
) -> pd.DataFrame:
    """About ``n`` synthetic points of ``kind`` ("incident"/"observation") as an insert frame:
    the background and (``stories``) the planted stories, scaled to ``n``."""
    rng = np.random.default_rng(seed + (0 if kind == "incident" else 1_000_003))
    to_m = transformer(WGS84, METRIC)
    sx, sy = (np.asarray(a, dtype="float64") for a in
              to_m.transform(sites["lon"].to_numpy(dtype="float64"),
                             sites["lat"].to_numpy(dtype="float64")))
    kinds = sites["kind"].to_numpy(dtype=object)
    names = sites["name"].astype(str).to_numpy()
    scale = n / (20_000 if kind == "incident" else 2_000) * (1.0 if kind == "incident" else 0.1)
    story_parts = []
    if stories:
        for name, (per_year, sigma) in _STORY_SIZES.items():
            hit = np.flatnonzero(names == name)
            if len(hit) == 0:
                continue
            i = int(hit[0])
            if name == "Kämpetorpsskolan":
                k = int(round(per_year * scale))
                t = _times(rng, k, np.r_[np.zeros(18), np.ones(5), np.zeros(1)],
                           LAST_YEAR, pd.Timestamp("2023-09-01"), weekdays_only=True)
            elif name == "Fruängen centrum":
                k_before = int(round(per_year * 3 * scale))
                k_after = int(round(per_year / 30 * scale))
                t = _times(rng, k_before, _HOURS_MOVEMENT, pd.Timestamp("2019-09-01"),
                           MEASURE_START).append(
                    _times(rng, k_after, _HOURS_MOVEMENT, MEASURE_START,
                           pd.Timestamp("2023-09-01")))
                k = k_before + k_after
            else:
                k = int(round(per_year * 4 * scale))
                t = _times(rng, k, _HOURS_MOVEMENT)
            x, y = _around(rng, district, sx[i:i + 1], sy[i:i + 1], sigma, k)
            story_parts.append((x, y, t[: len(x)], name))
    n_story = sum(len(p[0]) for p in story_parts)
    n_bg = max(0, n - n_story)
    n_res, n_move = n_bg // 2, n_bg // 5
    n_uni = n_bg - n_res - n_move
    res = np.isin(kinds, ["school", "preschool", "playground"])
    move = np.isin(kinds, ["station", "centre"])
    parts = [(*_around(rng, district, sx[res], sy[res], 400.0, n_res), _HOURS_RESIDENTIAL),
             (*_around(rng, district, sx[move], sy[move], 650.0, n_move), _HOURS_MOVEMENT),
             (*_uniform(rng, district, n_uni), _HOURS_UNIFORM)]
    xs = [p[0] for p in parts]
    ys = [p[1] for p in parts]
    ts = [_times(rng, len(p[0]), p[2]) for p in parts]
    weights = _INCIDENT_WEIGHTS if kind == "incident" else _OBSERVATION_WEIGHTS
    codes = np.array(list(weights))
    p = np.array(list(weights.values()))
    cats = [rng.choice(codes, len(x), p=p / p.sum()) for x in xs]
    for x, y, t, name in story_parts:
        w = _STORY_CATEGORIES[kind][name]
        xs.append(x)
        ys.append(y)
        ts.append(t)
        cats.append(rng.choice(np.array(list(w)), len(x), p=np.array(list(w.values()))))
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    lon, lat = transformer(METRIC, WGS84).transform(x, y)
    occurred = pd.DatetimeIndex(np.concatenate([np.asarray(t.as_unit("ns").asi8) for t in ts])
                                ).tz_localize("UTC") if len(x) else pd.DatetimeIndex([], tz="UTC")
    m = len(x)
    frame = pd.DataFrame({
        "source": "demo",
        "external_id": [f"demo-{kind[0]}-{seed}-{i}" for i in range(m)],
        "category": np.concatenate(cats) if cats else np.zeros(0, dtype=object),
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


