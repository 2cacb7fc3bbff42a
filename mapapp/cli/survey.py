"""``mapapp survey``: the monthly actor survey.

    mapapp survey create --title T --month YYYY-MM [--closes YYYY-MM-DD]   (prints the id)
    mapapp survey recipients ID FILE.csv          (columns organisation, role, email)
    mapapp survey links ID [--format table|csv|json]   (base address: MAPAPP_PUBLIC_URL)
    mapapp survey close ID
    mapapp survey results ID [--format table|csv|json]
    mapapp survey list [--format table|csv|json]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from, write_records
from mapapp.i18n import bilingual

FMT = ("table", "csv", "json")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("survey", help=bilingual("survey.cli.help"),
                       description=bilingual("survey.cli.help"),
                       epilog="Exempel / example: mapapp survey create --title \"Aktuell "
                              "lägesbild maj\" --month 2023-05")
    s = p.add_subparsers(dest="survey_command", required=True, metavar="ÅTGÄRD")
    c = _command(s, "create", "ny enkät, skriver ut id / new survey, prints its id", cmd_create,
                 survey_id=False)
    c.add_argument("--title", required=True, help="titel / title")
    c.add_argument("--month", required=True, metavar="ÅÅÅÅ-MM", help="månad / month")
    c.add_argument("--closes", metavar="ÅÅÅÅ-MM-DD",
                   help="sista svarsdag (standard: månadens sista dag, minst 14 dagar fram) / "
                        "last day to answer (default: the month's last day, at least 14 days "
                        "ahead)")
    r = _command(s, "recipients", "lägg till mottagare från CSV / add recipients from a CSV",
                 cmd_recipients)
    r.add_argument("file", type=Path, metavar="FIL.csv",
                   help="kolumner organisation, role, email / columns organisation, role, email")
    _command(s, "links", "varje mottagares länk / each recipient's link", cmd_links, fmt=True)
    _command(s, "close", "stäng enkäten / close the survey", cmd_close)
    _command(s, "results", "resultat per område / results per zone", cmd_results, fmt=True)
    _command(s, "list", "alla enkäter / every survey", cmd_list, survey_id=False, fmt=True)


def _command(s: argparse._SubParsersAction, name: str, help_text: str,  # type: ignore[type-arg]
             func: Any, *, survey_id: bool = True, fmt: bool = False) -> argparse.ArgumentParser:
    """One sub-command: the common options, the survey's ``ID`` and ``--format`` as asked."""
    p = add_common(s.add_parser(name, help=help_text))
    if survey_id:
        p.add_argument("survey_id", type=int, metavar="ID")
    if fmt:
        p.add_argument("--format", choices=FMT, default="table")
    p.set_defaults(func=func)
    return p


def cmd_create(args: argparse.Namespace) -> int:
    from mapapp.council.survey import create_survey

    _, engine = engine_from(args)
    print(create_survey(engine, CLI_PRINCIPAL, title=args.title, month=args.month,
                        closes=args.closes))
    return 0


def cmd_recipients(args: argparse.Namespace) -> int:
    from mapapp.council.survey import add_recipients, read_recipients_csv
    from mapapp.errors import DataValidationError, Problem
    from mapapp.i18n import t

    settings, engine = engine_from(args)
    try:
        rows = read_recipients_csv(args.file)
    except FileNotFoundError as exc:
        raise DataValidationError([Problem(None, "file", "io.file.not_found",
                                           {"path": args.file})]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DataValidationError([Problem(None, "file", "io.file.unreadable",
                                           {"fmt": "CSV", "detail": str(exc)})]) from exc
    n = add_recipients(engine, CLI_PRINCIPAL, args.survey_id, rows, settings=settings)
    print(t("survey.cli.recipients_added", settings.lang, n=n))
    return 0


def cmd_links(args: argparse.Namespace) -> int:
    from mapapp.council.survey import links

    settings, engine = engine_from(args)
    recs: list[Any] = links(engine, CLI_PRINCIPAL, args.survey_id, settings=settings)
    write_records(recs, args.format)
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    from mapapp.council.survey import close_survey
    from mapapp.i18n import t

    settings, engine = engine_from(args)
    close_survey(engine, CLI_PRINCIPAL, args.survey_id)
    print(t("survey.cli.closed", settings.lang, id=args.survey_id))
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    from mapapp.council.survey import results

    _, engine = engine_from(args)
    recs: list[Any] = results(engine, CLI_PRINCIPAL, args.survey_id)
    write_records(recs, args.format)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from mapapp.council.survey import list_surveys

    _, engine = engine_from(args)
    df = list_surveys(engine, CLI_PRINCIPAL)
    recs: list[Any] = [{k: (v.isoformat() if hasattr(v, "isoformat") else v)
                        for k, v in r.items()} for r in df.to_dict("records")]
    write_records(recs, args.format)
    return 0
