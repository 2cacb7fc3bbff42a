"""Files in and out. Importers: incidents, observations and zones from files, and statistics tables.

- :mod:`.pipeline` -- :func:`~.pipeline.import_file`, the one entry point for point and zone
  files (CLI ``mapapp import`` and the app's Import page): read, check all, write atomically;
- :mod:`.statistics` -- :func:`~.statistics.import_statistics` for tables of counts;
- readers: :mod:`.tabular` (CSV/XLSX), :mod:`.vector` (GeoJSON/GeoPackage/zipped Shapefile),
  :mod:`.police` (Police events API + gazetteer), :mod:`.odk` (ODK/KoBo exports);
- checks: :mod:`.validate` (points), :mod:`.zones` (polygons);
- :mod:`.report` -- :class:`~.report.ImportOptions` and :class:`~.report.ImportReport`;
- :mod:`.export` -- the other way: the store's layers to a GeoPackage/GeoJSON for QGIS.
"""

from __future__ import annotations

from mapapp.io.report import ImportOptions, ImportReport, Limits

__all__ = ["ImportOptions", "ImportReport", "Limits"]
