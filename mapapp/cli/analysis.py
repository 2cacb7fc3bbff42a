"""``mapapp stats`` and ``mapapp hotspots``: the lägesbild figures of :mod:`mapapp.analysis`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import pandas as pd

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli.common import add_common, engine_from, format_table
from mapapp.i18n import t


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_common(sub.add_parser(
        "stats", help="antal per område, kategori och period / counts per zone and period",
        description=(
            "Antal per område × kategori × period, med förändring mot samma dagar ett år "
            "tidigare och dess signifikans (tvåstickprovstest för Poissonfördelade antal, "
            "MAPAPP_CONFIDENCE_LEVEL, standard 95 %%). En period som data inte täcker till "
            "slutet markeras ofullständig och jämförs bara med samma månader året innan. "
            "Statistikår 1 sep–31 aug (startmånad: MAPAPP_STAT_YEAR_START_MONTH), kalenderår "
            "eller rullande 12 månader; tider i Europe/Stockholm. JSON/CSV: {zone, category, "
            "period, kind, count, complete, previous, change, change_pct, p_value, "
            "significant, trend}; previous/change/p_value/significant null för första "
            "perioden; zone null = utanför alla områden. / Counts per zone x category x "
            "period with the tested change."),
    ))
    p.add_argument("--zone", metavar="NAMN", help="bara detta område / only this zone")
    p.add_argument("--period-kind", choices=("statistical", "calendar", "rolling12"),
                   default="statistical", help="periodtyp (statistical) / period kind")
    p.add_argument("--kind", choices=("incident", "observation", "all"), default="incident",
                   help="anmälda brott (incident, standard), trygghetsvandringarnas observationer "
                        "(observation) eller båda som separata rader (all) -- aldrig summerade "
                        "/ reported crimes (default), walk observations, or both apart")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="utformat (table) / output format")
    p.set_defaults(func=cmd_stats)

    p = add_common(sub.add_parser(
        "hotspots", help="hotspots vid platser eller i rutnät (Gi*) / site or grid hotspots",
        description=(
            "--kind sites: en feature per plats (skola, centrum, station, lekplats, adress), "
            "ökande först, med name, kind, zone, period, count, flagged, reason, expected, "
            "q_value, rising, persistent, fading och place. Flaggad när antalet inom radien "
            "(MAPAPP_SITE_RADIUS_M) är signifikant större än omgivningen (300–800 m) ger "
            "anledning att vänta (exakt Poisson-/negativt binomialtest, Benjamini–Hochberg "
            "över periodens platser × typer × tidsband, q ≤ MAPAPP_HOTSPOT_Q) och minst "
            "MAPAPP_HOTSPOT_MIN_COUNT. Ökande: signifikant över platsens egna tidigare "
            "perioder; ihållande: flaggad 2 av de 3 senaste; avtagande: var ihållande, nu "
            "inte flaggad. "
            "--kind grid: Getis-Ord Gi* över ett rutnät (MAPAPP_GRID_SIZE_M), varje ruta med "
            "count, z, class (hot/cold 90/95/99 %%) och trend_class (framväxande heta punkter: "
            "Gi* per statistikår, eller kvartal, och Mann–Kendall). "
            "--backtest: förra periodens heta rutor och flaggade platser prövade mot perioden "
            "(PAI, RRI, bredvid en topplista över lika stor yta). / Site flags (observed "
            "against expected), grid hotspots with emerging-hot-spot classes, or the backtest."),
    ))
    p.add_argument("--period", metavar="PERIOD",
                   help="t.ex. 2021-2022 (standard: senaste statistikåret med data)")
    p.add_argument("--kind", choices=("sites", "grid"), default="sites",
                   help="platser eller rutnät (sites) / sites or grid")
    p.add_argument("--points", choices=("all", "incident", "observation"), default="all",
                   help="vilka punkter som räknas (all: brott och observationer var för sig, "
                        "samma period, varje feature med point_kind) / which points; all gives "
                        "each kind apart, never added up")
    p.add_argument("--format", choices=("geojson", "csv"), default="geojson",
                   help="utformat (geojson)")
    p.add_argument("--backtest", action="store_true",
                   help="träffsäkerhet för förra periodens hotspots (brott) / hit rate")
    p.set_defaults(func=cmd_hotspots)


def _points(engine, kinds: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    from mapapp.store.points import load_points

    wanted = ("incident", "observation") if kinds == "all" else (kinds,)
    frames = [load_points(engine, CLI_PRINCIPAL, k) for k in wanted]  # type: ignore[arg-type]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _measures(engine) -> pd.DataFrame | None:  # type: ignore[no-untyped-def]
    try:
        from mapapp.measures import measures_frame
    except ImportError:
        return None
    return measures_frame(engine, CLI_PRINCIPAL)


def cmd_stats(args: argparse.Namespace) -> int:
    from mapapp.analysis.stats import RECORD_KEYS, frame_records, to_csv_rows
    from mapapp.render.figures import stats_table
    from mapapp.store.district import zones_frame
    from mapapp.store.kindcounts import kind_counts

    settings, engine = engine_from(args)
    kinds = ("incident", "observation") if args.kind == "all" else (args.kind,)
    zones = zones_frame(engine)
    records = []
    frames = []
    for kind in kinds:  # each kind apart: never added up
        frame = kind_counts(engine, CLI_PRINCIPAL, kind, zones=zones, zone=args.zone,
                            period_kind=args.period_kind,
                            stat_year_start_month=settings.stat_year_start_month,
                            confidence=settings.confidence_level)
        records += frame_records(frame, kind)
        frames.append(frame.assign(kind=kind))
    if args.format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.format == "csv":
        import csv

        csv.writer(sys.stdout).writerows(to_csv_rows(records, RECORD_KEYS))
    else:
        both = pd.concat(frames, ignore_index=True)
        if len(kinds) == 1:
            both = both.drop(columns=["kind"])
        header, rows = stats_table(both, lang=settings.lang)
        sys.stdout.write(format_table(header, rows))
    return 0


SITE_CSV_COLUMNS = ("point_kind", "name", "kind", "zone", "period", "count", "flagged", "reason", "expected",
                    "q_value", "rising", "persistent", "fading", "place", "times_flagged",
                    "lon", "lat", "in_place_of", "place_sites", "own_flagged", "own_rising")


def _site_texts(fc: dict, *, lang: str) -> dict:  # type: ignore[type-arg]
    """The reason records of ``fc`` rendered as sentences (the record kept as reason_record)."""
    from mapapp.render.hotspot_text import reason_text

    for f in fc["features"]:
        p = f["properties"]
        rec = p.get("reason")
        p["reason_record"] = rec
        p["reason"] = reason_text(rec, lang=lang) if rec else ""
        for m in p.get("measures", []):
            m["status_label"] = _status_label(m.get("status"), lang=lang)
    return fc


def _status_label(code: object, *, lang: str) -> str:
    from mapapp.render.features import status_label

    return status_label(code, lang=lang)


def cmd_hotspots(args: argparse.Namespace) -> int:
    from mapapp.analysis.stats import to_csv_rows
    from mapapp.store.district import district_outline, sites_frame, zones_frame

    settings, engine = engine_from(args)
    lang = settings.lang
    if args.backtest:
        return _backtest(args, settings, engine)
    measures = _measures(engine)
    columns = None
    kinds = POINT_KINDS if args.points == "all" else (args.points,)
    # Each kind apart, never added up (issue 15): reported crimes and walk observations are
    # different processes (observations are where a walk went), so a site or cell is tested on
    # each kind's own counts, and every feature says which (point_kind). With both kinds, one
    # period for both (the latest statistical year with data of either), so they line up.
    loaded = {kind: _points(engine, kind) for kind in kinds}
    period = args.period
    if period is None and len(kinds) > 1:
        period = _latest_period_label(settings, list(loaded.values()))
    parts = []
    if args.kind == "sites":
        from mapapp.analysis.sites import sites_geojson

        sites, district = sites_frame(engine), district_outline(engine)
        for kind in kinds:
            fc = sites_geojson(loaded[kind], sites, district,
                               period=period, measures=measures,
                               stat_year_start_month=settings.stat_year_start_month,
                               radius_m=settings.site_radius_m,
                               min_count=settings.hotspot_min_count, q=settings.hotspot_q)
            parts.append((kind, _site_texts(fc, lang=lang)))
        columns = SITE_CSV_COLUMNS
    else:
        from mapapp.analysis.emerging import emerging_hotspots, time_steps
        from mapapp.analysis.grid import build_grid, grid_geojson
        from mapapp.render.hotspot_text import trend_label
        from mapapp.store.aggregates import grid_hotspots_for

        grid = build_grid(district_outline(engine), cell_size_m=settings.grid_size_m)
        zones, sites = zones_frame(engine), sites_frame(engine)
        for kind in kinds:
            result = grid_hotspots_for(engine, CLI_PRINCIPAL, grid, period, kinds=(kind,),
                                       stat_year_start_month=settings.stat_year_start_month)
            points = loaded[kind]
            per = _period_of(result.attrs.get("period"), settings)
            steps = time_steps(points, per, stat_year_start_month=settings.stat_year_start_month)
            emerging = emerging_hotspots(points, grid, steps)
            result = result.assign(trend_class=emerging["trend_class"].to_numpy())
            fc = grid_geojson(grid, result, measures=measures, zones=zones, sites=sites)
            fc["steps"] = emerging.attrs.get("steps", [])
            for f in fc["features"]:
                p = f["properties"]
                p["class_label"] = t(f"analysis.gi.{p['class']}", lang)
                p["trend_label"] = trend_label(p["trend_class"], lang=lang)
                for m in p.get("measures", []):
                    m["status_label"] = _status_label(m.get("status"), lang=lang)
            parts.append((kind, fc))
    fc = _by_kind(parts)
    if args.format == "csv":
        import csv

        csv.writer(sys.stdout).writerows(to_csv_rows(fc, columns))
    else:
        json.dump(fc, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    return 0


POINT_KINDS = ("incident", "observation")


def _latest_period_label(settings, frames: list[pd.DataFrame]) -> str | None:  # type: ignore[no-untyped-def]
    """The latest statistical year with data in any of ``frames`` (the one period that both
    kinds are analysed for when ``--points all``)."""
    from mapapp.analysis.sites import resolve_site_period

    per = resolve_site_period(pd.concat(frames, ignore_index=True), None,
                              stat_year_start_month=settings.stat_year_start_month)
    return per.label if per is not None else None


def _by_kind(parts: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One FeatureCollection of the kinds' results one after the other, each feature with its
    ``point_kind``; ``kinds`` lists the kinds with their period (and time steps for the grid).
    Counts of different kinds are never added."""
    out: dict[str, Any] = {"type": "FeatureCollection", "period": None, "kinds": [],
                           "features": []}
    for kind, fc in parts:
        for f in fc["features"]:
            f["properties"] = {"point_kind": kind, **f["properties"]}
        out["features"] += fc["features"]
        entry = {"point_kind": kind, "period": fc.get("period")}
        if "steps" in fc:
            entry["steps"] = fc["steps"]
        out["kinds"].append(entry)
        out["period"] = out["period"] or fc.get("period")
        if "steps" in fc and "steps" not in out:
            out["steps"] = fc["steps"]
    return out


def _period_of(label: str | None, settings) -> Any:  # type: ignore[no-untyped-def]
    from mapapp.analysis.periods import parse_period

    if not label:
        return None
    return parse_period(label, stat_year_start_month=settings.stat_year_start_month)


def _backtest(args: argparse.Namespace, settings, engine) -> int:  # type: ignore[no-untyped-def]
    """``mapapp hotspots --backtest``: PAI and RRI of P−1's hot cells and flagged places on P's
    incidents, beside the count baseline."""
    from mapapp.analysis.backtest import backtest
    from mapapp.analysis.grid import build_grid
    from mapapp.analysis.sites import params_from, resolve_site_period
    from mapapp.analysis.stats import fmt_number, to_csv_rows
    from mapapp.render.hotspot_text import backtest_line, pct
    from mapapp.store.district import district_outline, sites_frame

    lang = settings.lang
    points = _points(engine, "incident")
    district = district_outline(engine)
    per = resolve_site_period(points, args.period,
                              stat_year_start_month=settings.stat_year_start_month)
    if per is None:
        sys.stdout.write(t("hotspots.backtest.none", lang, period=args.period or "") + "\n")
        return 0
    grid = build_grid(district, cell_size_m=settings.grid_size_m)
    frame = backtest(points, grid, sites_frame(engine), district, per,
                     params=params_from(settings.site_radius_m, settings.hotspot_min_count,
                                        settings.hotspot_q))
    if args.format == "csv":
        import csv

        csv.writer(sys.stdout).writerows(to_csv_rows(frame))
        return 0
    if frame.empty:
        sys.stdout.write(backtest_line(None, lang=lang, period=per.label) + "\n")
        return 0
    first = frame.iloc[0]
    sys.stdout.write(t("hotspots.backtest.title", lang, previous=first["previous"],
                       period=first["period"]) + "\n\n")
    header = [t(f"hotspots.backtest.col.{c}", lang) for c in
              ("method", "area", "hits", "pai", "rri", "base_hits", "base_pai", "base_rri")]
    rows = [[t(f"hotspots.backtest.method.{r['method']}", lang), pct(r["area_share"], lang=lang),
             pct(r["hit_share"], lang=lang), fmt_number(r["pai"], lang, decimals=2),
             fmt_number(r["rri"], lang, decimals=2), pct(r["baseline_hit_share"], lang=lang),
             fmt_number(r["baseline_pai"], lang, decimals=2),
             fmt_number(r["baseline_rri"], lang, decimals=2)] for r in frame.to_dict("records")]
    sys.stdout.write(format_table(header, rows))
    sys.stdout.write("\n" + backtest_line(first.to_dict(), lang=lang) + "\n")
    return 0
