"""What an import is asked to do (:class:`ImportOptions`) and what it did (:class:`ImportReport`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mapapp.errors import Problem
from mapapp.i18n import DEFAULT_LANG, Message

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Limits:
    """Safety limits for files from outside (hostile files must not exhaust the machine)."""

    max_file_bytes: int = 500_000_000
    max_zip_entries: int = 100
    max_unzipped_bytes: int = 500_000_000
    max_zip_ratio: int = 100  # uncompressed : compressed per entry
    max_features: int = 2_000_000
    max_photo_bytes: int = 8_000_000  # MAPAPP_PHOTO_MAX_BYTES for photos beside an ODK export


@dataclass(frozen=True)
class ImportOptions:
    """Options of one import (the CLI flags of ``mapapp import``).

    - ``crs``: the CRS of x/y columns (or of a file without one), e.g. ``"EPSG:3006"``;
    - ``layer``: the GeoPackage layer, the Shapefile in a zip, or the XLSX sheet;
    - ``source``: the name the rows are stored under (with ``id`` it makes them unique);
    - ``skip_invalid``: write the valid rows and a rejects CSV instead of refusing the file;
    - ``keep_outside``: keep points outside the district (no zone/stadsdel) instead of refusing;
    - ``repair``: repair invalid zone polygons with ``make_valid`` (the zone is flagged);
    - ``rejects_path``: where the rejects CSV goes (default ``<file>-avvisade.csv`` beside it);
    - ``now``: the time future times are checked against (default: the clock);
    - ``output_lang``: the language of what the import *writes for people* -- the rejects CSV
      (headers, reasons, ``;`` in Swedish) and the organiser of walks made from a field form.
      Messages and problems are never words here: they are keys, rendered by the caller.
    """

    crs: str | None = None
    layer: str | None = None
    source: str | None = None
    skip_invalid: bool = False
    keep_outside: bool = False
    repair: bool = False
    rejects_path: Path | None = None
    output_lang: str = DEFAULT_LANG
    now: datetime | None = None
    limits: Limits = field(default_factory=Limits)


@dataclass
class ImportReport:
    """What an import did. ``written + duplicates + rejected (+ skipped) == read``."""

    kind: str
    file_name: str
    source: str = ""
    read: int = 0
    written: int = 0
    duplicates: int = 0
    rejected: int = 0
    unplaced: int = 0
    outside: int = 0
    skipped: int = 0  # e.g. police events of other municipalities
    per_category: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    rejects_path: Path | None = None
    import_id: int | None = None
    zones_added: int = 0
    zones_updated: int = 0
    zones_unchanged: int = 0

    def notes(self) -> list[Message]:
        """What the import did, as messages (keys and parameters, no words): the summary line,
        the counts per category, the reading notes and where the rejects went. The CLI and the
        Import page render them in the user's language.

        >>> r = ImportReport("incident", "f.csv", read=3, written=2, rejected=1,
        ...                  per_category={"stold": 2})
        >>> [m.key for m in r.notes()]
        ['io.report.summary', 'io.report.per_category']
        >>> r.notes()[0].text("en")
        'Incidents: 3 rows read, 2 saved, 0 already there, 1 rejected, 0 unplaced, 0 outside the district.'
        """
        out: list[Message] = []
        if self.kind == "zone":
            out.append(Message("io.report.zones", {
                "added": self.zones_added, "updated": self.zones_updated,
                "unchanged": self.zones_unchanged,
                "repaired": self.per_category.get("repaired", 0),
                "points": self.per_category.get("points_moved", 0)}))
        else:
            out.append(Message("io.report.summary", {
                "kind": Message(f"io.kind.{self.kind}"), "read": self.read,
                "written": self.written, "duplicates": self.duplicates,
                "rejected": self.rejected, "unplaced": self.unplaced, "outside": self.outside}))
            if self.per_category:
                counts = ", ".join(f"{k} {v}" for k, v in sorted(
                    self.per_category.items(), key=lambda kv: (-kv[1], kv[0])))
                out.append(Message("io.report.per_category", {"counts": counts}))
        out += self.messages
        if self.rejects_path is not None:
            out.append(Message("io.report.rejects", {"path": self.rejects_path}))
        return out
