"""Incidents and observations: bulk writing and role-aware reading.

Writing (:func:`insert_points`) is one transaction: every row gets its zone and stadsdel by a
vectorised point-in-polygon join, and a row whose (source, external_id) is already stored is
skipped, so importing the same file again -- or retrying a submission -- stores nothing twice.
SQLite takes the rows through one ``executemany``; PostgreSQL through ``COPY`` into a temporary
table and one ``INSERT … ON CONFLICT DO NOTHING``.

Reading (:func:`load_points`) returns the *point frame* of :mod:`mapapp.analysis`. Roles
without :attr:`~mapapp.access.Perm.VIEW_SENSITIVE_POINTS` get the sensitive categories with no
position (``lon``/``lat`` NaN, ``precision`` "redacted"): they still count per zone, and are
never drawn as points. A ``vandrare`` sees only its own team's observations.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    Table,
    case,
    cast,
    func,
    literal,
    select,
)

from mapapp.access import Perm, Principal, Role
from mapapp.categories import SENSITIVE_CODES
from mapapp.errors import StoreError
from mapapp.store.district import area_ids
from mapapp.store.engine import bump_data_version, read_connection
from mapapp.store.models import Incident, Observation, Stadsdel, Zone
from mapapp.timezone import LOCAL_TZ

PointKind = Literal["incident", "observation"]
BASE_COLUMNS = ("source", "external_id", "category", "occurred_at", "local_day", "description",
                "lon", "lat", "precision", "place_name", "zone_id", "stadsdel_id", "import_id")
OBSERVATION_COLUMNS = ("walk_id", "ratings", "photo", "photo_mime", "site_id", "status", "owner",
                       "accuracy_m", "created_by", "team", "created_at", "updated_at")
_JSON_COLUMNS = {"ratings"}
_TIME_COLUMNS = {"occurred_at", "created_at", "updated_at"}
CHUNK = 100_000


def table_for(kind: PointKind) -> Table:
    return (Incident if kind == "incident" else Observation).__table__  # type: ignore[return-value]


def _utc_text(series: pd.Series) -> np.ndarray:
    """Aware datetimes -> SQLite text 'YYYY-MM-DDTHH:MM:SS+00:00' (vectorised)."""
    s = pd.to_datetime(series, utc=True)
    arr = s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[s]")
    text = np.datetime_as_string(arr, unit="s").astype(object)
    return np.asarray(np.where(pd.isna(s).to_numpy(), None, text + "+00:00"))


def _column_values(frame: pd.DataFrame, col: str, n: int, sqlite: bool) -> list[Any]:
    if col not in frame.columns:
        return [None] * n
    s = frame[col]
    if col == "local_day":
        local = pd.to_datetime(frame["occurred_at"], utc=True).dt.tz_convert(LOCAL_TZ)
        days = local.dt.tz_localize(None).to_numpy("datetime64[D]")
        text = np.datetime_as_string(days, unit="D").astype(object)
        text[pd.isna(local).to_numpy()] = None
        return list(text.tolist())
    if col in _TIME_COLUMNS:
        if sqlite:
            return list(_utc_text(s))
        return list(pd.to_datetime(s, utc=True).dt.to_pydatetime())
    if col in _JSON_COLUMNS:
        return [json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else None for v in s]
    if col in ("lon", "lat", "accuracy_m"):
        a = s.to_numpy(dtype="float64", na_value=np.nan)
        out = a.astype(object)
        out[~np.isfinite(a)] = None
        return list(out.tolist())
    if col in ("zone_id", "stadsdel_id", "import_id", "walk_id", "site_id"):
        a = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(a)
        out = np.where(missing, 0, a).astype(np.int64).astype(object)
        out[missing] = None
        return list(out.tolist())
    out = s.to_numpy(dtype=object, copy=True)
    out[pd.isna(out)] = None
    return list(out.tolist())


@dataclass(frozen=True)
class InsertResult:
    read: int
    written: int

    @property
    def duplicates(self) -> int:
        return self.read - self.written


def insert_points(
    conn: Connection,
    frame: pd.DataFrame,
    kind: PointKind,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> InsertResult:
    """Write ``frame`` inside the caller's transaction (``with engine.begin() as conn``).

    ``frame`` needs ``source``, ``external_id``, ``category``, ``occurred_at`` (aware), ``lon``,
    ``lat`` (NaN when unplaced); optional: the other columns of :data:`BASE_COLUMNS` (and
    :data:`OBSERVATION_COLUMNS` for observations). ``zone_id``/``stadsdel_id`` are computed here.
    Rows whose (source, external_id) exists are skipped. ``progress(done, total)`` is called
    per chunk.
    """
    n = len(frame)
    if n == 0:
        return InsertResult(0, 0)
    # copy-on-write (pandas 3): the columns added below do not copy the caller's frame
    frame = frame.reset_index(drop=True)
    lon = frame["lon"].to_numpy(dtype="float64", na_value=np.nan)
    lat = frame["lat"].to_numpy(dtype="float64", na_value=np.nan)
    zone_ids, sd_ids = area_ids(conn, lon, lat)
    frame["zone_id"] = zone_ids
    frame["stadsdel_id"] = sd_ids
    if "precision" not in frame.columns:
        frame["precision"] = "exact"
    frame["local_day"] = None  # computed from occurred_at in _column_values
    cols = list(BASE_COLUMNS) + (list(OBSERVATION_COLUMNS) if kind == "observation" else [])
    cols = [c for c in cols if c in frame.columns]
    table = table_for(kind)
    sqlite = conn.dialect.name == "sqlite"
    written = 0
    for start in range(0, n, CHUNK):
        part = frame.iloc[start:start + CHUNK]
        m = len(part)
        values = [_column_values(part, c, m, sqlite) for c in cols]
        rows = list(zip(*values, strict=True))
        write = _insert_sqlite if sqlite else _insert_postgres
        try:
            written += write(conn, table.name, cols, rows)
        except conn.dialect.loaded_dbapi.Error as exc:
            # The caller's transaction rolls back: nothing of this write is kept.
            raise StoreError(
                f"Skrivningen misslyckades och inget sparades / the write failed, nothing was "
                f"saved: {exc}"
            ) from exc
        if progress:
            progress(min(start + m, n), n)
    if written:
        bump_data_version(conn)
    return InsertResult(n, written)


def _insert_sqlite(
    conn: Connection, table: str, cols: list[str], rows: list[tuple[Any, ...]]
) -> int:
    # ON CONFLICT on the (source, external_id) key only: any other constraint still fails loudly
    # (INSERT OR IGNORE would silently drop e.g. a NOT NULL violation).
    sql = (f"INSERT INTO {table} ({', '.join(cols)}) "
           f"VALUES ({', '.join('?' for _ in cols)}) "
           f"ON CONFLICT (source, external_id) DO NOTHING")
    raw = conn.connection.driver_connection
    before = raw.total_changes  # type: ignore[union-attr]
    raw.executemany(sql, rows)  # type: ignore[union-attr]
    return int(raw.total_changes - before)  # type: ignore[union-attr]


def _insert_postgres(
    conn: Connection, table: str, cols: list[str], rows: list[tuple[Any, ...]]
) -> int:
    raw = conn.connection.driver_connection
    collist = ", ".join(cols)
    with raw.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS _stage_{table} "
            f"(LIKE {table} INCLUDING DEFAULTS EXCLUDING GENERATED) ON COMMIT DROP"
        )
        cur.execute(f"TRUNCATE _stage_{table}")
        with cur.copy(f"COPY _stage_{table} ({collist}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(
            f"INSERT INTO {table} ({collist}) SELECT {collist} FROM _stage_{table} "
            f"ON CONFLICT (source, external_id) DO NOTHING"
        )
        return int(cur.rowcount)


# --- reading -------------------------------------------------------------------------------

POINT_FRAME_COLUMNS = ["id", "kind", "source", "external_id", "category", "occurred_at", "lon",
                       "lat", "zone", "zone_id", "stadsdel", "precision", "description",
                       "sensitive"]


@dataclass(frozen=True)
class PointFilter:
    """What to load. None means all."""

    categories: Sequence[str] | None = None
    sources: Sequence[str] | None = None
    zone_ids: Sequence[int] | None = None
    start: datetime | None = None  # inclusive, aware
    end: datetime | None = None  # exclusive, aware
    walk_id: int | None = None


def load_points(
    engine: Engine, who: Principal, kind: PointKind, flt: PointFilter | None = None
) -> pd.DataFrame:
    """The point frame for ``who`` (see the module docstring for what each role gets)."""
    who.require(Perm.VIEW_AGGREGATES)
    flt = flt or PointFilter()
    t = table_for(kind)
    pg = engine.dialect.name == "postgresql"
    # PostgreSQL: epoch seconds (parsed vectorised below) instead of one datetime per row.
    when = func.extract("epoch", t.c.occurred_at) if pg else t.c.occurred_at
    cols = [t.c.id, t.c.source, t.c.external_id, t.c.category, when, t.c.lon, t.c.lat,
            t.c.zone_id, t.c.stadsdel_id, t.c.precision, t.c.description]
    names = ["id", "source", "external_id", "category", "occurred_at", "lon", "lat", "zone_id",
             "stadsdel_id", "precision", "description"]
    q = select(*cols)
    if flt.categories is not None:
        q = q.where(t.c.category.in_(list(flt.categories)))
    if flt.sources is not None:
        q = q.where(t.c.source.in_(list(flt.sources)))
    if flt.zone_ids is not None:
        q = q.where(t.c.zone_id.in_(list(flt.zone_ids)))
    if flt.start is not None or flt.end is not None:
        q = q.where(*_time_range(engine, t, flt))
    if kind == "observation":
        if flt.walk_id is not None:
            q = q.where(t.c.walk_id == flt.walk_id)
        if who.role == Role.VANDRARE:
            q = q.where(t.c.team == (who.team or ""))
    with read_connection(engine) as conn:
        # The DBAPI cursor's plain tuples: no per-row Row objects or type processing.
        rows = conn.execute(q.order_by(t.c.id)).cursor.fetchall()
        df = pd.DataFrame.from_records(rows, columns=names, coerce_float=False)
        if pg:
            df["occurred_at"] = pd.to_datetime(
                df["occurred_at"].astype("float64") * 1e6, unit="us", utc=True)
        zones = dict(conn.execute(select(Zone.id, Zone.name)).all())
        stadsdelar = dict(conn.execute(select(Stadsdel.id, Stadsdel.name)).all())
    return _to_point_frame(df, kind, who, zones, stadsdelar)


def _time_range(engine: Engine, t: Table, flt: PointFilter) -> list[Any]:
    """The WHERE terms of ``flt``'s time range. On SQLite a range that holds more than a tenth
    of the table is read by one pass over the table, not through the occurred_at index (which
    would look each row up in random order: 2-3x slower for a year of a million points); the
    share is counted on that index first, which is cheap."""
    when: Any = t.c.occurred_at
    terms = []
    if flt.start is not None:
        terms.append(when >= flt.start)
    if flt.end is not None:
        terms.append(when < flt.end)
    if engine.dialect.name != "sqlite":
        return terms
    with read_connection(engine) as conn:
        in_range = conn.execute(select(func.count()).select_from(t).where(*terms)).scalar_one()
        size = conn.execute(select(func.max(t.c.id))).scalar() or 0
    if in_range <= 0.1 * size:
        return terms
    # the same comparison, but on an expression: SQLite then does not use the index for it
    when = func.coalesce(t.c.occurred_at, t.c.occurred_at)
    return [when >= flt.start] if flt.end is None else (
        [when < flt.end] if flt.start is None else [when >= flt.start, when < flt.end])


def _to_point_frame(
    df: pd.DataFrame, kind: PointKind, who: Principal, zones: dict[int, str],
    stadsdelar: dict[int, str],
) -> pd.DataFrame:
    out = pd.DataFrame({"id": df["id"].astype("int64")}) if len(df) else pd.DataFrame(
        {"id": pd.Series(dtype="int64")})
    out["kind"] = kind
    out["source"] = df["source"].astype("category") if len(df) else pd.Series(dtype="object")
    out["external_id"] = df.get("external_id")
    out["category"] = df["category"].astype("category") if len(df) else pd.Series(dtype="object")
    out["occurred_at"] = pd.to_datetime(df["occurred_at"], utc=True, format="ISO8601")
    out["lon"] = pd.to_numeric(df["lon"], errors="coerce").astype("float64")
    out["lat"] = pd.to_numeric(df["lat"], errors="coerce").astype("float64")
    zid = pd.to_numeric(df["zone_id"], errors="coerce").astype("Int64")
    out["zone"] = zid.map(zones).astype("object").where(zid.notna(), None)
    out["zone_id"] = zid
    sid = pd.to_numeric(df["stadsdel_id"], errors="coerce")
    out["stadsdel"] = sid.map(stadsdelar).astype("object").where(sid.notna(), None)
    out["precision"] = df["precision"].astype("object")
    out["description"] = df["description"].astype("object")
    out["sensitive"] = df["category"].isin(list(SENSITIVE_CODES)).to_numpy(dtype=bool)
    if kind == "incident" and not who.can(Perm.VIEW_SENSITIVE_POINTS):
        mask = out["sensitive"].to_numpy()
        out.loc[mask, ["lon", "lat"]] = np.nan
        out.loc[mask, "precision"] = "redacted"
        out.loc[mask, "description"] = None
    return out[POINT_FRAME_COLUMNS]


@dataclass(frozen=True, eq=False)
class PointArrays:
    """The columns the map indexes, as numpy arrays -- one row per point of ``kind`` that the
    role may see, in id order, exactly as :func:`load_points` would give them:
    ``ns`` UTC epoch nanoseconds, ``category``/``source`` codes into the sorted
    ``categories``/``sources`` present, ``zone_id`` (-1: none), ``lon``/``lat`` (NaN:
    unplaced or hidden from the role) and ``sensitive``."""

    ns: NDArray[np.int64]
    category: NDArray[np.int16]
    categories: tuple[str, ...]
    source: NDArray[np.int16]
    sources: tuple[str, ...]
    zone_id: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    sensitive: NDArray[np.bool_]
    stadsdel_id: NDArray[np.int64]  # -1: none (or not read)


def _distinct(conn: Connection, t: Table, col: str, where: Any) -> list[str]:
    """The distinct values of an indexed text column, one index seek per value (a handful of
    categories or sources: cheaper than a pass over a million index entries)."""
    c = t.c[col]
    out: list[str] = []
    while True:
        q = select(func.min(c))
        if where is not None:
            q = q.where(where)
        if out:
            q = q.where(c > out[-1])
        v = conn.execute(q).scalar()
        if v is None:
            return out
        out.append(str(v))


def _compact(codes: NDArray[np.int64], labels: list[str]) -> tuple[NDArray[np.int16],
                                                                   tuple[str, ...]]:
    """Codes renumbered over the labels that occur (as ``pd.factorize(sort=True)`` does)."""
    used = np.flatnonzero(np.bincount(codes, minlength=len(labels)) > 0)
    remap = np.full(len(labels), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return remap[codes].astype(np.int16), tuple(labels[i] for i in used)


def _epoch(engine: Engine, t: Table) -> Any:
    """Epoch seconds of ``occurred_at`` computed by the database."""
    if engine.dialect.name == "postgresql":
        return func.extract("epoch", t.c.occurred_at)
    version = getattr(engine.dialect.dbapi, "sqlite_version_info", (0, 0, 0))
    if tuple(version) >= (3, 38, 0):
        return func.unixepoch(t.c.occurred_at)  # a little cheaper than strftime
    return cast(func.strftime("%s", t.c.occurred_at), Integer)


def load_point_arrays(engine: Engine, who: Principal, kind: PointKind,
                      flt: PointFilter | None = None, *, stadsdel: bool = False
                      ) -> PointArrays:
    """What :func:`load_points` reads for the map and the analyses, without the text: four
    numbers a row -- position, time (epoch seconds: every writer stores whole seconds) and one
    integer that packs zone, category and source (coded in the database by a ``CASE`` over the
    few distinct values), and the stadsdel when ``stadsdel`` (else -1) -- so a million points
    come out of SQLite without a Python string per row. Same rows, order, visibility rules
    (sensitive positions, a walker's team) and values as :func:`load_points`
    (tests/store/test_point_arrays.py). ``flt``: only its time range (``start``/``end``)."""
    who.require(Perm.VIEW_AGGREGATES)
    flt = flt or PointFilter()
    if (flt.categories is not None or flt.sources is not None or flt.zone_ids is not None
            or flt.walk_id is not None):
        raise ValueError("load_point_arrays filters by time only")
    t = table_for(kind)
    pg = engine.dialect.name == "postgresql"
    team = (t.c.team == (who.team or "") if kind == "observation" and who.role == Role.VANDRARE
            else None)
    terms: list[Any] = [] if team is None else [team]
    if flt.start is not None or flt.end is not None:
        terms += _time_range(engine, t, flt)
    with read_connection(engine) as conn:
        cats = _distinct(conn, t, "category", team)
        srcs = _distinct(conn, t, "source", team)
        nc, nsrc = max(len(cats), 1), max(len(srcs), 1)
        ccode: Any = (case({v: i for i, v in enumerate(cats)}, value=t.c.category)
                      if cats else literal(0))
        scode: Any = (case({v: i for i, v in enumerate(srcs)}, value=t.c.source)
                      if srcs else literal(0))
        packed = ((func.coalesce(t.c.zone_id, -1) + 1) * nc + ccode) * nsrc + scode
        cols = [t.c.lon, t.c.lat, _epoch(engine, t), packed]
        if stadsdel:
            cols.append(func.coalesce(t.c.stadsdel_id, -1))
        q = select(*cols).where(*terms).order_by(t.c.id)
        rows = conn.execute(q).cursor.fetchall()
    a = _float_rows(rows, len(cols))
    if np.isnan(a[:, 3]).any():  # a value written between the two reads (PostgreSQL's
        return load_point_arrays(engine, who, kind, flt, stadsdel=stadsdel)  # read committed)
    lon, lat = np.ascontiguousarray(a[:, 0]), np.ascontiguousarray(a[:, 1])
    secs = a[:, 2]
    if pg:  # as load_points: microseconds from the float epoch
        ns = np.asarray(pd.to_datetime(secs * 1e6, unit="us", utc=True).as_unit("ns").asi8,
                        dtype=np.int64)
    else:
        ns = np.where(np.isnan(secs), np.iinfo(np.int64).min,
                      np.nan_to_num(secs).astype(np.int64) * 1_000_000_000)
    rest, scodes = np.divmod(a[:, 3].astype(np.int64), nsrc)
    zone1, ccodes = np.divmod(rest, nc)
    category, categories = _compact(ccodes, cats)
    source, sources = _compact(scodes, srcs)
    sens_codes = [i for i, c in enumerate(categories) if c in SENSITIVE_CODES]
    sensitive = np.isin(category, np.array(sens_codes, dtype=np.int16))
    if kind == "incident" and not who.can(Perm.VIEW_SENSITIVE_POINTS):
        lon[sensitive] = np.nan
        lat[sensitive] = np.nan
    return PointArrays(ns=ns, category=category, categories=categories, source=source,
                       sources=sources, zone_id=zone1 - 1, lon=lon, lat=lat,
                       sensitive=sensitive,
                       stadsdel_id=(a[:, 4].astype(np.int64) if stadsdel
                                    else np.full(len(a), -1, dtype=np.int64)))


def _float_rows(rows: Sequence[Any], width: int) -> NDArray[np.float64]:
    """``rows`` (tuples of ``width`` numbers, None as NaN) as a float array, one row each:
    by ``np.fromiter`` over the flat values (a third of ``np.array``'s time on a million rows),
    by ``np.array`` when a value is None (an unplaced point), which makes it NaN."""
    try:
        flat = np.fromiter(itertools.chain.from_iterable(rows), dtype="float64",
                           count=len(rows) * width)
    except TypeError:  # a None
        return np.array(rows, dtype="float64").reshape(-1, width)
    return flat.reshape(-1, width)


def _names(ids: NDArray[np.int64], known: dict[int, str]) -> pd.Categorical:
    """Names of ids (-1 and unknown ids: missing) as a categorical."""
    valid = ids[ids >= 0]
    # the ids present, in order (ids are small: a count per id instead of np.unique's sort)
    codes = (np.flatnonzero(np.bincount(valid)) if len(valid) and int(valid.max()) < 1 << 20
             else np.unique(valid))
    labels = [known.get(int(c)) for c in codes]
    keep = [int(c) for c, lab in zip(codes, labels, strict=True) if lab is not None]
    pos = np.full(int(codes.max()) + 1 if len(codes) else 1, -1, dtype=np.int64)
    pos[keep] = np.arange(len(keep))
    return pd.Categorical.from_codes(
        np.where(ids >= 0, pos[np.maximum(ids, 0)], -1),
        categories=pd.Index([lab for lab in labels if lab is not None], dtype=object))


def frame_of_arrays(arrays: PointArrays, kind: PointKind, zones: dict[int, str],
                    stadsdelar: dict[int, str]) -> pd.DataFrame:
    """A point frame made from :func:`load_point_arrays` (no text per row: the text columns
    are categoricals): ``kind, source, category, occurred_at, lon, lat, zone, zone_id,
    stadsdel, sensitive`` -- the point frame's values, without ``id``, ``external_id``,
    ``precision`` and ``description``."""
    zid = pd.array(np.where(arrays.zone_id >= 0, arrays.zone_id, 0), dtype="Int64")
    zid[arrays.zone_id < 0] = pd.NA
    return pd.DataFrame({
        "kind": pd.Categorical.from_codes(np.zeros(len(arrays.ns), dtype=np.int64),
                                          categories=pd.Index([kind], dtype=object)),
        "source": pd.Categorical.from_codes(arrays.source.astype(np.int64),
                                            categories=pd.Index(arrays.sources, dtype=object)),
        "category": pd.Categorical.from_codes(
            arrays.category.astype(np.int64),
            categories=pd.Index(arrays.categories, dtype=object)),
        "occurred_at": pd.DatetimeIndex(arrays.ns, tz="UTC"),
        "lon": arrays.lon, "lat": arrays.lat,
        "zone": _names(arrays.zone_id, zones), "zone_id": zid,
        "stadsdel": _names(arrays.stadsdel_id, stadsdelar),
        "sensitive": arrays.sensitive})


def count_points(engine: Engine, kind: PointKind) -> int:
    from sqlalchemy import func

    t = table_for(kind)
    with read_connection(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(t)).scalar_one())

