"""One import, start to end: read -> check every row -> write atomically -> report.

:func:`import_file` is what the CLI (``mapapp import``) and the app's Import page call.

1. **Read** the file by its kind and format (CSV/XLSX, GeoJSON/GeoPackage/zipped Shapefile,
   the Police events JSON, an ODK/KoBo CSV export; see the modules of :mod:`mapapp.io`).
2. **Check** every row (:mod:`mapapp.io.validate`) before anything is written.
3. **Refuse or skip.** Any bad row refuses the whole file (:class:`DataValidationError` with
   every problem, nothing written) -- unless ``skip_invalid``: then the valid rows are written
   and the bad ones go to a rejects CSV with the reason per row (cells formula-safe).
4. **Write** in one transaction: an :class:`~mapapp.store.models.ImportBatch` row, the points
   through :func:`mapapp.store.points.insert_points` (zone and stadsdel by a vectorised
   spatial join; (source, external_id) already stored are skipped, so a second import adds 0),
   and the audit row. Any error rolls everything back.
5. **Report** rows read, written, duplicates, rejected, unplaced, outside, per category.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, Engine, insert, select, update

from mapapp.access import Perm, Principal
from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import DEFAULT_LANG, Message, render, t
from mapapp.io import columns as cols
from mapapp.io import odk, police, tabular, vector, zones
from mapapp.io.report import ImportOptions, ImportReport, Progress
from mapapp.io.validate import Checked, PointsInput, check_points
from mapapp.logs import survived
from mapapp.store import audit
from mapapp.store.district import district_outline
from mapapp.store.models import ImportBatch
from mapapp.store.points import PointKind, insert_points, table_for
from mapapp.textsafe import csv_cell

log = logging.getLogger(__name__)

KINDS = {"incident": "incident", "incidents": "incident", "observation": "observation",
         "observations": "observation", "zone": "zone", "zones": "zone"}
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip")
DEFAULT_SOURCE = {"incident": "import", "observation": "import"}
SQLITE_IMPORT_CACHE_KIB = 65_536  # page cache while bulk-writing (64 MiB)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def import_file(
    engine: Engine, who: Principal, path: Path | str, kind: str, *,
    options: ImportOptions | None = None, progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` as ``kind`` (incidents, observations or zones); see the module doc.

    Raises :class:`~mapapp.errors.DataValidationError` (every problem, nothing written) for a
    rejected file and :class:`~mapapp.errors.PermissionDeniedError` without the import right.
    """
    opts = options or ImportOptions()
    k, path = _request(who, path, kind, opts)
    district = district_outline(engine)
    with tempfile.TemporaryDirectory(prefix="mapapp-import-") as tmp:
        if k == "zone":
            return _import_zones(engine, who, path, opts, district, Path(tmp))
        pk: PointKind = "incident" if k == "incident" else "observation"
        return _import_points(engine, who, path, pk, opts, district, Path(tmp), progress)


def _request(who: Principal, path: Path | str, kind: str,
             opts: ImportOptions) -> tuple[str, Path]:
    """The checks before a file is read (for an import and its preview): the import right, a
    known kind, a file that exists and is not too large. Returns (kind, path)."""
    who.require(Perm.IMPORT)
    k = KINDS.get(str(kind).strip().lower())
    if k is None:
        raise DataValidationError([Problem(None, "kind", "io.kind.bad", {
            "kind": kind, "allowed": "incidents, observations, zones"})])
    path = Path(path)
    if not path.is_file():
        raise DataValidationError([Problem(None, None, "io.file.not_found", {"path": path})])
    vector.check_size(path, opts.limits)
    return k, path


# --- points ----------------------------------------------------------------------------------

def _read_points(engine: Engine, path: Path, kind: PointKind, opts: ImportOptions,
                 workdir: Path) -> tuple[PointsInput, pd.DataFrame, str, dict[str, Any]]:
    """(input rows, the file's own columns per input row, default source, extras)."""
    suffix = path.suffix.lower()
    extras: dict[str, Any] = {}
    if suffix == ".json" and police.looks_like_events(path):
        events = police.read_events(path)
        gaz = police.Gazetteer.from_store(engine)
        inp, counts = police.from_events(events, gaz)
        extras["police"] = counts
        keep = [int(r) - 1 for r in inp.rows]
        original = pd.DataFrame([{c: events[i].get(c) for c in ("id", "datetime", "name",
                                                                "type", "summary")}
                                 for i in keep], columns=["id", "datetime", "name", "type",
                                                          "summary"])
        return inp, original, police.SOURCE, extras
    if suffix in TABLE_SUFFIXES:
        raw = tabular.read_table(path, sheet=opts.layer)
        if kind == "observation" and odk.is_odk(list(raw.frame.columns)):
            inp, photos = odk.from_odk(raw)
            extras["photos"] = photos
            return inp, raw.frame, "odk", extras
        return cols.from_table(raw, kind), raw.frame, DEFAULT_SOURCE[kind], extras
    if suffix in VECTOR_SUFFIXES:
        vf = vector.read_vector(path, workdir, layer=opts.layer, crs=opts.crs,
                                limits=opts.limits)
        gdf = vf.gdf
        original = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        original["geometry"] = shapely.to_wkt(gdf.geometry.to_numpy(), rounding_precision=6)
        return cols.from_vector(vf, kind), original, DEFAULT_SOURCE[kind], extras
    raise DataValidationError([Problem(None, None, "io.file.unknown_format", {"name": path.name})])


def _note_problems(inp: PointsInput) -> int:
    """Notes with personal data: a personnummer blocks the row; notes with other findings
    (names, phone numbers, e-mail) are counted and reported."""
    from mapapp.notecheck import check_note

    if "description" not in inp.frame.columns:
        return 0
    warned = 0
    desc = inp.frame["description"].fillna("").astype("str")
    for p in np.flatnonzero((desc != "").to_numpy()).tolist():
        findings = check_note(desc.iloc[p])
        for f in findings:
            if f.severity == "block":
                inp.pre_problems.append((p, "description", Message("io.row.note_blocked", {
                    "where": inp.where(p), "finding": Message(f.key, f.params)})))
        warned += int(bool(findings) and all(f.severity != "block" for f in findings))
    if warned:
        inp.messages.append(Message("io.report.notes_warn", {"n": warned}))
    return warned


def _import_points(engine: Engine, who: Principal, path: Path, kind: PointKind,
                   opts: ImportOptions, district: shapely.Geometry, workdir: Path,
                   progress: Progress | None) -> ImportReport:
    inp, original, default_source, extras = _read_points(engine, path, kind, opts, workdir)
    _release_arrow_memory()  # the reader's buffers
    if kind == "observation":
        _note_problems(inp)
    source = opts.source or ("" if "source" in inp.frame.columns else default_source)
    checked = check_points(
        inp, kind=kind, district=district, source=source, crs=opts.crs,
        keep_outside=opts.keep_outside, now=opts.now,
        resolve_categories="police" not in extras)
    total = len(inp.frame)
    report = ImportReport(kind=kind, file_name=path.name, source=source or default_source)
    report.read = total + extras.get("police", {}).get("other", 0)
    report.skipped = extras.get("police", {}).get("other", 0)
    report.messages = list(checked.messages)
    if "police" in extras:
        report.messages.append(Message("io.police.summary", dict(extras["police"])))
    if checked.problems and not opts.skip_invalid:
        raise DataValidationError(checked.problems, summary=Message(
            "io.file.rejected", {"bad": len(checked.rejected_pos), "total": total}))
    report.problems = checked.problems
    report.rejected = len(checked.rejected_pos)
    valid = checked.valid
    used = sorted({str(x) for x in pd.unique(valid["source"])}) if len(valid) else []
    if used:
        report.source = ",".join(used)[:50]
    if kind == "observation":
        valid = _observation_extras(valid, checked, extras, path, opts, report)
    if report.rejected:  # before writing: if the rejects file cannot be written, nothing is
        report.rejects_path = write_rejects(
            opts.rejects_path or path.with_name(f"{path.stem}-avvisade.csv"),
            original, inp.rows, checked.rejected_pos, checked.reasons, lang=opts.output_lang)
    # The file as read is no longer needed: let it go before the write (peak memory of a
    # million-row import).
    del original, inp
    _release_arrow_memory()
    if progress:
        progress(0, len(valid))
    with engine.begin() as conn:
        batch_id = _start_batch(conn, who, kind, report.source, path)
        valid["import_id"] = batch_id
        new = _drop_stored(conn, valid, kind, checked.hashed)
        report.duplicates = len(valid) - len(new)
        if kind == "observation" and "walk_name" in new.columns:
            new = _link_walks(conn, who, new, report, opts)
        new = _stamp(new, who, kind)
        result = _bulk_insert(conn, new, kind, progress)
        report.written = result.written
        report.duplicates += result.duplicates
        written_rows = new if result.written == len(new) else new.iloc[:0]
        report.per_category = {str(k): int(v) for k, v in
                               written_rows["category"].value_counts().items()}
        report.unplaced = int(new["lon"].isna().sum())
        report.outside = int(checked.outside if result.written else 0)
        report.import_id = batch_id
        _finish_batch(conn, batch_id, report)
        audit.record(conn, who, "import", "incidents" if kind == "incident" else "observations",
                     batch_id, file=path.name, source=report.source, read=report.read,
                     written=report.written, duplicates=report.duplicates,
                     rejected=report.rejected, unplaced=report.unplaced)
    return report


def _observation_extras(valid: pd.DataFrame, checked: Checked, extras: dict[str, Any],
                        path: Path, opts: ImportOptions, report: ImportReport) -> pd.DataFrame:
    """Photos from beside an ODK export (cleaned), else their names in the description."""
    photos: list[str] | None = extras.get("photos")
    if not photos:
        return valid
    from mapapp.photos import clean_photo

    names = [photos[p] for p in checked.valid_pos.tolist()]
    data: list[bytes | None] = [None] * len(names)
    mime: list[str | None] = [None] * len(names)
    missing = 0
    desc = np.array(valid["description"].to_numpy(dtype=object), dtype=object)
    for i, name in enumerate(names):
        if not name:
            continue
        found = _photo_file(path, name)
        try:
            if found is None:
                raise FileNotFoundError(name)
            clean = clean_photo(found.read_bytes(), max_bytes=opts.limits.max_photo_bytes)
            data[i], mime[i] = clean.data, clean.mime
        except (OSError, DataValidationError) as exc:
            survived(log, exc, "import: photo of row %s not stored", i, level=logging.INFO)
            missing += 1
            desc[i] = f"{desc[i] or ''} [foto: {name}]".strip()
    valid = valid.copy()
    valid["photo"] = data
    valid["photo_mime"] = mime
    valid["description"] = desc
    if missing:
        report.messages.append(Message("io.report.photos_not_included", {"n": missing}))
    return valid


def _photo_file(csv_path: Path, name: str) -> Path | None:
    if Path(name).name != name or name in (".", ".."):
        return None  # a path, not a file name: never follow it
    for folder in (csv_path.parent, csv_path.parent / "media",
                   csv_path.parent / f"{csv_path.stem}-media"):
        p = folder / name
        if p.is_file():
            return p
    return None


def _start_batch(conn: Connection, who: Principal, kind: str, source: str, path: Path) -> int:
    res = conn.execute(insert(ImportBatch).values(
        kind=kind, source=source[:50], file_name=path.name[:300], file_sha256=file_sha256(path),
        rows_read=0, rows_written=0, rows_rejected=0, rows_unplaced=0,
        username=who.username[:100], at=datetime.now(UTC)).returning(ImportBatch.id))
    return int(res.scalar_one())


def _finish_batch(conn: Connection, batch_id: int, report: ImportReport) -> None:
    conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(
        rows_read=report.read, rows_written=report.written, rows_rejected=report.rejected,
        rows_unplaced=report.unplaced))


def _drop_stored(conn: Connection, frame: pd.DataFrame, kind: PointKind,
                 hashed: np.ndarray) -> pd.DataFrame:
    """Rows whose (source, external_id) is neither stored nor earlier in the file. Ids from
    the file are unique already (checked); only content hashes can repeat."""
    if hashed.any():
        sub = frame[hashed]
        repeat = np.zeros(len(frame), dtype=bool)
        repeat[np.flatnonzero(hashed)] = sub.duplicated(["source", "external_id"]).to_numpy()
        frame = frame[~repeat]
    table = table_for(kind)
    keep = np.ones(len(frame), dtype=bool)
    for src in pd.unique(frame["source"]):
        stored = conn.execute(select(table.c.external_id).where(table.c.source == src))
        have = np.fromiter((r[0] for r in stored), dtype=object)
        if len(have):
            mask = (frame["source"] == src).to_numpy()
            keep[mask] = ~np.isin(frame["external_id"].to_numpy()[mask], have)
    return frame[keep].reset_index(drop=True)


def _release_arrow_memory() -> None:
    """Hand the memory that Arrow's allocator keeps after the read back to the system."""
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError) as exc:  # an older pyarrow: nothing to release
        survived(log, exc, "arrow memory not released", level=logging.DEBUG)


def _stamp(frame: pd.DataFrame, who: Principal, kind: PointKind) -> pd.DataFrame:
    if kind == "observation":
        now = pd.Timestamp.now(tz="UTC")
        frame["created_by"] = who.username
        frame["created_at"] = now
        frame["updated_at"] = now
        frame["status"] = "ny"
    return frame


def _bulk_insert(conn: Connection, frame: pd.DataFrame, kind: PointKind,
                 progress: Progress | None) -> Any:
    """insert_points with a larger SQLite page cache (random-order index inserts of a
    million rows are ~25 % faster with it); restored afterwards."""
    if conn.dialect.name != "sqlite" or len(frame) < 50_000:
        return insert_points(conn, frame, kind, progress=progress)
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB}")
    try:
        return insert_points(conn, frame, kind, progress=progress)
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


def _link_walks(conn: Connection, who: Principal, frame: pd.DataFrame, report: ImportReport,
                opts: ImportOptions) -> pd.DataFrame:
    from mapapp.io.walklink import link_walks

    return link_walks(conn, who, frame, report,
                      organiser=t("io.odk.organiser", opts.output_lang))


def write_rejects(dest: Path, original: pd.DataFrame, rows: np.ndarray, rejected: np.ndarray,
                  reasons: dict[int, list[Message | str]], *, lang: str = DEFAULT_LANG) -> Path:
    """The rejected rows with the file's own columns, the row number and the reason;
    every cell, the headers too, formula-safe (a spreadsheet shows it as text). The file is
    written for people in ``lang`` (:attr:`ImportOptions.output_lang`): its two headers, the
    reasons, and ``;`` between cells in Swedish (as Excel expects there), ``,`` in English."""
    headers = [str(c) for c in original.columns]
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";" if lang == "sv" else ",")
        w.writerow([t("io.rejects.row", lang), *[csv_cell(h) for h in headers],
                    t("io.rejects.reason", lang)])
        values = original.to_numpy(dtype=object) if len(original.columns) else None
        for p in rejected.tolist():
            cells = [] if values is None else ["" if v is None or v is pd.NA else v
                                               for v in values[p]]
            w.writerow([int(rows[p]), *[csv_cell(str(v)) for v in cells],
                        csv_cell(" | ".join(render(r, lang) for r in reasons.get(p, [])))])
    return dest


# --- zones -----------------------------------------------------------------------------------

def _import_zones(engine: Engine, who: Principal, path: Path, opts: ImportOptions,
                  district: shapely.Geometry, workdir: Path) -> ImportReport:
    vf = vector.read_vector(path, workdir, layer=opts.layer, crs=opts.crs, limits=opts.limits)
    rows = zones.check_zones(vf, crs=opts.crs, district=district, repair=opts.repair)
    report = ImportReport(kind="zone", file_name=path.name, source=opts.source or "zones",
                          read=len(vf.gdf))
    report.messages = list(rows.messages)
    with engine.begin() as conn:
        batch_id = _start_batch(conn, who, "zone", report.source, path)
        counts = zones.write_zones(conn, rows, who, file_name=path.name, import_id=batch_id)
        report.zones_added = counts["added"]
        report.zones_updated = counts["updated"]
        report.zones_unchanged = counts["unchanged"]
        report.written = counts["added"] + counts["updated"]
        report.duplicates = counts["unchanged"]
        report.per_category = {"repaired": counts["repaired"],
                               "points_moved": counts["points_moved"]}
        report.import_id = batch_id
        _finish_batch(conn, batch_id, report)
    return report


@dataclass
class Preview:
    """What an import would do, without writing: the rows that would be written (``points``:
    category, occurred_at, lon, lat, … ; for zones a GeoDataFrame ``name``, ``kind``,
    ``geometry``), every problem and the messages (keys, rendered by the caller). For the
    app's preview map."""

    kind: str
    read: int
    points: pd.DataFrame
    problems: list[Problem]
    messages: list[Message]

    @property
    def rejected(self) -> int:
        return len({p.row for p in self.problems if p.row is not None})


def preview_file(engine: Engine, who: Principal, path: Path | str, kind: str, *,
                 options: ImportOptions | None = None, limit: int | None = None) -> Preview:
    """Read and check ``path`` as :func:`import_file` would, but write nothing. File-level
    problems still raise :class:`DataValidationError`; row problems are in the result."""
    import geopandas as gpd

    opts = options or ImportOptions()
    k, path = _request(who, path, kind, opts)
    district = district_outline(engine)
    with tempfile.TemporaryDirectory(prefix="mapapp-preview-") as tmp:
        if k == "zone":
            vf = vector.read_vector(path, Path(tmp), layer=opts.layer, crs=opts.crs,
                                    limits=opts.limits)
            try:
                rows = zones.check_zones(vf, crs=opts.crs, district=district,
                                         repair=opts.repair)
            except DataValidationError as exc:
                survived(log, exc, "zone preview refused", level=logging.DEBUG)
                return Preview("zone", len(vf.gdf), gpd.GeoDataFrame(
                    {"name": [], "kind": []}, geometry=[], crs="EPSG:4326"),
                    exc.problems, [])
            frame = gpd.GeoDataFrame({"name": rows.names, "kind": rows.kinds},
                                     geometry=rows.geoms, crs="EPSG:4326")
            return Preview("zone", len(vf.gdf), frame, [], rows.messages)
        pk: PointKind = "incident" if k == "incident" else "observation"
        inp, _original, default_source, extras = _read_points(engine, path, pk, opts,
                                                              Path(tmp))
    if pk == "observation":
        _note_problems(inp)
    checked = check_points(
        inp, kind=pk, district=district,
        source=opts.source or ("" if "source" in inp.frame.columns else default_source),
        crs=opts.crs, keep_outside=opts.keep_outside, now=opts.now,
        resolve_categories="police" not in extras)
    points = checked.valid if limit is None else checked.valid.head(limit)
    return Preview(pk, len(inp.frame), points, checked.problems, checked.messages)


def with_options(options: ImportOptions | None, **changes: Any) -> ImportOptions:
    """A copy of ``options`` with ``changes`` (options are frozen)."""
    return replace(options or ImportOptions(), **changes)


__all__: Sequence[str] = ("import_file", "preview_file", "Preview", "write_rejects",
                          "file_sha256", "with_options")
