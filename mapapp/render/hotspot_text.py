"""Words for hotspot records (the analysis returns numbers; the edges speak): reasons, q-values,
statuses, emerging-hot-spot classes and the backtest line, in Swedish and English.

>>> rec = {"site": "Kämpetorpsskolan", "kind": "incident", "band": "kvall", "count": 31,
...        "expected": 6.2, "q": 0.0004}
>>> reason_text(rec)
'Kämpetorpsskolan: 31 händelser kvällstid, väntat 6 (q < 0,001)'
>>> reason_text(rec, lang="en")
'Kämpetorpsskolan: 31 incidents in the evening, expected 6 (q < 0.001)'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mapapp.analysis.stats import fmt_number
from mapapp.i18n import t, tn

STATUSES: tuple[str, ...] = ("rising", "persistent", "flagged", "fading", "normal")


def fmt_q(q: Any, *, lang: str = "sv") -> str:
    """"q < 0,001" for tiny values, else "q = 0,012" (three decimals; two significant digits
    below 0.01).

    >>> fmt_q(0.0000001), fmt_q(0.0123, lang="en"), fmt_q(0.2)
    ('q < 0,001', 'q = 0.012', 'q = 0,20')
    """
    try:
        v = float(q)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(v):
        return ""
    if v < 0.001:
        return t("hotspots.q_below", lang, q=fmt_number(0.001, lang, decimals=3))
    decimals = 3 if v < 0.1 else 2
    return t("hotspots.q_equal", lang, q=fmt_number(v, lang, decimals=decimals))


def fmt_expected(mu: Any, *, lang: str = "sv") -> str:
    """An expected count: whole numbers from 1 up, one decimal below.

    >>> fmt_expected(6.4), fmt_expected(0.43), fmt_expected(0.43, lang="en")
    ('6', '0,4', '0.4')
    """
    try:
        v = float(mu)
    except (TypeError, ValueError):
        return ""
    return fmt_number(v, lang, decimals=0 if v >= 1 else 1)


def reason_text(rec: Mapping[str, Any], *, lang: str = "sv") -> str:
    """The sentence of one reason record (site, kind, band, count, expected, q[, rising,
    place_sites]); a place of more than one site says how many it holds.

    >>> reason_text({"site": "Älvsjö centrum", "kind": "incident", "band": "alla",
    ...              "count": 250, "expected": 40, "q": 0.0001, "place_sites": 4},
    ...             lang="en")[-58:]
    '(q < 0.001) – the place holds 4 sites with the same points'
    """
    if not rec or rec.get("kind") is None:
        return ""
    count = int(rec.get("count") or 0)
    what = t(f"analysis.kind{'1' if count == 1 else 'n'}.{rec['kind']}", lang)
    key = "hotspots.reason_rising" if rec.get("rising") else "hotspots.reason"
    text = t(key, lang, site=rec.get("site", ""), count=count, what=what,
             band=t(f"analysis.bandphrase.{rec['band']}", lang),
             expected=fmt_expected(rec.get("expected"), lang=lang), q=fmt_q(rec.get("q"), lang=lang))
    try:
        n = int(rec.get("place_sites") or 0)
    except (TypeError, ValueError):
        n = 0
    return tn("hotspots.place_holds", n, lang, reason=text) if n > 1 else text


def status_of(row: Mapping[str, Any]) -> str:
    """The one status a site shows: rising > persistent (and flagged) > flagged > fading."""
    if row.get("rising"):
        return "rising"
    if row.get("flagged") and row.get("persistent"):
        return "persistent"
    if row.get("flagged"):
        return "flagged"
    if row.get("fading"):
        return "fading"
    return "normal"


def status_text(row: Mapping[str, Any], *, lang: str = "sv") -> str:
    """"ökande, ihållande" — every status that applies, comma-separated; a member of a place
    led by another site: "ingår i platsen Älvsjö centrum (en flagga per plats)"."""
    member = row.get("in_place_of")
    if isinstance(member, str) and member and member != row.get("name"):
        return t("hotspots.member_of", lang, place=member)
    parts = [t(f"hotspots.status.{s}", lang) for s in ("rising", "persistent", "fading")
             if row.get(s)]
    if row.get("flagged") and not parts:
        parts.append(t("hotspots.status.flagged", lang))
    return ", ".join(parts) if parts else t("hotspots.status.normal", lang)


def summary_reason(row: Mapping[str, Any], *, lang: str = "sv") -> str:
    """The reason sentence of a :mod:`mapapp.analysis.hotspots` summary row (or "")."""
    if not (row.get("flagged") or row.get("rising") or row.get("fading")):
        return ""
    kind = row.get("reason_kind")
    if not isinstance(kind, str):
        return ""
    return reason_text({"site": row.get("reason_site") or row.get("name"), "kind": kind,
                        "band": row.get("reason_band"), "count": row.get("reason_count"),
                        "expected": row.get("reason_expected"), "q": row.get("reason_q"),
                        "rising": row.get("reason_rising"),
                        "place_sites": row.get("place_sites")}, lang=lang)


def trend_label(code: Any, *, lang: str = "sv") -> str:
    return t(f"hotspots.trend.{code}", lang)


def pct(v: Any, *, lang: str = "sv") -> str:
    """A share as a percentage.

    >>> pct(0.3125), pct(0.04, lang="en")
    ('31 %', '4.0%')
    """
    try:
        f = float(v)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(f):
        return "–"
    num = fmt_number(100 * f, lang, decimals=0 if f >= 0.1 else 1)
    return f"{num} %" if lang != "en" else f"{num}%"


def backtest_line(row: Mapping[str, Any] | None, *, lang: str = "sv",
                  period: str = "") -> str:
    """One line for the Karta page from the backtest's ``hot_cells`` row."""
    if row is None:
        return t("hotspots.backtest.none", lang, period=period)
    return t("hotspots.backtest.line", lang, previous=row["previous"], period=row["period"],
             hit=pct(row["hit_share"], lang=lang), area=pct(row["area_share"], lang=lang),
             pai=fmt_number(row["pai"], lang), base_hit=pct(row["baseline_hit_share"], lang=lang),
             base_pai=fmt_number(row["baseline_pai"], lang))
