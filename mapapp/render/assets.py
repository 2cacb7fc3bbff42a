"""Leaflet and its plugins served by the app itself, never from a CDN.

The XStatic packages (installed with the app) carry Leaflet 1.9.3, Leaflet.markercluster,
jQuery and Font Awesome. :func:`ensure_vendor` copies the files the map needs into a
``static/vendor/`` folder beside the app's entry script (Streamlit serves ``static/`` at
``/app/static/`` when ``server.enableStaticServing`` is on): ``mapapp/static/vendor`` for the
packaged app (``mapapp serve``; a wheel already carries them, so nothing is written there) and
``<checkout>/static/vendor`` for ``streamlit run streamlit_app.py``. It is idempotent and
safe when two sessions start at once (each file is written to a temporary name and renamed).
:func:`localize` points a folium element's ``default_js``/``default_css`` at those copies, per
instance, and drops every other default (bootstrap, awesome-markers, glyphicons …) that folium
would fetch from a CDN.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from mapapp.resources import static_dir

STATIC_DIR = static_dir()
VENDOR_DIR = STATIC_DIR / "vendor"
#: Where the browser finds ``static/vendor`` (absolute path on the app's own origin).
VENDOR_URL = "/app/static/vendor"


def _xstatic_dir(module: str) -> Path:
    import importlib

    mod = importlib.import_module(f"xstatic.pkg.{module}")
    return Path(mod.BASE_DIR)


# (xstatic package, file or folder inside its data dir, target inside vendor/)
_FILES: tuple[tuple[str, str, str], ...] = (
    ("leaflet", "leaflet.js", "leaflet/leaflet.js"),
    ("leaflet", "leaflet.css", "leaflet/leaflet.css"),
    ("leaflet", "images", "leaflet/images"),
    ("leaflet_markercluster", "leaflet.markercluster.js", "markercluster/leaflet.markercluster.js"),
    ("leaflet_markercluster", "MarkerCluster.css", "markercluster/MarkerCluster.css"),
    ("leaflet_markercluster", "MarkerCluster.Default.css",
     "markercluster/MarkerCluster.Default.css"),
    ("jquery", "jquery.min.js", "jquery/jquery.min.js"),
    ("font_awesome", "css/all.min.css", "fontawesome/css/all.min.css"),
    ("font_awesome", "webfonts", "fontawesome/webfonts"),
)

#: The map's own scripts and stylesheets (folium.Map needs Leaflet; jQuery is kept because
#: some folium templates call ``$(document).ready``).
MAP_JS: tuple[tuple[str, str], ...] = (
    ("leaflet", f"{VENDOR_URL}/leaflet/leaflet.js"),
    ("jquery", f"{VENDOR_URL}/jquery/jquery.min.js"),
)
MAP_CSS: tuple[tuple[str, str], ...] = (
    ("leaflet_css", f"{VENDOR_URL}/leaflet/leaflet.css"),
    ("fontawesome_css", f"{VENDOR_URL}/fontawesome/css/all.min.css"),
)
CLUSTER_JS: tuple[tuple[str, str], ...] = (
    ("markerclusterjs", f"{VENDOR_URL}/markercluster/leaflet.markercluster.js"),
)
CLUSTER_CSS: tuple[tuple[str, str], ...] = (
    ("markerclustercss", f"{VENDOR_URL}/markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{VENDOR_URL}/markercluster/MarkerCluster.Default.css"),
)


def _same(src: Path, dst: Path) -> bool:
    try:
        s, d = src.stat(), dst.stat()
    except FileNotFoundError:
        return False
    if s.st_size != d.st_size:
        return False
    # an installed wheel does not keep modification times: compare the bytes (a few MB once)
    return int(s.st_mtime) == int(d.st_mtime) or filecmp.cmp(src, dst, shallow=False)


def _copy_file(src: Path, dst: Path) -> bool:
    if _same(src, dst):
        return False
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=dst.parent)
    os.close(fd)
    try:
        shutil.copy2(src, tmp)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return True


def ensure_vendor(vendor_dir: Path = VENDOR_DIR) -> int:
    """Copy the vendored assets into ``vendor_dir``; returns how many files were (re)written
    (0 when everything is already in place)."""
    written = 0
    for package, rel, target in _FILES:
        src = _xstatic_dir(package) / rel
        dst = vendor_dir / target
        if src.is_dir():
            for f in sorted(src.rglob("*")):
                if f.is_file():
                    written += _copy_file(f, dst / f.relative_to(src))
        else:
            written += _copy_file(src, dst)
    return written


@lru_cache(maxsize=4)
def ensure_vendor_once(vendor_dir: Path = VENDOR_DIR) -> int:
    """:func:`ensure_vendor` once per process (every map calls this, so any page that shows a
    map finds its scripts, whichever page is opened first)."""
    return ensure_vendor(vendor_dir)


def vendor_path(url: str, vendor_dir: Path = VENDOR_DIR) -> Path:
    """The file behind a ``/app/static/vendor/...`` URL."""
    if not url.startswith(VENDOR_URL + "/"):
        raise ValueError(url)
    return vendor_dir / url[len(VENDOR_URL) + 1:]


def localize(element: Any, js: tuple[tuple[str, str], ...],
             css: tuple[tuple[str, str], ...]) -> Any:
    """Set ``default_js``/``default_css`` of one folium element instance (the class lists stay
    untouched, so other maps in the process are not affected)."""
    element.default_js = list(js)
    element.default_css = list(css)
    return element
