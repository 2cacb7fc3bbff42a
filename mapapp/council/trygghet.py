"""The city's trygghetsmätning (Stockholms stads trygghetsmätning) per stadsdel, and the view
of perceived insecurity beside reported crime.

**Import** (:func:`read_trygghet`, :func:`import_trygghet`): a CSV or XLSX in one of two
shapes, found by column names (Swedish or English):

- *long*: ``stadsdel``, ``indikator``, ``år``, ``andel`` and optionally ``svarande``;
- *wide*: ``stadsdel``, ``indikator`` and one column per year (``2019``, ``2021`` …) holding
  the share (respondents are then unknown).

A share is a percentage 0–100 (``23,5``, ``23.5 %``). Stadsdelar are matched to the store's
(case-insensitive). Every problem is collected with its row and field; a file with any problem
writes nothing. Importing the same figures again replaces them (one value per stadsdel,
indicator and year).

**Beside reported crime** (:func:`compare`): for one indicator and year, per stadsdel of the
district, the share and the number of reported crimes (incidents) in that calendar year
(local days, grouped in the database), and each one's rank among the stadsdelar as a
percentile (0 lowest … 1 highest). ``gap`` = share's rank − crimes' rank; ``disagree`` is
``more_insecure`` when gap ≥ 0.5 (felt unsafe, little reported), ``less_insecure`` when
gap ≤ −0.5 (much reported, felt safe), else ``agree``; ``unknown`` when the crimes (or the
shares) are all equal, so one side has no order. Codes, not sentences.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select

from mapapp.access import Perm, Principal
from mapapp.errors import DataValidationError, Problem
from mapapp.io.tabular import fold, match_columns, read_table
from mapapp.store import audit
from mapapp.store.models import Incident, Stadsdel, TrygghetValue

COLUMNS: dict[str, tuple[str, ...]] = {
    "stadsdel": ("stadsdel", "stadsdelar", "område", "omrade", "district", "area"),
    "indicator": ("indikator", "fråga", "fraga", "indicator", "question", "mått"),
    "year": ("år", "ar", "year", "mätår", "matar"),
    "share": ("andel", "andel %", "andel (%)", "procent", "share", "percent", "%"),
    "respondents": ("svarande", "antal svarande", "respondenter", "respondents", "n"),
}
_YEAR_COL = re.compile(r"^\s*((?:19|20)\d{2})\s*$")
FRAME_COLUMNS = ["stadsdel", "indicator", "year", "share", "respondents"]
COMPARE_FIELDS = ("stadsdel", "share", "respondents", "crimes", "share_rank", "crime_rank",
                  "gap", "disagree")


def _number(text: str) -> float | None:
    t = str(text).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    t = t.rstrip("%").replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def read_trygghet(path: Path, *, known: list[str], sheet: str | None = None) -> pd.DataFrame:
    """The file's figures as rows of :data:`FRAME_COLUMNS` (stadsdel as the store names it),
    or one :class:`DataValidationError` with every problem."""
    raw = read_table(Path(path), sheet=sheet)
    frame = raw.frame
    found, unused = match_columns(list(frame.columns), COLUMNS)
    problems: list[Problem] = []
    for need in ("stadsdel", "indicator"):
        if need not in found:
            problems.append(Problem(None, need, "trygghet.missing_column",
                                    {"column": need, "columns": ", ".join(frame.columns)}))
    year_cols = [c for c in unused if _YEAR_COL.match(str(c))]
    wide = "year" not in found and "share" not in found and bool(year_cols)
    if not wide:
        for need in ("year", "share"):
            if need not in found:
                problems.append(Problem(None, need, "trygghet.missing_column",
                                        {"column": need, "columns": ", ".join(frame.columns)}))
    if problems:
        raise DataValidationError(problems, summary="trygghet.rejected")
    by_fold = {fold(k): k for k in known}
    cells: list[tuple[int, str, str, str, str, str]] = []  # row, sd, ind, year, share, resp
    for i in range(len(frame)):
        rowno = int(raw.rows[i])
        sd, ind = str(frame.iloc[i][found["stadsdel"]]), str(frame.iloc[i][found["indicator"]])
        resp = str(frame.iloc[i][found["respondents"]]) if "respondents" in found else ""
        if wide:
            for col in year_cols:
                cells.append((rowno, sd, ind, str(col).strip(), str(frame.iloc[i][col]), ""))
        else:
            cells.append((rowno, sd, ind, str(frame.iloc[i][found["year"]]),
                          str(frame.iloc[i][found["share"]]), resp))
    out = []
    seen: dict[tuple[str, str, int], int] = {}
    for rowno, sd, ind, year_t, share_t, resp_t in cells:
        if not share_t.strip() and wide:
            continue  # an empty year in a wide table: not measured
        name = by_fold.get(fold(sd))
        if name is None:
            problems.append(Problem(rowno, "stadsdel", "trygghet.unknown_stadsdel",
                                    {"row": rowno, "value": sd, "known": ", ".join(known)}))
        if not ind.strip():
            problems.append(Problem(rowno, "indicator", "trygghet.empty",
                                    {"row": rowno, "column": "indikator"}))
        year = int(_number(year_t) or 0)
        if not 1990 <= year <= 2100 or _number(year_t) != year:
            problems.append(Problem(rowno, "year", "trygghet.bad_year",
                                    {"row": rowno, "value": year_t}))
        share = _number(share_t)
        if share is None or not 0 <= share <= 100:
            problems.append(Problem(rowno, "share", "trygghet.bad_share",
                                    {"row": rowno, "value": share_t}))
        n_resp: int | None = None
        if resp_t.strip():
            r = _number(resp_t)
            if r is None or r < 0 or r != int(r):
                problems.append(Problem(rowno, "respondents", "trygghet.bad_respondents",
                                        {"row": rowno, "value": resp_t}))
            else:
                n_resp = int(r)
        key = (name or sd, ind.strip(), year)
        if key in seen:
            problems.append(Problem(rowno, "indicator", "trygghet.duplicate",
                                    {"row": rowno, "other": seen[key]}))
        seen[key] = rowno
        out.append({"stadsdel": name, "indicator": ind.strip(), "year": year, "share": share,
                    "respondents": n_resp})
    if problems:
        raise DataValidationError(problems, summary="trygghet.rejected")
    if not out:
        raise DataValidationError([Problem(None, None, "trygghet.no_rows")],
                                  summary="trygghet.rejected")
    return pd.DataFrame(out, columns=FRAME_COLUMNS)


def import_trygghet(engine: Engine, who: Principal, path: Path, *, sheet: str | None = None,
                    source: str = "Stockholms stad, trygghetsmätningen") -> int:
    """Read and store the file's figures in one transaction; returns the number of values."""
    who.require(Perm.IMPORT)
    with engine.connect() as conn:
        known = [str(n) for n in conn.execute(select(Stadsdel.name).order_by(Stadsdel.name))
                 .scalars()]
    df = read_trygghet(Path(path), known=known, sheet=sheet)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for r in df.itertuples(index=False):
            conn.execute(delete(TrygghetValue).where(
                TrygghetValue.stadsdel == r.stadsdel, TrygghetValue.indicator == r.indicator,
                TrygghetValue.year == int(r.year)))
        conn.execute(insert(TrygghetValue), [
            {"stadsdel": r.stadsdel, "indicator": r.indicator, "year": int(r.year),
             "share": float(r.share),
             "respondents": None if pd.isna(r.respondents) else int(r.respondents),
             "source": source[:100], "imported_at": now} for r in df.itertuples(index=False)])
        audit.record(conn, who, "import", "trygghet", None, file=Path(path).name, rows=len(df),
                     source=source)
    return len(df)


def trygghet_frame(engine: Engine, who: Principal) -> pd.DataFrame:
    """Every stored value."""
    who.require(Perm.VIEW_AGGREGATES)
    t = TrygghetValue.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.stadsdel, t.c.indicator, t.c.year, t.c.share,
                                   t.c.respondents).order_by(t.c.indicator, t.c.year,
                                                             t.c.stadsdel)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=FRAME_COLUMNS)


def crimes_per_stadsdel(engine: Engine, who: Principal, year: int) -> dict[str, int]:
    """Incidents per stadsdel in the calendar ``year`` (local days), grouped in the database."""
    who.require(Perm.VIEW_AGGREGATES)
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    lo = datetime(year - 1, 12, 31, tzinfo=UTC)
    hi = datetime(year + 1, 1, 2, tzinfo=UTC)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Stadsdel.name, func.count(Incident.id))
            .join(Incident, Incident.stadsdel_id == Stadsdel.id)
            .where(Incident.occurred_at >= lo, Incident.occurred_at < hi,
                   Incident.local_day >= start, Incident.local_day < end)
            .group_by(Stadsdel.name)).all()
    return {str(n): int(c) for n, c in rows}


def _pct_rank(values: pd.Series) -> pd.Series:
    n = len(values)
    if n <= 1:
        return pd.Series([0.5] * n, index=values.index)
    return (values.rank(method="average") - 1) / (n - 1)


def compare(engine: Engine, who: Principal, *, indicator: str, year: int) -> list[dict[str, Any]]:
    """Per stadsdel with a value for ``indicator`` in ``year``: the share beside the reported
    crimes, their percentile ranks, the gap and whether they disagree (module docstring)."""
    df = trygghet_frame(engine, who)
    df = df[(df["indicator"] == indicator) & (df["year"] == int(year))].copy()
    if df.empty:
        return []
    crimes = crimes_per_stadsdel(engine, who, int(year))
    df["crimes"] = [crimes.get(s, 0) for s in df["stadsdel"]]
    df["share_rank"] = _pct_rank(df["share"])
    df["crime_rank"] = _pct_rank(df["crimes"].astype(float))
    df["gap"] = df["share_rank"] - df["crime_rank"]
    if df["crimes"].nunique() <= 1 or df["share"].nunique() <= 1:
        df["disagree"] = "unknown"  # nothing to rank one side by: no reading
    else:
        df["disagree"] = ["more_insecure" if g >= 0.5 else "less_insecure" if g <= -0.5
                          else "agree" for g in df["gap"]]
    out = []
    for r in df.sort_values("stadsdel").itertuples(index=False):
        out.append({"stadsdel": r.stadsdel, "share": float(r.share),
                    "respondents": None if pd.isna(r.respondents) else int(r.respondents),
                    "crimes": int(r.crimes), "share_rank": float(r.share_rank),
                    "crime_rank": float(r.crime_rank), "gap": float(r.gap),
                    "disagree": r.disagree})
    return out
