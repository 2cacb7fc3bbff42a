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
    c = add_common(s.add_parser("create", help="ny enkät, skriver ut id / new survey, prints "
                                               "its id"))
    c.add_argument("--title", required=True, help="titel / title")
    c.add_argument("--month", required=True, metavar="ÅÅÅÅ-MM", help="månad / month")
    c.add_argument("--closes", metavar="ÅÅÅÅ-MM-DD",
                   help="sista svarsdag (standard: månadens sista dag, minst 14 dagar fram) / "
                        "last day to answer (default: the month's last day, at least 14 days "
                        "ahead)")
    c.set_defaults(func=cmd_create)
    r = add_common(s.add_parser("recipients", help="lägg till mottagare från CSV / add "
                                                   "recipients from a CSV"))
    r.add_argument("survey_id", type=int, metavar="ID")
    r.add_argument("file", type=Path, metavar="FIL.csv",
                   help="kolumner organisation, role, email / columns organisation, role, email")
    r.set_defaults(func=cmd_recipients)
    li = add_common(s.add_parser("links", help="varje mottagares länk / each recipient's link"))
    li.add_argument("survey_id", type=int, metavar="ID")
    li.add_argument("--format", choices=FMT, default="table")
    li.set_defaults(func=cmd_links)
    cl = add_common(s.add_parser("close", help="stäng enkäten / close the survey"))
    cl.add_argument("survey_id", type=int, metavar="ID")
    cl.set_defaults(func=cmd_close)
    re_ = add_common(s.add_parser("results", help="resultat per område / results per zone"))
    re_.add_argument("survey_id", type=int, metavar="ID")
    re_.add_argument("--format", choices=FMT, default="table")
    re_.set_defaults(func=cmd_results)
    ls = add_common(s.add_parser("list", help="alla enkäter / every survey"))
    ls.add_argument("--format", choices=FMT, default="table")
    ls.set_defaults(func=cmd_list)


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
    except (OSError, UnicodeDecodeError) as exc:
        raise DataValidationError([Problem(None, "file", str(exc))]) from exc
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
