"""Tables of counts (issue 11): the police's "anmälda brott" and the city's figures per area,
category and period, imported as they come (CSV or XLSX, long or wide).

Shapes (the reading is in :mod:`mapapp.io.stattable`)
    * long: columns area, category, period, count (``område``, ``kategori``, ``period``,
      ``antal`` …); a ``år`` + ``månad`` pair also makes a period;
    * periods as columns ("2021", "2022", … or "2019–2020", …, or "2022-03") with a category
      column;
    * categories as columns with a period or month column ("Jan", "Feb", … with the year from
      a year column, ``year``, the file name or a title line above the table).
    Without an area column, the area is taken from ``area``, else from the file name, sheet
    name or a title line (a district, stadsdel, zone or Stockholm area name).
Values
    "1 234", "1\u00a0234", "1,234", "581.0" and "581,0" are 1234 and 581; an empty cell, "-",
    "–", ".." or "." is no value; anything else (text, "<5", decimals, negatives) refuses the
    file, naming row and column, and nothing is written.
Areas
    matched without case or diacritics: "Hägersten-Älvsjö" (also "… stadsdelsområde", "SDO")
    is the district (area_kind ``district``), then the 17 stadsdelar (``stadsdel``), then the
    zones (``zone``); any other area (Bromma, Stockholms stad, …) is kept as written with
    area_kind ``comparison`` and never mixed into the district's figures.
Categories
    keep their own wording (``category_text``); ``category`` is the app code where one fits:
    the editable :class:`~mapapp.store.models.CategoryMapping` table first, then an app code
    or label ("Narkotikabrott"), then :data:`DEFAULT_MAPPING` ("Narkotika"). No mapping is
    guessed for wordings such as "Misshandel" or "3 kap. Brott mot liv och hälsa".
Periods
    normalised: ``2021`` (year), ``2019-2020`` (statistical year, as :mod:`mapapp.analysis`
    labels it), ``2022-03`` (month), ``2022-Q1`` (quarter).
Re-import replaces, never doubles
    A table's ``content_key`` is ``"stat:" + sha1(source | sorted areas | sorted categories |
    sorted periods)``. Importing a table with the same key replaces its values (or changes
    nothing when they are equal). Cells of *other* tables of the same source with the same
    (area, category, period) are removed, so a newer extract supersedes the overlapping figures
    of an older one (a table left with no cells is deleted). Source, extract date and
    preliminary/final are kept with the table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from mapapp import categories as cats
from mapapp.access import Perm, Principal
from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import Message
from mapapp.io.stattable import StatRows, read_statistics
from mapapp.io.tabular import Columns, fold
from mapapp.store import audit
from mapapp.store.models import CategoryMapping, ImportBatch, StatisticTable, StatisticValue
from mapapp.store.statistics import statistics_frame

DEFAULT_MAPPING: dict[str, str] = {
    "narkotika": "narkotikabrott",
    "narkotikabrott": "narkotikabrott",
    "narkotikabrott totalt": "narkotikabrott",
    "vald i offentlig miljo": "vald_offentlig_miljo",
    "vald i nara relation": "vald_nara_relation",
    "personran": "personran",
    "ran mot person": "personran",
    "bedrageri mot aldre": "bedrageri_aldre",
    "bedrageri mot aldre funktionsnedsatta": "bedrageri_aldre",
    "skadegorelse": "skadegorelse",
    "skadegorelsebrott": "skadegorelse",
    "inbrott": "inbrott",
    "bostadsinbrott": "inbrott",
    "stold": "stold",
    "ordningsstorning": "ordningsstorning",
}
RECORD_KEYS = ("area", "category", "period", "count", "source", "preliminary")


@dataclass
class StatisticsReport:
    table_id: int
    name: str
    values: int
    areas: list[str]
    categories: list[str]
    periods: list[str]
    replaced: bool
    unchanged: bool
    comparison_areas: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    #: Notes on how the file was read (e.g. its encoding), as messages not yet in words.
    messages: list[Message] = field(default_factory=list)
    #: The column taken as the area column by its values (no header named it), or None.
    area_column: Columns | None = None

    @property
    def outcome(self) -> str:
        """``"unchanged"``, ``"replaced"`` or ``"new"``."""
        return "unchanged" if self.unchanged else "replaced" if self.replaced else "new"

    def notes(self) -> list[Message]:
        """The report as messages (keys and parameters, no words): the summary line, the area
        column taken by its values, comparison areas, unmapped categories, reading notes. The
        CLI and the import page render them in the user's language.

        >>> r = StatisticsReport(1, "t.csv", 3, ["A"], ["x"], ["2021", "2022", "2023"],
        ...                      replaced=False, unchanged=False,
        ...                      area_column=Columns(("Omr",)))
        >>> [m.key for m in r.notes()]
        ['statfile.summary', 'statfile.area_by_values']
        >>> r.notes()[0].text("en")
        "Statistics table 't.csv': 3 values (1 area, 1 category, 3 periods); new table."
        """
        outcome = {"unchanged": "io.stat.unchanged", "replaced": "io.stat.replaced",
                   "new": "io.stat.new"}[self.outcome]
        out = [Message("statfile.summary", {
            "name": self.name,
            "values": Message("statfile.values", count=self.values),
            "areas": Message("statfile.areas", count=len(self.areas)),
            "categories": Message("statfile.categories", count=len(self.categories)),
            "periods": Message("statfile.periods", count=len(self.periods)),
            "replaced": Message(outcome)})]
        if self.area_column is not None:
            out.append(Message("statfile.area_by_values", {"column": self.area_column}))
        if self.comparison_areas:
            out.append(Message("io.stat.comparison", {"areas": ", ".join(self.comparison_areas)}))
        if self.unmapped:
            out.append(Message("io.stat.unmapped", {"categories": ", ".join(self.unmapped)}))
        return out + list(self.messages)


def content_key(source: str, rows: StatRows) -> str:
    parts = [source, "|".join(sorted(set(rows.areas))), "|".join(sorted(set(rows.texts))),
             "|".join(sorted(set(rows.periods)))]
    return "stat:" + hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()  # noqa: S324


def _parse_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise DataValidationError([Problem(None, "extracted", "io.stat.bad_date",
                                           {"value": value})]) from exc


def mapping_for(conn: Connection, texts: list[str]) -> dict[str, str | None]:
    """The app category code of each table wording (or None)."""
    stored = {fold(r.text): r.category for r in conn.execute(
        select(CategoryMapping.text, CategoryMapping.category))}
    out: dict[str, str | None] = {}
    for text in texts:
        key = fold(text)
        out[text] = (stored.get(key) or cats.resolve("incident", text)
                     or DEFAULT_MAPPING.get(key))
    return out


def import_statistics(
    engine: Engine, who: Principal, path: Path | str, *, sheet: str | None = None,
    source: str | None = None, extracted: date | str | None = None, preliminary: bool = False,
    year: int | None = None, area: str | None = None,
) -> StatisticsReport:
    """Import one table (see the module doc); nothing is written if any cell is unreadable.
    Refusals are :class:`~mapapp.errors.DataValidationError` with message keys; the report
    is data (:meth:`StatisticsReport.notes`)."""
    who.require(Perm.IMPORT)
    path = Path(path)
    if not path.is_file():
        raise DataValidationError([Problem(None, None, "io.file.not_found", {"path": str(path)})])
    extracted_date = _parse_date(extracted)
    from mapapp.store.district import stadsdelar_frame, zones_frame

    rows = read_statistics(path, sheet=sheet, year=year, area=area,
                           stadsdelar=list(stadsdelar_frame(engine)["name"]),
                           zones=list(zones_frame(engine)["name"]))
    src = (source or "statistik").strip()[:100]
    key = content_key(src, rows)
    name = path.name if sheet is None else f"{path.name} [{sheet}]"
    with engine.begin() as conn:
        codes = mapping_for(conn, sorted(set(rows.texts)))
        new_cells = {(a, c, p): n for a, c, p, n in zip(rows.areas, rows.texts, rows.periods,
                                                        rows.counts, strict=True)}
        have = conn.execute(select(StatisticTable.id, StatisticTable.extracted,
                                   StatisticTable.preliminary)
                            .where(StatisticTable.content_key == key)).first()
        replaced = have is not None
        unchanged = False
        if have is not None:
            old = {(v.area, v.category_text, v.period): v.count for v in conn.execute(
                select(StatisticValue.area, StatisticValue.category_text, StatisticValue.period,
                       StatisticValue.count).where(StatisticValue.table_id == have.id))}
            unchanged = (old == new_cells and have.extracted == extracted_date
                         and bool(have.preliminary) == preliminary)
            table_id = have.id
        if not unchanged:
            table_id = _write(conn, have.id if have else None, key, name, src, extracted_date,
                              preliminary, rows, codes)
            _supersede(conn, table_id, src, set(new_cells))
        conn.execute(insert(ImportBatch).values(
            kind="statistics", source=src[:50], file_name=path.name[:300],
            file_sha256=_sha256(path), rows_read=len(rows.counts),
            rows_written=0 if unchanged else len(rows.counts), rows_rejected=0,
            rows_unplaced=0, username=who.username[:100], at=datetime.now(UTC)))
        audit.record(conn, who, "import", "statistics", table_id, file=path.name, source=src,
                     values=len(rows.counts), replaced=replaced, unchanged=unchanged,
                     preliminary=preliminary, extracted=extracted_date)
    comparison = sorted({a for a, k in zip(rows.areas, rows.kinds, strict=True)
                         if k == "comparison"})
    return StatisticsReport(
        table_id=table_id, name=name, values=len(rows.counts), areas=sorted(set(rows.areas)),
        categories=sorted(set(rows.texts)), periods=sorted(set(rows.periods)),
        replaced=replaced, unchanged=unchanged, comparison_areas=comparison,
        unmapped=sorted(c for c, code in codes.items() if code is None),
        messages=list(rows.messages), area_column=rows.area_column)


def _sha256(path: Path) -> str:
    from mapapp.io.pipeline import file_sha256

    return file_sha256(path)


def _write(conn: Connection, table_id: int | None, key: str, name: str, source: str,
           extracted: date | None, preliminary: bool, rows: StatRows,
           codes: dict[str, str | None]) -> int:
    now = datetime.now(UTC)
    if table_id is None:
        table_id = int(conn.execute(insert(StatisticTable).values(
            name=name[:300], source=source, extracted=extracted, preliminary=preliminary,
            content_key=key, imported_at=now).returning(StatisticTable.id)).scalar_one())
    else:
        conn.execute(update(StatisticTable).where(StatisticTable.id == table_id).values(
            name=name[:300], extracted=extracted, preliminary=preliminary, imported_at=now))
        conn.execute(delete(StatisticValue).where(StatisticValue.table_id == table_id))
    values = [{"table_id": table_id, "area": a[:200], "area_kind": k, "category_text": c[:300],
               "category": codes.get(c), "period": p, "count": n}
              for a, k, c, p, n in zip(rows.areas, rows.kinds, rows.texts, rows.periods,
                                       rows.counts, strict=True)]
    if values:
        conn.execute(insert(StatisticValue), values)
    return table_id


def _supersede(conn: Connection, table_id: int, source: str,
               cells: set[tuple[str, str, str]]) -> None:
    """Remove the same cells from older tables of the same source; drop emptied tables."""
    others = list(conn.execute(select(StatisticTable.id).where(
        (StatisticTable.source == source) & (StatisticTable.id != table_id))).scalars())
    if not others:
        return
    stale = [v.id for v in conn.execute(select(
        StatisticValue.id, StatisticValue.area, StatisticValue.category_text,
        StatisticValue.period).where(StatisticValue.table_id.in_(others)))
        if (v.area, v.category_text, v.period) in cells]
    for i in range(0, len(stale), 500):
        conn.execute(delete(StatisticValue).where(StatisticValue.id.in_(stale[i:i + 500])))
    for tid in others:
        left = conn.execute(select(func.count()).select_from(StatisticValue).where(
            StatisticValue.table_id == tid)).scalar_one()
        if not left:
            conn.execute(delete(StatisticTable).where(StatisticTable.id == tid))


# --- reading back ----------------------------------------------------------------------------

def statistics_records(engine: Engine, who: Principal, area: str | None = None
                       ) -> list[dict[str, Any]]:
    """Rows ``{"area", "category", "period", "count", "source", "preliminary"}`` (what
    ``mapapp statistics list`` prints)."""
    df = statistics_frame(engine, who, area)
    return [{k: (int(r[k]) if k == "count" else bool(r[k]) if k == "preliminary" else r[k])
             for k in RECORD_KEYS} for r in df.to_dict("records")]


def category_mappings(engine: Engine) -> dict[str, str]:
    """The editable mapping: table wording -> app category code."""
    with engine.connect() as conn:
        return dict(conn.execute(select(CategoryMapping.text, CategoryMapping.category))
                    .tuples())


def set_category_mapping(engine: Engine, who: Principal, text: str, code: str | None) -> int:
    """Map a table wording to an app code (None removes the mapping); updates the stored
    values with that wording and returns how many changed."""
    who.require(Perm.IMPORT)
    text = text.strip()
    if code is not None and code not in {c.code for c in cats.INCIDENT_CATEGORIES}:
        raise DataValidationError([Problem(None, "category", "io.stat.bad_mapping", {
            "code": code, "text": text,
            "allowed": ", ".join(c.code for c in cats.INCIDENT_CATEGORIES)})])
    with engine.begin() as conn:
        existing = [r for r in conn.execute(select(CategoryMapping.id, CategoryMapping.text))
                    if fold(r.text) == fold(text)]
        for r in existing:
            conn.execute(delete(CategoryMapping).where(CategoryMapping.id == r.id))
        if code is not None:
            conn.execute(insert(CategoryMapping).values(text=text[:300], category=code))
        ids = [r.id for r in conn.execute(select(StatisticValue.id, StatisticValue.category_text))
               if fold(r.category_text) == fold(text)]
        if ids:
            new = code if code is not None else (cats.resolve("incident", text)
                                                 or DEFAULT_MAPPING.get(fold(text)))
            conn.execute(update(StatisticValue).where(StatisticValue.id.in_(ids))
                         .values(category=new))
        audit.record(conn, who, "update", "category_mapping", None, text=text, category=code,
                     values=len(ids))
    return len(ids)
