"""The actor survey's layer on the map: each zone with answers, coloured by its highest share
of recipients reporting a problem (:func:`mapapp.analysis.survey.zone_summary`), with a
tooltip listing every problem's share and the number who answered. A zone where fewer than
``suppress_below`` answered is drawn grey and dashed, with no shares. Zones without answers
are not drawn. Only shares per zone: no place, no free text, no recipient."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from mapapp.analysis.survey import zone_summary
from mapapp.i18n import t
from mapapp.i18n.numbers import fmt_number
from mapapp.render.features import feature_frame, tip

COLUMNS = ["id", "name", "status", "answered", "text", "tip"]


def share_text(share: float, *, lang: str) -> str:
    """"40 %" (a whole per cent)."""
    return fmt_number(round(100 * share), lang, decimals=0) + " %"


def survey_features(zones: gpd.GeoDataFrame, shares: pd.DataFrame, *, title: str,
                    month: str, suppress_below: int, lang: str = "sv") -> gpd.GeoDataFrame:
    """One row per zone with answers: ``id, name, status`` (a share class or
    ``suppressed``), ``answered``, ``text`` (plain: the highest share, for the map's table)
    and ``tip``. ``shares``: :func:`zone_shares` of one survey."""
    summary = {str(r["zone"]): r for r in zone_summary(shares).to_dict("records")}
    rows, geoms = [], []
    for z, geom in zip(zones.itertuples(index=False), zones.geometry, strict=True):
        s = summary.get(str(z.name))
        if s is None:
            continue
        lines = [t("map.survey.tip_survey", lang, title=title, month=month),
                 t("map.survey.tip_answered", lang, n=int(s["answered"]))]
        if s["suppressed"]:
            lines.append(t("map.survey.tip_suppressed", lang, n=suppress_below))
            text = t("map.survey.text_suppressed", lang, n=int(s["answered"]))
        else:
            text = t("map.survey.text", lang, share=share_text(float(s["top_share"]), lang=lang),
                     problem=t(f"survey.problem.{s['top_problem']}", lang),
                     n=int(s["answered"]))
            mine = shares[shares["zone"] == z.name]
            lines += [f"{t(f'survey.problem.{p}', lang)}: {share_text(float(v), lang=lang)}"
                      for p, v in zip(mine["problem"], mine["share"], strict=True)]
        rows.append({"id": int(z.id), "name": str(z.name), "status": str(s["status"]),
                     "answered": int(s["answered"]), "text": text,
                     "tip": tip(z.name, lines)})
        geoms.append(geom)
    return feature_frame(pd.DataFrame(rows, columns=COLUMNS), geoms)
