"""Basemap images for the snapshot's static map: the XYZ tiles over the map's extent (from a
tile server, each with a short timeout, or a ``file://`` template of a published local
MBTiles/PMTiles, read from disk) or one WMS GetMap image. Each answers ``None`` -- and logs a
warning -- when the basemap cannot be had, so the map falls back to the bundled basemap.
Everything is in Web Mercator (EPSG:3857), the tiles' own projection.
"""

from __future__ import annotations

import io
import logging
import math
import urllib.request
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mapapp.logs import survived

log = logging.getLogger(__name__)

MAX_TILES = 48
TILE_TIMEOUT_S = 3.0
WMS_TIMEOUT_S = 10.0  # one GetMap image: a GIS server may draw it slowly

# --- XYZ tiles ---------------------------------------------------------------------------------------

_EARTH = 20037508.342789244


def _tile_range(bounds: Sequence[float], zoom: int) -> tuple[int, int, int, int]:
    n = 2 ** zoom
    size = 2 * _EARTH / n
    x0 = int((bounds[0] + _EARTH) // size)
    x1 = int((bounds[2] + _EARTH) // size)
    y0 = int((_EARTH - bounds[3]) // size)
    y1 = int((_EARTH - bounds[1]) // size)
    return x0, x1, y0, y1


def _local_tile(url: str, zoom: int, tx: int, ty: int) -> Any:
    """A tile of a published MBTiles/PMTiles (``file://`` template) from disk; None when the
    file has no tile there."""
    from urllib.request import url2pathname

    from PIL import Image

    path = url2pathname(url[len("file://"):]).replace("{z}", str(zoom)).replace(
        "{x}", str(tx)).replace("{y}", str(ty))
    try:
        with Image.open(path) as img:
            return img.convert("RGB")
    except OSError:
        return None


def _local_zoom(url: str, zoom: int) -> int:
    """The deepest zoom level at most ``zoom`` that the local tile set has."""
    from pathlib import Path
    from urllib.request import url2pathname

    root = Path(url2pathname(url[len("file://"):].split("{z}")[0]))
    have = [int(p.name) for p in root.iterdir() if p.name.isdigit()] if root.is_dir() else []
    below = [z for z in have if z <= zoom]
    return max(below) if below else (min(have) if have else zoom)


def fetch_tiles(url: str, bounds: Sequence[float], width_px: int,
                timeout: float = TILE_TIMEOUT_S
                ) -> tuple[NDArray[Any], tuple[float, float, float, float]] | None:
    """The XYZ tiles over ``bounds`` (EPSG:3857) stitched into one RGB(A) array and its
    extent, at about ``width_px`` across; None when the server cannot be reached. A
    ``file://`` template is a published local tile set, read from disk (a tile it does not
    have stays white)."""
    from PIL import Image

    local = url.startswith("file://")
    if not local and not url.startswith(("http://", "https://")):
        return None
    span = bounds[2] - bounds[0]
    zoom = int(np.clip(round(math.log2(2 * _EARTH * width_px / (256 * span))), 1, 19))
    if local:
        zoom = _local_zoom(url, zoom)
    while True:
        x0, x1, y0, y1 = _tile_range(bounds, zoom)
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= MAX_TILES or zoom <= 1:
            break
        zoom -= 1
    tiles: dict[tuple[int, int], Any] = {}
    for tx in range(x0, x1 + 1):
        for ty in range(y0, y1 + 1):
            if local:
                got = _local_tile(url, zoom, tx, ty)
                if got is not None:
                    tiles[(tx, ty)] = got
                continue
            tile_url = url.replace("{z}", str(zoom)).replace("{x}", str(tx)).replace(
                "{y}", str(ty)).replace("{s}", "a")
            req = urllib.request.Request(  # noqa: S310 -- http(s) only, checked above
                tile_url, headers={"User-Agent": "mapapp-snapshot/0.1"})
            try:
                with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 -- http(s) only
                    tiles[(tx, ty)] = Image.open(io.BytesIO(resp.read())).convert("RGB")
            except Exception as exc:  # noqa: BLE001 -- unreachable or not an image: no tiles at all
                survived(log, exc, "basemap tile %s/%s/%s not loaded: the static map has no tiles",
                         zoom, tx, ty)
                return None
    if not tiles:
        return None
    size = next(iter(tiles.values())).size[0]
    canvas = Image.new("RGB", ((x1 - x0 + 1) * size, (y1 - y0 + 1) * size), "white")
    for (tx, ty), img in tiles.items():
        canvas.paste(img.resize((size, size)), ((tx - x0) * size, (ty - y0) * size))
    tile_m = 2 * _EARTH / 2 ** zoom
    extent = (x0 * tile_m - _EARTH, (x1 + 1) * tile_m - _EARTH,
              _EARTH - (y1 + 1) * tile_m, _EARTH - y0 * tile_m)
    return np.asarray(canvas), extent


def fetch_wms(url: str, bounds: Sequence[float], width_px: int, height_px: int,
              timeout: float | None = None
              ) -> tuple[NDArray[Any], tuple[float, float, float, float]] | None:
    """One GetMap image of a WMS over ``bounds`` (EPSG:3857) and its extent; ``url`` is a
    GetMap address with ``{bbox}``, ``{width}`` and ``{height}`` to fill in
    (:func:`mapapp.snapshot.tile_source`). None (and a warning in the log) when the server does
    not answer in time or answers with something that is not an image (a ServiceException)."""
    from PIL import Image

    if not url.startswith(("http://", "https://")):
        return None
    bbox = ",".join(f"{v:.2f}" for v in bounds)
    req = urllib.request.Request(  # noqa: S310 -- http(s) only, checked above
        url.replace("{bbox}", bbox).replace("{width}", str(int(width_px)))
        .replace("{height}", str(int(height_px))),
        headers={"User-Agent": "mapapp-snapshot/0.1"})
    try:
        with urllib.request.urlopen(  # noqa: S310 -- http(s) only
                req, timeout=timeout or WMS_TIMEOUT_S) as resp:
            kind = resp.headers.get_content_type()
            data = resp.read()
        if not kind.startswith("image/"):
            raise ValueError(f"GetMap answered {kind}, not an image")
        img = Image.open(io.BytesIO(data)).convert("RGB")
    except Exception as exc:  # noqa: BLE001 -- unreachable, an error page or no image: no basemap
        survived(log, exc, "WMS GetMap for the static map not loaded: the map has no basemap")
        return None
    return np.asarray(img), (bounds[0], bounds[2], bounds[1], bounds[3])
