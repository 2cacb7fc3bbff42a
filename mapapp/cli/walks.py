"""``mapapp walks list`` and ``mapapp walks followup WALK_ID --out FILE.docx|.pdf``."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from, write_records


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "walks", help="trygghetsvandringar / safety walks",
        description="Lista vandringar och skriv uppföljningsunderlag (DOCX/PDF) till "
                    "uppföljningsmötet. / List walks and write the follow-up sheet.")
    wsub = p.add_subparsers(dest="walks_command", required=True, metavar="ÅTGÄRD")
    a = add_common(wsub.add_parser("list", help="lista vandringar / list walks"))
    a.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="utformat (table) / output format")
    a.set_defaults(func=cmd_list)
    f = add_common(wsub.add_parser(
        "followup", help="uppföljningsunderlag / follow-up sheet",
        description="Observationerna per plats med ägare att kontakta och status. Formatet "
                    "följer filändelsen: .docx (Word) eller .pdf. / Observations by place with "
                    "the owner to contact and status; .docx or .pdf by the file suffix."))
    f.add_argument("walk_id", type=int, metavar="VANDRING_ID", help="vandringens id / walk id")
    f.add_argument("--out", type=Path, required=True, metavar="FIL",
                   help="utfil .docx eller .pdf / output file")
    f.add_argument("--photos", action="store_true",
                   help="ta med foton (utan metadata) / include photos")
    f.set_defaults(func=cmd_followup)


def cmd_list(args: argparse.Namespace) -> int:
    import pandas as pd

    from mapapp.timezone import LOCAL_TZ
    from mapapp.walks import list_walks

    settings, engine = engine_from(args)
    df = list_walks(engine, CLI_PRINCIPAL)
    records: list[Mapping[str, Any]] = []
    for r in df.to_dict("records"):
        parts = r["participants"] or {}
        records.append({
            "id": r["id"], "titel": r["title"], "område": r["zone"],
            "start": f"{pd.Timestamp(r['starts_at']).tz_convert(LOCAL_TZ):%Y-%m-%d %H:%M}",
            "arrangör": r["organiser"],
            "deltagare": sum(int(v) for v in parts.values()), "status": r["status"],
            "lag": r["team"], "observationer": r["n_observations"],
        })
    write_records(records, args.format)
    return 0


def cmd_followup(args: argparse.Namespace) -> int:
    from mapapp.snapshot.followup import write_followup
    from mapapp.store import audit
    from mapapp.walks import follow_up_sheet, observation_photo

    settings, engine = engine_from(args)
    sheet = follow_up_sheet(engine, CLI_PRINCIPAL, args.walk_id, lang=settings.lang)
    photos = {}
    if args.photos:
        for oid in sheet.rows.loc[sheet.rows["has_photo"], "observation_id"]:
            got = observation_photo(engine, CLI_PRINCIPAL, int(oid))
            if got:
                photos[int(oid)] = got[0]
    path = write_followup(sheet, args.out, lang=settings.lang, photos=photos)
    with engine.begin() as conn:
        audit.record(conn, CLI_PRINCIPAL, "export", "walk", args.walk_id, file=path.name,
                     observations=len(sheet.rows))
    print(path)
    return 0
