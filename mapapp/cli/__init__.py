"""The ``mapapp`` command. Each module of this package that defines
``register(subparsers)`` adds its subcommands; every subcommand has ``--help``.

Common options: ``--db URL`` (else ``MAPAPP_DATABASE_URL``, else the embedded SQLite file) and
``--lang sv|en``. A :class:`~mapapp.errors.MapAppError` is printed (no traceback) and the command
exits with 2; success exits with 0.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from mapapp.errors import MapAppError

EPILOG = (
    "Miljövariabler / environment: MAPAPP_DATABASE_URL (standard: SQLite-filen var/mapapp.db), "
    "MAPAPP_LANG, MAPAPP_LOG_LEVEL (WARNING), MAPAPP_LOG_FORMAT (text|json). Se README.md."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mapapp",
        description=(
            "Platssamverkanskarta för lokala brottsförebyggande råd. / "
            "Place-collaboration map for local crime-prevention councils."
        ),
        epilog=EPILOG,
    )
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from mapapp import logs

    logs.configure()
    parser = build_parser()
    args = parser.parse_args(argv)
    log = logging.getLogger("mapapp.cli")
    log.debug("mapapp %s", getattr(args, "command", ""))
    try:
        code = args.func(args)
    except MapAppError as exc:
        logs.survived(log, exc, "mapapp %s refused", getattr(args, "command", ""), level=logging.INFO)
        from mapapp.i18n import resolve_lang

        print(f"mapapp: {exc.text(resolve_lang(getattr(args, 'lang', None)))}", file=sys.stderr)
        return 2
    except (FileNotFoundError, IsADirectoryError) as exc:  # a file named on the command line
        logs.survived(log, exc, "mapapp %s: no such file", getattr(args, "command", ""),
                      level=logging.INFO)
        from mapapp.i18n import resolve_lang, t

        lang = resolve_lang(getattr(args, "lang", None))
        print(f"mapapp: {t('io.file.not_found', lang, path=exc.filename or exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `mapapp stats | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("mapapp: avbrutet / interrupted", file=sys.stderr)
        return 130
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
