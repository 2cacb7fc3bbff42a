"""The static map of a snapshot: matplotlib (Agg, no pyplot state), no internet needed.

Drawn from the bundled vector layers in :class:`~mapapp.snapshot.content.MapData`: the
district and its stadsdelar (outline and names), the zone (or every zone for the district),
the sites (flagged ones marked and named), and the period's points -- or, when there are more
than ``max_points``, their counts per grid cell (the analysis grid, classes from "<5" up).
Sensitive categories are never in ``MapData.points``, so they are never drawn. Then a legend,
a scale bar, a north arrow and the attribution of what is drawn.

The look (colours, widths, legend labels) comes from the same layer specs as the interactive
map (``layers/`` via :func:`mapapp.render.layer_specs`), read in one place:
:func:`map_styles`. A part the specs do not (yet) define keeps its default look.

Without tiles the map is drawn on the same bundled basemap as the app's map
(:func:`mapapp.basemap.local_layers`: land of the district and its neighbours, water).
With ``tiles_url`` the map is drawn on the configured basemap instead: an XYZ template (the
tiles it needs, each with a short timeout), a ``file://`` template of a published local
MBTiles/PMTiles (read from disk), or a WMS GetMap address with ``{bbox}`` (one image of the
map's extent) -- fetched by :mod:`mapapp.snapshot.basemap_images`. If the basemap cannot be
had, the map is drawn on the bundled basemap, a warning is logged and a note under the map
says so; the server's attribution appears only when its image was drawn.

The map is drawn in Web Mercator (EPSG:3857, north up, the tiles' own projection); the scale
bar corrects for the Mercator scale factor at the map's centre, measured in EPSG:3006.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from numpy.typing import NDArray

from mapapp.basemap import local_layers
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.i18n import t
from mapapp.logs import survived
from mapapp.snapshot.basemap_images import fetch_tiles, fetch_wms
from mapapp.snapshot.content import MapData

log = logging.getLogger(__name__)

WEB = "EPSG:3857"
MAX_POINTS = 1500
MAX_SITE_LABELS = 12
LEGEND_CM = 2.6  # the strip under the map with the legend and the attribution
SITE_SCALE = 0.7  # site markers a bit smaller on paper than on screen
CELL_BREAKS = (1, 5, 10, 20, 50)  # class lower bounds; the first class (1–4) reads "<5"


PX_TO_PT = 0.75  # the specs give widths and radii in screen pixels (96 dpi)


@dataclass(frozen=True)
class Look:
    """How one part is drawn on the static map: what the snapshot needs of a layer spec.
    ``label`` is the legend text (already translated); widths and radii are in points."""

    label: str
    color: str
    line_color: str | None = None
    weight: float = 1.0
    fill_opacity: float = 0.0
    radius: float = 3.0
    dashed: bool = False
    palette: tuple[str, ...] = ()
    colors: dict[str, str] = field(default_factory=dict)
    radii: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def edge(self) -> str:
        return self.line_color or self.color


def _defaults(*, lang: str) -> dict[str, Look]:
    return {
        "stadsdelar": Look(t("snapshot.map.stadsdelar", lang), "#333333", weight=0.8),
        "zone": Look(t("snapshot.map.zone", lang), "#0072B2", weight=2.2, fill_opacity=0.12),
        "zones": Look(t("snapshot.map.zones", lang), "#0072B2", weight=1.2, dashed=True),
        "sites": Look(t("snapshot.map.sites", lang), "#56B4E9", line_color="#222222",
                      radius=3.0, colors={"flagged": "#D55E00", "normal": "#56B4E9"},
                      radii={"flagged": 6.0, "normal": 3.0},
                      labels={"flagged": t("snapshot.map.flagged", lang),
                              "normal": t("snapshot.map.sites", lang)}),
        "incidents": Look(t("snapshot.map.incidents", lang), "#5E3C99", radius=1.6,
                          fill_opacity=0.6),
        "observations": Look(t("snapshot.map.observations", lang), "#009E73", radius=2.0,
                             fill_opacity=0.8),
        "cells": Look(t("snapshot.map.cells", lang, size="{size}"), "#555555", fill_opacity=0.7,
                      palette=("#bfd3e6", "#9ebcda", "#8c96c6", "#8856a7", "#810f7c")),
    }


#: Site statuses that carry a flag, most urgent first (as on the map; one place, one flag).
SITE_STATUSES: tuple[str, ...] = ("rising", "persistent", "flagged", "fading")


def site_status(sites: pd.DataFrame) -> NDArray[Any]:
    """Each site's status code: the ``status`` column, else "flagged" / "normal" from
    ``flagged``."""
    if "status" in sites:
        return sites["status"].fillna("normal").astype(str).to_numpy(dtype=object)
    fl = sites["flagged"].to_numpy(dtype=bool) if "flagged" in sites else np.zeros(len(sites),
                                                                                   bool)
    return np.where(fl, "flagged", "normal").astype(object)


# Which layer spec (by id) stands for which part of the static map.
_SPEC_IDS: dict[str, tuple[str, ...]] = {
    "stadsdelar": ("stadsdelar",),
    "zone": ("zones",),
    "zones": ("zones",),
    "sites": ("sites",),
    "incidents": ("incident_points", "incidents"),
    "observations": ("observations", "observation_points"),
    "cells": ("incident_cells", "cells"),
}


def _tr(key: str | None, *, lang: str, fallback: str, **kw: object) -> str:
    """The translation of a spec's i18n key, or ``fallback`` when the key is unknown."""
    if not key:
        return fallback
    text = t(key, lang, **kw) if kw else t(key, lang)
    return fallback if text == key else text


def map_styles(*, lang: str = "sv") -> dict[str, Look]:
    """The :class:`Look` of each part, read from the layer specs (``layers/``).

    The one adapter between the interactive map's specs and this renderer: colours, line
    colours, widths and radii (pixels -> points), palettes, per-value colours and the legend
    labels. A part whose spec is missing keeps its default."""
    looks = _defaults(lang=lang)
    try:
        from mapapp.render import layer_specs

        specs = {str(s.id): s for s in layer_specs()}
    except Exception as exc:  # noqa: BLE001 -- no specs (yet) or broken ones: draw with the defaults
        survived(log, exc, "layer specs unreadable: the static map is drawn in default styles")
        return looks
    for part, ids in _SPEC_IDS.items():
        spec = next((specs[i] for i in ids if i in specs), None)
        if spec is None:
            continue
        st, base = spec.style, looks[part]
        legend = {str(e.value): (_tr(e.label, lang=lang, fallback=base.labels.get(str(e.value), base.label)),
                                 str(e.color)) for e in spec.legend}
        colors = {**base.colors, **{str(k): str(v) for k, v in (st.colors or {}).items()},
                  **{k: c for k, (_, c) in legend.items()}}
        label = _tr(spec.title, lang=lang, fallback=base.label)
        if part == "cells":
            label = _tr("map.legend.cells", lang=lang, fallback=base.label, size="{size}")
        looks[part] = replace(
            base,
            label=base.label if part == "zone" else label,
            color=str(st.color),
            line_color=st.line_color,
            weight=float(st.weight) * PX_TO_PT * (0.6 if part == "zones" else 1.0),
            fill_opacity=float(st.fill_opacity) if st.fill else 0.0,
            radius=float(st.radius) * PX_TO_PT * (0.4 if part in ("incidents",
                                                                   "observations") else 1.0),
            palette=tuple(st.palette) or base.palette,
            colors=colors,
            radii={**base.radii, **{str(k): float(v) * PX_TO_PT
                                    for k, v in (st.radius_by or {}).items()}},
            labels={**base.labels, **{k: lab for k, (lab, _) in legend.items()}},
        )
    return looks


# --- geometry helpers ---------------------------------------------------------------------------

def _to_web(geom: shapely.Geometry, src: str = WGS84) -> shapely.Geometry:
    tr = transformer(src, WEB)
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _xy_web(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray[Any], ...]:
    x, y = transformer(WGS84, WEB).transform(np.asarray(lon, "float64"), np.asarray(lat, "float64"))
    return np.asarray(x), np.asarray(y)


def _rings(geom: shapely.Geometry) -> list[NDArray[np.float64]]:
    """Exterior and interior rings of a (multi)polygon as coordinate arrays."""
    out: list[NDArray[np.float64]] = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        out.append(np.asarray(poly.exterior.coords)[:, :2])
        out.extend(np.asarray(r.coords)[:, :2] for r in poly.interiors)
    return out


def _fill(ax: Any, geom: shapely.Geometry, *, face: str, edge: str, width: float, z: int) -> None:
    """A (multi)polygon filled with its holes left open."""
    rings = _rings(geom)
    if not rings:
        return
    verts = np.concatenate(rings)
    codes = np.concatenate([[MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 2)
                            + [MplPath.CLOSEPOLY] for r in rings])
    # add_artist, not add_patch: the view's limits are set by hand (render_map), so the
    # patch's data limits (a Bézier walk over every vertex) are never needed
    ax.add_artist(PathPatch(MplPath(verts, codes), facecolor=face, edgecolor=edge,
                            linewidth=width, zorder=z))


def _draw_local_base(ax: Any, view: shapely.Geometry, *, lang: str) -> Patch:
    """The bundled basemap under everything: land of the neighbouring stadsdelar, water.
    Returns the legend handle of the water."""
    from mapapp.render import specs_by_id
    from mapapp.render.basemap import LAND, LAND_EDGE

    local = local_layers()
    ax.add_patch(Rectangle((view.bounds[0], view.bounds[1]), view.bounds[2] - view.bounds[0],
                           view.bounds[3] - view.bounds[1], facecolor="#e3e1db",
                           edgecolor="none", zorder=0))
    for geom, own in zip(local.land.geometry, local.land["in_district"], strict=True):
        g = _to_web(geom)
        if g.intersects(view):
            _fill(ax, g, face="#ffffff" if own else LAND, edge=LAND_EDGE, width=0.3, z=0)
    water = specs_by_id()["vatten"]
    face, edge = water.style.color, water.style.line_color or water.style.color
    for geom in local.water.geometry:
        g = _to_web(geom)
        if g.intersects(view):
            _fill(ax, g, face=face, edge=edge, width=0.3, z=1)
    return Patch(facecolor=face, edgecolor=edge, linewidth=0.6, label=t(water.title, lang))


def _draw_imported(ax: Any, view: shapely.Geometry, path: str) -> None:
    """Land use, buildings and roads of an imported basemap, under the data."""
    from mapapp.render.basemap import BUILDING, LANDUSE, ROAD, imported_layers

    frames, _labels, _credit = imported_layers(path)
    for kind, face in (("landuse", LANDUSE), ("buildings", BUILDING)):
        for geom in frames[kind].geometry:
            g = _to_web(geom)
            if g.intersects(view):
                _fill(ax, g, face=face, edge="none", width=0, z=1)
    for geom in frames["roads"].geometry:
        g = _to_web(geom)
        if not g.intersects(view):
            continue
        for part in getattr(g, "geoms", [g]):
            xy = np.asarray(part.coords)
            ax.plot(xy[:, 0], xy[:, 1], color=ROAD, linewidth=1.0, zorder=1,
                    solid_capstyle="round")


def _draw_outline(ax: Any, geom: shapely.Geometry, look: Look, *, z: int, weight: float | None = None,
                  color: str | None = None, fill: bool = False, alpha: float = 1.0) -> None:
    rings = _rings(geom)
    if not rings:
        return
    if fill and look.fill_opacity > 0:
        polys = [np.asarray(p.exterior.coords)[:, :2] for p in getattr(geom, "geoms", [geom])
                 if p.geom_type == "Polygon" and not p.is_empty]
        ax.add_collection(PolyCollection(polys, facecolors=color or look.color,
                                         alpha=look.fill_opacity, edgecolors="none",
                                         zorder=z - 1))
    for ring in rings:
        ax.plot(ring[:, 0], ring[:, 1], color=color or look.edge,
                linewidth=look.weight if weight is None else weight, alpha=alpha,
                linestyle=(0, (4, 2)) if look.dashed else "-", zorder=z,
                solid_capstyle="round")


def nice_length(max_m: float) -> float:
    """The largest 1/2/2.5/5 × 10^n metres not above ``max_m``.

    >>> nice_length(730), nice_length(1999), nice_length(40)
    (500.0, 1000.0, 25.0)
    """
    if max_m <= 0:
        return 0.0
    exp = math.floor(math.log10(max_m))
    for m in (5, 2.5, 2, 1):
        v = m * 10 ** exp
        if v <= max_m:
            return float(v)
    return float(10 ** exp)


def _ground_per_unit(cx: float, cy: float) -> float:
    """Metres on the ground per EPSG:3857 unit at (cx, cy), measured in EPSG:3006."""
    lon, lat = transformer(WEB, WGS84).transform([cx - 500.0, cx + 500.0], [cy, cy])
    x, y = transformer(WGS84, METRIC).transform(lon, lat)
    return float(math.hypot(x[1] - x[0], y[1] - y[0]) / 1000.0)


# --- the map ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RenderedMap:
    png: bytes
    tiles_used: bool
    drew_cells: bool
    attribution: list[str]
    width_px: int
    height_px: int
    legend: tuple[str, ...] = ()  # the legend's entries, in order


def cell_class_labels(*, lang: str, below: int) -> list[str]:
    """Legend labels of the cell classes: "<5", "5–9", "10–19", "20–49", "50+"."""
    labels = []
    for i, lo in enumerate(CELL_BREAKS):
        hi = CELL_BREAKS[i + 1] - 1 if i + 1 < len(CELL_BREAKS) else None
        if i == 0:
            labels.append(t("common.suppressed", lang, n=below))
        else:
            labels.append(f"{lo}–{hi}" if hi is not None else f"{lo}+")
    return labels


def render_map(
    data: MapData,
    *,
    lang: str = "sv",
    dpi: int = 150,
    width_cm: float = 16.0,
    height_cm: float = 12.0,
    max_points: int = MAX_POINTS,
    tiles_url: str | None = None,
    tiles_attribution: str = "© OpenStreetMap-bidragsgivare",
    title: str | None = None,
    basemap_path: str | None = None,
) -> RenderedMap:
    """The PNG of the map (``width_cm`` × ``height_cm`` at ``dpi``). ``basemap_path``: an
    imported vector basemap (``mapapp basemap import``) drawn over the bundled one."""
    looks = map_styles(lang=lang)
    fig = Figure(figsize=(width_cm / 2.54, (height_cm + LEGEND_CM) / 2.54), dpi=dpi)
    FigureCanvasAgg(fig)
    strip = LEGEND_CM / (height_cm + LEGEND_CM)
    ax = fig.add_axes((0.0, strip, 1.0, 1.0 - strip))
    ax.set_axis_off()
    ax.set_aspect("equal")
    lax = fig.add_axes((0.0, 0.0, 1.0, strip))
    lax.set_axis_off()

    focus = data.zone_geom if data.zone_geom is not None else data.district
    fx0, fy0, fx1, fy1 = shapely.bounds(_to_web(focus))
    pad = 0.08 * max(fx1 - fx0, fy1 - fy0)
    fx0, fy0, fx1, fy1 = fx0 - pad, fy0 - pad, fx1 + pad, fy1 + pad
    aspect = height_cm / width_cm
    cx, cy = (fx0 + fx1) / 2, (fy0 + fy1) / 2
    w = max(fx1 - fx0, (fy1 - fy0) / aspect)
    h = w * aspect
    bounds = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    view = shapely.box(*bounds)

    tiles_used = False
    if tiles_url:
        wpx = int(width_cm / 2.54 * dpi)
        got = (fetch_wms(tiles_url, bounds, wpx, int(wpx * aspect)) if "{bbox}" in tiles_url
               else fetch_tiles(tiles_url, bounds, wpx))
        if got is not None:
            img, extent = got
            ax.imshow(img, extent=extent, interpolation="bilinear", zorder=0)
            tiles_used = True

    handles: list[Any] = []
    if not tiles_used:
        handles.append(_draw_local_base(ax, view, lang=lang))
        if basemap_path:
            _draw_imported(ax, view, basemap_path)
    # Stadsdelar (thin, with their names in a zone map) and the district outline.
    sd = looks["stadsdelar"]
    for name, geom in zip(data.stadsdelar["name"], data.stadsdelar.geometry, strict=True):
        g = _to_web(geom)
        if not g.intersects(view):
            continue
        _draw_outline(ax, g, sd, z=2, weight=sd.weight * 0.6, alpha=0.55)
        if data.zone_geom is not None:
            p = shapely.intersection(g, view).representative_point()
            ax.text(p.x, p.y, str(name), fontsize=6, color=sd.edge, ha="center", va="center",
                    alpha=0.8, zorder=3, clip_on=True)
    _draw_outline(ax, _to_web(data.district), sd, z=4, weight=sd.weight * 1.4)
    handles.append(Line2D([], [], color=sd.edge, linewidth=sd.weight, label=sd.label))

    # Incidents as points, or as counts per grid cell when there are many; observations as
    # points (in the cells too when they are many). Never sensitive: MapData holds none.
    pts = data.points
    inc = pts[pts["kind"] == "incident"]
    obs = pts[pts["kind"] == "observation"]
    cell_pts = pts.iloc[0:0]
    if len(inc) > max_points:
        cell_pts = inc if len(obs) <= max_points else pts
    drew_cells = len(cell_pts) > 0
    if drew_cells:
        only_incidents = len(cell_pts) == len(inc)
        handles += _draw_cells(ax, data, cell_pts, looks["cells"], lang=lang, only_incidents=only_incidents)
    for kind, key, sel in (("incident", "incidents", inc), ("observation", "observations", obs)):
        if len(sel) == 0 or (drew_cells and (kind == "incident" or len(cell_pts) == len(pts))):
            continue
        lk = looks[key]
        x, y = _xy_web(sel["lon"].to_numpy(), sel["lat"].to_numpy())
        ax.scatter(x, y, s=(2 * lk.radius) ** 2, c=lk.color, alpha=max(lk.fill_opacity, 0.6),
                   linewidths=0, zorder=5)
        handles.append(Line2D([], [], marker="o", linestyle="", color=lk.color,
                              markersize=2 * lk.radius + 1, label=lk.label))

    # The zone itself, or every zone for the district.
    if data.zone_geom is not None:
        zl = looks["zone"]
        _draw_outline(ax, _to_web(data.zone_geom), zl, z=7, fill=True)
        handles.append(Line2D([], [], color=zl.edge, linewidth=zl.weight,
                              label=f"{zl.label}: {data.zone}"))
    else:
        zl = looks["zones"]
        for name, geom in zip(data.zones["name"], data.zones.geometry, strict=True):
            g = _to_web(geom)
            _draw_outline(ax, g, zl, z=7)
            p = g.representative_point()
            ax.text(p.x, p.y, str(name), fontsize=6, color=zl.edge, ha="center",
                    va="center", zorder=8, clip_on=True)
        handles.append(Line2D([], [], color=zl.edge, linewidth=zl.weight,
                              linestyle=(0, (4, 2)) if zl.dashed else "-", label=zl.label))

    # Sites; those carrying a flag larger, in their status's colour (rising, persistent,
    # flagged, fading: as on the map), and named.
    sl = looks["sites"]
    sites = data.sites
    if len(sites):
        x, y = _xy_web(sites["lon"].to_numpy(), sites["lat"].to_numpy())
        status = site_status(sites)
        for z, value in enumerate(("normal", *reversed(SITE_STATUSES))):
            sel = status == value
            if not sel.any():
                continue
            color = sl.colors.get(value, sl.colors.get("flagged", sl.color))
            r = sl.radii.get(value, sl.radii.get("flagged", sl.radius)) * SITE_SCALE
            ax.scatter(x[sel], y[sel], s=(2 * r) ** 2, c=color, edgecolors=sl.edge,
                       linewidths=0.6, zorder=9 + 0.1 * z)
            handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor=color,
                                  markeredgecolor=sl.edge, markersize=2 * r,
                                  label=sl.labels.get(value, sl.label)))
        fl = status != "normal"
        order = np.argsort([SITE_STATUSES.index(v) if v in SITE_STATUSES else 9
                            for v in status[fl]], kind="stable")
        named = list(zip(x[fl], y[fl], sites["name"].to_numpy()[fl], strict=True))
        for i in order[:MAX_SITE_LABELS]:
            xi, yi, n = named[i]
            ax.annotate(str(n), (xi, yi), xytext=(5, 5), textcoords="offset points",
                        fontsize=5.5, zorder=11, clip_on=True,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.75})

    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    leg = lax.legend(handles=handles, loc="upper left", fontsize=6, frameon=False,
                     ncols=3, title=title, title_fontsize=7, alignment="left",
                     borderaxespad=0.4, columnspacing=1.2, handlelength=1.8)
    leg.set_zorder(20)
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, edgecolor="#999999",
                           linewidth=0.6, zorder=30, clip_on=False))
    _scale_bar(ax, bounds)
    _north_arrow(ax)
    attribution = [t("snapshot.map.source_outlines", lang)]
    if len(sites) and (sites["source"] == "osm").any():
        attribution.append(t("snapshot.map.source_osm_sites", lang))
    if len(sites) and (sites["source"] == "gtfs").any():
        attribution.append(t("snapshot.map.source_gtfs", lang))
    if tiles_used:
        attribution.append(t("snapshot.map.source_tiles", lang, attribution=tiles_attribution))
    else:
        if tiles_url:  # asked for, not reached: said on the map itself
            attribution.append(t("snapshot.map.basemap_missing", lang))
        attribution.append(t("snapshot.map.source_water", lang))
        if basemap_path:
            from mapapp.render.basemap import imported_layers

            credit = imported_layers(basemap_path)[2]
            attribution.append(t("map.attr.imported", lang, source=credit or "–"))
    attribution.append(t("snapshot.map.no_sensitive", lang))
    lax.text(0.995, 0.03, _credit_lines(attribution), transform=lax.transAxes, fontsize=4.8,
             ha="right", va="bottom", color="#222222", linespacing=1.3)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    wpx, hpx = (int(round(v)) for v in fig.canvas.get_width_height())
    return RenderedMap(buf.getvalue(), tiles_used, drew_cells, attribution, wpx, hpx,
                       tuple(str(h.get_label()) for h in handles))


def _credit_lines(parts: Sequence[str], width: int = 150) -> str:
    """The credits joined with " · ", broken between parts into lines of at most ``width``
    characters (a part longer than that stands alone)."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return "\n".join(lines)


def _draw_cells(ax: Any, data: MapData, points: Any, look: Look, *, lang: str,
                only_incidents: bool) -> list[Any]:
    from mapapp.analysis.grid import build_grid

    grid = build_grid(data.district, cell_size_m=data.grid_size_m)
    counts = grid.bin(points["lon"].to_numpy("float64"), points["lat"].to_numpy("float64"))
    idx = np.flatnonzero(counts > 0)
    palette = list(look.palette) or ["#bfd3e6", "#9ebcda", "#8c96c6", "#8856a7", "#810f7c"]
    if len(palette) != len(CELL_BREAKS):  # spread the spec's palette over the classes
        pick = np.linspace(0, len(palette) - 1, len(CELL_BREAKS)).round().astype(int)
        palette = [palette[i] for i in pick]
    cls = np.searchsorted(np.array(CELL_BREAKS), counts[idx], side="right") - 1
    polys = shapely.transform(grid.polygons_metric[idx], _metric_to_web)
    verts = [np.asarray(p.exterior.coords)[:, :2] for p in polys]
    ax.add_collection(PolyCollection(verts, facecolors=[palette[c] for c in cls],
                                     edgecolors=look.line_color or "none", linewidths=0.2,
                                     alpha=look.fill_opacity or 0.75,
                                     zorder=5))
    labels = cell_class_labels(lang=lang, below=data.suppress_below)
    size = int(data.grid_size_m) if float(data.grid_size_m).is_integer() else data.grid_size_m
    out: list[Any] = [Patch(facecolor="none", edgecolor="none",
                            label=(look.label if only_incidents else t(
                                "snapshot.map.cells", lang, size="{size}")).replace(
                                    "{size}", str(size)))]
    out += [Patch(facecolor=palette[i], edgecolor="none", label=labels[i])
            for i in range(len(CELL_BREAKS)) if (cls == i).any()]
    return out


def _metric_to_web(xy: NDArray[np.float64]) -> NDArray[np.float64]:
    x, y = transformer(METRIC, WEB).transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _scale_bar(ax: Any, bounds: Sequence[float]) -> None:
    x0, y0, x1, y1 = bounds
    w, h = x1 - x0, y1 - y0
    per_unit = _ground_per_unit((x0 + x1) / 2, (y0 + y1) / 2)
    length_m = nice_length(0.22 * w * per_unit)
    if length_m <= 0:
        return
    units = length_m / per_unit
    bx, by = x1 - 0.04 * w - units, y0 + 0.07 * h
    ax.plot([bx, bx + units], [by, by], color="black", linewidth=2.2, zorder=22,
            solid_capstyle="butt")
    for xx in (bx, bx + units):
        ax.plot([xx, xx], [by - 0.008 * h, by + 0.008 * h], color="black", linewidth=1, zorder=22)
    text = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    ax.text(bx + units / 2, by + 0.015 * h, text, ha="center", va="bottom", fontsize=6.5,
            zorder=22, bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none",
                             "alpha": 0.7})


def _north_arrow(ax: Any) -> None:
    ax.annotate("N", xy=(0.955, 0.955), xytext=(0.955, 0.86), xycoords="axes fraction",
                textcoords="axes fraction", ha="center", va="center", fontsize=9,
                fontweight="bold", zorder=22,
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.4},
                bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8})
