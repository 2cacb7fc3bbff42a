"""Check a short free-text note for personal data before it is saved.

The map records places, not people. :func:`check_note` finds text that looks like

- a Swedish personal identity number (personnummer, also samordningsnummer with day + 60):
  ``YYMMDD-XXXX``, ``YYMMDD+XXXX``, ``YYYYMMDD-XXXX``, ``YYYYMMDDXXXX`` or ``YYMMDDXXXX`` with a
  real month and day. One whose check digit is right (Luhn) *blocks* saving; one whose check
  digit is wrong is only a warning (it may be a reference number);
- a phone number (Swedish ``07x-…``, ``08-…``, ``+46 …``, ``0046…``): warning;
- an e-mail address: warning;
- a name: two or more capitalised words in a row that are not a known place name, or a
  capitalised word after "heter"/"named": warning.

Every finding carries a translated message that says what was found and what to do; the
matched text itself is masked in the message (the message may be logged or shown to others).

>>> [f.kind for f in check_note("Trasig lampa vid 811218-9876, ring 070-123 45 67")]
['personnummer', 'phone']
>>> check_note("") == []
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from mapapp.i18n import t

Severity = Literal["block", "warn"]
NOTE_MAX_CHARS = 500

_PNR = re.compile(
    r"(?<![\d+\-])((?:19|20)?)(\d{2})(\d{2})(\d{2})([-+ ]?)(\d{4})(?![\d\-])"
)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+46|0046|0)[\s\-]?\(?0?\)?\d{1,3}(?:[\s\-]?\d){5,8}(?!\d)"
)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_UPPER = "A-ZÅÄÖÉÜ"
_LOWER = "a-zåäöéüß"
_WORD = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_NAME_PAIR = re.compile(rf"(?<![\w-])({_WORD})(?:\s+({_WORD}))+(?![\w-])")
_NAME_CUE = re.compile(rf"\b(?:heter|som heter|kallas|named|called)\s+({_WORD})", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One thing in a note that looks like personal data."""

    kind: str  # personnummer, personnummer_like, phone, email, name
    severity: Severity
    start: int
    end: int
    message: str
    #: the message as a key and its parameters (for callers that render it themselves)
    key: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)


def _finding(key: str, kind: str, severity: Severity, start: int, end: int, *, lang: str,
             **params: Any) -> Finding:
    """A finding with its message (``key`` first: the i18n key test reads it there)."""
    return Finding(kind, severity, start, end, t(key, lang, **params), key, params)


def luhn_ok(digits: str) -> bool:
    """The Luhn check used by Swedish personal identity numbers (10 digits YYMMDDNNNC).

    >>> luhn_ok("8112189876")
    True
    >>> luhn_ok("8112189875")
    False
    """
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _real_date(century: str, yy: str, mm: str, dd: str) -> bool:
    day = int(dd)
    if day > 60:  # samordningsnummer
        day -= 60
    month = int(mm)
    year = int(century + yy) if century else 2000 + int(yy)
    try:
        date(year, month, day)
    except ValueError:
        # Without a century, 29 February may belong to a leap year of the 1900s.
        return not century and month == 2 and day == 29
    return True


def _mask(text: str) -> str:
    """Keep the first two characters, hide the rest (the message must not repeat the data)."""
    return text[:2] + "…" if len(text) > 2 else "…"


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e in spans)


def check_note(
    text: str | None, *, lang: str = "sv", known_places: Iterable[str] = ()
) -> list[Finding]:
    """Everything in ``text`` that looks like personal data, in text order.

    ``known_places`` are names (sites, zones, stadsdelar, streets) that are not people's names.
    """
    if not text:
        return []
    out: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for m in _PNR.finditer(text):
        century, yy, mm, dd, sep, tail = m.groups()
        if not _real_date(century, yy, mm, dd):
            continue
        if not century and not sep and text[m.start():m.start() + 1] == "0":
            # 10 digits starting with 0 and no separator: read it as a phone number.
            continue
        ok = luhn_ok(yy + mm + dd + tail)
        kind = "personnummer" if ok else "personnummer_like"
        out.append(_finding(f"walks.note.{kind}", kind, "block" if ok else "warn", m.start(),
                            m.end(), lang=lang, text=_mask(m.group(0))))
        taken.append((m.start(), m.end()))
    for m in _EMAIL.finditer(text):
        out.append(_finding("walks.note.email", "email", "warn", m.start(), m.end(), lang=lang,
                            text=_mask(m.group(0))))
        taken.append((m.start(), m.end()))
    for m in _PHONE.finditer(text):
        if _overlaps(taken, m.start(), m.end()):
            continue
        out.append(_finding("walks.note.phone", "phone", "warn", m.start(), m.end(), lang=lang,
                            text=_mask(m.group(0))))
        taken.append((m.start(), m.end()))
    places = {p.casefold() for p in known_places if p}
    place_text = " ".join(sorted(places))
    for m in _NAME_PAIR.finditer(text):
        phrase = m.group(0)
        if phrase.casefold() in places or " ".join(phrase.split()).casefold() in place_text:
            continue
        if _overlaps(taken, m.start(), m.end()):
            continue
        out.append(_finding("walks.note.name", "name", "warn", m.start(), m.end(), lang=lang,
                            text=_mask(phrase)))
        taken.append((m.start(), m.end()))
    for m in _NAME_CUE.finditer(text):
        if _overlaps(taken, m.start(1), m.end(1)) or m.group(1).casefold() in places:
            continue
        out.append(_finding("walks.note.name", "name", "warn", m.start(1), m.end(1), lang=lang,
                            text=_mask(m.group(1))))
        taken.append((m.start(1), m.end(1)))
    if len(text) > NOTE_MAX_CHARS:
        out.append(_finding("walks.note.too_long", "too_long", "block", NOTE_MAX_CHARS,
                            len(text), lang=lang, n=NOTE_MAX_CHARS, length=len(text)))
    return sorted(out, key=lambda f: f.start)


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that stop a save (a valid personnummer, a note that is too long)."""
    return [f for f in findings if f.severity == "block"]
