"""Settings: one frozen object built from ``MAPAPP_*`` environment variables and validated.

Unknown ``MAPAPP_*`` keys are errors (a typo must not silently fall back to a default). All
Streamlit sessions share one process, so nothing here is mutable: build a new object with
:func:`dataclasses.replace` to change one field.

| variable | default | meaning |
|---|---|---|
| MAPAPP_DATABASE_URL | ``sqlite:///var/mapapp.db`` (*) | SQLAlchemy URL; ``postgresql+psycopg://…``: PG |
| MAPAPP_LANG | ``sv`` | ``sv`` or ``en`` |
| MAPAPP_STAT_YEAR_START_MONTH | ``9`` | first month of the statistical year (1 Sep – 31 Aug) |
| MAPAPP_SITE_RADIUS_M | ``150`` | radius around a site for hotspot flags |
| MAPAPP_HOTSPOT_MIN_COUNT | ``5`` | a flagged or rising site has at least this many points |
| MAPAPP_HOTSPOT_Q | ``0.05`` | false discovery rate of the site flags (Benjamini–Hochberg) |
| MAPAPP_GRID_SIZE_M | ``100`` | Gi* grid cell size |
| MAPAPP_SUPPRESS_BELOW | ``5`` | published counts below this are written "<5" |
| MAPAPP_BASEMAP | ``local`` | ``local`` (bundled; no other origin), ``osm``, … (:mod:`mapapp.basemap`) |
| MAPAPP_BASEMAP_ATTRIBUTION | OSM's | attribution shown with a tile server other than ``osm`` |
| MAPAPP_GEOLOCATION_MAX_ACCURACY_M | ``50`` | a GPS fix worse than this is refused |
| MAPAPP_RETENTION_YEARS | ``2`` | notes and photos older than this are removed by ``retention apply`` |
| MAPAPP_PHOTO_MAX_BYTES | ``8000000`` | largest accepted photo |
| MAPAPP_EDIT_WINDOW_HOURS | ``24`` | a walk team may correct its own observations this long |
| MAPAPP_CONFIDENCE_LEVEL | ``0.95`` | a change is significant when its p-value is below 1 − this |
| MAPAPP_WDD_BUFFER_M | ``250`` | width of the displacement ring around a measure's place (WDD) |
| MAPAPP_LOG_LEVEL | ``WARNING`` | DEBUG, INFO, WARNING, ERROR, CRITICAL (to stderr; :mod:`mapapp.logs`) |
| MAPAPP_LOG_FORMAT | ``text`` | ``text`` or ``json`` (one JSON object a line) |
| MAPAPP_WEEKLY_ALPHA | ``0.05`` | a week is "more than usual" when the Poisson p-value is below this |
| MAPAPP_WEEKLY_HISTORY_WEEKS | ``8`` | the weeks before the chosen one that make "usual" |
| MAPAPP_PUBLIC_URL | ``http://localhost:8501`` | the app's address in survey and report links |
| MAPAPP_SECRET_KEY | file ``var/secret.key`` | key of survey tokens and sender hashes (same everywhere) |
| MAPAPP_REPORTS_PER_HOUR | ``5`` | public reports accepted per sender address and hour |
| MAPAPP_OIDC_ROLES | (empty) | ``group=role,…``: the role from the log-in's groups (:mod:`mapapp.access`) |
| MAPAPP_OIDC_GROUPS_CLAIM | ``groups`` | the ID token's claim that lists the user's groups |

(*) ``var/`` of the project folder when run from a checkout; of the current folder when installed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from mapapp.access import group_roles
from mapapp.basemap import OSM_ATTRIBUTION, OSM_TILES, Basemap, parse_basemap
from mapapp.errors import ConfigurationError
from mapapp.resources import geo_dir

GEO_DIR = geo_dir()


def default_db_path() -> Path:
    """``var/mapapp.db`` in the project folder when the package runs from its checkout (``make
    run``, an editable install), else ``var/mapapp.db`` under the current folder (an installed
    wheel: the store belongs to where you run it, never to site-packages)."""
    here = Path(__file__).resolve().parent.parent
    if (here / "pyproject.toml").is_file() and (here / "streamlit_app.py").is_file():
        return here / "var" / "mapapp.db"
    return Path.cwd() / "var" / "mapapp.db"


DEFAULT_DB_PATH = default_db_path()
__all__ = ["OSM_ATTRIBUTION", "OSM_TILES", "Settings", "load_settings"]


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_DB_PATH}"
    lang: str = "sv"
    stat_year_start_month: int = 9
    site_radius_m: float = 150.0
    hotspot_min_count: int = 5
    hotspot_q: float = 0.05
    grid_size_m: float = 100.0
    suppress_below: int = 5
    basemap: str = "local"
    basemap_attribution: str = OSM_ATTRIBUTION
    geolocation_max_accuracy_m: float = 50.0
    retention_years: float = 2.0
    photo_max_bytes: int = 8_000_000
    edit_window_hours: float = 24.0
    confidence_level: float = 0.95
    wdd_buffer_m: float = 250.0
    log_level: str = "WARNING"
    log_format: str = "text"
    weekly_alpha: float = 0.05
    weekly_history_weeks: int = 8
    public_url: str = "http://localhost:8501"
    secret_key: str = ""
    reports_per_hour: int = 5
    oidc_roles: str = ""
    oidc_groups_claim: str = "groups"

    def __post_init__(self) -> None:
        problems = []
        if self.lang not in ("sv", "en"):
            problems.append("MAPAPP_LANG måste vara sv eller en / must be sv or en")
        if not 1 <= self.stat_year_start_month <= 12:
            problems.append("MAPAPP_STAT_YEAR_START_MONTH måste vara 1–12 / must be 1–12")
        if not 0 < self.hotspot_q < 1:
            problems.append("MAPAPP_HOTSPOT_Q måste vara mellan 0 och 1 / must be between 0 and 1")
        for name in ("site_radius_m", "grid_size_m", "geolocation_max_accuracy_m"):
            if getattr(self, name) <= 0:
                problems.append(f"MAPAPP_{name.upper()} måste vara > 0 / must be > 0")
        if not 0.5 <= self.confidence_level < 1:
            problems.append("MAPAPP_CONFIDENCE_LEVEL måste vara 0,5–0,999 (t.ex. 0.95) "
                            "/ must be 0.5–0.999 (e.g. 0.95)")
        if self.wdd_buffer_m < 0:
            problems.append("MAPAPP_WDD_BUFFER_M får inte vara negativ / must not be negative")
        if self.suppress_below < 0 or self.hotspot_min_count < 0:
            problems.append("antal får inte vara negativa / counts must not be negative")
        try:
            parse_basemap(self.basemap, self.basemap_attribution)
        except ConfigurationError as exc:
            problems.append(str(exc))
        if self.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            problems.append("MAPAPP_LOG_LEVEL: DEBUG, INFO, WARNING, ERROR eller CRITICAL "
                            "/ DEBUG, INFO, WARNING, ERROR or CRITICAL")
        if self.log_format.lower() not in ("text", "json"):
            problems.append("MAPAPP_LOG_FORMAT: text eller json / text or json")
        if not 0 < self.weekly_alpha < 1:
            problems.append("MAPAPP_WEEKLY_ALPHA måste vara mellan 0 och 1 / must be in (0, 1)")
        if not 1 <= self.weekly_history_weeks <= 104:
            problems.append("MAPAPP_WEEKLY_HISTORY_WEEKS måste vara 1–104 / must be 1–104")
        if not self.public_url.startswith(("http://", "https://")):
            problems.append("MAPAPP_PUBLIC_URL måste börja med http:// eller https:// "
                            "/ must start with http:// or https://")
        try:
            group_roles(self.oidc_roles)
        except ConfigurationError as exc:
            problems.append(str(exc))
        if not self.oidc_groups_claim.strip():
            problems.append("MAPAPP_OIDC_GROUPS_CLAIM får inte vara tom / must not be empty")
        if self.reports_per_hour < 1:
            problems.append("MAPAPP_REPORTS_PER_HOUR måste vara ≥ 1 / must be ≥ 1")
        if problems:
            raise ConfigurationError("\n".join(problems))

    @property
    def base(self) -> Basemap:
        """The checked basemap (:func:`mapapp.basemap.parse_basemap`)."""
        return parse_basemap(self.basemap, self.basemap_attribution)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")


_PREFIX = "MAPAPP_"
# Variables that belong to the tooling, not to the settings object.
_NOT_SETTINGS = {"MAPAPP_TEST_POSTGRES_URL", "MAPAPP_REQUIRE_POSTGIS", "MAPAPP_E2E_PORT"}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from ``environ`` (default ``os.environ``) plus explicit overrides."""
    env = os.environ if environ is None else environ
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, object] = {}
    unknown = []
    for key, raw in env.items():
        if not key.startswith(_PREFIX) or key in _NOT_SETTINGS:
            continue
        name = key[len(_PREFIX):].lower()
        if name not in known:
            unknown.append(key)
            continue
        default: object = known[name].default
        try:
            values[name] = raw if isinstance(default, str) else type(default)(raw)  # type: ignore[call-arg]
        except ValueError as exc:
            raise ConfigurationError(
                f"{key}={raw!r}: fel typ, väntade {type(default).__name__} / wrong type"
            ) from exc
    if unknown:
        raise ConfigurationError(
            "Okända inställningar / unknown settings: " + ", ".join(sorted(unknown))
            + ". Tillåtna / allowed: " + ", ".join(_PREFIX + n.upper() for n in known)
        )
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]
