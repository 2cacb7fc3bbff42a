"""Raster tiles of a local MBTiles file, served by the app from its own origin.

An MBTiles file is an SQLite database (``tiles``: ``zoom_level, tile_column, tile_row,
tile_data`` with TMS rows, i.e. counted from the south; ``metadata``: name/value pairs).
:func:`publish_mbtiles` writes its tiles once per file version into
``static/basemap/<key>/{z}/{x}/{y}.<ext>`` (XYZ rows, counted from the north), where Streamlit's
static file serving hands them to the browser at ``/app/static/basemap/…``. It writes into a
temporary folder and renames it, so two sessions starting at once cannot leave half a set.
Vector MBTiles (``format`` = ``pbf``) need a style renderer in the browser, which the app does
not ship: they are refused with a message (import the data with ``mapapp basemap import``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mapapp.errors import ConfigurationError
from mapapp.render.assets import STATIC_DIR

BASEMAP_URL = "/app/static/basemap"
FORMATS = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp"}


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


def _key(path: Path) -> str:
    st = path.stat()
    raw = f"{path.resolve()}|{st.st_size}|{int(st.st_mtime)}".encode()
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()[:16]


@lru_cache(maxsize=8)
def _publish(path: str, key: str, static_dir: str) -> TileSet:
    meta = mbtiles_metadata(path)
    fmt = meta.get("format", "png").lower()
    if fmt not in FORMATS:
        raise ConfigurationError(
            f"MAPAPP_BASEMAP: {Path(path).name} har vektorplattor ({fmt}); importera lagren med "
            f"`mapapp basemap import` i stället / has vector tiles ({fmt}); import the layers "
            "with `mapapp basemap import` instead")
    ext = FORMATS[fmt]
    root = Path(static_dir) / "basemap"
    final = root / key
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        zooms = [int(z) for (z,) in conn.execute(
            "SELECT DISTINCT zoom_level FROM tiles ORDER BY zoom_level")]
        if not final.is_dir():
            root.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
            try:
                for z, x, y, data in conn.execute(
                        "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"):
                    out = tmp / str(z) / str(x) / f"{xyz_row(int(z), int(y))}.{ext}"
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(bytes(data))
                with contextlib.suppress(OSError):  # another session published it first
                    os.replace(tmp, final)
            finally:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
        count = int(conn.execute("SELECT count(*) FROM tiles").fetchone()[0])
    if not zooms:
        raise ConfigurationError(f"MAPAPP_BASEMAP: {Path(path).name} har inga plattor / "
                                 "has no tiles")
    return TileSet(url=f"{BASEMAP_URL}/{key}/{{z}}/{{x}}/{{y}}.{ext}", folder=final,
                   min_zoom=min(zooms), max_zoom=max(zooms),
                   attribution=meta.get("attribution", ""), count=count)


def publish_mbtiles(path: Path | str, static_dir: Path | None = None) -> TileSet:
    """Publish the tiles of ``path`` (once per file version and process) into ``static_dir``
    (default: the app's ``static/``) and describe them."""
    p = Path(path)
    try:
        return _publish(str(p.resolve()), _key(p), str(static_dir or STATIC_DIR))
    except sqlite3.DatabaseError as exc:
        raise ConfigurationError(f"MAPAPP_BASEMAP: {p.name} är ingen MBTiles-fil / is no "
                                 f"MBTiles file ({exc})") from exc
