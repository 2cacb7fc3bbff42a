"""Small rules about values that every layer shares: what counts as missing, and how a name is
folded for matching.

**Missing.** ``None``, a float NaN, ``pandas.NA``/``NaT`` and a string of only white space are
missing; everything else (``0``, ``False``, ``"0"``, an empty list) is a value. A blank string
counts as missing because that is what a cleared form field, a spreadsheet cell with a space
and a CSV column without a value all give.

>>> [is_missing(v) for v in (None, float("nan"), "", "  ", "0", 0, False)]
[True, True, True, True, False, False, False]
>>> text_or_empty(None), text_or_empty(float("nan")), text_or_empty(" a "), text_or_empty(3)
('', '', ' a ', '3')

**Fold.** Two names are the same name when they are equal after :func:`fold`: Unicode
compatibility form, no diacritics, no case, punctuation and runs of white space as one space.

>>> fold(" Källa ") == fold("kalla")
True
>>> fold("Hägersten-Älvsjö")
'hagersten alvsjo'
>>> fold("")
''
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import pandas as pd

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def is_missing(value: Any) -> bool:
    """Whether ``value`` is missing (see the module's rule: a blank string is missing)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.api.types.is_scalar(value) and pd.isna(value))
    except (TypeError, ValueError):
        return False


def text_or_empty(value: Any) -> str:
    """``str(value)``, or ``""`` when it is missing (a blank string stays as it is)."""
    if isinstance(value, str):
        return value
    return "" if is_missing(value) else str(value)


def fold(text: object) -> str:
    """``text`` folded for matching names and headers (see the module's rule)."""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    return " ".join(_NON_ALNUM.sub(" ", s).split())
