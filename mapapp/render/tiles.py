"""Raster tiles of a local MBTiles or PMTiles file, served by the app from its own origin.

An MBTiles file is an SQLite database (``tiles``: ``zoom_level, tile_column, tile_row,
tile_data`` with TMS rows, i.e. counted from the south; ``metadata``: name/value pairs).
:func:`publish_mbtiles` writes its tiles once per file version into
``static/basemap/<key>/{z}/{x}/{y}.<ext>`` (XYZ rows, counted from the north), where Streamlit's
static file serving hands them to the browser at ``/app/static/basemap/…``. It writes into a
temporary folder and renames it, so two sessions starting at once cannot leave half a set.
A PMTiles file (version 3: a header, a root directory and leaf directories of varint-coded
entries along a Hilbert curve, see :func:`pmtiles_tiles`) is read here directly and published
the same way. Vector tiles (MBTiles ``format`` = ``pbf``/``mvt``, PMTiles tile type MVT) are
drawn to PNG here, once, with the app's bundled style (:mod:`mapapp.render.mvt`) and published
the same way -- at most :data:`MAX_VECTOR_TILES` of them (a district's extract; a larger file
is refused with a message saying to cut it to the district). Any other tile format is refused
with a message in both languages.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import shutil
import sqlite3
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mapapp.errors import ConfigurationError
from mapapp.render.assets import STATIC_DIR

BASEMAP_URL = "/app/static/basemap"
FORMATS = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp"}
VECTOR_FORMATS = ("pbf", "mvt")
#: Vector tiles drawn at most per file (with the overzoom levels: as many as fit).
MAX_VECTOR_TILES = 20_000


@dataclass(frozen=True)
class TileSet:
    """A published MBTiles: the URL template on the app's origin and its metadata."""

    url: str
    folder: Path
    min_zoom: int
    max_zoom: int
    attribution: str
    count: int


def mbtiles_metadata(path: Path | str) -> dict[str, str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return {str(k): str(v) for k, v in conn.execute("SELECT name, value FROM metadata")}


def xyz_row(z: int, tms_row: int) -> int:
    """The XYZ row (from the north) of a TMS row (from the south) at zoom ``z``.

    >>> xyz_row(0, 0), xyz_row(3, 0), xyz_row(3, 7)
    (0, 7, 0)
    """
    return (1 << z) - 1 - tms_row


# --- PMTiles (version 3) -----------------------------------------------------------------------

PMTILES_TYPES = {1: "mvt", 2: "png", 3: "jpg", 4: "webp"}  # 5 = AVIF: not drawn by browsers


def _varints(data: bytes) -> Iterator[int]:
    value = shift = 0
    for b in data:
        value |= (b & 0x7F) << shift
        if b & 0x80:
            shift += 7
        else:
            yield value
            value = shift = 0


def _decompress(data: bytes, method: int) -> bytes:
    if method in (0, 1):
        return data
    if method == 2:
        return gzip.decompress(data)
    raise ConfigurationError(f"PMTiles: komprimering {method} stöds inte (bara gzip) / "
                             "compression not supported (gzip only)")


def _directory(data: bytes) -> list[tuple[int, int, int, int]]:
    """(tile_id, offset, length, run_length) entries of one directory."""
    it = _varints(data)
    n = next(it)
    ids, acc = [], 0
    for _ in range(n):
        acc += next(it)
        ids.append(acc)
    runs = [next(it) for _ in range(n)]
    lengths = [next(it) for _ in range(n)]
    offsets: list[int] = []
    for i in range(n):
        v = next(it)
        offsets.append(offsets[i - 1] + lengths[i - 1] if v == 0 and i > 0 else v - 1)
    return list(zip(ids, offsets, lengths, runs, strict=True))


def tile_zxy(tile_id: int) -> tuple[int, int, int]:
    """(z, x, y) of a PMTiles tile id: the tiles of lower zooms first, then the position on
    the zoom's Hilbert curve.

    >>> tile_zxy(0), tile_zxy(1), tile_zxy(4), tile_zxy(5)
    ((0, 0, 0), (1, 0, 0), (1, 1, 0), (2, 0, 0))
    """
    z, acc = 0, 0
    while acc + (1 << (2 * z)) <= tile_id:
        acc += 1 << (2 * z)
        z += 1
    d, n = tile_id - acc, 1 << z
    x = y = 0
    s = 1
    while s < n:
        rx = 1 & (d // 2)
        ry = 1 & (d ^ rx)
        if ry == 0:
            if rx == 1:
                x, y = s - 1 - x, s - 1 - y
            x, y = y, x
        x, y = x + s * rx, y + s * ry
        d //= 4
        s *= 2
    return z, x, y


def pmtiles_tiles(path: Path | str) -> tuple[str, str, Iterator[tuple[int, int, int, bytes]]]:
    """(extension -- ``mvt`` for vector tiles --, attribution, iterator of (z, x, y, bytes) with
    XYZ rows) of a PMTiles v3 file."""
    with open(path, "rb") as f:
        head = f.read(127)
    if len(head) < 127 or head[:7] != b"PMTiles" or head[7] != 3:
        raise ConfigurationError(f"MAPAPP_BASEMAP: {Path(path).name} är ingen PMTiles-fil "
                                 "(version 3) / is no PMTiles file (version 3)")
    (root_off, root_len, meta_off, meta_len, leaf_off, _leaf_len, data_off,
     _data_len) = struct.unpack_from("<8Q", head, 8)
    internal, tile_comp, tile_type = head[97], head[98], head[99]
    if tile_type not in PMTILES_TYPES:
        raise ConfigurationError(_unsupported(Path(path).name, f"PMTiles type {tile_type}"))
    if tile_comp not in (0, 1) and not (tile_type == 1 and tile_comp == 2):
        raise ConfigurationError(
            f"MAPAPP_BASEMAP: {Path(path).name}: plattornas komprimering ({tile_comp}) stöds "
            "inte (bara gzip för vektorplattor, ingen för rasterplattor) / the tiles' compression "
            "is not supported (gzip for vector tiles only, none for raster tiles)")

    attribution = ""
    if meta_len:
        import json

        with open(path, "rb") as f:
            f.seek(meta_off)
            with contextlib.suppress(ValueError, OSError):
                meta = json.loads(_decompress(f.read(meta_len), internal) or b"{}")
                attribution = str(meta.get("attribution", "")) if isinstance(meta, dict) else ""

    def walk() -> Iterator[tuple[int, int, int, bytes]]:
        with open(path, "rb") as f:
            def read(off: int, length: int) -> bytes:
                f.seek(off)
                return f.read(length)

            stack = [read(root_off, root_len)]
            while stack:
                for tid, off, length, run in _directory(_decompress(stack.pop(), internal)):
                    if run == 0:  # a leaf directory
                        stack.append(read(leaf_off + off, length))
                        continue
                    data = read(data_off + off, length)
                    for k in range(run):
                        z, x, y = tile_zxy(tid + k)
                        yield z, x, y, data

    return PMTILES_TYPES[tile_type], attribution, walk()


def _unsupported(name: str, fmt: str) -> str:
    return (f"MAPAPP_BASEMAP: {name}: plattformatet {fmt} stöds inte (rasterplattor png, jpg, "
            "webp eller vektorplattor pbf/mvt); importera lagren med `mapapp basemap import` i "
            f"stället / the tile format {fmt} is not supported (raster png, jpg, webp or vector "
            "pbf/mvt tiles); import the layers with `mapapp basemap import` instead")


def check_tile_file(path: Path | str) -> str:
    """The tile format of an MBTiles or PMTiles file (``png``, ``jpg``, ``webp``, ``mvt``),
    read from its metadata or header only; a file that is neither, or holds tiles of another
    format, raises :class:`ConfigurationError` (in both languages, as settings do)."""
    p = Path(path)
    if p.suffix.lower() == ".pmtiles":
        with open(p, "rb") as f:
            head = f.read(127)
        if len(head) < 127 or head[:7] != b"PMTiles" or head[7] != 3:
            raise ConfigurationError(f"MAPAPP_BASEMAP: {p.name} är ingen PMTiles-fil "
                                     "(version 3) / is no PMTiles file (version 3)")
        if head[99] not in PMTILES_TYPES:
            raise ConfigurationError(_unsupported(p.name, f"PMTiles type {head[99]}"))
        return PMTILES_TYPES[head[99]]
    try:
        fmt = mbtiles_metadata(p).get("format", "png").lower()
    except sqlite3.DatabaseError as exc:
        raise ConfigurationError(f"MAPAPP_BASEMAP: {p.name} är ingen MBTiles-fil / is no "
                                 f"MBTiles file ({exc})") from exc
    if fmt in VECTOR_FORMATS:
        return "mvt"
    if fmt not in FORMATS:
        raise ConfigurationError(_unsupported(p.name, fmt))
    return FORMATS[fmt]


def _vector(name: str, tiles: Iterator[tuple[int, int, int, bytes]]
            ) -> Iterator[tuple[int, int, int, bytes]]:
    """PNGs of vector tiles, drawn with the bundled style; too many tiles are refused."""
    from mapapp.render.mvt import render_tiles

    got = []
    for tile in tiles:
        got.append(tile)
        if len(got) > MAX_VECTOR_TILES:
            raise ConfigurationError(
                f"MAPAPP_BASEMAP: {name} har fler än {MAX_VECTOR_TILES} vektorplattor; skär "
                "ut stadsdelsområdet (t.ex. `pmtiles extract --bbox`) / has more than "
                f"{MAX_VECTOR_TILES} vector tiles; cut out the district (e.g. `pmtiles extract "
                "--bbox`)")
    return render_tiles(got, max_tiles=MAX_VECTOR_TILES)


def _key(path: Path) -> str:
    st = path.stat()
    raw = f"{path.resolve()}|{st.st_size}|{int(st.st_mtime)}".encode()
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()[:16]


def _write_tiles(final: Path, tiles: Iterator[tuple[int, int, int, bytes]], ext: str) -> None:
    """Tiles (XYZ rows) into ``final/{z}/{x}/{y}.ext``, written in a temporary folder first."""
    root = final.parent
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        for z, x, y, data in tiles:
            out = tmp / str(z) / str(x) / f"{y}.{ext}"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        with contextlib.suppress(OSError):  # another session published it first
            os.replace(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _tileset(final: Path, key: str, ext: str, attribution: str) -> TileSet:
    zooms = sorted(int(p.name) for p in final.iterdir() if p.name.isdigit())
    if not zooms:
        raise ConfigurationError(f"MAPAPP_BASEMAP: {final.name}: inga plattor / no tiles")
    count = sum(1 for _ in final.rglob(f"*.{ext}"))
    return TileSet(url=f"{BASEMAP_URL}/{key}/{{z}}/{{x}}/{{y}}.{ext}", folder=final,
                   min_zoom=zooms[0], max_zoom=zooms[-1], attribution=attribution, count=count)


@lru_cache(maxsize=8)
def _publish(path: str, key: str, static_dir: str) -> TileSet:
    final = Path(static_dir) / "basemap" / key
    name = Path(path).name
    if path.lower().endswith(".pmtiles"):
        ext, attribution, tiles = pmtiles_tiles(path)
        if ext == "mvt":
            ext, tiles = "png", _vector(name, tiles)
        if not final.is_dir():
            _write_tiles(final, tiles, ext)
        return _tileset(final, key, ext, attribution)
    meta = mbtiles_metadata(path)
    fmt = meta.get("format", "png").lower()
    if fmt not in FORMATS and fmt not in VECTOR_FORMATS:
        raise ConfigurationError(_unsupported(name, fmt))
    ext = FORMATS.get(fmt, "png")
    if not final.is_dir():
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            rows = conn.execute(
                "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles").fetchall()
        tiles = ((int(z), int(x), xyz_row(int(z), int(y)), bytes(d)) for z, x, y, d in rows)
        _write_tiles(final, _vector(name, tiles) if fmt in VECTOR_FORMATS else tiles, ext)
    if not final.is_dir():
        raise ConfigurationError(f"MAPAPP_BASEMAP: {Path(path).name} har inga plattor / "
                                 "has no tiles")
    return _tileset(final, key, ext, meta.get("attribution", ""))


def serve_from(static_dir: Path) -> None:
    """Publish tiles into ``static_dir``: the ``static/`` folder Streamlit serves for the
    running entry script (``streamlit_app.py`` of a checkout serves the checkout's
    ``static/``, the packaged ``mapapp serve`` serves ``mapapp/static``). Set once per process
    by the app's shell; without it tiles go to ``mapapp/static``."""
    global STATIC_DIR
    STATIC_DIR = Path(static_dir)


def publish_mbtiles(path: Path | str, static_dir: Path | None = None) -> TileSet:
    """Publish the tiles of ``path`` (MBTiles or PMTiles; once per file version and process)
    into ``static_dir`` (default: the app's ``static/``) and describe them."""
    p = Path(path)
    try:
        return _publish(str(p.resolve()), _key(p), str(static_dir or STATIC_DIR))
    except sqlite3.DatabaseError as exc:
        raise ConfigurationError(f"MAPAPP_BASEMAP: {p.name} är ingen MBTiles-fil / is no "
                                 f"MBTiles file ({exc})") from exc
