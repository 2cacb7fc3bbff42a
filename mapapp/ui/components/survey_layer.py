"""The actor survey's layer data for the Karta page: the latest survey with answers for a month
up to the end of the map's period (else the latest with answers), as zone features with the
legend's note. Cached for a minute per period, language and role (answers do not bump the
data version: a survey answer must not reload the map's points)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from mapapp.access import Principal
from mapapp.analysis.periods import Period
from mapapp.ui import context as ctx


def pick_survey(surveys: Any, until: str | None) -> Any:
    """The row of ``list_surveys`` to show: answers > 0, month ≤ ``until`` (YYYY-MM) when some
    is, the newest month first (the latest survey of it)."""
    have = surveys[surveys["answers"] > 0]
    if until is not None and (have["month"] <= until).any():
        have = have[have["month"] <= until]
    if have.empty:
        return None
    return have.sort_values(["month", "id"], ascending=False).iloc[0]


@st.cache_resource(show_spinner=False, ttl=60, max_entries=16)
def _layer(until: str | None, below: int, dv: str, cache_key: str, _who: Principal, *,
           lang: str) -> tuple[Any, str | None]:
    from mapapp.analysis.survey import zone_shares
    from mapapp.council.survey import PROBLEMS, list_surveys, results
    from mapapp.i18n import t
    from mapapp.render.survey_features import survey_features

    engine = ctx.get_engine()
    row = pick_survey(list_surveys(engine, _who), until)
    if row is None:
        return None, None
    shares = zone_shares(results(engine, _who, int(row["id"])), suppress_below=below,
                         order=PROBLEMS)
    feats = survey_features(ctx.zones_at(dv), shares, title=str(row["title"]),
                            month=str(row["month"]), suppress_below=below, lang=lang)
    note = t("map.survey.note", lang, title=str(row["title"]), month=str(row["month"]),
             n=below)
    return feats, note


def survey_layer(period: Period | None) -> tuple[Any, str | None]:
    """(features or None, the legend's note)."""
    who = ctx.require_principal()
    until = period.last_day.strftime("%Y-%m") if period is not None else None
    return _layer(until, int(ctx.get_settings().suppress_below), ctx.version(), who.cache_key,
                  who, lang=ctx.lang())
