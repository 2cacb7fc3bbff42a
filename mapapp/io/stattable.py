"""Reading a statistics table in the shape it comes in: long, periods as columns, or
categories as columns (see :mod:`mapapp.io.statistics` for the rules)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import Message
from mapapp.io.tabular import Columns, RawTable, fold, match_columns, read_table
from mapapp.settings import GEO_DIR

DISTRICT = "Hägersten-Älvsjö"
STAT_COLUMNS: dict[str, tuple[str, ...]] = {
    "area": ("område", "omrade", "stadsdelsområde", "stadsdel", "geografi", "region", "area",
             "distrikt", "zon", "zone"),
    "category": ("kategori", "brottskategori", "brottstyp", "brott", "brottsrubricering",
                 "category", "typ av brott"),
    "period": ("period", "tidsperiod", "statistikår", "statistikar"),
    "year": ("år", "year", "årtal"),
    "month": ("månad", "month", "mån"),
    "count": ("antal", "count", "value", "värde", "anmälda brott", "antal brott",
              "antal anmälda brott"),
}
# The 13 stadsdelsområden of Stockholm since 2020 (comparison areas named in file titles).
STOCKHOLM_SDO = ("Bromma", "Enskede-Årsta-Vantör", "Farsta", "Hägersten-Älvsjö",
                 "Hässelby-Vällingby", "Kungsholmen", "Norrmalm", "Rinkeby-Kista", "Skarpnäck",
                 "Skärholmen", "Spånga-Tensta", "Södermalm", "Östermalm")
OTHER_AREAS = ("Stockholms stad", "Stockholms län", "Region Stockholm", "Riket", "Sverige")
_AREA_SUFFIX = {"stadsdelsomrade", "stadsdelsomradet", "sdo", "sdf", "stadsdelsforvaltning"}
MONTHS: dict[str, int] = {}
for _i, _names in enumerate((
        ("jan", "januari", "january"), ("feb", "februari", "february"), ("mar", "mars", "march"),
        ("apr", "april"), ("maj", "may"), ("jun", "juni", "june"), ("jul", "juli", "july"),
        ("aug", "augusti", "august"), ("sep", "sept", "september"), ("okt", "oct", "oktober",
                                                                      "october"),
        ("nov", "november"), ("dec", "december")), start=1):
    for _n in _names:
        MONTHS[_n] = _i
_EMPTY = {"", "-", "–", "—", "..", "."}


@dataclass
class StatRows:
    areas: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    #: Notes for the report (not yet put into words), e.g. the file's encoding.
    messages: list[Message] = field(default_factory=list)
    #: The column recognised as the area column by its values (no header named it), or None.
    area_column: Columns | None = None


def parse_period(text: str, year: int | None = None) -> tuple[str | None, bool]:
    """(normalised label or None, needs a year).

    >>> parse_period("2019–2020"), parse_period("2019/20"), parse_period("2022-03")
    (('2019-2020', False), ('2019-2020', False), ('2022-03', False))
    >>> parse_period("Jan"), parse_period("Jan", 2022), parse_period("2022 K1"), parse_period("x")
    ((None, True), ('2022-01', False), ('2022-Q1', False), (None, False))
    """
    s = str(text).strip()
    if re.fullmatch(r"\d{4}(\.0)?", s):
        return s[:4], False
    m = re.fullmatch(r"(\d{4})\s*(?:–|—|-{1,2}|/)\s*(\d{4})", s)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        return (f"{a}-{b}", False) if b == a + 1 else (None, False)
    m = re.fullmatch(r"(\d{4})\s*(?:–|—|/)\s*(\d{2})", s)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        return (f"{a}-{a + 1}", False) if b == (a + 1) % 100 else (None, False)
    m = re.fullmatch(r"(\d{4})\s*(?:-|M)\s*(\d{1,2})", s, re.IGNORECASE)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{int(m.group(2)):02d}", False
    m = re.fullmatch(r"(\d{4})\s*[KQ]\s*([1-4])|[KQ]\s*([1-4])\s+(\d{4})", s, re.IGNORECASE)
    if m:
        y, q = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return f"{y}-Q{q}", False
    f = fold(s)
    m = re.fullmatch(r"([a-z]+)(?: (\d{4}))?|(\d{4}) ([a-z]+)", f)
    if m:
        name = m.group(1) or m.group(4)
        y_text = m.group(2) or m.group(3)
        if name in MONTHS:
            y = int(y_text) if y_text else year
            if y is None:
                return None, True
            return f"{y}-{MONTHS[name]:02d}", False
    return None, False


def parse_count(text: str) -> tuple[int | None, bool]:
    """(count or None for an empty cell, readable).

    >>> [parse_count(x)[0] for x in ("1 234", "581.0", "1,234", "", "–")]
    [1234, 581, 1234, None, None]
    >>> [parse_count(x)[1] for x in ("12,5", "<5", "-3", "abc")]
    [False, False, False, False]
    """
    s = re.sub(r"[\s\u00a0\u202f]", "", str(text))
    if s in _EMPTY:
        return None, True
    if re.fullmatch(r"\d+", s):
        return int(s), True
    m = re.fullmatch(r"(\d+)[.,]0+", s)
    if m:
        return int(m.group(1)), True
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", s):
        return int(re.sub(r"[.,]", "", s)), True
    return None, False


def _years(text: str) -> set[int]:
    return {int(y) for y in re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", text)}


def area_matcher(stadsdelar: list[str], zones: list[str]) -> Callable[[str], tuple[str, str]]:
    sd = {fold(n): n for n in stadsdelar}
    zn = {fold(n): n for n in zones}

    def match(text: str) -> tuple[str, str]:
        words = [w for w in fold(text).split() if w not in _AREA_SUFFIX]
        key = " ".join(words)
        if key == fold(DISTRICT):
            return DISTRICT, "district"
        if key in sd:
            return sd[key], "stadsdel"
        if key in zn:
            return zn[key], "zone"
        return str(text).strip(), "comparison"

    return match


def known_area_names(stadsdelar: list[str], zones: list[str]) -> list[str]:
    names = [DISTRICT, *stadsdelar, *zones, *STOCKHOLM_SDO, *OTHER_AREAS]
    path = GEO_DIR / "stockholm_stadsdelar.geojson"
    if path.exists():
        import json

        doc = json.loads(path.read_text("utf-8"))
        names += [f["properties"]["name"] for f in doc.get("features", [])]
    return list(dict.fromkeys(names))


def area_in_text(text: str, names: list[str]) -> str | None:
    """The first (longest) known area named in ``text`` (file name, sheet, title line)."""
    f = f" {fold(text)} "
    for name in sorted(names, key=lambda n: -len(fold(n))):
        if f" {fold(name)} " in f:
            return name
    return None


#: Share of a column's non-empty cells that must be known area names for it to be taken as the
#: area column when no header names one.
AREA_VALUE_SHARE = 0.6


def _area_key(text: str) -> str:
    return " ".join(w for w in fold(text).split() if w not in _AREA_SUFFIX)


def area_column_by_values(raw: RawTable, names: list[str], skip: set[str]) -> str | None:
    """The column whose values are known area names (stadsdelsområden, stadsdelar, zones,
    Stockholm's other areas), case- and accent-tolerant, when no header names the area: the
    column with the largest share of known names, at least :data:`AREA_VALUE_SHARE` of its
    non-empty cells. None when no column qualifies."""
    known = {_area_key(n) for n in names}
    best: tuple[float, str] | None = None
    for col in raw.frame.columns:
        if col in skip:
            continue
        vals = [v for v in _col(raw, col) if v]
        if not vals:
            continue
        share = sum(_area_key(v) in known for v in vals) / len(vals)
        if share >= AREA_VALUE_SHARE and (best is None or share > best[0]):
            best = (share, col)
    return None if best is None else best[1]


def read_statistics(path: Path, *, sheet: str | None, year: int | None, area: str | None,
                    stadsdelar: list[str], zones: list[str]) -> StatRows:
    raw = read_table(path, sheet=sheet)
    found, unused = match_columns(list(raw.frame.columns), STAT_COLUMNS)
    context = " ".join([path.stem, sheet or "", *raw.preamble])
    if year is None:
        ys = _years(" ".join([path.stem, sheet or ""])) or _years(" ".join(raw.preamble))
        year = next(iter(ys)) if len(ys) == 1 else None
    names = known_area_names(stadsdelar, zones)
    by_values = None
    if "area" not in found:
        by_values = area_column_by_values(raw, names, set(found.values()))
        if by_values is not None:
            found["area"] = by_values
            unused = [c for c in unused if c != by_values]
    no_area = DataValidationError([Problem(None, "area", "io.stat.no_area", {
        "columns": raw.columns()})])
    from_text = False
    if area is None and "area" not in found:
        area = area_in_text(context, names)
        if area is None:
            raise no_area
        from_text = True
    cells = _cells(raw, found, unused, year)
    # An area taken from the file name or a title line that repeats cells means the rows are
    # of several areas in a column nobody could recognise: ask for that column.
    out = _finish(raw, cells, area, area_matcher(stadsdelar, zones),
                  on_repeat=no_area if from_text else None)
    out.area_column = None if by_values is None else raw.columns([by_values])
    return out


# (row position, column header, area text or None, category text, period label, raw value)
Cell = tuple[int, str, str | None, str, str, str]


def _col(raw: RawTable, header: str) -> list[str]:
    return raw.frame[header].fillna("").astype("str").str.strip().tolist()


def _cells(raw: RawTable, found: dict[str, str], unused: list[str], year: int | None
           ) -> list[Cell]:
    n = len(raw.frame)
    areas = _col(raw, found["area"]) if "area" in found else [None] * n
    years = _col(raw, found["year"]) if "year" in found else [""] * n
    cells: list[Cell] = []
    problems: list[Problem] = []

    def period_of(i: int, text: str, header: str) -> str | None:
        y = int(years[i][:4]) if re.fullmatch(r"\d{4}(\.0)?", years[i]) else year
        label, needs_year = parse_period(text, y)
        if label is None:
            key = "io.stat.no_year" if needs_year else "io.stat.period_bad"
            problems.append(Problem(int(raw.rows[i]), header, key, {
                "where": _where(raw, i, header), "value": text, "months": text}))
        return label

    if "count" in found and "category" in found and ("period" in found or "year" in found):
        cats_ = _col(raw, found["category"])
        counts = _col(raw, found["count"])
        if "period" in found:
            pers, pcol = _col(raw, found["period"]), found["period"]
        elif "month" in found:
            pers = [f"{y} {m}" if m else y for y, m in zip(years, _col(raw, found["month"]),
                                                             strict=True)]
            pcol = found["month"]
        else:
            pers, pcol = years, found["year"]
        for i in range(n):
            p = period_of(i, pers[i], pcol) if pers[i] else None
            if not pers[i]:
                problems.append(Problem(int(raw.rows[i]), pcol, "io.stat.period_missing",
                                        {"where": _where(raw, i, pcol)}))
            if p is not None:
                cells.append((i, found["count"], areas[i], cats_[i], p, counts[i]))
    else:
        used = {found[k] for k in ("area", "year") if k in found}
        period_cols = [c for c in raw.frame.columns if c not in used
                       and (parse_period(c, year)[0] or parse_period(c)[1])]
        row_period = found.get("period") or found.get("month")
        if period_cols and row_period is None:
            cat_col = found.get("category") or next(
                (c for c in raw.frame.columns if c not in used and c not in period_cols), None)
            if cat_col is None:
                raise _no_count(raw)
            labels = {c: parse_period(c, year) for c in period_cols}
            missing_year = [c for c, (lab, need) in labels.items() if lab is None and need]
            row_years = "year" in found and bool(missing_year)
            if missing_year and not row_years:
                raise DataValidationError([Problem(None, "year", "io.stat.no_year",
                                                   {"months": ", ".join(missing_year)})])
            texts = _col(raw, cat_col)
            for c in period_cols:
                vals = _col(raw, c)
                for i in range(n):
                    label = labels[c][0]
                    if row_years and c in missing_year:  # month columns, a year on each row
                        label = period_of(i, c, found["year"])
                        if label is None:
                            continue
                    cells.append((i, c, areas[i], texts[i], str(label), vals[i]))
        elif row_period is not None:
            cat_cols = [c for c in raw.frame.columns if c not in used and c != row_period
                        and c != found.get("category")]
            if not cat_cols:
                raise _no_count(raw)
            pers = _col(raw, row_period)
            for i in range(n):
                if not pers[i]:
                    continue
                p = period_of(i, pers[i], row_period)
                if p is None:
                    continue
                for c in cat_cols:
                    cells.append((i, c, areas[i], c, p, raw.frame[c].iloc[i]))
        else:
            raise _no_count(raw)
    if problems:
        raise DataValidationError(problems, summary="io.file.rejected_file")
    return cells


def _no_count(raw: RawTable) -> DataValidationError:
    return DataValidationError([Problem(None, None, "io.stat.no_count",
                                        {"found": raw.columns()})])


def _where(raw: RawTable, i: int, header: str) -> Message:
    """Where a cell is (row number, spreadsheet letter and header), rendered with the message
    that names it."""
    cols = list(raw.frame.columns)
    letter = raw.letters[cols.index(header)] if header in cols and raw.letters else "?"
    col = letter if header in raw.unnamed else f"{letter} ({header})"
    return Message("io.where.cell", {"n": int(raw.rows[i]), "col": col})


def _finish(raw: RawTable, cells: list[Cell], area: str | None,
            match: Callable[[str], tuple[str, str]],
            on_repeat: DataValidationError | None = None) -> StatRows:
    out = StatRows()
    problems: list[Problem] = []
    seen: dict[tuple[str, str, str], Message] = {}
    for i, header, a, text, period, value in cells:
        count, ok = parse_count(str(value) if value is not None else "")
        where = _where(raw, i, header)
        if not ok:
            problems.append(Problem(int(raw.rows[i]), header, "io.stat.bad_count",
                                    {"where": where, "value": value}))
            continue
        if count is None:
            continue
        area_text = a or area
        if not area_text:
            problems.append(Problem(int(raw.rows[i]), "area", "io.stat.area_missing",
                                    {"where": where}))
            continue
        if not text:
            problems.append(Problem(int(raw.rows[i]), "category", "io.stat.category_missing",
                                    {"where": where}))
            continue
        name, kind = match(area_text)
        key = (name, text, period)
        if key in seen:
            if on_repeat is not None:
                raise on_repeat
            problems.append(Problem(int(raw.rows[i]), header, "io.stat.repeated", {
                "where": where, "area": name, "category": text, "period": period,
                "first": seen[key]}))
            continue
        seen[key] = where
        out.areas.append(name)
        out.kinds.append(kind)
        out.texts.append(text)
        out.periods.append(period)
        out.counts.append(count)
    if problems:
        raise DataValidationError(problems, summary="io.file.rejected_file")
    out.messages = list(raw.messages)
    return out
