"""``mapapp trygghet``: the city's trygghetsmätning per stadsdel.

    mapapp trygghet import FILE [--sheet S] [--source TEXT]
    mapapp trygghet compare --indicator I --year Y [--format table|csv|json]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from, write_records
from mapapp.i18n import bilingual


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("trygghet", help=bilingual("trygghet.cli.help"),
                       description=bilingual("trygghet.cli.help"))
    s = p.add_subparsers(dest="trygghet_command", required=True, metavar="ÅTGÄRD")
    i = add_common(s.add_parser("import", help="importera / import (CSV, XLSX; long or wide)"))
    i.add_argument("file", type=Path, metavar="FIL")
    i.add_argument("--sheet", help="blad i XLSX / sheet of an XLSX")
    i.add_argument("--source", default="Stockholms stad, trygghetsmätningen",
                   help="källa / source")
    i.set_defaults(func=cmd_import)
    c = add_common(s.add_parser("compare", help="bredvid anmälda brott / beside reported crime"))
    c.add_argument("--indicator", required=True, help="indikator / indicator")
    c.add_argument("--year", required=True, type=int, help="år / year")
    c.add_argument("--format", choices=("table", "csv", "json"), default="table")
    c.set_defaults(func=cmd_compare)


def cmd_import(args: argparse.Namespace) -> int:
    from mapapp.council.trygghet import import_trygghet
    from mapapp.i18n import t

    settings, engine = engine_from(args)
    n = import_trygghet(engine, CLI_PRINCIPAL, args.file, sheet=args.sheet, source=args.source)
    print(t("trygghet.imported", settings.lang, n=n))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from mapapp.council.trygghet import compare

    _, engine = engine_from(args)
    recs: list[Any] = compare(engine, CLI_PRINCIPAL, indicator=args.indicator, year=args.year)
    write_records(recs, args.format)
    return 0
