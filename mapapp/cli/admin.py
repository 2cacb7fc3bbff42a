"""``mapapp audit`` (read the audit log) and ``mapapp retention apply`` (gallring)."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from, write_records
from mapapp.i18n import bilingual, t
from mapapp.timezone import LOCAL_ZONE, local_midnight

# Control characters (a user name typed at the log-in form may hold terminal escapes).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_common(sub.add_parser(
        "audit", help=bilingual("admin.cli.audit_help"),
        description=bilingual("admin.cli.audit_description")))
    p.add_argument("--since", type=parse_when, metavar="DATUM",
                   help=bilingual("admin.cli.since_help"))
    p.add_argument("--until", type=parse_when, metavar="DATUM",
                   help=bilingual("admin.cli.until_help"))
    p.add_argument("--action", action="append", metavar="HÄNDELSE",
                   help=bilingual("admin.cli.action_help"))
    p.add_argument("--user", metavar="NAMN", help=bilingual("admin.cli.user_help"))
    p.add_argument("--limit", type=int, metavar="N", help=bilingual("admin.cli.limit_help"))
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help=bilingual("admin.cli.format_help"))
    p.set_defaults(func=cmd_audit)

    p = add_common(sub.add_parser(
        "retention", help=bilingual("admin.cli.retention_help"),
        description=bilingual("admin.cli.retention_description")))
    rsub = p.add_subparsers(dest="retention_command", required=True, metavar="ÅTGÄRD")
    a = add_common(rsub.add_parser(
        "apply", help=bilingual("admin.cli.apply_help"),
        description=bilingual("admin.cli.retention_description")))
    a.add_argument("--dry-run", action="store_true", help=bilingual("admin.cli.dry_run_help"))
    a.add_argument("--years", type=float, metavar="N", help=bilingual("admin.cli.years_help"))
    a.set_defaults(func=cmd_retention_apply)


def parse_when(text: str) -> datetime:
    """``2023-04-21`` (local midnight, Stockholm) or an ISO 8601 time (local when it has no
    offset) -> an aware datetime. argparse shows the error for anything else."""
    try:
        if len(text) == 10:
            return local_midnight(date.fromisoformat(text))
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(bilingual("admin.cli.bad_date", value=text)) from exc
    return when if when.tzinfo else when.replace(tzinfo=LOCAL_ZONE)


def audit_records(frame: Any) -> list[dict[str, Any]]:
    """Audit rows as plain records: local ISO times, the detail as compact JSON text."""
    out = []
    for r in frame.to_dict("records"):
        at = r["at"]
        out.append({
            "id": int(r["id"]),
            "at": at.astimezone(LOCAL_ZONE).isoformat(timespec="seconds") if at else None,
            "username": r["username"],
            "role": r["role"],
            "action": r["action"],
            "entity": r["entity"],
            "entity_id": r["entity_id"],
            "detail": json.dumps(r["detail"] or {}, ensure_ascii=False, sort_keys=True),
        })
    return out


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value


def cmd_audit(args: argparse.Namespace) -> int:
    from mapapp.store.audit import events

    settings, engine = engine_from(args)
    frame = events(engine, CLI_PRINCIPAL, since=args.since, until=args.until,
                   actions=args.action, username=args.user, limit=args.limit)
    records = audit_records(frame)
    if args.format == "json":
        for r in records:
            r["detail"] = json.loads(r["detail"])
    elif args.format == "table":
        records = [{k: _printable(v) for k, v in r.items()} for r in records]
    write_records(list[Mapping[str, Any]](records), args.format)
    return 0


def cmd_retention_apply(args: argparse.Namespace) -> int:
    from mapapp.retention import apply_retention

    settings, engine = engine_from(args)
    years = args.years if args.years is not None else settings.retention_years
    report = apply_retention(engine, CLI_PRINCIPAL, older_than_years=years,
                             dry_run=args.dry_run, lang=settings.lang)
    key = "admin.retention.dry_run_result" if report.dry_run else "admin.retention.result"
    print(t(key, settings.lang, cutoff=report.cutoff.date().isoformat(),
            observations=report.observations, notes=report.notes, photos=report.photos,
            drafts=report.drafts))
    return 0
