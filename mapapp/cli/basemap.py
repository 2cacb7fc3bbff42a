"""``mapapp basemap import FILE [--out var/basemap.gpkg]``: the city's own vector basemap."""

from __future__ import annotations

import argparse
from pathlib import Path

from mapapp.cli.common import add_common
from mapapp.i18n import bilingual


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("basemap", help=bilingual("basemap.cli.help"),
                       description=bilingual("basemap.cli.help"))
    bsub = p.add_subparsers(dest="basemap_command", required=True, metavar="ÅTGÄRD")
    a = add_common(bsub.add_parser("import", help=bilingual("basemap.cli.import_help"),
                                   description=bilingual("basemap.cli.import_help")))
    a.add_argument("file", type=Path, metavar="FIL",
                   help=".gpkg, .zip (Shapefile), .osm, .osm.pbf")
    a.add_argument("--out", type=Path, default=None, metavar="FIL",
                   help=bilingual("basemap.cli.out_help"))
    a.add_argument("--attribution", default=None, metavar="TEXT",
                   help=bilingual("basemap.cli.attribution_help"))
    a.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    import geopandas as gpd

    from mapapp.i18n import t
    from mapapp.io.basemap_import import read_vector_basemap, write_vector_basemap
    from mapapp.settings import DEFAULT_DB_PATH, GEO_DIR

    district = gpd.read_file(GEO_DIR / "district.geojson").geometry.iloc[0]
    base = read_vector_basemap(args.file, district, attribution=args.attribution)
    out = args.out or DEFAULT_DB_PATH.parent / "basemap.gpkg"
    write_vector_basemap(base, out)
    print(t("basemap.cli.done", args.lang or "sv", path=str(out), **base.counts()))
    return 0
