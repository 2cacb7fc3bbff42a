"""Where a problem was seen, in the survey form (``?enkat=TOKEN``): under a problem answered
"Lite" or "Mycket", a list of the zone's sites (the keyboard way) and a button that opens a
small map of the zone; a tap on it marks the place, shown at once snapped to its 100 m cell
(:func:`mapapp.council.survey_places.snap_to_cell`, which the store applies again). One map is
open at a time. The places live in the session until "Skicka" stores them with the answer."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from branca.element import MacroElement
from jinja2 import Template
from sqlalchemy import Engine
from streamlit_folium import st_folium

from mapapp.council.survey_places import PLACE_CELL_M, load_places, snap_to_cell
from mapapp.textsafe import markdown_text
from mapapp.ui import context as ctx
from mapapp.ui.vandring_map import walk_map

MAP_HEIGHT = 280
_ACTIVE = "enkat_map_open"  # "zone|problem" of the open map
_RESET = "enkat_site_reset"  # site pickers to empty on the next run (a map tap replaced them)
_EMPTY = pd.DataFrame({"lon": [], "lat": [], "category": [], "occurred_at": []})

Places = dict[str, dict[str, Any]]


class _FoldLegend(MacroElement):
    """Fold the map's legend once it is drawn (constant script, no data)."""

    _template = Template("""{% macro script(this, kwargs) %}
document.querySelectorAll('.mapapp-legend details').forEach(function (d) { d.open = false; });
{% endmacro %}""")


def _state_key(recipient_id: int) -> str:
    return f"enkat_places_{int(recipient_id)}"


def places_state(recipient_id: int, engine: Engine) -> Places:
    """The form's places, {"zone_id|problem": {lon, lat, site_id}}: the stored ones first."""
    key = _state_key(recipient_id)
    if key not in st.session_state:
        st.session_state[key] = {f"{z}|{p}": {"lon": pl.lon, "lat": pl.lat,
                                              "site_id": pl.site_id}
                                 for (z, p), pl in load_places(engine, recipient_id).items()}
    return st.session_state[key]  # type: ignore[no-any-return]


def forget(recipient_id: int) -> None:
    st.session_state.pop(_state_key(recipient_id), None)
    st.session_state.pop(_ACTIVE, None)


def given_places(places: Places) -> dict[tuple[int, str], dict[str, Any]]:
    out = {}
    for key, place in places.items():
        zid, _, problem = key.partition("|")
        out[(int(zid), problem)] = dict(place)
    return out


def _zone_sites(zid: int) -> pd.DataFrame:
    sites = ctx.sites()
    mine = sites[sites["zone_id"] == zid]
    return pd.DataFrame(mine[["id", "name", "lon", "lat"]]).sort_values("name")


def place_text(place: dict[str, Any] | None, names: dict[int, str]) -> str:
    if not place:
        return ctx.tr("survey.place.none")
    if place.get("site_id") is not None:
        return ctx.tr("survey.place.at_site",
                      site=markdown_text(names.get(int(place["site_id"]), "?")))
    return ctx.tr("survey.place.on_map", m=f"{PLACE_CELL_M:.0f}")


def _pick_site(places: Places, key: str, picker: str, sites: pd.DataFrame) -> None:
    sid = st.session_state.get(picker)
    if sid is None:
        return
    row = sites[sites["id"] == sid].iloc[0]
    places[key] = {"lon": float(row["lon"]), "lat": float(row["lat"]), "site_id": int(sid)}
    st.session_state.pop(_ACTIVE, None)


def _toggle(key: str) -> None:
    if st.session_state.get(_ACTIVE) == key:
        st.session_state.pop(_ACTIVE, None)
    else:
        st.session_state[_ACTIVE] = key


def _clear(places: Places, key: str, picker: str) -> None:
    places.pop(key, None)
    st.session_state[picker] = None


def place_control(places: Places, zid: int, problem: str) -> None:
    """The "where?" line under one answered problem."""
    key = f"{zid}|{problem}"
    picker = f"enkat_site_{zid}_{problem}"
    reset: set[str] = st.session_state.setdefault(_RESET, set())
    if picker in reset:
        reset.discard(picker)
        st.session_state[picker] = None
    cur = places.get(key)
    sites = _zone_sites(zid)
    names = {int(i): str(n) for i, n in zip(sites["id"], sites["name"], strict=True)}
    with st.container(key=f"enkat_where_{zid}_{problem}"):
        st.caption(place_text(cur, names))
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        if names:
            ids = list(names)
            index = (ids.index(int(cur["site_id"])) if cur and cur.get("site_id") is not None
                     and int(cur["site_id"]) in names else None)
            c1.selectbox(ctx.tr("survey.place.site"), ids, index=index,
                         format_func=lambda i: names.get(i, str(i)),
                         placeholder=ctx.tr("survey.place.site_placeholder"), key=picker,
                         on_change=_pick_site, args=(places, key, picker, sites))
        active = st.session_state.get(_ACTIVE) == key
        c2.button(ctx.tr("survey.place.map_close" if active else "survey.place.map_open"),
                  key=f"enkat_mapbtn_{zid}_{problem}", on_click=_toggle, args=(key,),
                  width="stretch")
        if cur:
            st.button(ctx.tr("survey.place.clear"), key=f"enkat_clear_{zid}_{problem}",
                      on_click=_clear, args=(places, key, picker))
        if active:
            _small_map(places, key, zid, picker, sites)


def _small_map(places: Places, key: str, zid: int, picker: str, sites: pd.DataFrame) -> None:
    import geopandas as gpd

    settings = ctx.get_settings()
    zones = ctx.zones()
    zone = zones.loc[zones["id"] == zid, "geometry"]
    cur = places.get(key)
    m = walk_map(zone=zone.iloc[0] if len(zone) else None, observations=_EMPTY,
                 pending=(cur["lon"], cur["lat"]) if cur else None, pending_accuracy=None,
                 route=None, sites=gpd.GeoDataFrame(sites) if len(sites) else None,
                 base=ctx.stadsdelar(), basemap=settings.basemap,
                 attribution=settings.basemap_attribution, lang=ctx.lang())
    _FoldLegend().add_to(m)  # a phone-sized map: the legend (water only) starts folded
    st.caption(ctx.tr("survey.place.map_hint", m=f"{PLACE_CELL_M:.0f}"))
    out = st_folium(m, key=f"enkat_map_{key.replace('|', '_')}", height=MAP_HEIGHT,
                    use_container_width=True, returned_objects=["last_clicked"])
    click = (out or {}).get("last_clicked")
    seen = f"enkat_seen_{key}"
    if click and click != st.session_state.get(seen):
        st.session_state[seen] = click
        lon, lat = snap_to_cell(float(click["lng"]), float(click["lat"]))
        places[key] = {"lon": lon, "lat": lat, "site_id": None}
        st.session_state[_RESET].add(picker)
        st.rerun()
