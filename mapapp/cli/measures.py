"""``mapapp measures …``: the action plan from the command line (same functions as the page).

The command line acts as :data:`~mapapp.access.CLI_PRINCIPAL` (an admin); notes get its role.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from, format_table, write_records
from mapapp.i18n import bilingual, t

_FIELD_OPTIONS: tuple[tuple[str, str, str], ...] = (
    # (option, field, help key)
    ("--zone", "zone", "measures.cli.opt.zone"),
    ("--site", "site", "measures.cli.opt.site"),
    ("--cell", "cell_id", "measures.cli.opt.cell"),
    ("--title", "title", "measures.cli.opt.title"),
    ("--description", "description", "measures.cli.opt.description"),
    ("--priority-area", "priority_area", "measures.cli.opt.priority_area"),
    ("--actor", "actor", "measures.cli.opt.actor"),
    ("--status", "status", "measures.cli.opt.status"),
    ("--start", "start", "measures.cli.opt.start"),
    ("--due", "due", "measures.cli.opt.due"),
    ("--next-followup", "next_followup", "measures.cli.opt.next_followup"),
)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(bilingual(
            "measures.err.date_invalid", field="--today", value=text)) from None


def _parser(msub: Any, name: str, key: str) -> argparse.ArgumentParser:
    p = add_common(msub.add_parser(name, help=bilingual(key), description=bilingual(key)))
    return p


def _format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help=bilingual("measures.cli.opt.format"))


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    top = sub.add_parser("measures", help=bilingual("measures.cli.help"),
                         description=bilingual("measures.cli.description"))
    msub = top.add_subparsers(dest="measures_command", required=True, metavar="ÅTGÄRD")

    p = _parser(msub, "list", "measures.cli.list")
    p.add_argument("--zone", help=bilingual("measures.cli.opt.zone"))
    p.add_argument("--status", help=bilingual("measures.cli.opt.status"))
    p.add_argument("--actor", help=bilingual("measures.cli.opt.actor"))
    p.add_argument("--priority-area", help=bilingual("measures.cli.opt.priority_area"))
    p.add_argument("--overdue", action="store_true", help=bilingual("measures.cli.opt.overdue"))
    p.add_argument("--today", type=_day, metavar="ÅÅÅÅ-MM-DD",
                   help=bilingual("measures.cli.opt.today"))
    _format(p)
    p.set_defaults(func=cmd_list)

    p = _parser(msub, "show", "measures.cli.show")
    p.add_argument("id", type=int, help=bilingual("measures.cli.opt.id"))
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help=bilingual("measures.cli.opt.format"))
    p.set_defaults(func=cmd_show)

    for name, key, func in (("add", "measures.cli.add", cmd_add),
                            ("update", "measures.cli.update", cmd_update)):
        p = _parser(msub, name, key)
        if name == "update":
            p.add_argument("id", type=int, help=bilingual("measures.cli.opt.id"))
        for option, field, help_key in _FIELD_OPTIONS:
            p.add_argument(option, dest=field, default=None, help=bilingual(help_key))
        p.set_defaults(func=func)

    p = _parser(msub, "note", "measures.cli.note")
    p.add_argument("id", type=int, help=bilingual("measures.cli.opt.id"))
    p.add_argument("text", help=bilingual("measures.cli.opt.text"))
    p.add_argument("--date", help=bilingual("measures.cli.opt.date"))
    p.set_defaults(func=cmd_note)

    p = _parser(msub, "link", "measures.cli.link")
    p.add_argument("id", type=int, help=bilingual("measures.cli.opt.id"))
    p.add_argument("--incident", type=int, action="append", default=[],
                   help=bilingual("measures.cli.opt.incident"))
    p.add_argument("--observation", type=int, action="append", default=[],
                   help=bilingual("measures.cli.opt.observation"))
    p.set_defaults(func=cmd_link)

    p = _parser(msub, "actors", "measures.cli.actors")
    p.add_argument("--add", metavar="NAMN", help=bilingual("measures.cli.opt.add_actor"))
    p.set_defaults(func=cmd_actors)

    p = _parser(msub, "revisions", "measures.cli.revisions")
    p.add_argument("--today", type=_day, metavar="ÅÅÅÅ-MM-DD",
                   help=bilingual("measures.cli.opt.today"))
    _format(p)
    p.set_defaults(func=cmd_revisions)

    p = _parser(msub, "before-after", "measures.cli.before_after")
    p.add_argument("id", type=int, help=bilingual("measures.cli.opt.id"))
    p.add_argument("--months", type=int, default=6, help=bilingual("measures.cli.opt.months"))
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help=bilingual("measures.cli.opt.format"))
    p.set_defaults(func=cmd_before_after)


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    return {f: getattr(args, f) for _, f, _ in _FIELD_OPTIONS if getattr(args, f) is not None}


def cmd_list(args: argparse.Namespace) -> int:
    from mapapp.measures import list_measures, records

    settings, engine = engine_from(args)
    df = list_measures(engine, CLI_PRINCIPAL, zone=args.zone, status=args.status,
                       actor=args.actor, priority_area=args.priority_area,
                       overdue=True if args.overdue else None, today=args.today)
    write_records(list(records(df)), args.format)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from mapapp.measures import LIST_COLUMNS, get_measure, history, records

    settings, engine = engine_from(args)
    lang = settings.lang
    m = get_measure(engine, CLI_PRINCIPAL, args.id)
    hist = history(engine, CLI_PRINCIPAL, args.id)
    hist["at"] = hist["at"].astype(str)
    if args.format == "json":
        out = records_one(m, LIST_COLUMNS)
        out["notes"] = [records_one(n, ("noted_on", "author_role", "text")) for n in m["notes"]]
        out["links"] = [records_one(lk, ("kind", "id", "category", "occurred_at"))
                        for lk in m["links"]]
        out["history"] = records(hist, hist.columns)
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    for col, v in records_one(m, LIST_COLUMNS).items():
        print(f"{col}: {'' if v is None else v}")
    print()
    print(t("measures.ui.tab_followup", lang))
    print(format_table(["noted_on", "author_role", "text"],
                       [[n["noted_on"], n["author_role"], n["text"]] for n in m["notes"]]))
    print(t("measures.ui.tab_history", lang))
    print(format_table(list(hist.columns), hist.astype(object).where(hist.notna(), None)
                       .values.tolist()))
    return 0


def records_one(row: dict[str, Any], fields: Any) -> dict[str, Any]:
    import pandas as pd

    from mapapp.measures import records

    return records(pd.DataFrame([{f: row.get(f) for f in fields}]), fields)[0]


def cmd_add(args: argparse.Namespace) -> int:
    from mapapp.measures import add_measure

    settings, engine = engine_from(args)
    mid = add_measure(engine, CLI_PRINCIPAL, **_fields(args))
    print(t("measures.cli.added", settings.lang, id=mid))
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    from mapapp.measures import update_measure

    settings, engine = engine_from(args)
    diff = update_measure(engine, CLI_PRINCIPAL, args.id, **_fields(args))
    if diff:
        print(t("measures.cli.updated", settings.lang, id=args.id, fields=", ".join(
            f"{k}: {old} → {new}" for k, (old, new) in diff.items())))
    else:
        print(t("measures.cli.unchanged", settings.lang, id=args.id))
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    from mapapp.measures import add_note

    settings, engine = engine_from(args)
    add_note(engine, CLI_PRINCIPAL, args.id, args.text, args.date)
    print(t("measures.cli.noted", settings.lang, id=args.id))
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    from mapapp.measures import link_points

    settings, engine = engine_from(args)
    n = link_points(engine, CLI_PRINCIPAL, args.id, incidents=args.incident,
                    observations=args.observation)
    print(t("measures.cli.linked", settings.lang, id=args.id, n=n))
    return 0


def cmd_actors(args: argparse.Namespace) -> int:
    from mapapp.measures import add_actor, list_actors

    settings, engine = engine_from(args)
    if args.add:
        add_actor(engine, CLI_PRINCIPAL, args.add)
        print(t("measures.cli.actor_added", settings.lang, name=args.add.strip()))
        return 0
    for name in list_actors(engine, CLI_PRINCIPAL):
        print(name)
    return 0


def cmd_revisions(args: argparse.Namespace) -> int:
    from mapapp.measures import reason_text, records, revision_flags
    from mapapp.store.district import zones_frame
    from mapapp.timezone import local_today

    settings, engine = engine_from(args)
    flags = revision_flags(zones_frame(engine), args.today or local_today())
    flagged = flags[flags["flagged"]].copy()
    flagged["reasons"] = flagged["reasons"].map(lambda r: reason_text(r, lang=settings.lang))
    if args.format == "table" and flagged.empty:
        print(t("measures.cli.no_revisions", settings.lang))
        return 0
    fields = ["zone", "lagesbild_revised", "plan_revised", "priorities_reviewed", "reasons"]
    write_records(list(records(flagged, fields)), args.format)
    return 0


def cmd_before_after(args: argparse.Namespace) -> int:
    from mapapp.measures import before_after
    from mapapp.render.figures import verdict_text

    settings, engine = engine_from(args)
    r = before_after(engine, CLI_PRINCIPAL, args.id, months=args.months,
                     radius_m=settings.site_radius_m, buffer_m=settings.wdd_buffer_m,
                     confidence=settings.confidence_level)
    r["verdict_text"] = verdict_text(r, lang=settings.lang)
    if args.format == "json":
        json.dump(r, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    r["comparison_label"] = t(f"wdd.comparison.{r['comparison']}", settings.lang)
    keys = ["measure_id", "title", "place_kind", "place", "comparison_label", "before_start",
            "before_end", "after_start", "after_end", "before", "after", "change", "change_pct",
            "p_value", "t_before", "t_after", "d_before", "d_after", "ct_before", "ct_after",
            "cd_before", "cd_after", "wdd", "se", "z", "wdq", "verdict", "verdict_text"]
    print(format_table(["key", "value"], [[k, r.get(k)] for k in keys]))
    return 0
