"""Numbers for people, in the user's language: the one number formatter.

Swedish: decimal comma, a narrow no-break space between thousands and a real minus sign;
English: decimal point, comma between thousands, hyphen-minus. A missing value is ``""``.

>>> fmt_number(3.14159), fmt_number(3.14159, "en"), fmt_number(12345, decimals=0)
('3,1', '3.1', '12\\u202f345')
>>> fmt_number(12345.5, "en", decimals=1), fmt_number(-0.5, decimals=2)
('12,345.5', '−0,50')
>>> fmt_number(float("nan")), fmt_number(None), fmt_number(-2, sign=True, decimals=0)
('', '', '−2')
>>> fmt_number(2, sign=True, decimals=0), fmt_number(float("inf")), fmt_number(-0.04)
('+2', '∞', '0,0')
"""

from __future__ import annotations

import math
from typing import Any

from mapapp.values import is_missing


def fmt_number(value: Any, lang: str | None = "sv", /, *, decimals: int = 1,
               sign: bool = False) -> str:
    """``value`` rounded to ``decimals`` places in the style of ``lang`` (``sign``: a ``+``
    before a positive number)."""
    if is_missing(value):
        return ""
    v = float(value)
    if math.isinf(v):
        return "∞" if v > 0 else ("-∞" if lang == "en" else "−∞")
    text = f"{abs(v):,.{decimals}f}"
    body = text if lang == "en" else text.replace(",", "\u202f").replace(".", ",")
    if v < 0 and float(text.replace(",", "")) != 0:
        return ("-" if lang == "en" else "−") + body
    return ("+" + body) if sign and v > 0 else body


def fmt_percent(value: Any, lang: str | None = "sv", /, *, decimals: int = 1,
                sign: bool = False) -> str:
    """``value`` (already in per cent) with `` %``; ``""`` when missing.

    >>> fmt_percent(12.34), fmt_percent(-5, "en", decimals=0, sign=True)
    ('12,3 %', '-5 %')
    """
    body = fmt_number(value, lang, decimals=decimals, sign=sign)
    return f"{body} %" if body else ""
