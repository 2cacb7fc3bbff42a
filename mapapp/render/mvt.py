"""Vector tiles drawn to PNG on the server, with the app's bundled style (no streamlit here).

A vector MBTiles or PMTiles file holds Mapbox Vector Tiles (MVT 2.x: protocol buffers, often
gzip-compressed). A browser would need a style renderer (MapLibre GL) to draw them; the app
ships none and asks no other origin for one. Instead :func:`render_tile` decodes a tile here
(:func:`decode_tile`, a small reader of the protobuf wire format -- no extra package) and draws
it with Pillow in :data:`STYLE`, the bundled style, into a 256-pixel PNG. :mod:`mapapp.render.tiles`
publishes those PNGs like the tiles of a raster file, so the interactive map, the walk map and
the snapshot all use them from the app's own origin, offline too.

The style knows the layer names of the common schemas -- OpenMapTiles (``water``,
``landcover``, ``landuse``, ``park``, ``building``, ``transportation``, ``boundary``),
Protomaps' basemap (``earth``, ``water``, ``landuse``, ``buildings``, ``roads``,
``boundaries``) and mapapp's own (``water``, ``land``, ``stadsdelar``, ``outlines``) -- and
draws a layer it does not know as thin outlines, so nothing covers the rest. Labels (point
features, names) are not drawn: text cut at tile edges reads badly; the map's own labels
(stadsdelar, stations) are drawn by the app over the tiles.

Beyond the file's last zoom level a tile is drawn from its parent's vectors, scaled (sharp
lines, not blown-up pixels), up to :data:`OVERZOOM` levels.
"""

from __future__ import annotations

import gzip
import io
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from PIL import Image, ImageDraw

from mapapp.errors import ConfigurationError

TILE = 256
SUPERSAMPLE = 2  # drawn at 512 px and scaled down: smooth edges without an antialiasing renderer
OVERZOOM = 3
POINT, LINE, POLYGON = 1, 2, 3


# --- the protobuf wire format ----------------------------------------------------------------

def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def _fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) of a message: ints for varints, bytes for
    length-delimited fields and for fixed 32/64-bit fields."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
            yield num, wire, value
        elif wire == 2:
            n, i = _varint(buf, i)
            if i + n > len(buf):
                raise ValueError("truncated field")
            yield num, wire, buf[i:i + n]
            i += n
        elif wire in (1, 5):
            n = 8 if wire == 1 else 4
            yield num, wire, buf[i:i + n]
            i += n
        else:
            raise ValueError(f"wire type {wire}")


def _packed(buf: bytes) -> list[int]:
    out, i = [], 0
    while i < len(buf):
        v, i = _varint(buf, i)
        out.append(v)
    return out


def _zigzag(n: int) -> int:
    """
    >>> [_zigzag(n) for n in (0, 1, 2, 3, 4)]
    [0, -1, 1, -2, 2]
    """
    return (n >> 1) ^ -(n & 1)


# --- MVT -------------------------------------------------------------------------------------

@dataclass
class Feature:
    """One feature: ``kind`` 1 point, 2 line, 3 polygon; ``parts``: its rings or lines in
    tile coordinates (0 … extent, y down); ``props``: its attributes."""

    kind: int
    parts: list[list[tuple[int, int]]]
    props: dict[str, Any] = field(default_factory=dict)


@dataclass
class Layer:
    name: str
    extent: int
    features: list[Feature]


def _value(buf: bytes) -> Any:
    for num, _wire, v in _fields(buf):
        if num == 1:
            return v.decode("utf-8", "replace")
        if num == 2:
            return struct.unpack("<f", v)[0]
        if num == 3:
            return struct.unpack("<d", v)[0]
        if num in (4, 5):
            return v
        if num == 6:
            return _zigzag(v)
        if num == 7:
            return bool(v)
    return None


def geometry(commands: list[int]) -> list[list[tuple[int, int]]]:
    """The parts of an MVT geometry (MoveTo, LineTo, ClosePath with zigzag deltas).

    >>> geometry([9, 50, 34])                       # a point at (25, 17)
    [[(25, 17)]]
    >>> geometry([9, 4, 4, 18, 0, 16, 16, 0, 15])   # a closed ring
    [[(2, 2), (2, 10), (10, 10), (2, 2)]]
    """
    parts: list[list[tuple[int, int]]] = []
    x = y = i = 0
    cur: list[tuple[int, int]] = []
    while i < len(commands):
        op, n = commands[i] & 7, commands[i] >> 3
        i += 1
        if op in (1, 2):
            for _ in range(n):
                x += _zigzag(commands[i])
                y += _zigzag(commands[i + 1])
                i += 2
                if op == 1:
                    cur = [(x, y)]
                    parts.append(cur)
                else:
                    cur.append((x, y))
        elif op == 7 and cur:
            cur.append(cur[0])
        elif op != 7:
            raise ValueError(f"geometry command {op}")
    return parts


def _layer(buf: bytes) -> Layer:
    name, extent = "", 4096
    keys: list[str] = []
    values: list[Any] = []
    raw: list[bytes] = []
    for num, _wire, v in _fields(buf):
        if num == 1:
            name = v.decode("utf-8", "replace")
        elif num == 2:
            raw.append(v)
        elif num == 3:
            keys.append(v.decode("utf-8", "replace"))
        elif num == 4:
            values.append(_value(v))
        elif num == 5:
            extent = int(v) or 4096
    features = []
    for fb in raw:
        kind, tags, geom = 0, [], []
        for num, _wire, v in _fields(fb):
            if num == 2:
                tags = _packed(v)
            elif num == 3:
                kind = int(v)
            elif num == 4:
                geom = _packed(v)
        props = {keys[tags[j]]: values[tags[j + 1]] for j in range(0, len(tags) - 1, 2)
                 if tags[j] < len(keys) and tags[j + 1] < len(values)}
        features.append(Feature(kind, geometry(geom), props))
    return Layer(name, extent, features)


def decode_tile(data: bytes) -> list[Layer]:
    """The layers of one vector tile (gzip-compressed or not); ValueError when it is none."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return [_layer(v) for num, wire, v in _fields(data) if num == 3 and wire == 2]


# --- the bundled style ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """Draw the features of ``layers`` (source-layer names, lower case; empty: every layer no
    other rule names) as ``paint`` in ``color``; ``width`` in pixels of a 256-pixel tile
    (lines, and the outline of a fill when ``outline`` is set); ``min_zoom``: not below it."""

    layers: frozenset[str]
    paint: Literal["fill", "line"]
    color: str
    width: float = 1.0
    outline: str | None = None
    min_zoom: int = 0


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


BACKGROUND = "#f1efe9"  # the land of the bundled basemap (mapapp.render.basemap.LAND)
WATER = "#a9d3ea"  # layers/vatten.py
STYLE: tuple[Rule, ...] = (
    Rule(_names("earth", "land", "landmass"), "fill", BACKGROUND),
    Rule(_names("landuse", "landcover", "park", "natural", "landuse_overlay", "green"), "fill",
         "#e6eadf"),
    Rule(_names("water", "ocean", "lake", "waterway", "vatten"), "fill", WATER, width=1.5),
    Rule(_names("building", "buildings"), "fill", "#d9d4cb", width=0.5, outline="#c4beb3",
         min_zoom=14),
    Rule(frozenset(), "line", "#cfc9bd", width=0.6),
    Rule(_names("transportation", "roads", "road", "streets"), "line", "#b8b2a6", width=1.6),
    Rule(_names("boundary", "boundaries", "admin", "outlines", "stadsdelar", "district"),
         "line", "#b9b4a8", width=1.0),
)
_NAMED = frozenset().union(*(r.layers for r in STYLE))


def _area2(ring: list[tuple[float, float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))


def _polygons(parts: list[list[tuple[float, float]]]) -> list[list[list[tuple[float, float]]]]:
    """Rings grouped into polygons: a ring wound like the first one starts a polygon (MVT:
    exteriors clockwise on screen), the others are its holes."""
    out: list[list[list[tuple[float, float]]]] = []
    sign = 0.0
    for ring in parts:
        a = _area2(ring)
        if a == 0 or len(ring) < 3:
            continue
        if not out or (a > 0) == (sign > 0):
            sign = sign or a
            out.append([ring])
        else:
            out[-1].append(ring)
    return out


def _draw(img: Image.Image, draw: ImageDraw.ImageDraw, rule: Rule, feature: Feature,
          scale: float, dx: float, dy: float) -> None:
    px = SUPERSAMPLE
    parts = [[(x * scale - dx, y * scale - dy) for x, y in part] for part in feature.parts]
    width = max(1, round(rule.width * px))
    if feature.kind == POLYGON and rule.paint == "fill":
        for rings in _polygons(parts):
            if len(rings) == 1:
                draw.polygon(rings[0], fill=rule.color)
            else:  # with holes: through a mask
                mask = Image.new("L", img.size, 0)
                md = ImageDraw.Draw(mask)
                md.polygon(rings[0], fill=255)
                for hole in rings[1:]:
                    md.polygon(hole, fill=0)
                img.paste(rule.color, (0, 0), mask)
            if rule.outline:
                for ring in rings:
                    draw.line(ring, fill=rule.outline, width=width)
    elif feature.kind in (LINE, POLYGON):
        for part in parts:
            if len(part) > 1:
                draw.line(part, fill=rule.color, width=width, joint="curve")


@lru_cache(maxsize=1)
def _blank() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (TILE, TILE), BACKGROUND).save(out, "PNG")
    return out.getvalue()


def _overlaps(feature: Feature, x0: float, y0: float, x1: float, y1: float) -> bool:
    if feature.kind == POINT:
        return False  # labels and symbols are not drawn
    for part in feature.parts:
        xs = [p[0] for p in part]
        ys = [p[1] for p in part]
        if xs and min(xs) <= x1 and max(xs) >= x0 and min(ys) <= y1 and max(ys) >= y0:
            return True
    return False


def _decoded(data: bytes) -> list[Layer]:
    try:
        return decode_tile(data)
    except (ValueError, OSError, EOFError) as exc:
        raise ConfigurationError(f"MAPAPP_BASEMAP: en vektorplatta kan inte läsas / a vector "
                                 f"tile cannot be read ({exc})") from exc


def render_tile(data: bytes, *, zoom: int, sub: tuple[int, int, int] = (0, 0, 0)) -> bytes:
    """The PNG (256 px) of the vector tile ``data`` at ``zoom``. ``sub`` = (levels, x, y): the
    part of the tile to draw, ``levels`` below it (overzoom), at column ``x`` and row ``y`` of
    the ``2**levels`` × ``2**levels`` children."""
    return render_layers(_decoded(data), zoom=zoom, sub=sub)


def render_layers(layers: list[Layer], *, zoom: int, sub: tuple[int, int, int] = (0, 0, 0)
                  ) -> bytes:
    """:func:`render_tile` of decoded layers."""
    levels, sx, sy = sub
    size = TILE * SUPERSAMPLE
    img: Image.Image | None = None
    for rule in STYLE:
        if zoom < rule.min_zoom:
            continue
        for layer in layers:
            name = layer.name.lower()
            if name not in rule.layers and (rule.layers or name in _NAMED):
                continue
            k = 1 << levels
            scale = size * k / layer.extent
            # the part of the tile drawn, in the layer's own coordinates (plus a margin for
            # line widths): a feature wholly outside it is skipped
            lo_x, lo_y = sx * layer.extent / k, sy * layer.extent / k
            span, pad = layer.extent / k, layer.extent / k / 32
            for feature in layer.features:
                if not _overlaps(feature, lo_x - pad, lo_y - pad, lo_x + span + pad,
                                 lo_y + span + pad):
                    continue
                if img is None:
                    img = Image.new("RGB", (size, size), BACKGROUND)
                _draw(img, ImageDraw.Draw(img), rule, feature, scale, sx * size, sy * size)
    if img is None:
        return _blank()
    out = io.BytesIO()
    img.resize((TILE, TILE), Image.Resampling.BOX).save(out, "PNG")
    return out.getvalue()


def render_tiles(tiles: list[tuple[int, int, int, bytes]], *, max_tiles: int
                 ) -> Iterator[tuple[int, int, int, bytes]]:
    """PNG tiles (z, x, y from the north) of vector ``tiles``; the file's last zoom level is
    drawn again for up to :data:`OVERZOOM` levels below it while the total stays within
    ``max_tiles``."""
    for z, x, y, data in tiles:
        yield z, x, y, render_tile(data, zoom=z)
    if not tiles:
        return
    top = max(t[0] for t in tiles)
    deepest = [t for t in tiles if t[0] == top]
    n = len(tiles)
    for levels in range(1, OVERZOOM + 1):
        if n + len(deepest) * 4 ** levels > max_tiles or top + levels > 19:
            break
        k = 1 << levels
        for z, x, y, data in deepest:
            layers = _decoded(data)
            for cx in range(k):
                for cy in range(k):
                    yield (z + levels, x * k + cx, y * k + cy,
                           render_layers(layers, zoom=z + levels, sub=(levels, cx, cy)))
        n += len(deepest) * 4 ** levels
