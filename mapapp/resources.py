"""Where the package's own files are: every read of a bundled file goes through here.

The files come from :mod:`importlib.resources`, so they are found the same way in a checkout
(editable install), in a wheel installed anywhere, and never through paths beside a checkout:

- :func:`geo_dir` -- the bundled district data (the repository's ``data/geo/``, shipped as
  ``mapapp.bundled.geo``);
- :func:`layers_package` -- the layer specs (the repository's ``layers/``, shipped as
  ``mapapp.bundled.layers``);
- :func:`migrations_dir` -- the Alembic migrations;
- :func:`static_dir` -- what Streamlit serves at ``/app/static/`` for the packaged app
  (``mapapp/static``; the wheel carries the vendored map scripts in ``vendor/``);
- :func:`app_script` -- the Streamlit entry script of ``mapapp serve``.

A wheel is always unpacked on install, so each of these is a real folder on disk (GDAL and
Alembic need paths, not zip members).
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import ModuleType


def _folder(package: str) -> Path:
    return Path(str(files(package)))


@cache
def geo_dir() -> Path:
    """The folder of the bundled district files (``zones.geojson`` …)."""
    return _folder("mapapp.bundled.geo")


def layers_package() -> ModuleType:
    """The package of layer specs; its ``load()`` returns them in drawing order."""
    return importlib.import_module("mapapp.bundled.layers")


@cache
def migrations_dir() -> Path:
    return _folder("mapapp.store") / "migrations"


@cache
def package_dir() -> Path:
    return _folder("mapapp")


def static_dir() -> Path:
    return package_dir() / "static"


def app_script() -> Path:
    """The script ``mapapp serve`` hands to ``streamlit run`` (its folder holds ``static/``)."""
    return package_dir() / "streamlit_main.py"
