"""Figures for people: numbers in Swedish or English style, category labels, and the words of a
tested change (the analysis returns codes; this module words them).

A change is worded by its trend code (:mod:`mapapp.analysis.significance`): an arrow and
"ökning"/"minskning" only for a significant change, "oförändrat inom normal variation" for one
within normal variation, nothing for a first period. An incomplete period says so and names
the compared window.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mapapp import categories as cats
from mapapp.i18n import t
from mapapp.i18n.numbers import fmt_number  # the one number formatter, used here
from mapapp.values import is_missing as _missing

ARROWS = {"increase": "↑", "decrease": "↓"}


def category_label(code: str | None, *, lang: str = "sv") -> str:
    """The label of a category code (incident catalogue first, then observations)."""
    if code is None:
        return t("common.none", lang)
    for kind in ("incident", "observation"):
        try:
            return cats.get(kind, code).label(lang=lang)  # type: ignore[arg-type]
        except KeyError:
            continue
    return str(code)


def arrow(trend: str | None) -> str:
    """↑/↓ for a significant increase/decrease, "" otherwise (no arrow for normal variation)."""
    return ARROWS.get(trend or "", "")


def trend_text(trend: str | None, *, lang: str = "sv") -> str:
    """"ökning", "minskning", "oförändrat inom normal variation", or "" (nothing compared).

    >>> trend_text("stable"), trend_text("increase", lang="en"), trend_text(None)
    ('oförändrat inom normal variation', 'increase', '')
    """
    if _missing(trend):
        return ""
    return t(f"sig.trend.{trend}", lang)


def change_text(change: Any, pct: Any, trend: str | None, *, lang: str = "sv") -> str:
    """A tested change in words: "↑ +160 (+60,0 %) ökning" when significant, "+9 (+56,3 %),
    oförändrat inom normal variation" when not, "" for a first period.

    >>> change_text(9, 56.25, "stable")
    '+9 (+56,2 %) · oförändrat inom normal variation'
    >>> change_text(-40, -25.0, "decrease", lang="en")
    '↓ -40 (-25.0 %) decrease'
    """
    if _missing(change) or _missing(trend):
        return ""
    num = fmt_number(int(change), lang, decimals=0, sign=True)
    if not _missing(pct):
        num += f" ({fmt_number(float(pct), lang, sign=True)} %)"
    if trend in ARROWS:
        return f"{ARROWS[str(trend)]} {num} {trend_text(trend, lang=lang)}"
    return f"{num} · {trend_text(trend, lang=lang)}"


def p_text(p: Any, *, lang: str = "sv") -> str:
    """A p-value for a table: "<0,001" below 0.001, else three decimals; "" when missing."""
    if _missing(p):
        return ""
    if float(p) < 0.001:
        return "<" + fmt_number(0.001, lang, decimals=3)
    return fmt_number(float(p), lang, decimals=3)


def period_text(period: str, complete: Any, cmp_to: Any, *, lang: str = "sv") -> str:
    """The period label, marked when the data do not cover it to its end.

    >>> period_text("2023-2024", False, "2023-12-31")
    '2023-2024 (ofullständig, data t.o.m. 2023-12-31)'
    """
    if complete is False or (not _missing(complete) and not bool(complete)):
        return t("sig.period_incomplete", lang, period=period,
                 last=cmp_to if not _missing(cmp_to) else "–")
    return str(period)


def stats_table(frame: pd.DataFrame, *, lang: str = "sv") -> tuple[list[str], list[list[str]]]:
    """Header and rows for ``mapapp stats --format table`` from a
    :func:`mapapp.analysis.stats.period_counts` frame: labels in ``lang``, Swedish number
    format, the change with its p-value and verdict; the rows where this period or the compared
    window a year earlier has a count. With a ``kind`` column, the kind comes first."""
    cols = ["zone", "category", "period", "count", "change_abs", "change_pct", "per_1000"]
    head = [t(f"analysis.col.{c}", lang) for c in cols]
    head += [t("sig.col.p_value", lang), t("sig.col.trend", lang)]
    has_kind = "kind" in frame.columns
    if has_kind:
        head = [t("sig.col.kind", lang), *head]
    prev = frame["prev_count"].fillna(0).to_numpy() if "prev_count" in frame else (
        frame["count"].to_numpy() - frame["change_abs"].fillna(0).to_numpy())
    shown = frame[(frame["count"].to_numpy() > 0) | (prev > 0)]
    rows = []
    for r in shown.to_dict("records"):
        trend = r.get("trend")
        row = [
            r["zone"] if not _missing(r["zone"]) else t("common.outside", lang),
            category_label(r["category"], lang=lang),
            period_text(str(r["period"]), r.get("complete", True), r.get("cmp_to"), lang=lang),
            fmt_number(r["count"], lang, decimals=0),
            "" if _missing(r["change_abs"]) else fmt_number(int(r["change_abs"]), lang,
                                                            decimals=0, sign=True),
            "" if _missing(r["change_pct"]) else fmt_number(r["change_pct"], lang, sign=True)
            + " %",
            fmt_number(r["per_1000"], lang, decimals=2),
            p_text(r.get("p_value"), lang=lang),
            (f"{arrow(trend)} {trend_text(trend, lang=lang)}".strip()),
        ]
        if has_kind:
            row = [t(f"sig.kind.{r['kind']}", lang), *row]
        rows.append(row)
    return head, rows


def verdict_text(result: dict[str, Any], *, lang: str = "sv") -> str:
    """The WDD verdict of a before/after result in words.

    >>> verdict_text({"verdict": "effect", "z": -2.4})
    'minskning som inte förklaras av områdets trend (z = −2,4)'
    >>> verdict_text({"verdict": "no_effect", "z": 0.3}, lang="en")
    'no reliable effect'
    """
    code = result.get("verdict")
    if _missing(code):
        return ""
    return t(f"wdd.verdict.{code}", lang, z=fmt_number(result.get("z"), lang),
             last=result.get("last_data") or "–")


def wdd_summary(result: dict[str, Any], *, lang: str = "sv") -> str:
    """"WDD = −100 (SE 18,7, z = −5,3, WDQ 0,0)", "" when not computed."""
    if _missing(result.get("wdd")):
        return ""
    return t("wdd.summary", lang, wdd=fmt_number(result["wdd"], lang),
             se=fmt_number(result.get("se"), lang), z=fmt_number(result.get("z"), lang),
             wdq=fmt_number(result.get("wdq"), lang, decimals=2) or "–")


def wdd_rows(result: dict[str, Any], *, lang: str = "sv") -> tuple[list[str], list[list[str]]]:
    """Header and rows (target, buffer, control) × (before, after) of a before/after result."""
    head = [t("wdd.col.area", lang), t("wdd.col.before", lang), t("wdd.col.after", lang)]
    buf = fmt_number(result.get("buffer_m"), lang, decimals=0)
    rows = [[t("wdd.area.t", lang), str(result["t_before"]), str(result["t_after"])],
            [t("wdd.area.d", lang, buffer=buf), str(result["d_before"]),
             str(result["d_after"])],
            [t("wdd.area.c", lang), str(result["ct_before"]), str(result["ct_after"])]]
    return head, rows
