"""What every page needs: settings, the engine, the signed-in principal, the language, and the
data loaded once per data version (and role).

Caches: ``st.cache_resource`` hands every session the *same* object (no per-rerun unpickling
of a large frame), so treat what these return as read-only. Keys include the store's
``data_version`` (bumped by every write) and the principal's role, so a write shows at once and
one role never sees another role's cached data.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from mapapp.access import Principal
from mapapp.i18n import t
from mapapp.settings import Settings, load_settings
from mapapp.store import open_store
from mapapp.store.engine import data_version
from mapapp.ui import state

PRINCIPAL_KEY = state.PRINCIPAL
LANG_KEY = state.LANG


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    return open_store(get_settings())


def principal() -> Principal | None:
    return st.session_state.get(PRINCIPAL_KEY)


def require_principal() -> Principal:
    """The signed-in principal; the shell never runs a page without one."""
    who = principal()
    if who is None:
        st.stop()
    return who  # type: ignore[return-value]


def lang() -> str:
    return str(st.session_state.get(LANG_KEY, get_settings().lang))


def tr(key: str, **params: object) -> str:
    return t(key, lang(), **params)


def error_text(exc: BaseException) -> str:
    """An error in the user's language (a :class:`~mapapp.errors.MapAppError` is rendered from
    its key; any other exception as its text)."""
    from mapapp.errors import MapAppError

    return exc.text(lang()) if isinstance(exc, MapAppError) else str(exc)


def version() -> str:
    """The store's data version (cheap: one indexed row)."""
    return data_version(get_engine())


@st.cache_resource(show_spinner=False, max_entries=16)
def _points(kind: str, cache_key: str, dv: str, _who: Principal) -> pd.DataFrame:
    from mapapp.store.points import load_points

    return load_points(get_engine(), _who, kind)  # type: ignore[arg-type]


def points(kind: str) -> pd.DataFrame:
    """All points of ``kind`` that the signed-in role may see (read-only, shared)."""
    who = require_principal()
    return _points(kind, who.cache_key, version(), who)


# The ``*_for``/``*_at`` readers take the role and the data version as arguments and read no
# session state: for cached functions, which must take every input as an argument.


def zones_at(dv: str) -> gpd.GeoDataFrame:
    return _zones(dv)


def stadsdelar_at(dv: str) -> gpd.GeoDataFrame:
    return _stadsdelar(dv)


def sites_at(dv: str) -> gpd.GeoDataFrame:
    return _sites(dv)


@st.cache_resource(show_spinner=False, max_entries=8)
def _all_points(cache_key: str, dv: str, _who: Principal) -> pd.DataFrame:
    return pd.concat([_points("incident", cache_key, dv, _who),
                      _points("observation", cache_key, dv, _who)], ignore_index=True)


def all_points() -> pd.DataFrame:
    """Incidents and observations in one frame, joined once per data version and role
    (read-only, shared) rather than on every rerun."""
    who = require_principal()
    return _all_points(who.cache_key, version(), who)


@st.cache_resource(show_spinner=False, max_entries=4)
def _zones(dv: str) -> gpd.GeoDataFrame:
    from mapapp.store.district import zones_frame

    return zones_frame(get_engine())


@st.cache_resource(show_spinner=False, max_entries=4)
def _stadsdelar(dv: str) -> gpd.GeoDataFrame:
    from mapapp.store.district import stadsdelar_frame

    return stadsdelar_frame(get_engine())


@st.cache_resource(show_spinner=False, max_entries=4)
def _sites(dv: str) -> gpd.GeoDataFrame:
    from mapapp.store.district import sites_frame

    return sites_frame(get_engine())


def zones() -> gpd.GeoDataFrame:
    return _zones(version())


def stadsdelar() -> gpd.GeoDataFrame:
    return _stadsdelar(version())


def sites() -> gpd.GeoDataFrame:
    return _sites(version())


# --- map (added for the Karta and Område pages) --------------------------------------------

from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from mapapp.analysis.grid import Grid
    from mapapp.analysis.periods import Period
    from mapapp.render.data import PointIndex


@st.cache_resource(show_spinner=False, max_entries=4)
def _grid(dv: str, size: float) -> Grid:
    import shapely

    from mapapp.analysis.grid import build_grid

    return build_grid(shapely.union_all(_stadsdelar(dv).geometry.to_numpy()), cell_size_m=size)


def grid_at(dv: str) -> Grid:
    """The Gi*/count grid over the district (a :class:`mapapp.analysis.grid.Grid`)."""
    return _grid(dv, get_settings().grid_size_m)


@st.cache_resource(show_spinner=False, max_entries=16)
def _point_index(kind: str, cache_key: str, dv: str, _who: Principal) -> PointIndex:
    from mapapp.render.data import PointIndex
    from mapapp.store.points import load_point_arrays

    # The lean read (numbers only): the map never needs the point frame's text columns.
    return PointIndex.from_arrays(load_point_arrays(get_engine(), _who, kind),  # type: ignore[arg-type]
                                  _grid(dv, get_settings().grid_size_m))


def point_index(kind: str) -> PointIndex:
    """Column arrays of the role's points of ``kind`` (a :class:`mapapp.render.data.PointIndex`,
    equal to one built from :func:`points`): zone, grid cell and time of every point, read
    once per data version and role without loading the point frame."""
    who = require_principal()
    return point_index_for(kind, who, version())


def point_index_for(kind: str, who: Principal, dv: str) -> PointIndex:
    return _point_index(kind, who.cache_key, dv, who)


def data_end() -> pd.Timestamp | None:
    """The latest time of the role's incidents."""
    return point_index("incident").data_end()


@st.cache_resource(show_spinner=False, max_entries=16)
def _periods(kind: str, cache_key: str, dv: str, start_month: int, _who: Principal
             ) -> list[Period]:
    from mapapp.analysis.periods import list_periods

    index = _point_index("incident", cache_key, dv, _who)
    if index.n == 0:
        return []
    return list_periods(index.times(), kind=kind, stat_year_start_month=start_month)


def periods(kind: str) -> list[Period]:
    """The periods of ``kind`` that the role's incidents span, oldest first."""
    return periods_for(kind, require_principal(), version())


def periods_for(kind: str, who: Principal, dv: str) -> list[Period]:
    return _periods(kind, who.cache_key, dv, get_settings().stat_year_start_month, who)


@st.cache_resource(show_spinner=False, max_entries=8)
def _measures(cache_key: str, dv: str, today: str, _who: Principal) -> pd.DataFrame:
    from datetime import date

    from mapapp.measures import measures_frame

    return measures_frame(get_engine(), _who, today=date.fromisoformat(today))


def measures() -> pd.DataFrame:
    """Every measure with ``overdue`` as of today (read-only, shared)."""
    from mapapp.timezone import local_today

    return measures_for(require_principal(), version(), local_today().isoformat())


def measures_for(who: Principal, dv: str, today: str) -> pd.DataFrame:
    """:func:`measures` of ``who`` at data version ``dv``, ``overdue`` as of ``today``."""
    return _measures(who.cache_key, dv, today, who)
