"""The yearly lägesbild's section on the monthly actor survey ("Aktuell lägesbild", issue 19).

Per zone, one table: a row per month (the latest survey of each month whose month lies in the
periods given -- the lägesbild passes its latest period, the year it describes; at most the
last :data:`MAX_MONTHS` months), the number who answered for the zone
and the share reporting each problem ("Lite" or "Mycket"). So the table reads as the trend,
month by month.

Privacy as in the rest of the document: where fewer than ``Settings.suppress_below``
recipients answered for a zone in a month, the number is written "<5" and no share is given
(:func:`mapapp.analysis.survey.zone_shares`); the places marked in the form are never in the
document; the free texts only when the user chose to include notes (``include_notes``, the
same choice as for observation and follow-up notes) and the role may read them (the council's
roles, ``EDIT_MEASURES``) -- without any place.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from mapapp.access import Perm, Principal
from mapapp.analysis.periods import Period
from mapapp.analysis.survey import zone_shares
from mapapp.i18n import t
from mapapp.render.survey_features import share_text
from mapapp.settings import Settings
from mapapp.snapshot.content import Table, suppress
from mapapp.snapshot.outline import Block, Heading, Para, TableBlock

MAX_MONTHS = 12


def _months(periods: list[Period]) -> tuple[str, str]:
    """The first and last month (YYYY-MM) the document covers."""
    return periods[0].start.strftime("%Y-%m"), periods[-1].last_day.strftime("%Y-%m")


def survey_blocks(engine: Engine, who: Principal, periods: list[Period], zones: list[str],
                  settings: Settings, include_notes: bool, *, lang: str) -> list[Block]:
    """The section's blocks: a heading, the method, a table per zone with answers, and the
    latest survey's free texts when chosen and allowed."""
    from mapapp.council.survey import PROBLEMS, free_texts, list_surveys, trend

    below = settings.suppress_below
    first, last = _months(periods)
    out: list[Block] = [Heading(t("lb.survey.h", lang), 2)]
    recs = [r for r in trend(engine, who) if first <= str(r["month"]) <= last]
    months = sorted({str(r["month"]) for r in recs})[-MAX_MONTHS:]
    recs = [r for r in recs if str(r["month"]) in months]
    if not recs:
        out.append(Para(t("lb.survey.none", lang, first=first, last=last), small=True))
        return out
    out.append(Para(t("lb.survey.method", lang, n=below), small=True))
    shares = zone_shares(recs, suppress_below=below, order=PROBLEMS)
    problems = [p for p in PROBLEMS if p in set(shares["problem"])]
    headers = [t("survey.col.month", lang), t("survey.col.answered", lang),
               *[t(f"survey.problem.{p}", lang) for p in problems]]
    for zone in zones:
        mine = shares[shares["zone"] == zone]
        if mine.empty:
            continue
        rows = []
        for month, g in mine.groupby("month", sort=True):
            by = {str(p): s for p, s in zip(g["problem"], g["share"], strict=True)}
            answered = int(g["answered"].max())
            rows.append([str(month), suppress(answered, below, lang=lang),
                         *[_cell(by.get(p), bool(g["suppressed"].any()), lang=lang)
                           for p in problems]])
        notes = ([t("lb.survey.note_few", lang, n=below)]
                 if bool(mine["suppressed"].any()) else [])
        out.append(TableBlock(Table(t("lb.survey.h_zone", lang, zone=zone), headers, rows,
                                    notes), level=3))
    if include_notes and who.can(Perm.EDIT_MEASURES):
        s = list_surveys(engine, who)
        s = s[s["month"].astype(str).isin(months)]
        if not s.empty:
            latest = s.sort_values(["month", "id"]).iloc[-1]
            texts = free_texts(engine, who, int(latest["id"]))
            if texts:
                out.append(TableBlock(Table(
                    t("lb.survey.h_free", lang, title=str(latest["title"]),
                      month=str(latest["month"])),
                    [t("survey.col.organisation", lang), t("survey.col.role", lang),
                     t("survey.col.text", lang)],
                    [[x["organisation"], x["role"], x["text"]] for x in texts]), level=3))
    return out


def _cell(share: float | None, suppressed: bool, *, lang: str) -> str:
    if suppressed:
        return "–"
    if share is None or pd.isna(share):
        return ""  # the problem was not asked about in this zone that month
    return share_text(float(share), lang=lang)
