"""``mapapp lagesbild``: the district's lägesbild and åtgärdsplan (lag 2023:196) as DOCX/PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from
from mapapp.i18n import bilingual


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_common(sub.add_parser(
        "lagesbild", help=bilingual("lb.cli.help"), description=bilingual("lb.cli.help"),
        epilog="Exempel / example: mapapp lagesbild --out lagesbild-2023.docx"))
    p.add_argument("--out", required=True, type=Path, metavar="FIL",
                   help=bilingual("lb.cli.out"))
    p.add_argument("--period", metavar="PERIOD", help=bilingual("lb.cli.period"))
    p.add_argument("--include-notes", action="store_true", help=bilingual("lb.cli.notes"))
    p.set_defaults(func=cmd_lagesbild)


def cmd_lagesbild(args: argparse.Namespace) -> int:
    from mapapp.i18n import t
    from mapapp.snapshot.lagesbild import format_of, write_lagesbild

    settings, engine = engine_from(args)
    lang = settings.lang
    format_of(args.out, lang=lang)  # refuse a bad suffix before any work
    path = write_lagesbild(engine, CLI_PRINCIPAL, args.out, period=args.period,
                           include_notes=args.include_notes, settings=settings, lang=lang)
    print(t("lb.written", lang, path=path))
    return 0
