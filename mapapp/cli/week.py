"""``mapapp week`` (the weekly lägesbild) and ``mapapp week-task`` (the meeting's task list).

    mapapp week [--week 2023-W20] [--format table|json|docx|pdf] [--out FILE]
    mapapp week-task add --week 2023-W20 --actor A --place P --task T [--due D] [--zone Z]
    mapapp week-task list --week 2023-W20 [--format table|csv|json]
    mapapp week-task followup ID --status klar|ej_klar|planerad [--note TEXT]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from, write_records
from mapapp.i18n import bilingual

FORMATS = ("table", "json", "docx", "pdf")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_common(sub.add_parser(
        "week", help=bilingual("weekly.cli.help"), description=bilingual("weekly.cli.help"),
        epilog="Exempel / example: mapapp week --week 2023-W20 --format json"))
    p.add_argument("--week", metavar="ÅÅÅÅ-Wvv", help=bilingual("weekly.cli.week"))
    p.add_argument("--format", choices=FORMATS, default="table",
                   help=bilingual("weekly.cli.format"))
    p.add_argument("--out", type=Path, metavar="FIL", help=bilingual("weekly.cli.out"))
    p.set_defaults(func=cmd_week)

    tp = sub.add_parser("week-task", help=bilingual("weekly.cli.task_help"),
                        description=bilingual("weekly.cli.task_help"))
    tsub = tp.add_subparsers(dest="task_command", required=True, metavar="ÅTGÄRD")
    a = add_common(tsub.add_parser("add", help="ny uppgift / new task"))
    a.add_argument("--week", required=True, metavar="ÅÅÅÅ-Wvv",
                   help="mötets vecka / the meeting's week")
    a.add_argument("--actor", required=True, help="aktör / actor")
    a.add_argument("--place", required=True, help="plats / place")
    a.add_argument("--task", required=True, help="uppgift / task")
    a.add_argument("--due", metavar="ÅÅÅÅ-MM-DD", help="klart senast / due")
    a.add_argument("--zone", metavar="NAMN", help="område / zone")
    a.set_defaults(func=cmd_task_add)
    li = add_common(tsub.add_parser("list", help="lista uppgifter / list tasks"))
    li.add_argument("--week", required=True, metavar="ÅÅÅÅ-Wvv",
                    help="mötets vecka / the meeting's week")
    li.add_argument("--format", choices=("table", "csv", "json"), default="table")
    li.set_defaults(func=cmd_task_list)
    f = add_common(tsub.add_parser("followup", help="följ upp en uppgift / follow up a task"))
    f.add_argument("task_id", type=int, metavar="ID")
    f.add_argument("--status", required=True, choices=("planerad", "klar", "ej_klar"))
    f.add_argument("--note", default="", help="uppföljning / follow-up note")
    f.set_defaults(func=cmd_task_followup)


def default_week() -> str:
    """The last complete ISO week (local time)."""
    from mapapp.analysis.weekly import week_of
    from mapapp.timezone import local_today

    return week_of(local_today()).shift(-1).label


def cmd_week(args: argparse.Namespace) -> int:
    from mapapp.analysis.weekly import parse_week, records
    from mapapp.council.weekly import weekly_report
    from mapapp.i18n import t

    settings, engine = engine_from(args)
    week = parse_week(args.week or default_week())
    rep = weekly_report(engine, CLI_PRINCIPAL, week, settings=settings)
    if args.format in ("docx", "pdf"):
        from mapapp.snapshot.weekly import export_weekly, suggested_name

        out = args.out or Path(suggested_name(rep, args.format))
        data = export_weekly(engine, CLI_PRINCIPAL, rep, args.format, settings=settings,
                             lang=settings.lang, file_name=out.name)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        print(t("weekly.written", settings.lang, path=out))
        return 0
    recs: list[Any] = records(rep.counts)
    if not recs and args.format == "table":
        from mapapp.analysis.weekly import RECORD_FIELDS
        from mapapp.cli.common import format_table

        print(format_table(list(RECORD_FIELDS), []), end="")
        return 0
    write_records(recs, "json" if args.format == "json" else "table")
    return 0


def cmd_task_add(args: argparse.Namespace) -> int:
    from mapapp.council.weekly import add_task
    from mapapp.i18n import t

    settings, engine = engine_from(args)
    new_id = add_task(engine, CLI_PRINCIPAL, args.week, actor=args.actor, place=args.place,
                      task=args.task, due=args.due, zone=args.zone, lang=settings.lang)
    print(t("weekly.task.added", settings.lang, id=new_id, week=args.week))
    return 0


def cmd_task_list(args: argparse.Namespace) -> int:
    from mapapp.council.weekly import list_tasks

    _, engine = engine_from(args)
    df = list_tasks(engine, CLI_PRINCIPAL, args.week)
    recs: list[Any] = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
            for r in df.to_dict("records")]
    write_records(recs, args.format)
    return 0


def cmd_task_followup(args: argparse.Namespace) -> int:
    from mapapp.council.weekly import follow_up_task
    from mapapp.i18n import t

    settings, engine = engine_from(args)
    follow_up_task(engine, CLI_PRINCIPAL, args.task_id, status=args.status, followup=args.note,
                   lang=settings.lang)
    print(t("weekly.task.updated", settings.lang, id=args.task_id))
    return 0
