"""``mapapp import incidents|observations|zones|statistics FILE …`` and ``mapapp statistics list``.

A rejected file prints every problem and exits with 2 (nothing is written); a progress bar
goes to stderr; the summary (rows read, written, rejected, unplaced, per category) to stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from, write_records
from mapapp.i18n import t

IMPORT_HELP = (
    "Läser in en fil. Hela filen kontrolleras först; en fil med fel rad sparar ingenting "
    "(utom med --skip-invalid). En andra import av samma fil lägger inte till något. "
    "Format: CSV/XLSX (kategori, tidpunkt, lat/lon eller x/y), GeoJSON, GeoPackage, zippad "
    "Shapefile, Polisens händelse-JSON, ODK/KoBo-CSV; statistik: tabeller i lång eller bred "
    "form. Se data/examples/README.md. / Imports a file; the whole file is checked first and a "
    "file with any bad row writes nothing (unless --skip-invalid); importing it again adds "
    "nothing. See data/examples/README.md."
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_common(sub.add_parser(
        "import", help="importera händelser, observationer, områden eller statistik / import",
        description=IMPORT_HELP))
    p.add_argument("kind", choices=("incidents", "observations", "zones", "statistics"),
                   help="vad filen innehåller / what the file holds")
    p.add_argument("file", type=Path, metavar="FIL", help="filen / the file")
    p.add_argument("--crs", help="koordinatsystem för x/y, t.ex. EPSG:3006 eller EPSG:3011 / "
                                 "CRS of x/y columns or of a file without one")
    p.add_argument("--layer", help="lager i GeoPackage, Shapefile i zip eller blad i XLSX / "
                                   "GeoPackage layer, Shapefile in a zip or XLSX sheet")
    p.add_argument("--sheet", help="blad i XLSX (statistik) / XLSX sheet")
    p.add_argument("--source", help="källans namn (standard: import, polisen, odk, statistik) / "
                                    "source name")
    p.add_argument("--skip-invalid", action="store_true",
                   help="spara giltiga rader och skriv avvisade till en CSV / write the valid "
                        "rows and the rejected ones to a CSV")
    p.add_argument("--rejects", type=Path, metavar="CSV",
                   help="fil för avvisade rader (standard FIL-avvisade.csv) / rejects file")
    p.add_argument("--keep-outside", action="store_true",
                   help="behåll punkter utanför distriktet (utan område) / keep points outside "
                        "the district")
    p.add_argument("--repair", action="store_true",
                   help="reparera ogiltiga polygoner med make_valid (områden) / repair "
                        "invalid polygons")
    p.add_argument("--extracted", metavar="DATUM",
                   help="statistik: uttagsdatum, t.ex. 2023-04-01 / extract date")
    p.add_argument("--preliminary", action="store_true",
                   help="statistik: preliminära siffror / preliminary figures")
    p.add_argument("--year", type=int, help="statistik: år för månadskolumner / year for "
                                            "month columns")
    p.add_argument("--area", help="statistik: område när tabellen inte anger det / area when "
                                  "the table does not name it")
    p.add_argument("--no-progress", action="store_true",
                   help="ingen förloppsindikator / no progress bar")
    p.set_defaults(func=cmd_import)

    s = sub.add_parser("statistics", help="statistiktabeller / statistics tables",
                       description="Importerade statistiktabeller (mapapp import statistics). / "
                                   "Imported statistics tables.")
    ssub = s.add_subparsers(dest="statistics_command", required=True, metavar="ÅTGÄRD")
    ls = add_common(ssub.add_parser(
        "list", help="lista värden / list figures",
        description='Rader {"area", "category", "period", "count", "source", "preliminary"}. '
                    "/ Rows of the stored tables."))
    ls.add_argument("--area", help="bara detta område / only this area")
    ls.add_argument("--format", choices=("table", "csv", "json"), default="table")
    ls.set_defaults(func=cmd_statistics_list)


def cmd_import(args: argparse.Namespace) -> int:
    settings, engine = engine_from(args)
    lang = settings.lang
    if args.kind == "statistics":
        from mapapp.io.statistics import import_statistics

        sreport = import_statistics(
            engine, CLI_PRINCIPAL, args.file, sheet=args.sheet or args.layer,
            source=args.source, extracted=args.extracted, preliminary=args.preliminary,
            year=args.year, area=args.area)
        print("\n".join(m.text(lang) for m in sreport.notes()))
        return 0
    from mapapp.io.pipeline import import_file
    from mapapp.io.report import ImportOptions, Limits

    opts = ImportOptions(
        crs=args.crs, layer=args.layer or args.sheet, source=args.source,
        skip_invalid=args.skip_invalid, keep_outside=args.keep_outside, repair=args.repair,
        rejects_path=args.rejects, output_lang=lang,
        limits=Limits(max_photo_bytes=settings.photo_max_bytes))
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if args.no_progress or total <= 0:
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, unit=t("io.progress.unit", lang), file=sys.stderr,
                       leave=False)
        bar.update(done - bar.n)

    try:
        report = import_file(engine, CLI_PRINCIPAL, args.file, args.kind, options=opts,
                             progress=progress)
    finally:
        if bar is not None:
            bar.close()
    print("\n".join(m.text(lang) for m in report.notes()))
    for problem in report.problems[:50]:
        print(problem.text(lang), file=sys.stderr)
    if len(report.problems) > 50:
        print(f"… (+{len(report.problems) - 50})", file=sys.stderr)
    return 0


def cmd_statistics_list(args: argparse.Namespace) -> int:
    from mapapp.io.statistics import statistics_records

    _settings, engine = engine_from(args)
    records: list[Mapping[str, Any]] = list(
        statistics_records(engine, CLI_PRINCIPAL, area=args.area))
    write_records(records, args.format)
    return 0
