"""Reading CSV and XLSX files into a table of text, and finding the columns by name.

Every cell is read as text (a leading zero, a formula-like "=1+2" or an id stay exactly as
written); numbers and times are parsed later, column by column, so a bad cell can be named.

- **CSV**: comma, semicolon or tab (sniffed from the header line), UTF-8 with or without a BOM
  (as Excel writes "CSV UTF-8"); a file that is not UTF-8 is read as Windows-1252 (older Excel)
  and the report says so. Parsed by pyarrow's CSV reader.
- **XLSX**: the first sheet or ``sheet``; values as Excel shows them (cached results of
  formulas, never evaluated here); dates and times as ISO text.

Rows are numbered as the user sees them in a spreadsheet: the header is row 1 (or the row it is
on, after title rows above it), the first data row 2. Title lines above the header (a line with
fewer than two filled cells) are skipped and kept in :attr:`RawTable.preamble`. Columns without
a header or named like pandas' stray index ("Unnamed: 0") are dropped -- unless they hold text:
then the column is headed by its spreadsheet letter and put into words ("kolumn C" /
"column C") only where a message names it (:class:`Columns`).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import DEFAULT_LANG, Message, t
from mapapp.values import fold

_STRAY = re.compile(r"^(unnamed(: ?\d+)?|index|level_0|)$", re.IGNORECASE)
_SNIFF_BYTES = 256 * 1024


@dataclass
class RawTable:
    """A file's cells as text. ``frame`` has the file's own headers; ``rows`` the row number
    the user sees for each frame row."""

    frame: pd.DataFrame
    rows: np.ndarray
    name: str
    preamble: list[str] = field(default_factory=list)
    #: Notes on how the file was read (message keys, rendered at the edge).
    messages: list[Message] = field(default_factory=list)
    letters: list[str] = field(default_factory=list)  # spreadsheet letter of each column
    #: the headers that stand for a column without one: header -> its spreadsheet letter
    unnamed: dict[str, str] = field(default_factory=dict)

    def columns(self, names: Sequence[str] | None = None) -> Columns:
        """``names`` (default: every column) as a message parameter."""
        return Columns(tuple(self.frame.columns if names is None else names), self.unnamed)


@dataclass(frozen=True)
class Columns:
    """Headers of a file as a message parameter: "a, b, kolumn C" -- a column without a header
    is named by its spreadsheet letter in the language of the edge that renders it.

    >>> Columns(("kategori", "C"), {"C": "C"}).text("en")
    'kategori, column C'
    >>> Columns(()).text("sv")
    '–'
    """

    names: tuple[str, ...]
    unnamed: Mapping[str, str] = field(default_factory=dict)

    def text(self, lang: str | None = DEFAULT_LANG) -> str:
        return ", ".join(t("io.column.unnamed", lang, letter=self.unnamed[n])
                         if n in self.unnamed else str(n) for n in self.names) or "–"


def read_table(path: Path, *, sheet: str | None = None) -> RawTable:
    """Read a CSV (any extension but .xlsx/.xlsm) or XLSX file as text. Problems and notes
    carry message keys; the caller's edge puts them into the user's language."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet=sheet)
    return read_csv(path)


# --- CSV -------------------------------------------------------------------------------------

def _encoding(path: Path) -> tuple[str, bool]:
    """('utf8' | 'cp1252', had_bom). UTF-8 is checked over the whole file, incrementally."""
    with path.open("rb") as fh:
        head = fh.read(3)
        bom = head == codecs.BOM_UTF8
        fh.seek(0)
        dec = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 22):
                dec.decode(chunk)
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252", bom
    return "utf8", bom


def _sniff(lines: Sequence[str]) -> tuple[str, int]:
    """(delimiter, index of the header line) from the first lines of the file: the delimiter
    that splits the most lines into the same number (>= 2) of fields; the header is the first
    line with that many fields (title lines above it have fewer)."""
    sample = [(i, ln) for i, ln in enumerate(lines[:50]) if ln.strip()]
    best: tuple[tuple[int, int, bool], str, int] | None = None
    for d in (";", ",", "\t"):
        widths = Counter(len(next(csv.reader([ln], delimiter=d), [])) for _, ln in sample)
        widths = Counter({w: c for w, c in widths.items() if w >= 2})
        if not widths:
            continue
        width, freq = max(widths.items(), key=lambda kv: (kv[1], kv[0]))
        score = (freq, width, d == ";")
        if best is None or score > best[0]:
            best = (score, d, width)
    if best is None:
        return ",", sample[0][0] if sample else 0
    _, d, width = best

    def cells(ln: str) -> list[str]:
        return next(csv.reader([ln], delimiter=d), [])

    # A title line exported from a spreadsheet keeps its empty cells ("Titel;;;;"): the header
    # is the first line of that width with at least two filled cells.
    header = next((i for i, ln in sample if len(cells(ln)) >= width
                   and sum(bool(c.strip()) for c in cells(ln)) >= 2),
                  next(i for i, ln in sample if len(cells(ln)) >= width))
    return d, header


def read_csv(path: Path) -> RawTable:
    encoding, _bom = _encoding(path)
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    text = head.decode("utf-8-sig" if encoding == "utf8" else "cp1252", errors="replace")
    lines = text.splitlines()
    if not any(ln.strip() for ln in lines):
        raise DataValidationError([Problem(None, None, "io.file.empty")])
    delimiter, header_idx = _sniff(lines)
    preamble = [ln.strip().strip(delimiter).strip() for ln in lines[:header_idx] if ln.strip()]
    header = next(csv.reader([lines[header_idx]], delimiter=delimiter))
    names = [h.strip() for h in header]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=encoding, skip_rows=header_idx + 1,
                                           column_names=[f"c{i}" for i in range(len(names))],
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(names))},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DataValidationError([Problem(None, None, "io.file.unreadable", {
            "fmt": "CSV", "detail": _arrow_detail(exc, header_idx)})]) from exc
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    frame.columns = names
    rows = np.arange(header_idx + 2, header_idx + 2 + len(frame), dtype=np.int64)
    messages = [Message("io.file.encoding_fallback")] if encoding != "utf8" else []
    return _tidy(RawTable(frame, rows, path.name, preamble, messages))


def _arrow_detail(exc: Exception, header_idx: int) -> Message | str:
    msg = str(exc).splitlines()[0]
    m = re.search(r"Row #(\d+)", str(exc))
    if m:  # pyarrow counts physical rows from the first data row (1-based)
        return Message("statfile.arrow_row", {"detail": msg, "n": int(m.group(1)) + header_idx + 1})
    return msg


# --- XLSX ------------------------------------------------------------------------------------

def cell_text(v: Any) -> str:
    """An XLSX cell value as the text a user would type.

    >>> cell_text(12345.0), cell_text(59.3123), cell_text(None), cell_text(datetime(2024, 3, 5, 21, 14))
    ('12345', '59.3123', '', '2024-03-05 21:14:00')
    """
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, date | time):
        return v.isoformat()
    return str(v)


def read_xlsx(path: Path, *, sheet: str | None = None) -> RawTable:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DataValidationError([Problem(None, None, "io.file.unreadable", {
            "fmt": "XLSX", "detail": str(exc)})]) from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise DataValidationError([Problem(None, None, "io.file.no_sheet", {
                "sheet": sheet, "sheets": ", ".join(wb.sheetnames)})])
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        preamble: list[str] = []
        header: list[str] | None = None
        data: list[list[str]] = []
        rows: list[int] = []
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [cell_text(v).strip() if not isinstance(v, str) else v for v in values]
            filled = [c for c in cells if c.strip()]
            if header is None:
                if len(filled) >= 2:
                    header = [c.strip() for c in cells]
                elif filled:
                    preamble.append(filled[0].strip())
                continue
            if not filled:
                continue
            data.append(cells)
            rows.append(r)
    finally:
        wb.close()
    if header is None:
        raise DataValidationError([Problem(None, None, "io.file.empty")])
    width = len(header)
    data = [(row + [""] * width)[:width] for row in data]
    frame = pd.DataFrame(data, columns=header, dtype="str") if data else pd.DataFrame(
        {h: pd.Series([], dtype="str") for h in header})
    return _tidy(RawTable(frame, np.asarray(rows, dtype=np.int64), path.name, preamble))


# --- columns ---------------------------------------------------------------------------------

def column_letter(i: int) -> str:
    """Spreadsheet column letter of 0-based position ``i``: 0 -> A, 26 -> AA."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _is_index(col: pd.Series) -> bool:
    """Empty, or whole numbers (a stray index written by pandas or a numbered-rows column)."""
    s = col.fillna("").astype("str").str.strip()
    s = s[s != ""]
    return len(s) == 0 or bool(s.str.fullmatch(r"-?\d+(\.0+)?").all())


def _tidy(raw: RawTable) -> RawTable:
    """Drop stray index columns (no header, or "Unnamed: 0"/"index", with whole numbers or
    nothing in them) and fully empty rows; a header-less column with text in it is kept and
    headed by its spreadsheet letter ("B", in :attr:`RawTable.unnamed`)."""
    keep, names, letters = [], [], []
    headers = {str(c).strip() for c in raw.frame.columns}
    for i, c in enumerate(raw.frame.columns):
        header = str(c).strip()
        if _STRAY.match(header):
            if _is_index(raw.frame.iloc[:, i]):
                continue
            letter = column_letter(i)
            header = letter if letter not in headers else f"{letter} ({i + 1})"
            raw.unnamed[header] = letter
        keep.append(i)
        names.append(header)
        letters.append(column_letter(i))
    frame = raw.frame.iloc[:, keep]
    frame.columns = names
    raw.letters = letters
    if len(frame) and len(frame.columns):
        filled = np.zeros(len(frame), dtype=bool)
        for c in range(frame.shape[1]):
            col = frame.iloc[:, c]
            filled |= (col.fillna("").astype("str").str.strip() != "").to_numpy(dtype=bool)
        if not filled.all():
            frame = frame[filled]
            raw.rows = raw.rows[filled]
    raw.frame = frame.reset_index(drop=True)
    return raw


def match_columns(
    columns: Sequence[str], spec: Mapping[str, Sequence[str]]
) -> tuple[dict[str, str], list[str]]:
    """Map canonical names to the file's headers by folded aliases.

    Returns ``({canonical: header}, unused_headers)``; two headers meaning the same raise.

    >>> match_columns(["Kategori", "Tidpunkt", "x"], {"category": ["kategori"],
    ...               "occurred_at": ["tidpunkt", "tid"]})
    ({'category': 'Kategori', 'occurred_at': 'Tidpunkt'}, ['x'])
    """
    lookup = {fold(a): canon for canon, aliases in spec.items() for a in (canon, *aliases)}
    found: dict[str, list[str]] = {}
    unused = []
    for col in columns:
        canon = lookup.get(fold(col))
        if canon is None:
            unused.append(col)
        else:
            found.setdefault(canon, []).append(col)
    problems = [
        Problem(None, canon, "io.file.duplicate_column", {"columns": ", ".join(cols),
                                                          "column": canon})
        for canon, cols in found.items() if len(cols) > 1
    ]
    if problems:
        raise DataValidationError(problems)
    return {canon: cols[0] for canon, cols in found.items()}, unused


def text_column(frame: pd.DataFrame, header: str | None) -> pd.Series:
    """A column as stripped text with "" for empty (a missing column is all "")."""
    if header is None:
        return pd.Series([""] * len(frame), dtype="str", index=frame.index)
    col = frame[header]
    return col.fillna("").astype("str").str.strip()


def read_text_bytes(data: bytes) -> str:
    """Bytes of a small text file (UTF-8 with/without BOM, else Windows-1252)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


__all__ = ["Columns", "RawTable", "fold", "match_columns", "read_csv", "read_table", "read_text_bytes",
           "read_xlsx", "text_column", "cell_text"]
