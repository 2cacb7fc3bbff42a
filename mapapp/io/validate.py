"""The checks every imported point goes through, vectorised (no Python loop over valid rows;
messages are built only for the bad ones).

Coordinates
    ``lat``/``lon`` are WGS84 degrees; decimal comma and point both work. ``x``/``y`` (or
    geometries) are in ``--crs`` or the file's CRS. Without a CRS, projected magnitudes are
    tried as SWEREF 99 TM (EPSG:3006) and SWEREF 99 18 00 (EPSG:3011): if exactly one puts
    (nearly) every point in the Stockholm region it is applied and the report says so,
    otherwise the file is refused with a suggestion of ``--crs``. Per row: missing, not a
    number, NaN/inf, lat/lon swapped (the swapped pair lands in the region), degrees out of
    range, x/y swapped (northing in x), and outside the district (refused unless
    ``keep_outside``; a point on the district border is inside).
Categories
    a code or Swedish/English label of :mod:`mapapp.categories`; unknown ones list the allowed.
Times
    ISO 8601 (``2024-03-05 21:14``, ``2024-03-05T21:14:00+01:00``, ``…Z``, a date alone, an
    unpadded hour, Swedish ``21.14``). Without a zone a time is Europe/Stockholm local time
    (an ambiguous autumn hour is read as summer time; a skipped spring hour is moved
    forward). Times more than 10 minutes after the import are refused as future.
Identity
    ``external_id`` is the file's ``id``; where there is none, ``"sha1:"`` + the SHA-1 of
    ``category|occurred_at (UTC ISO)|lon|lat|description`` (6 decimals), so importing the same
    rows again adds nothing. The same id twice in one file is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from mapapp.categories import AllowedCategories, Kind, resolve
from mapapp.crs import SWEREF99_1800, SWEREF99_TM, WGS84, normalise, transformer
from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import Message
from mapapp.timezone import LOCAL_TZ

REGION_PAD_DEG = 0.25
FUTURE_TOLERANCE = timedelta(minutes=10)
CRS_CANDIDATES = (SWEREF99_TM, SWEREF99_1800)
_NONFINITE = {"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
_TZ_SUFFIX = r"(?:[zZ]|[+-]\d\d(?::?\d\d)?)$"
FIELD_ORDER = {f: i for i, f in enumerate(
    ("lat", "lon", "x", "y", "geometry", "category", "occurred_at", "id"))}


@dataclass
class PointsInput:
    """Rows of points read from a file, as text (or floats for x/y from a geometry).

    ``frame`` has the canonical columns it found: ``category``, ``occurred_at``, ``lat`` +
    ``lon`` or ``x`` + ``y``, optional ``id``, ``description``, ``source``, ``place_name``.
    ``extra`` holds already-parsed columns copied to the output as they are (observation
    ratings, accuracy_m, …); ``pre_problems`` problems the reader found: (position, field,
    message).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    coords: Literal["latlon", "xy"]
    crs: str | None = None
    where_key: str = "io.where.row"
    where_ids: np.ndarray | None = None
    extra: pd.DataFrame | None = None
    pre_problems: list[tuple[int, str, Message | str]] = field(default_factory=list)
    precision: str = "exact"
    messages: list[Message] = field(default_factory=list)  # notes on the reading (keys)
    coord_skip: np.ndarray | None = None  # rows whose position is already reported

    def where(self, pos: int) -> Message:
        """Where a row is ("rad 4", "händelse 1 (id 5)"), as a :class:`Message`."""
        ident = "" if self.where_ids is None else self.where_ids[pos]
        return Message(self.where_key, {"n": int(self.rows[pos]), "id": ident})


@dataclass
class Checked:
    """The outcome of :func:`check_points`."""

    valid: pd.DataFrame  # ready for store.points.insert_points
    valid_pos: np.ndarray
    rejected_pos: np.ndarray
    reasons: dict[int, list[Message | str]]  # per rejected position, for the rejects file
    problems: list[Problem]
    messages: list[Message]
    outside: int
    hashed: np.ndarray  # valid rows whose external_id is a content hash (they may repeat)


class Collector:
    """Problems per input position, turned into sorted :class:`Problem` rows at the end. A
    problem is kept as a message key and its parameters (the row's place among them), so the
    :class:`Problem` carries the key."""

    def __init__(self, inp: PointsInput) -> None:
        self.inp = inp
        self.items: list[tuple[int, str, Message | str]] = list(inp.pre_problems)

    def add(self, positions: np.ndarray, fld: str, key: str, **per_row: Any) -> None:
        """One message per position; ``per_row`` values are arrays aligned with positions
        (or scalars)."""
        for i, pos in enumerate(np.asarray(positions).tolist()):
            params = {k: (v[i] if isinstance(v, np.ndarray | list) else v)
                      for k, v in per_row.items()}
            self.items.append((pos, fld, Message(key, {"where": self.inp.where(pos), **params})))

    def bad_mask(self, n: int) -> np.ndarray:
        mask = np.zeros(n, dtype=bool)
        if self.items:
            mask[np.fromiter((p for p, _, _ in self.items), dtype=np.int64)] = True
        return mask

    def problems(self) -> list[Problem]:
        items = sorted(self.items, key=lambda x: (x[0], FIELD_ORDER.get(x[1], 99)))
        return [Problem(int(self.inp.rows[p]), f, m.key, dict(m.params)) if isinstance(m, Message)
                else Problem(int(self.inp.rows[p]), f, m) for p, f, m in items]

    def reasons(self) -> dict[int, list[Message | str]]:
        out: dict[int, list[Message | str]] = {}
        for p, _, m in self.items:
            out.setdefault(p, []).append(m)
        return out


# --- numbers and coordinates -----------------------------------------------------------------

def parse_number(col: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(values, missing, not_a_number, not_finite) for a text or numeric column. Decimal comma,
    spaces and non-breaking spaces are accepted."""
    if pd.api.types.is_numeric_dtype(col.dtype):
        v = col.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(v)
        return v, missing, np.zeros(len(v), bool), np.isinf(v)
    s = col.fillna("").astype("str").str.strip()
    missing = (s == "").to_numpy(dtype=bool)
    v = _arrow_float(s)
    if v is None:
        v = np.array(pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64",
                                                              na_value=np.nan))
    retry = ~missing & np.isnan(v)
    if retry.any():  # decimal comma, thousands spaces: only the rows that need it
        idx = np.flatnonzero(retry)
        cleaned = s.iloc[idx].str.replace(",", ".", regex=False).str.replace(
            r"[\s\u00a0\u202f]", "", regex=True)
        v[idx] = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype="float64",
                                                                  na_value=np.nan)
    bad = ~missing & ~np.isfinite(v)
    nonfinite = np.zeros(len(v), dtype=bool)
    if bad.any():
        idx = np.flatnonzero(bad)
        low = s.iloc[idx].str.lower().str.replace(" ", "", regex=False).to_numpy(dtype=object)
        nonfinite[idx] = np.isin(low, list(_NONFINITE))
    return v, missing, bad & ~nonfinite, nonfinite


def _arrow_float(s: pd.Series) -> np.ndarray | None:
    """Fast path: the whole column cast by Arrow (decimal comma allowed); None when any cell
    is not a plain number (the caller then parses cell by cell)."""
    try:
        arr = pa.array(s, type=pa.string(), from_pandas=True)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        try:
            out = pc.cast(arr, pa.float64())
        except pa.ArrowInvalid:
            out = pc.cast(pc.replace_substring(arr, ",", "."), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    return np.array(out.fill_null(np.nan).to_numpy(zero_copy_only=False), dtype="float64")


def region_of(district: shapely.Geometry) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = shapely.bounds(district)
    p = REGION_PAD_DEG
    return (xmin - p, ymin - p, xmax + p, ymax + p)


def in_box(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    return (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])


def guess_crs(x: np.ndarray, y: np.ndarray, region: tuple[float, float, float, float]) -> str | None:
    """The one candidate CRS that puts >= 95 % of the points in the region, else None."""
    ok = np.isfinite(x) & np.isfinite(y)
    xs, ys = x[ok], y[ok]
    if len(xs) == 0:
        return None
    if len(xs) > 20_000:
        pick = np.random.default_rng(0).choice(len(xs), 20_000, replace=False)
        xs, ys = xs[pick], ys[pick]
    fits = []
    for crs in CRS_CANDIDATES:
        lon, lat = transformer(crs, WGS84).transform(xs, ys)
        if np.mean(in_box(np.asarray(lon), np.asarray(lat), region)) >= 0.95:
            fits.append(crs)
    return fits[0] if len(fits) == 1 else None


def _fmt(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".") if np.isfinite(v) else str(v)


def coordinates(
    inp: PointsInput, col: Collector, *, crs_option: str | None, district: shapely.Geometry,
    keep_outside: bool, messages: list[Message],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lon, lat, outside) in WGS84; bad rows are reported to ``col``. Raises for file-level
    problems (an unknown or undecidable CRS)."""
    f = inp.frame
    n = len(f)
    names = ("lon", "lat") if inp.coords == "latlon" else ("x", "y")
    a, a_miss, a_nan, a_inf = parse_number(f[names[0]])
    b, b_miss, b_nan, b_inf = parse_number(f[names[1]])
    if inp.coord_skip is not None:
        keep = ~inp.coord_skip
        a_miss, a_nan, a_inf = a_miss & keep, a_nan & keep, a_inf & keep
        b_miss, b_nan, b_inf = b_miss & keep, b_nan & keep, b_inf & keep
        a = np.where(keep, a, np.nan)
        b = np.where(keep, b, np.nan)
    for name, miss, nan, inf in ((names[0], a_miss, a_nan, a_inf),
                                 (names[1], b_miss, b_nan, b_inf)):
        raw = f[name]
        if miss.any():
            col.add(np.flatnonzero(miss), name, "io.row.coord_missing", field=name)
        if nan.any():
            idx = np.flatnonzero(nan)
            col.add(idx, name, "io.row.coord_not_number", field=name,
                    value=raw.iloc[idx].astype(str).tolist())
        if inf.any():
            idx = np.flatnonzero(inf)
            col.add(idx, name, "io.row.coord_not_finite", field=name,
                    value=raw.iloc[idx].astype(str).tolist())
    finite = np.isfinite(a) & np.isfinite(b)
    region = region_of(district)
    crs = crs_option or inp.crs
    if crs is not None:
        try:
            crs = normalise(crs)
        except Exception as exc:  # pyproj raises its own CRSError
            raise DataValidationError([Problem(None, "crs", "io.file.crs_bad",
                                               {"crs": crs})]) from exc
    projected = False
    if crs is None:
        looks_projected = finite & ((np.abs(a) > 180) | (np.abs(b) > 90))
        if finite.any() and looks_projected.sum() > 0.5 * finite.sum():
            projected = True
        elif inp.coords == "xy" and finite.any():
            messages.append(Message("io.crs.degrees"))
    if projected or (crs is not None and crs != WGS84):
        # x/y in metres: northing in the x column means the columns are swapped.
        swapped = finite & (a > 2_000_000) & (b < 2_000_000) & (b > 0)
        if swapped.any():
            idx = np.flatnonzero(swapped)
            col.add(idx, names[0], "io.row.swapped", a=names[0], b=names[1],
                    va=[_fmt(v) for v in a[idx]], vb=[_fmt(v) for v in b[idx]])
        usable = finite & ~swapped
        if crs is None:
            crs = guess_crs(a[usable], b[usable], region)
            if crs is None:
                i = int(np.flatnonzero(usable)[0]) if usable.any() else 0
                raise DataValidationError([Problem(None, names[0], "io.crs.unknown",
                                                   {"example": f"{_fmt(a[i])}, {_fmt(b[i])}"})])
            messages.append(Message("io.crs.guessed", {"crs": crs}))
        else:
            messages.append(Message("io.crs.transformed", {"crs": crs}))
        lon = np.full(n, np.nan)
        lat = np.full(n, np.nan)
        if usable.any():
            lo, la = transformer(crs, WGS84).transform(a[usable], b[usable])
            lon[usable], lat[usable] = lo, la
        bad_coord = ~usable
    else:
        lon, lat = a, b
        bad_coord = ~finite
        swapped = finite & ~in_box(lon, lat, region) & in_box(lat, lon, region)
        if swapped.any():
            idx = np.flatnonzero(swapped)
            raw_lat = _raw_text(f, "lat" if inp.coords == "latlon" else "y", idx, lat)
            raw_lon = _raw_text(f, "lon" if inp.coords == "latlon" else "x", idx, lon)
            col.add(idx, "lat", "io.row.swapped", a="lat", b="lon", va=raw_lat, vb=raw_lon)
        out_of_range = finite & ~swapped & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
        if out_of_range.any():
            idx = np.flatnonzero(out_of_range)
            col.add(idx, "lat", "io.row.coord_range", lat=[_fmt(v) for v in lat[idx]],
                    lon=[_fmt(v) for v in lon[idx]])
        bad_coord = bad_coord | swapped | out_of_range
    check = ~bad_coord & np.isfinite(lon) & np.isfinite(lat)
    outside = np.zeros(n, dtype=bool)
    if check.any():
        shapely.prepare(district)
        idx = np.flatnonzero(check)
        inside = shapely.intersects_xy(district, lon[idx], lat[idx])
        outside[idx[~inside]] = True
    if outside.any() and not keep_outside:
        idx = np.flatnonzero(outside)
        col.add(idx, "lon", "io.row.outside", lon=[_fmt(v) for v in lon[idx]],
                lat=[_fmt(v) for v in lat[idx]])
    return lon, lat, outside


def _raw_text(f: pd.DataFrame, name: str, idx: np.ndarray, values: np.ndarray) -> list[str]:
    if name in f.columns and not pd.api.types.is_numeric_dtype(f[name].dtype):
        return f[name].iloc[idx].astype(str).str.strip().tolist()
    return [_fmt(v) for v in values[idx]]


# --- times -----------------------------------------------------------------------------------

def parse_times(col: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(UTC times, missing, unreadable). Local times are Europe/Stockholm."""
    s = col.fillna("").astype("str").str.strip()
    n = len(s)
    missing = (s == "").to_numpy(dtype=bool)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us, UTC]")
    if n == 0:
        return out, missing, np.zeros(0, bool)
    _parse_into(out, s, ~missing)
    bad = ~missing & out.isna().to_numpy(dtype=bool)
    if bad.any():  # Swedish "21.14" for 21:14: only where plain ISO failed
        retry = bad & s.str.contains(r"^\d{4}-\d\d-\d\d[ T]\d{1,2}\.\d\d(?:\.\d\d)?$",
                                     regex=True).to_numpy(dtype=bool)
        if retry.any():
            _parse_into(out, s.where(~retry, s.str.replace(".", ":", regex=False)), retry)
            bad = ~missing & out.isna().to_numpy(dtype=bool)
    return out, missing, bad


def _parse_into(out: pd.Series, s: pd.Series, rows: np.ndarray) -> None:
    """Parse ``s[rows]`` into ``out`` (UTC): with a zone as written, without as local time."""
    aware = s.str.contains(_TZ_SUFFIX, regex=True).to_numpy(dtype=bool) & rows
    naive = ~aware & rows
    if aware.any():
        out[aware] = pd.to_datetime(s[aware], format="ISO8601", errors="coerce", utc=True)
    if naive.any():
        local = pd.to_datetime(s[naive], format="ISO8601", errors="coerce")
        ambiguous = np.ones(int(naive.sum()), dtype=bool)
        local = local.dt.tz_localize(LOCAL_TZ, ambiguous=ambiguous,
                                     nonexistent="shift_forward")
        out[naive] = local.dt.tz_convert("UTC")


def check_times(inp: PointsInput, col: Collector, now: datetime) -> pd.Series:
    times, missing, bad = parse_times(inp.frame["occurred_at"])
    if missing.any():
        col.add(np.flatnonzero(missing), "occurred_at", "io.row.time_missing")
    if bad.any():
        idx = np.flatnonzero(bad)
        col.add(idx, "occurred_at", "io.row.time_bad",
                value=inp.frame["occurred_at"].iloc[idx].astype(str).tolist())
    limit = pd.Timestamp(now + FUTURE_TOLERANCE).tz_convert("UTC") if now.tzinfo else \
        pd.Timestamp(now + FUTURE_TOLERANCE, tz="UTC")
    future = (times > limit).to_numpy(dtype=bool)
    if future.any():
        idx = np.flatnonzero(future)
        col.add(idx, "occurred_at", "io.row.time_future",
                value=inp.frame["occurred_at"].iloc[idx].astype(str).tolist())
    return times


# --- categories, ids -------------------------------------------------------------------------

def check_categories(inp: PointsInput, col: Collector, kind: Kind) -> pd.Series:
    s = inp.frame["category"].fillna("").astype("str").str.strip()
    inverse, uniq = pd.factorize(s)
    mapped = np.array([resolve(kind, u) if u else None for u in uniq] + [None], dtype=object)
    codes = pd.Series(mapped[inverse], index=s.index, dtype=object)  # -1 picks the None
    missing = (s == "").to_numpy(dtype=bool)
    unknown = codes.isna().to_numpy(dtype=bool) & ~missing
    allowed = AllowedCategories(kind)
    if missing.any():
        col.add(np.flatnonzero(missing), "category", "io.row.category_missing", allowed=allowed)
    if unknown.any():
        idx = np.flatnonzero(unknown)
        col.add(idx, "category", "io.row.category_unknown", value=s.iloc[idx].tolist(),
                allowed=allowed)
    return codes


def content_ids(category: pd.Series, times: pd.Series, lon: np.ndarray, lat: np.ndarray,
                description: pd.Series) -> np.ndarray:
    """"sha1:<hex>" of category|time|lon|lat|description per row."""
    iso = times.dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("")
    lo = np.char.mod("%.6f", lon)
    la = np.char.mod("%.6f", lat)
    key = (category.astype("str").fillna("") + "|" + iso.astype("str") + "|"
           + pd.Series(lo, index=category.index) + "|" + pd.Series(la, index=category.index)
           + "|" + description.astype("str").fillna(""))
    return np.array(["sha1:" + hashlib.sha1(k.encode("utf-8")).hexdigest()  # noqa: S324
                     for k in key.tolist()], dtype=object)


def repeated_ids(ids: pd.Series, inp: PointsInput, col: Collector,
                 shown: pd.Series | None = None) -> None:
    """The same non-empty id (key) on two rows of one file; ``shown`` is the id as written."""
    shown = ids if shown is None else shown
    codes, _ = pd.factorize(ids)
    dup = (np.bincount(codes)[codes] > 1) & (shown != "").to_numpy(dtype=bool)
    if not dup.any():
        return
    idx = np.flatnonzero(dup)
    sub = ids.iloc[idx]
    first_pos = sub.groupby(sub, sort=False).transform(lambda g: g.index.min())
    later = idx[(first_pos.to_numpy() != sub.index.to_numpy())]
    if len(later):
        firsts = [int(inp.rows[p]) for p in first_pos.loc[ids.index[later]].to_numpy()]
        col.add(later, "id", "io.row.id_repeated", value=shown.iloc[later].tolist(),
                first=firsts)


# --- everything ------------------------------------------------------------------------------

def check_points(
    inp: PointsInput, *, kind: Kind, district: shapely.Geometry, source: str,
    crs: str | None = None, keep_outside: bool = False, now: datetime | None = None,
    resolve_categories: bool = True,
) -> Checked:
    """Check every row; return the valid rows as a frame for ``insert_points`` plus every
    problem. File-level problems raise :class:`DataValidationError` at once."""
    f = inp.frame
    n = len(f)
    col = Collector(inp)
    messages = list(inp.messages)
    if "lon" in f.columns or "x" in f.columns:
        lon, lat, outside = coordinates(inp, col, crs_option=crs, district=district,
                                        keep_outside=keep_outside, messages=messages)
    else:  # unplaced by design (police events are placed by their reader)
        lon = np.full(n, np.nan)
        lat = np.full(n, np.nan)
        outside = np.zeros(n, dtype=bool)
    if resolve_categories:
        codes = check_categories(inp, col, kind)
    else:
        codes = f["category"].astype("str").str.strip().astype(object)
    times = check_times(inp, col, now or datetime.now(UTC))
    description = (f["description"].fillna("").astype("str") if "description" in f.columns
                   else pd.Series([""] * n, index=f.index, dtype="str"))
    ids = (f["id"].fillna("").astype("str").str.strip() if "id" in f.columns
           else pd.Series([""] * n, index=f.index, dtype="str"))
    if not source and "source" in f.columns:  # an id is unique per source
        key = f["source"].fillna("").astype("str").str.strip() + "\x00" + ids
        repeated_ids(key, inp, col, shown=ids)
    else:
        repeated_ids(ids, inp, col)
    bad = col.bad_mask(n)
    valid_pos = np.flatnonzero(~bad)
    rejected_pos = np.flatnonzero(bad)
    v = valid_pos
    if source:
        src = np.full(len(v), source, dtype=object)
    else:
        src = np.array(f["source"].fillna("").astype("str").str.strip().iloc[v], dtype=object)
        src[src == ""] = "import"
    ext = np.array(ids.iloc[v], dtype=object)
    need = ext == ""
    if need.any():
        sub = v[need]
        ext[need] = content_ids(codes.iloc[sub], times.iloc[sub], lon[sub], lat[sub],
                                description.iloc[sub])
    desc = np.array(description.iloc[v], dtype=object)
    desc[desc == ""] = None
    # object dtype on purpose: pandas would infer Arrow strings, which are slow to iterate
    # row by row where the rows are handed to the database driver.
    valid = pd.DataFrame({
        "source": pd.Series(src, dtype=object),
        "external_id": pd.Series(ext, dtype=object),
        "category": pd.Series(codes.iloc[v].to_numpy(dtype=object), dtype=object),
        "occurred_at": times.iloc[v].reset_index(drop=True),
        "description": pd.Series(desc, dtype=object),
        "lon": lon[v],
        "lat": lat[v],
        "precision": pd.Series(np.full(len(v), inp.precision, dtype=object), dtype=object),
    })
    if "place_name" in f.columns:
        pn = np.array(f["place_name"].fillna("").astype("str").str.strip().iloc[v], dtype=object)
        pn[pn == ""] = None
        valid["place_name"] = pd.Series(pn, dtype=object)
    if inp.extra is not None:
        for c in inp.extra.columns:
            arr = inp.extra[c].iloc[v].to_numpy()
            valid[c] = pd.Series(arr, dtype=object) if arr.dtype == object else arr
    return Checked(valid, valid_pos, rejected_pos, col.reasons(), col.problems(), messages,
                   int(outside[v].sum()), need)
