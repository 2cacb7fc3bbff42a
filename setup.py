"""Build glue that pyproject.toml cannot say declaratively.

- ``layers/`` and ``data/geo/`` stay at the top of the repository (the project's layout) and are
  shipped inside the package as ``mapapp.bundled.layers`` and ``mapapp.bundled.geo``, read
  through :mod:`importlib.resources` (``mapapp.resources``);
- the wheel carries the vendored Leaflet/jQuery/Font Awesome files in ``mapapp/static/vendor``
  (copied from the XStatic packages at build time), so ``mapapp serve`` needs nothing written
  into site-packages at run time.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

# Same list as mapapp.render.assets._FILES (that module cannot be imported before the
# dependencies are installed).
VENDOR = (
    ("leaflet", "leaflet.js", "leaflet/leaflet.js"),
    ("leaflet", "leaflet.css", "leaflet/leaflet.css"),
    ("leaflet", "images", "leaflet/images"),
    ("leaflet_markercluster", "leaflet.markercluster.js", "markercluster/leaflet.markercluster.js"),
    ("leaflet_markercluster", "MarkerCluster.css", "markercluster/MarkerCluster.css"),
    ("leaflet_markercluster", "MarkerCluster.Default.css", "markercluster/MarkerCluster.Default.css"),
    ("jquery", "jquery.min.js", "jquery/jquery.min.js"),
    ("font_awesome", "css/all.min.css", "fontawesome/css/all.min.css"),
    ("font_awesome", "webfonts", "fontawesome/webfonts"),
)


class BuildWithVendor(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # the checkout copies them at run time (mapapp.render.assets)
            return
        target = Path(self.build_lib) / "mapapp" / "static" / "vendor"
        for package, rel, dst in VENDOR:
            mod = importlib.import_module(f"xstatic.pkg.{package}")
            src = Path(mod.BASE_DIR) / rel
            out = target / dst
            if src.is_dir():
                shutil.copytree(src, out, dirs_exist_ok=True)
            else:
                os.makedirs(out.parent, exist_ok=True)
                shutil.copy2(src, out)


setup(
    packages=[*find_packages(include=["mapapp", "mapapp.*"]),
              "mapapp.bundled.layers", "mapapp.bundled.geo"],
    package_dir={"mapapp.bundled.layers": "layers", "mapapp.bundled.geo": "data/geo"},
    cmdclass={"build_py": BuildWithVendor},
)
