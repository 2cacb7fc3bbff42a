"""Layer specs + data -> one folium map (no streamlit here).

:func:`build_map` draws the basemap (:mod:`mapapp.render.basemap`: by default the bundled
land, water and names, or the tiles of a server the settings name), one layer-control entry
per spec group, the legend, a metric scale bar and the attributions. Every script and
stylesheet the HTML references is served by the app (:mod:`mapapp.render.assets`; the files
are copied into ``static/vendor`` the first time a map is built in the process); with the
bundled basemap the HTML holds no other URL than attribution links (which the browser only
follows when clicked); with a tile server, its URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np

from mapapp.basemap import parse_basemap
from mapapp.errors import ConfigurationError
from mapapp.i18n import t
from mapapp.i18n.numbers import fmt_number
from mapapp.render import assets
from mapapp.render.basemap import BACKGROUND, add_basemap, basemap_data
from mapapp.render.data import CellValues, PackedPoints
from mapapp.render.elements import (
    CellLayer,
    Legend,
    PointCluster,
    SquareMarkers,
    ZoomRange,
)
from mapapp.render.spec import LayerSpec, LegendEntry
from mapapp.settings import OSM_ATTRIBUTION
from mapapp.textsafe import html_text

DEFAULT_CENTER = (59.2903, 17.9886)  # Hägersten-Älvsjö
DEFAULT_ZOOM = 13
MIN_ZOOM = 10
MAX_ZOOM = 19


def _css(value: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in value)


def _style_fn(spec: LayerSpec) -> Callable[[dict[str, Any]], dict[str, Any]]:
    st = spec.style

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        value = str(feature["properties"].get(st.color_by, "")) if st.color_by else ""
        fill = st.colors.get(value, st.color)
        out: dict[str, Any] = {
            "color": st.line_color or fill, "weight": st.weight, "opacity": st.opacity,
            "fillColor": fill, "fillOpacity": st.fill_opacity if st.fill else 0.0,
            "fill": st.fill,
            # CSS classes on the SVG path: mapapp-<layer> and mapapp-<layer>-<value>
            "className": f"mapapp-{spec.id}" + (f" mapapp-{spec.id}-{_css(value)}" if value
                                                else ""),
        }
        if value in st.dashed_values:
            out["dashArray"] = "8 5"
        if spec.kind == "point":
            out["radius"] = st.radius_by.get(value, st.radius)
        return out

    return style


def _geojson(spec: LayerSpec, gdf: gpd.GeoDataFrame, *, lang: str) -> folium.GeoJson:
    cols = [c for c in dict.fromkeys([*spec.tooltip, *spec.popup,
                                      *([spec.style.color_by] if spec.style.color_by else [])])
            if c in gdf.columns]
    if spec.style.hidden_values and spec.style.color_by:
        gdf = gdf[~gdf[spec.style.color_by].astype(str).isin(spec.style.hidden_values)]
    data = gdf[[*cols, "geometry"]]
    kwargs: dict[str, Any] = {}
    if spec.tooltip:
        kwargs["tooltip"] = folium.GeoJsonTooltip(fields=list(spec.tooltip), labels=False,
                                                  sticky=True)
    if spec.popup:
        kwargs["popup"] = folium.GeoJsonPopup(fields=list(spec.popup), labels=False)
    if spec.kind == "point":
        kwargs["marker"] = folium.CircleMarker(radius=spec.style.radius)
    elif not spec.interactive:
        kwargs["interactive"] = False
    else:
        kwargs["highlight_function"] = lambda _f: {"weight": spec.style.weight + 2,
                                                   "fillOpacity": min(
                                                       1.0, spec.style.fill_opacity + 0.15)}
    return folium.GeoJson(data, name=html_text(t(spec.title, lang)), style_function=_style_fn(spec),
                          control=False, **kwargs)


def _squares(spec: LayerSpec, gdf: gpd.GeoDataFrame) -> SquareMarkers:
    st = spec.style
    values = list(dict.fromkeys([*st.colors, st.color]))
    palette = [st.colors.get(v, st.color) for v in values]
    pos = {v: i for i, v in enumerate(values)}
    feats = []
    for row in gdf.itertuples(index=False):
        value = str(getattr(row, st.color_by)) if st.color_by else ""
        g = row.geometry
        feats.append([round(g.y, 5), round(g.x, 5), pos.get(value, len(values) - 1),
                      1 if bool(getattr(row, "overdue", False)) else 0,
                      str(getattr(row, spec.tooltip[0])) if spec.tooltip else ""])
    return SquareMarkers(feats, palette)


def _swatch(entry: LegendEntry) -> str:
    cls = "sw" + (f" {entry.shape}" if entry.shape != "box" else "") \
        + (" dashed" if entry.dashed else "")
    style = (f"border-color:{entry.color}" if entry.shape == "line"
             else f"background:{entry.color}")
    return f'<span class="{cls}" style="{html_text(style)}"></span>'


def legend_entries(spec: LayerSpec, data: Any) -> list[tuple[str, LegendEntry]]:
    """(label text, entry) rows of a layer's legend; cells with breaks get one row per class
    from the data, static rows otherwise."""
    if spec.kind == "cells" and isinstance(data, CellValues) and spec.style.palette:
        return [(label, LegendEntry(str(i), label, color))
                for i, (label, color) in enumerate(zip(data.labels, data.colors, strict=True))]
    keys = data.extra.get("legend_keys") if isinstance(data, CellValues) else None
    if keys is None:
        return [(entry.label, entry) for entry in spec.legend]
    # only the rows whose colour some drawn class has
    shown = {spec.style.colors.get(k) for k in keys}
    return [(entry.label, entry) for entry in spec.legend if entry.color in shown]


def legend_html(blocks: Sequence[tuple[str, str, list[tuple[str, LegendEntry]], list[str]]],
                *, lang: str) -> str:
    """The legend's HTML: one ``<div data-layer=…>`` per control group (title, rows, notes).
    Every text is escaped here."""
    out = []
    for gid, title, rows, notes in blocks:
        parts = [f'<div data-layer="{html_text(gid)}"><h4>{html_text(title)}</h4>']
        for label, entry in rows:
            text = t(label, lang) if label.startswith(("map.", "analysis.", "hotspots.")) else label
            parts.append(f'<div class="row">{_swatch(entry)}<span>{html_text(text)}</span></div>')
        parts += [f'<p class="note">{html_text(n)}</p>' for n in notes if n]
        parts.append("</div>")
        out.append("".join(parts))
    return "".join(out)


def build_map(
    specs: Sequence[LayerSpec],
    data: Mapping[str, Any],
    *,
    lang: str = "sv",
    basemap: str = "local",
    attribution: str = OSM_ATTRIBUTION,
    bounds: tuple[float, float, float, float] | None = None,
    base_outlines: gpd.GeoDataFrame | None = None,
    notes: Mapping[str, str] | None = None,
    height: str | int = "100%",
) -> folium.Map:
    """The map. ``data`` maps each spec's ``source`` to its data (a spec whose data is None
    or missing is left out). ``bounds`` (minx, miny, maxx, maxy, WGS84) is fitted on open.
    ``basemap``: a ``MAPAPP_BASEMAP`` value (:func:`mapapp.basemap.parse_basemap`).
    ``base_outlines``: the district's stadsdelar as the store has them, drawn as the district's
    land of the bundled basemap (default: the bundled ones).
    ``notes``: extra legend sentences by layer id."""
    notes = notes or {}
    center = DEFAULT_CENTER if bounds is None else ((bounds[1] + bounds[3]) / 2,
                                                    (bounds[0] + bounds[2]) / 2)
    # min/max zoom as map options (folium would give them to a default tile layer only);
    # Leaflet.markercluster needs the map's maxZoom.
    # zoomSnap 0.5: the district fills the map better when it is fitted.
    m = folium.Map(location=list(center), zoom_start=DEFAULT_ZOOM, tiles=None,
                   control_scale=False, height=height, minZoom=MIN_ZOOM, maxZoom=MAX_ZOOM,
                   zoomSnap=0.5)
    assets.localize(m, assets.MAP_JS, assets.MAP_CSS)
    assets.ensure_vendor_once()
    attributions = [html_text(t("map.attr.data", lang))]
    base = parse_basemap(basemap, attribution)
    attributions += add_basemap(m, base, lang=lang, district=base_outlines)
    data = {**basemap_data(base), **data}
    if bounds is not None:
        m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])

    ordered = sorted(specs, key=lambda s: s.order)
    groups: dict[str, folium.FeatureGroup] = {}
    ranges: list[ZoomRange] = []
    blocks: dict[str, tuple[str, str, list[tuple[str, LegendEntry]], list[str]]] = {}
    for spec in ordered:
        payload = data.get(spec.source)
        if payload is None:
            continue
        gid = spec.control_group
        title = t(spec.title, lang)
        if gid not in groups:
            groups[gid] = folium.FeatureGroup(name=html_text(title), show=spec.show,
                                              overlay=True, control=True)
            groups[gid].add_to(m)
            blocks[gid] = (gid, title, [], [])
        group = groups[gid]
        layer = _layer(spec, payload, lang=lang)
        if layer is None:
            blocks[gid][3].append(t("map.legend.empty", lang))
            continue
        layer.add_to(group)
        if spec.min_zoom is not None or spec.max_zoom is not None:
            ranges.append(ZoomRange(group, layer, spec.min_zoom, spec.max_zoom))
        block = blocks[gid]
        block[2].extend(legend_entries(spec, payload))
        if spec.note:
            block[3].append(t(spec.note, lang))
        if spec.id in notes:
            block[3].append(notes[spec.id])
    for r in ranges:
        r.add_to(m)
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    Legend(legend_html(list(blocks.values()), lang=lang), t("map.legend.title", lang),
           list(groups.items()), attributions=attributions, nobase=base.is_local,
           background=BACKGROUND).add_to(m)
    return m


def _layer(spec: LayerSpec, payload: Any, *, lang: str) -> Any:
    if spec.kind in ("polygon", "point"):
        return _geojson(spec, payload, lang=lang)
    if spec.kind == "square":
        return _squares(spec, payload)
    if spec.kind == "cells":
        if not isinstance(payload, CellValues):
            raise ConfigurationError(f"{spec.id}: cells need CellValues")
        if payload.count == 0:
            return None
        ztext = payload.extra.get("z")
        z_list = None
        if ztext is not None:
            z_list = [fmt_number(v, lang, decimals=2) for v in np.asarray(ztext, dtype=float)]
        return CellLayer(payload, fill_opacity=spec.style.fill_opacity, z_text=z_list,
                         line=spec.style.line_color or "#ffffff", weight=spec.style.weight)
    if spec.kind == "cluster":
        if not isinstance(payload, PackedPoints):
            raise ConfigurationError(f"{spec.id}: cluster needs PackedPoints")
        return PointCluster(payload, css_class=f"mapapp-cluster-{spec.control_group}",
                            radius=spec.style.radius)
    raise ConfigurationError(f"{spec.id}: unknown kind {spec.kind}")
