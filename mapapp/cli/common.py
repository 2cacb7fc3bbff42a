"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Engine

from mapapp.settings import Settings, load_settings


def add_common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``--db`` and ``--lang`` on a subcommand."""
    p.add_argument("--db", metavar="URL",
                   help="databas-URL (annars MAPAPP_DATABASE_URL) / database URL")
    p.add_argument("--lang", choices=("sv", "en"), default=None,
                   help="språk för meddelanden (standard sv) / message language")
    return p


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(database_url=getattr(args, "db", None), lang=getattr(args, "lang", None))


def engine_from(args: argparse.Namespace, *, require_schema: bool = True) -> tuple[Settings, Engine]:
    from mapapp.errors import StoreError
    from mapapp.i18n import t
    from mapapp.store import open_store
    from mapapp.store.schema import has_schema

    settings = settings_from(args)
    engine = open_store(settings)
    if require_schema and not has_schema(engine):
        raise StoreError(t("store.not_initialised", settings.lang))
    return settings, engine


def write_records(records: list[Mapping[str, Any]], fmt: str, out: Any = None) -> None:
    """Print records as an aligned table, CSV (formula-safe) or JSON."""
    from mapapp.textsafe import csv_cell

    out = out or sys.stdout
    if fmt == "json":
        json.dump(records, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
        return
    cols = list(records[0].keys()) if records else []
    if fmt == "csv":
        w = csv.writer(out)
        w.writerow(cols)
        for r in records:
            w.writerow([csv_cell(r.get(c)) for c in cols])
        return
    out.write(format_table(cols, ([r.get(c) for c in cols] for r in records)))


def format_table(cols: list[str], rows: Iterable[list[Any]]) -> str:
    rows = [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(cols)]
    buf = io.StringIO()
    buf.write("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip() + "\n")
    buf.write("  ".join("-" * w for w in widths) + "\n")
    for r in rows:
        buf.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() + "\n")
    return buf.getvalue()
