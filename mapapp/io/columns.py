"""Which column is which: Swedish and English names of the point formats, and the bridge from a
read file (:class:`~mapapp.io.tabular.RawTable`, :class:`~mapapp.io.vector.VectorFile`) to the
rows :func:`mapapp.io.validate.check_points` checks.

Names are matched without case, diacritics or punctuation ("Källa" = "kalla" = "KÄLLA").
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import shapely

from mapapp.categories import RATING_KEYS, Kind
from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import Message
from mapapp.io.tabular import Columns, RawTable, match_columns, text_column
from mapapp.io.validate import PointsInput, parse_number
from mapapp.io.vector import VectorFile

POINT_COLUMNS: dict[str, tuple[str, ...]] = {
    "category": ("kategori", "brottskategori", "brottstyp", "typ av händelse"),
    "occurred_at": ("tidpunkt", "tid", "datum", "datum tid", "date", "time", "datetime",
                    "timestamp", "occurred", "händelsetid", "brottsdatum", "observerad"),
    "lat": ("latitud", "latitude", "breddgrad", "lat wgs84"),
    "lon": ("lng", "long", "longitud", "longitude", "längdgrad", "lon wgs84"),
    "x": ("easting", "east", "e", "öst", "x koordinat", "koordinat east", "östkoordinat"),
    "y": ("northing", "north", "n", "nord", "y koordinat", "koordinat north", "nordkoordinat"),
    "id": ("external id", "extern id", "ärendenummer", "ärende", "löpnummer", "diarienummer",
           "händelse id", "uuid"),
    "description": ("beskrivning", "text", "kommentar", "anteckning", "notering", "note",
                    "notes", "fritext"),
    "source": ("källa",),
    "place_name": ("plats", "platsnamn", "place", "adress", "address", "gatuadress"),
}
RATING_COLUMNS: dict[str, tuple[str, ...]] = {
    "belysning": ("lighting",), "oppenhet": ("öppenhet", "openness"),
    "synlighet": ("visibility",), "folkliv": ("people",),
    "trygghetskansla": ("trygghetskänsla", "feeling", "feeling of safety"),
}
OBSERVATION_COLUMNS: dict[str, tuple[str, ...]] = {
    **{k: RATING_COLUMNS[k] for k in RATING_KEYS},
    "accuracy_m": ("accuracy", "noggrannhet", "precision m"),
}
REQUIRED = ("category", "occurred_at")


def _names(canon: str) -> str:
    return ", ".join((canon, *POINT_COLUMNS[canon]))


def require_columns(found: dict[str, str], columns: Columns, *,
                    need_coords: bool = True) -> None:
    problems = [Problem(None, c, "io.file.missing_column",
                        {"column": c, "names": _names(c), "found": columns})
                for c in REQUIRED if c not in found]
    has_ll = "lat" in found and "lon" in found
    has_xy = "x" in found and "y" in found
    if need_coords and not (has_ll or has_xy):
        problems.append(Problem(None, "lat", "io.file.missing_coords", {"found": columns}))
    if problems:
        raise DataValidationError(problems)


def ratings_and_accuracy(
    frame: pd.DataFrame, found: dict[str, str], where: PointsInput | None = None,
) -> tuple[pd.DataFrame, list[tuple[int, str, str]], list[tuple[int, str, str, str]]]:
    """Observation extras: ``ratings`` (dict of the 0–3 ratings present, or None) and
    ``accuracy_m``. Returns (extra, [], bad) where bad = (position, field, key, value)."""
    n = len(frame)
    bad: list[tuple[int, str, str, str]] = []
    cols = {}
    for key in RATING_KEYS:
        if key not in found:
            continue
        raw = text_column(frame, found[key])
        v, missing, nan, inf = parse_number(raw)
        wrong = ~missing & (nan | inf | ~np.isin(v, [0, 1, 2, 3]))
        for p in np.flatnonzero(wrong).tolist():
            bad.append((p, key, "io.row.rating_bad", raw.iloc[p]))
        cols[key] = np.where(missing | wrong, np.nan, v)
    extra = pd.DataFrame(index=range(n))
    if cols:
        keys = list(cols)
        mat = np.column_stack([cols[k] for k in keys])
        extra["ratings"] = [
            {k: int(x) for k, x in zip(keys, row, strict=True) if not np.isnan(x)} or None
            for row in mat.tolist()
        ]
    if "accuracy_m" in found:
        raw = text_column(frame, found["accuracy_m"])
        v, missing, nan, inf = parse_number(raw)
        for p in np.flatnonzero(nan | inf).tolist():
            bad.append((p, "accuracy_m", "io.row.accuracy_bad", raw.iloc[p]))
        extra["accuracy_m"] = np.where(missing | nan | inf, np.nan, v)
    return extra, [], bad


def _points_input(frame: pd.DataFrame, found: dict[str, str], rows: np.ndarray, kind: Kind,
                  where_key: str, xy: tuple[np.ndarray, np.ndarray] | None = None,
                  crs: str | None = None) -> PointsInput:
    canon = pd.DataFrame(index=frame.index)
    for c in POINT_COLUMNS:
        if c in found:
            canon[c] = text_column(frame, found[c])
    coords: Literal["latlon", "xy"] = "latlon"
    if xy is not None:
        canon = canon.drop(columns=[c for c in ("lat", "lon", "x", "y") if c in canon.columns])
        canon["x"], canon["y"] = xy
        coords = "xy"
    elif not ("lat" in canon.columns and "lon" in canon.columns):
        coords = "xy"
    inp = PointsInput(canon.reset_index(drop=True), rows, coords, crs=crs, where_key=where_key)
    if kind == "observation":
        extra, _, bad = ratings_and_accuracy(frame.reset_index(drop=True), found)
        if len(extra.columns):
            inp.extra = extra
        for p, fld, key, value in bad:
            inp.pre_problems.append((p, fld,
                Message(key, {"where": inp.where(p), "field": fld, "value": value})))
    return inp


def from_table(raw: RawTable, kind: Kind) -> PointsInput:
    """Rows of a CSV/XLSX file; raises if a required column is missing."""
    spec = {**POINT_COLUMNS, **(OBSERVATION_COLUMNS if kind == "observation" else {})}
    found, unused = match_columns(list(raw.frame.columns), spec)
    require_columns(found, raw.columns())
    inp = _points_input(raw.frame, found, raw.rows, kind, "io.where.row")
    inp.messages = list(raw.messages)
    if unused:
        inp.messages.append(Message("io.file.ignored_columns", {"columns": raw.columns(unused)}))
    return inp


def from_vector(vf: VectorFile, kind: Kind) -> PointsInput:
    """Point features; other geometry types and empty geometries are per-feature problems."""
    gdf = vf.gdf
    attrs = [c for c in gdf.columns if c != gdf.geometry.name]
    frame = pd.DataFrame({c: gdf[c].astype("str").where(gdf[c].notna(), "") for c in attrs})
    spec = {**POINT_COLUMNS, **(OBSERVATION_COLUMNS if kind == "observation" else {})}
    found, unused = match_columns(attrs, spec)
    require_columns(found, Columns(tuple(attrs)), need_coords=False)
    geoms = gdf.geometry.to_numpy()
    n = len(gdf)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = np.array(["" if m else g.geom_type for g, m in zip(geoms, missing, strict=True)],
                     dtype=object)
    single = (types == "MultiPoint") & (shapely.get_num_geometries(geoms) == 1)
    is_point = (types == "Point") | single
    pts = geoms.copy()
    pts[single] = shapely.get_geometry(geoms[single], 0)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    x[is_point] = shapely.get_x(pts[is_point])
    y[is_point] = shapely.get_y(pts[is_point])
    rows = np.arange(1, n + 1, dtype=np.int64)
    inp = _points_input(frame, found, rows, kind, "io.where.feature", xy=(x, y),
                        crs=vf.crs)
    for p in np.flatnonzero(missing).tolist():
        inp.pre_problems.append((p, "geometry", Message("io.row.geometry_missing", {"where": inp.where(p)})))
    for p in np.flatnonzero(~missing & ~is_point).tolist():
        inp.pre_problems.append((p, "geometry",
            Message("io.row.geometry_not_point", {"where": inp.where(p), "geom_type": types[p]})))
    inp.coord_skip = ~is_point  # already reported: no second "x is missing"
    if unused:
        inp.messages.append(Message("io.file.ignored_columns", {"columns": ", ".join(unused)}))
    return inp
