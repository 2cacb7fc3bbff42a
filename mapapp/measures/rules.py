"""Rules of the åtgärdsplan, without I/O: overdue, revision reminders, personal data in
measure texts, and parsing of statuses and priority areas (see :mod:`mapapp.measures`).

Revision reasons are records (message keys with their parameters) that the edges render; the
few texts made here (warnings, status labels) are for the edges: ``lang`` is keyword-only."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any

import pandas as pd

from mapapp.categories import MEASURE_STATUS_LABELS, MEASURE_STATUSES, PRIORITY_AREAS
from mapapp.i18n import Message
from mapapp.notecheck import check_note
from mapapp.values import fold, is_missing

CLOSED: frozenset[str] = frozenset({"genomford", "avbruten"})
LAGESBILD_YEARS = 2
PLAN_YEARS = 2
PRIORITIES_YEARS = 4

def as_date(v: Any) -> date | None:
    if is_missing(v):
        return None
    if isinstance(v, datetime | pd.Timestamp):
        return v.date()
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v).strip())


def is_overdue(due: Any, status: Any, today: date) -> bool:
    """Due date passed (before ``today``) and status not genomford/avbruten.

    >>> is_overdue(date(2023, 5, 1), "pagaende", date(2023, 5, 2))
    True
    >>> is_overdue(date(2023, 5, 1), "pagaende", date(2023, 5, 1))
    False
    >>> is_overdue(date(2023, 5, 1), "genomford", date(2024, 1, 1))
    False
    >>> is_overdue(None, "planerad", date(2030, 1, 1))
    False
    """
    d = as_date(due)
    return d is not None and d < today and str(status) not in CLOSED


def add_years(d: date, years: int) -> date:
    """``d`` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def revision_flags(zones: pd.DataFrame, today: date) -> pd.DataFrame:
    """Per zone: which revision is overdue and why.

    ``zones`` needs ``name`` and the dates ``lagesbild_revised``, ``plan_revised``,
    ``priorities_reviewed`` (``id`` is kept when present). Returns one row per zone in input
    order: ``zone_id, zone, lagesbild_revised, lagesbild_next, lagesbild_flag, plan_revised,
    plan_next, plan_flag, priorities_reviewed, priorities_next, priorities_flag, flagged,
    reasons``. ``*_next`` is the last day the revision is in time; ``reasons`` is a list of
    :class:`~mapapp.i18n.Message` records (key ``measures.rev.<rule>`` or
    ``measures.rev.<rule>_never`` with ``date``, ``years``, ``next``), put into words by the
    edges (:func:`reason_text`).

    >>> z = pd.DataFrame([{"id": 1, "name": "Långbro", "lagesbild_revised": "2021-04-21",
    ...                    "plan_revised": None, "priorities_reviewed": "2022-01-01"}])
    >>> r = revision_flags(z, date(2023, 5, 1)).iloc[0]
    >>> [(m.key, dict(m.params)) for m in r["reasons"]]  # doctest: +NORMALIZE_WHITESPACE
    [('measures.rev.lagesbild', {'date': '2021-04-21', 'years': 2, 'next': '2023-04-21'}),
     ('measures.rev.plan_never', {})]
    """
    rules = (("lagesbild", "lagesbild_revised", LAGESBILD_YEARS),
             ("plan", "plan_revised", PLAN_YEARS),
             ("priorities", "priorities_reviewed", PRIORITIES_YEARS))
    rows = []
    for z in zones.to_dict("records"):
        row: dict[str, Any] = {"zone_id": z.get("id"), "zone": z.get("name")}
        reasons: list[Message] = []
        for key, col, years in rules:
            d = as_date(z.get(col))
            nxt = add_years(d, years) if d is not None else None
            flag = nxt is None or today > nxt
            row[col], row[f"{key}_next"], row[f"{key}_flag"] = d, nxt, flag
            if d is None:
                reasons.append(Message(f"measures.rev.{key}_never"))
            elif flag:
                reasons.append(Message(f"measures.rev.{key}", {
                    "date": d.isoformat(), "years": years,
                    "next": nxt.isoformat() if nxt else "–"}))
        row["flagged"] = bool(reasons)
        row["reasons"] = reasons
        rows.append(row)
    cols = ["zone_id", "zone"] + [c for k, col, _ in rules
                                  for c in (col, f"{k}_next", f"{k}_flag")] + ["flagged", "reasons"]
    return pd.DataFrame(rows, columns=cols)


def reason_text(reasons: Any, *, lang: str = "sv") -> str:
    """The revision reasons of one zone (a ``reasons`` cell of :func:`revision_flags`) as one
    line in ``lang``, for the edges.

    >>> reason_text([Message("measures.rev.plan_never")], lang="en")
    'The action plan has no revision date.'
    """
    return " ".join(m.text(lang) for m in (reasons if isinstance(reasons, list | tuple) else []))


def contains_identity_number(text: str | None) -> bool:
    """True when ``text`` has something shaped like a Swedish personnummer (Luhn-valid or
    not: a measure is a public record, so any such number is refused).

    >>> contains_identity_number("möte 2023-04-21 kl 10")
    False
    >>> contains_identity_number("elev 050101-1234")
    True
    """
    return any(f.kind in ("personnummer", "personnummer_like")
               for f in check_note(str(text) if text else None))


def personal_data_warnings(text: str | None, *, lang: str = "sv") -> list[str]:
    """Warnings (not errors) for text that looks like it holds a phone number or an e-mail
    address (:mod:`mapapp.notecheck`)."""
    return [f.message for f in check_note(str(text) if text else None, lang=lang)
            if f.kind in ("phone", "email")]




def sv_key(text: Any) -> str:
    """Sort key in Swedish alphabetical order (å, ä, ö after z)."""
    low = unicodedata.normalize("NFC", str(text)).strip().casefold()
    return low.translate({ord("å"): "z\x01", ord("ä"): "z\x02", ord("ö"): "z\x03"})


def status_label(code: Any, *, lang: str = "sv") -> str:
    pair = MEASURE_STATUS_LABELS.get(str(code))
    return (pair[1] if lang == "en" else pair[0]) if pair else str(code)


def resolve_status(text: Any) -> str | None:
    """The status code for a code or a Swedish/English label (any case), else None."""
    if is_missing(text):
        return None
    f = fold(text)
    for code in MEASURE_STATUSES:
        if f in (code, *(fold(x) for x in MEASURE_STATUS_LABELS[code])):
            return code
    return None


def resolve_priority_area(text: Any) -> str | None:
    """One of the ten priority areas by its text (any case) or its number 1–10, else None."""
    if is_missing(text):
        return None
    s = str(text).strip()
    if s.isdigit() and 1 <= int(s) <= len(PRIORITY_AREAS):
        return PRIORITY_AREAS[int(s) - 1]
    return next((p for p in PRIORITY_AREAS if fold(p) == fold(s)), None)
