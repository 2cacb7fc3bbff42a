"""``mapapp snapshot``: an area snapshot for the council's minutes."""

from __future__ import annotations

import argparse
from pathlib import Path

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from
from mapapp.i18n import bilingual


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_common(sub.add_parser(
        "snapshot", help=bilingual("snapshot.cli.help"),
        description=bilingual("snapshot.cli.description"),
        epilog="Exempel / example: mapapp snapshot --zone \"Älvsjö/Solberga\" "
               "--period 2021-2022 --since 2023-04-21 --out lagesbild.docx"))
    p.add_argument("--zone", metavar="NAMN", help=bilingual("snapshot.cli.zone"))
    p.add_argument("--period", metavar="PERIOD", help=bilingual("snapshot.cli.period"))
    p.add_argument("--since", metavar="ÅÅÅÅ-MM-DD", help=bilingual("snapshot.cli.since"))
    p.add_argument("--include-notes", action="store_true", help=bilingual("snapshot.cli.notes"))
    p.add_argument("--dpi", type=int, default=150, help=bilingual("snapshot.cli.dpi"))
    p.add_argument("--tiles", action=argparse.BooleanOptionalAction, default=None,
                   help=bilingual("snapshot.cli.tiles"))
    p.add_argument("--out", required=True, type=Path, metavar="FIL",
                   help=bilingual("snapshot.cli.out"))
    p.set_defaults(func=cmd_snapshot)


def cmd_snapshot(args: argparse.Namespace) -> int:
    from mapapp.i18n import t
    from mapapp.snapshot import format_of, make_snapshot
    from mapapp.snapshot.source import parse_since

    settings, engine = engine_from(args)
    lang = settings.lang
    format_of(args.out, lang=lang)  # refuse a bad suffix before any work
    path = make_snapshot(engine, CLI_PRINCIPAL, zone=args.zone, period=args.period,
                         since=parse_since(args.since), out=args.out,
                         include_notes=args.include_notes, dpi=args.dpi, tiles=args.tiles,
                         settings=settings, lang=lang)
    print(t("snapshot.written", lang, path=path))
    return 0
